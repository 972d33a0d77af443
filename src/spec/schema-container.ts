// The v1 Container schema and what it holds: ports, env, resources, probes, lifecycle hooks, security context.

import {
  arr, bool, int32, int64, intOrString, obj, oneOf, quantity, resourceList, str, strings,
  type FieldType,
} from './schema.js';

export const containerPort = obj({
  name: str,
  containerPort: int32,
  protocol: oneOf('SCTP', 'TCP', 'UDP'),
  hostPort: int32,
  hostIP: str,
});

const optionalRef = obj({ name: str, optional: bool });
const keySelector = obj({ name: str, key: str, optional: bool });

export const objectFieldSelector = obj({ apiVersion: str, fieldPath: str });
export const resourceFieldSelector = obj({ containerName: str, resource: str, divisor: quantity });

export const envVar = obj({
  name: str,
  value: str,
  valueFrom: obj({
    fieldRef: objectFieldSelector,
    resourceFieldRef: resourceFieldSelector,
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
    fileKeyRef: obj({ volumeName: str, path: str, key: str, optional: bool }),
  }),
});

export const envFromSource = obj({ prefix: str, configMapRef: optionalRef, secretRef: optionalRef });

export const resourceRequirements = obj({
  limits: resourceList,
  requests: resourceList,
  claims: arr(obj({ name: str, request: str })),
});

export const volumeMount = obj({
  name: str,
  mountPath: str,
  readOnly: bool,
  recursiveReadOnly: oneOf('Disabled', 'IfPossible', 'Enabled'),
  subPath: str,
  subPathExpr: str,
  mountPropagation: oneOf('None', 'HostToContainer', 'Bidirectional'),
});

const execAction = obj({ command: strings });
const httpGetAction = obj({
  path: str,
  port: intOrString,
  host: str,
  scheme: oneOf('HTTP', 'HTTPS'),
  httpHeaders: arr(obj({ name: str, value: str })),
});
const tcpSocketAction = obj({ port: intOrString, host: str });

export const probe = obj({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: obj({ port: int32, service: str }),
  initialDelaySeconds: int32,
  timeoutSeconds: int32,
  periodSeconds: int32,
  successThreshold: int32,
  failureThreshold: int32,
  terminationGracePeriodSeconds: int64,
});

const lifecycleHandler = obj({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  sleep: obj({ seconds: int64 }),
});

export const lifecycle = obj({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str });

export const seLinuxOptions = obj({ user: str, role: str, type: str, level: str });
export const windowsOptions = obj({ gmsaCredentialSpecName: str, gmsaCredentialSpec: str, runAsUserName: str, hostProcess: bool });
export const profile = obj({ type: oneOf('Unconfined', 'RuntimeDefault', 'Localhost'), localhostProfile: str });

export const securityContext = obj({
  capabilities: obj({ add: strings, drop: strings }),
  privileged: bool,
  seLinuxOptions,
  windowsOptions,
  runAsUser: int64,
  runAsGroup: int64,
  runAsNonRoot: bool,
  readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool,
  procMount: oneOf('Default', 'Unmasked'),
  seccompProfile: profile,
  appArmorProfile: profile,
});

const containerFields = {
  name: str,
  image: str,
  command: strings,
  args: strings,
  workingDir: str,
  ports: arr(containerPort),
  env: arr(envVar),
  envFrom: arr(envFromSource),
  resources: resourceRequirements,
  resizePolicy: arr(obj({ resourceName: str, restartPolicy: oneOf('NotRequired', 'RestartContainer') })),
  restartPolicy: str,
  restartPolicyRules: arr(obj({
    action: oneOf('Restart'),
    exitCodes: obj({ operator: oneOf('In', 'NotIn'), values: arr(int32) }),
  })),
  volumeMounts: arr(volumeMount),
  volumeDevices: arr(obj({ name: str, devicePath: str })),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle,
  terminationMessagePath: str,
  terminationMessagePolicy: oneOf('File', 'FallbackToLogsOnError'),
  imagePullPolicy: oneOf('Always', 'Never', 'IfNotPresent'),
  securityContext,
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
};

export const container: FieldType = obj(containerFields);
export const ephemeralContainer: FieldType = obj({ ...containerFields, targetContainerName: str });
