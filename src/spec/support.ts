// What wasmpod does with each field of a v1 Pod: the one table to edit when a feature lands.

import { STORAGE_PLUGIN_SOURCES } from './schema-volume.js';

/**
 * - supported: validated and used;
 * - ignored: accepted (and type-checked) but without effect, as it changes nothing for a single-node runtime;
 * - unsupported: rejected with `<path>: not supported yet[: reason]`, unless `accept(value)` says this
 *   particular value behaves as if the field were absent (`hostPID: false`).
 */
export type SupportLevel = 'supported' | 'ignored' | 'unsupported';

export interface SupportEntry {
  readonly level: SupportLevel;
  readonly reason?: string;
  readonly accept?: (value: unknown) => boolean;
}

const S: SupportEntry = { level: 'supported' };
const I: SupportEntry = { level: 'ignored' };
const U = (reason?: string, accept?: (value: unknown) => boolean): SupportEntry =>
  ({ level: 'unsupported', ...(reason ? { reason } : {}), ...(accept ? { accept } : {}) });
const isFalse = (v: unknown): boolean => v === false;

const TCP_HOOK = 'Kubernetes deprecated tcpSocket lifecycle handlers and its kubelet does not run them';
const OWN_POD = 'probes and hooks reach the pod\'s own network only';

/** The fields of an httpGet handler (probe or lifecycle hook) under `at`. */
function httpGetHandler(at: string): Record<string, SupportEntry> {
  return {
    [`${at}.httpGet`]: S,
    [`${at}.httpGet.path`]: S,
    [`${at}.httpGet.port`]: S,
    [`${at}.httpGet.host`]: U(OWN_POD, (v) => v === ''),
    [`${at}.httpGet.scheme`]: U('HTTPS is not implemented', (v) => v === 'HTTP'),
    [`${at}.httpGet.httpHeaders`]: S,
    [`${at}.httpGet.httpHeaders[].name`]: S,
    [`${at}.httpGet.httpHeaders[].value`]: S,
  };
}

/** The fields of a probe's httpGet and tcpSocket handlers under `at`. */
function netHandler(at: string): Record<string, SupportEntry> {
  return {
    ...httpGetHandler(at),
    [`${at}.tcpSocket`]: S,
    [`${at}.tcpSocket.port`]: S,
    [`${at}.tcpSocket.host`]: U(OWN_POD, (v) => v === ''),
  };
}
const IDENTITY = 'wasm guests have no user or group identity';

/*
 * Keys are field path patterns: `[]` stands for any array index. A field not listed inherits the entry of
 * its nearest listed ancestor when that ancestor is ignored or unsupported; under a supported ancestor every
 * field must be listed (test/spec/support.test.ts checks it), and a missing one counts as unsupported.
 * `spec.initContainers[].x` falls back to `spec.containers[].x`: list an initContainers pattern only to differ.
 *
 * To support a feature, change its entries to S here, then add its semantic checks to validate-*.ts.
 */
export const SUPPORT: Readonly<Record<string, SupportEntry>> = {
  apiVersion: S,
  kind: S,
  status: I, // written by the runtime; a manifest's status is dropped as the API server drops it

  metadata: S,
  'metadata.name': S,
  'metadata.generateName': S,
  'metadata.namespace': S,
  'metadata.labels': S,
  'metadata.annotations': S,
  'metadata.uid': S,
  'metadata.creationTimestamp': S,
  // Server-managed or controller metadata: nothing on one node reads it.
  'metadata.resourceVersion': I,
  'metadata.generation': I,
  'metadata.selfLink': I,
  'metadata.deletionTimestamp': I,
  'metadata.deletionGracePeriodSeconds': I,
  'metadata.ownerReferences': I,
  'metadata.finalizers': I,
  'metadata.managedFields': I,

  spec: S,
  'spec.containers': S,
  'spec.initContainers': S,
  'spec.ephemeralContainers': U('ephemeral containers (kubectl debug) are not implemented'),
  'spec.restartPolicy': S,
  'spec.terminationGracePeriodSeconds': S,
  'spec.activeDeadlineSeconds': S,
  'spec.hostname': S,
  // Guest sockets become host sockets (docs/network.md).
  'spec.hostNetwork': S,
  // Scheduling, placement, cluster DNS and API credentials: there is one node and no API token to mount.
  'spec.nodeName': I,
  'spec.nodeSelector': I,
  'spec.affinity': I,
  'spec.tolerations': I,
  'spec.topologySpreadConstraints': I,
  'spec.schedulerName': I,
  'spec.priorityClassName': I,
  'spec.priority': I,
  'spec.preemptionPolicy': I,
  'spec.overhead': I,
  'spec.dnsPolicy': I,
  'spec.dnsConfig': I,
  'spec.subdomain': I,
  'spec.enableServiceLinks': I,
  'spec.serviceAccountName': I,
  'spec.serviceAccount': I,
  'spec.automountServiceAccountToken': I,
  'spec.imagePullSecrets': I,
  'spec.hostUsers': I, // guests never share the host's users
  // Behaviour wasmpod does not have yet.
  'spec.hostPID': U('containers of a pod never see host processes', isFalse),
  'spec.hostIPC': U('pod IPC is private to the pod', isFalse),
  'spec.shareProcessNamespace': U('containers cannot see each other\'s processes', isFalse),
  'spec.setHostnameAsFQDN': U(undefined, isFalse),
  'spec.hostnameOverride': U(),
  'spec.hostAliases': U('/etc/hosts entries'),
  // wasm (the default) or linux (src/runtime/linux); a linux pod is checked against LINUX_SUPPORT below.
  'spec.runtimeClassName': U('the runtime classes are wasm and linux', (v) => v === 'wasm' || v === 'linux'),
  'spec.os': U(),
  'spec.resources': U('pod-level resources'),
  'spec.resourceClaims': U('dynamic resource allocation'),
  'spec.readinessGates': U(),
  'spec.schedulingGates': U(),

  'spec.securityContext': S,
  'spec.securityContext.runAsUser': U(IDENTITY),
  'spec.securityContext.runAsGroup': U(IDENTITY),
  'spec.securityContext.fsGroup': U(IDENTITY),
  'spec.securityContext.supplementalGroups': U(IDENTITY),
  'spec.securityContext.sysctls': U(),
  // Satisfied by the sandbox itself (no root, no host confinement profiles apply to a wasm guest).
  'spec.securityContext.runAsNonRoot': I,
  'spec.securityContext.supplementalGroupsPolicy': I,
  'spec.securityContext.fsGroupChangePolicy': I,
  'spec.securityContext.seLinuxOptions': I,
  'spec.securityContext.seLinuxChangePolicy': I,
  'spec.securityContext.windowsOptions': I,
  'spec.securityContext.seccompProfile': I,
  'spec.securityContext.appArmorProfile': I,

  'spec.volumes': S,
  'spec.volumes[].name': S,
  'spec.volumes[].hostPath': S,
  'spec.volumes[].hostPath.path': S,
  'spec.volumes[].hostPath.type': S,
  // Volumes live under the state dir (Memory emptyDirs in /dev/shm where present): docs/volumes.md.
  'spec.volumes[].emptyDir': S,
  'spec.volumes[].emptyDir.medium': S,
  'spec.volumes[].emptyDir.sizeLimit': S,
  'spec.volumes[].configMap': S,
  'spec.volumes[].configMap.name': S,
  'spec.volumes[].configMap.items': S,
  'spec.volumes[].configMap.items[].key': S,
  'spec.volumes[].configMap.items[].path': S,
  'spec.volumes[].configMap.items[].mode': S,
  'spec.volumes[].configMap.defaultMode': S,
  'spec.volumes[].configMap.optional': S,
  'spec.volumes[].secret': S,
  'spec.volumes[].secret.secretName': S,
  'spec.volumes[].secret.items': S,
  'spec.volumes[].secret.items[].key': S,
  'spec.volumes[].secret.items[].path': S,
  'spec.volumes[].secret.items[].mode': S,
  'spec.volumes[].secret.defaultMode': S,
  'spec.volumes[].secret.optional': S,
  'spec.volumes[].downwardAPI': S,
  'spec.volumes[].downwardAPI.items': S,
  'spec.volumes[].downwardAPI.items[].path': S,
  'spec.volumes[].downwardAPI.items[].fieldRef': S,
  'spec.volumes[].downwardAPI.items[].fieldRef.apiVersion': S,
  'spec.volumes[].downwardAPI.items[].fieldRef.fieldPath': S,
  'spec.volumes[].downwardAPI.items[].mode': S,
  'spec.volumes[].downwardAPI.defaultMode': S,
  'spec.volumes[].projected': S,
  'spec.volumes[].projected.sources': S,
  'spec.volumes[].projected.defaultMode': S,
  'spec.volumes[].projected.sources[].configMap': S,
  'spec.volumes[].projected.sources[].configMap.name': S,
  'spec.volumes[].projected.sources[].configMap.items': S,
  'spec.volumes[].projected.sources[].configMap.items[].key': S,
  'spec.volumes[].projected.sources[].configMap.items[].path': S,
  'spec.volumes[].projected.sources[].configMap.items[].mode': S,
  'spec.volumes[].projected.sources[].configMap.optional': S,
  'spec.volumes[].projected.sources[].secret': S,
  'spec.volumes[].projected.sources[].secret.name': S,
  'spec.volumes[].projected.sources[].secret.items': S,
  'spec.volumes[].projected.sources[].secret.items[].key': S,
  'spec.volumes[].projected.sources[].secret.items[].path': S,
  'spec.volumes[].projected.sources[].secret.items[].mode': S,
  'spec.volumes[].projected.sources[].secret.optional': S,
  'spec.volumes[].projected.sources[].downwardAPI': S,
  'spec.volumes[].projected.sources[].downwardAPI.items': S,
  'spec.volumes[].projected.sources[].downwardAPI.items[].path': S,
  'spec.volumes[].projected.sources[].downwardAPI.items[].fieldRef': S,
  'spec.volumes[].projected.sources[].downwardAPI.items[].fieldRef.apiVersion': S,
  'spec.volumes[].projected.sources[].downwardAPI.items[].fieldRef.fieldPath': S,
  'spec.volumes[].projected.sources[].downwardAPI.items[].mode': S,
  'spec.volumes[].downwardAPI.items[].resourceFieldRef': U('resource limits are not exposed yet'),
  'spec.volumes[].projected.sources[].downwardAPI.items[].resourceFieldRef': U('resource limits are not exposed yet'),
  'spec.volumes[].projected.sources[].serviceAccountToken': U('there is no API server to issue tokens'),
  'spec.volumes[].projected.sources[].clusterTrustBundle': U('there is no API server'),
  'spec.volumes[].projected.sources[].podCertificate': U('there is no API server'),
  'spec.volumes[].persistentVolumeClaim': U('there are no PersistentVolumes on a single node'),
  'spec.volumes[].ephemeral': U('there are no PersistentVolumes on a single node'),
  'spec.volumes[].image': U(),
  'spec.volumes[].csi': U('CSI drivers'),
  'spec.volumes[].nfs': U(),
  'spec.volumes[].gitRepo': U('gitRepo is deprecated; clone in an init container'),
  ...Object.fromEntries(STORAGE_PLUGIN_SOURCES.map((s) => [`spec.volumes[].${s}`, U('cloud and plugin storage')])),

  // One container's fields, for containers and initContainers alike.
  'spec.containers[].name': S,
  'spec.containers[].image': S,
  'spec.containers[].command': S,
  'spec.containers[].args': S,
  'spec.containers[].workingDir': U('WASI preview1 has no working directory (wasi-libc starts every program in /)', (v) => v === '/'),
  'spec.containers[].stdin': S,
  'spec.containers[].tty': U('no terminal is allocated', isFalse),
  'spec.containers[].stdinOnce': I,
  'spec.containers[].restartPolicy': S, // checked in validate-container.ts: Always on init containers only
  'spec.containers[].restartPolicyRules': U(),
  'spec.containers[].ports': S,
  'spec.containers[].ports[].name': S,
  'spec.containers[].ports[].containerPort': S,
  'spec.containers[].ports[].protocol': U('SCTP is not offered by the virtual network (TCP and UDP are)', (v) => v !== 'SCTP'),
  'spec.containers[].ports[].hostPort': S,
  'spec.containers[].ports[].hostIP': S,
  'spec.containers[].env': S,
  'spec.containers[].env[].name': S,
  'spec.containers[].env[].value': S,
  'spec.containers[].env[].valueFrom': S,
  'spec.containers[].env[].valueFrom.fieldRef': S,
  'spec.containers[].env[].valueFrom.fieldRef.apiVersion': S,
  'spec.containers[].env[].valueFrom.fieldRef.fieldPath': S,
  'spec.containers[].env[].valueFrom.configMapKeyRef': S,
  'spec.containers[].env[].valueFrom.configMapKeyRef.name': S,
  'spec.containers[].env[].valueFrom.configMapKeyRef.key': S,
  'spec.containers[].env[].valueFrom.configMapKeyRef.optional': S,
  'spec.containers[].env[].valueFrom.secretKeyRef': S,
  'spec.containers[].env[].valueFrom.secretKeyRef.name': S,
  'spec.containers[].env[].valueFrom.secretKeyRef.key': S,
  'spec.containers[].env[].valueFrom.secretKeyRef.optional': S,
  'spec.containers[].envFrom': S,
  'spec.containers[].envFrom[].prefix': S,
  'spec.containers[].envFrom[].configMapRef': S,
  'spec.containers[].envFrom[].configMapRef.name': S,
  'spec.containers[].envFrom[].configMapRef.optional': S,
  'spec.containers[].envFrom[].secretRef': S,
  'spec.containers[].envFrom[].secretRef.name': S,
  'spec.containers[].envFrom[].secretRef.optional': S,
  'spec.containers[].env[].valueFrom.resourceFieldRef': U('resource limits are not exposed yet'),
  'spec.containers[].env[].valueFrom.fileKeyRef': U(),
  'spec.containers[].resources': S,
  'spec.containers[].resources.limits': S, // resource names are checked in validate-resources.ts
  'spec.containers[].resources.requests': S,
  'spec.containers[].resources.claims': U('dynamic resource allocation'),
  'spec.containers[].resizePolicy': U('in-place resize'),
  'spec.containers[].volumeMounts': S,
  'spec.containers[].volumeMounts[].name': S,
  'spec.containers[].volumeMounts[].mountPath': S,
  'spec.containers[].volumeMounts[].readOnly': S,
  'spec.containers[].volumeMounts[].recursiveReadOnly': I, // a read-only mount has no writable submounts here
  'spec.containers[].volumeMounts[].subPath': S,
  'spec.containers[].volumeMounts[].subPathExpr': U(),
  'spec.containers[].volumeMounts[].mountPropagation': U(undefined, (v) => v === 'None'),
  'spec.containers[].volumeDevices': U('block devices'),
  'spec.containers[].livenessProbe': S,
  'spec.containers[].livenessProbe.exec': S,
  'spec.containers[].livenessProbe.exec.command': S,
  ...netHandler('spec.containers[].livenessProbe'),
  'spec.containers[].livenessProbe.grpc': S,
  'spec.containers[].livenessProbe.grpc.port': S,
  'spec.containers[].livenessProbe.grpc.service': S,
  'spec.containers[].livenessProbe.initialDelaySeconds': S,
  'spec.containers[].livenessProbe.timeoutSeconds': S,
  'spec.containers[].livenessProbe.periodSeconds': S,
  'spec.containers[].livenessProbe.successThreshold': S,
  'spec.containers[].livenessProbe.failureThreshold': S,
  'spec.containers[].livenessProbe.terminationGracePeriodSeconds': U('a per-probe grace period'),
  'spec.containers[].readinessProbe': S,
  'spec.containers[].readinessProbe.exec': S,
  'spec.containers[].readinessProbe.exec.command': S,
  ...netHandler('spec.containers[].readinessProbe'),
  'spec.containers[].readinessProbe.grpc': S,
  'spec.containers[].readinessProbe.grpc.port': S,
  'spec.containers[].readinessProbe.grpc.service': S,
  'spec.containers[].readinessProbe.initialDelaySeconds': S,
  'spec.containers[].readinessProbe.timeoutSeconds': S,
  'spec.containers[].readinessProbe.periodSeconds': S,
  'spec.containers[].readinessProbe.successThreshold': S,
  'spec.containers[].readinessProbe.failureThreshold': S,
  'spec.containers[].readinessProbe.terminationGracePeriodSeconds': U('a per-probe grace period'),
  'spec.containers[].startupProbe': S,
  'spec.containers[].startupProbe.exec': S,
  'spec.containers[].startupProbe.exec.command': S,
  ...netHandler('spec.containers[].startupProbe'),
  'spec.containers[].startupProbe.grpc': S,
  'spec.containers[].startupProbe.grpc.port': S,
  'spec.containers[].startupProbe.grpc.service': S,
  'spec.containers[].startupProbe.initialDelaySeconds': S,
  'spec.containers[].startupProbe.timeoutSeconds': S,
  'spec.containers[].startupProbe.periodSeconds': S,
  'spec.containers[].startupProbe.successThreshold': S,
  'spec.containers[].startupProbe.failureThreshold': S,
  'spec.containers[].startupProbe.terminationGracePeriodSeconds': U('a per-probe grace period'),
  'spec.containers[].lifecycle': S,
  'spec.containers[].lifecycle.postStart': S,
  'spec.containers[].lifecycle.postStart.exec': S,
  'spec.containers[].lifecycle.postStart.exec.command': S,
  'spec.containers[].lifecycle.postStart.sleep': S,
  'spec.containers[].lifecycle.postStart.sleep.seconds': S,
  ...httpGetHandler('spec.containers[].lifecycle.postStart'),
  'spec.containers[].lifecycle.postStart.tcpSocket': U(TCP_HOOK),
  'spec.containers[].lifecycle.preStop': S,
  'spec.containers[].lifecycle.preStop.exec': S,
  'spec.containers[].lifecycle.preStop.exec.command': S,
  'spec.containers[].lifecycle.preStop.sleep': S,
  'spec.containers[].lifecycle.preStop.sleep.seconds': S,
  ...httpGetHandler('spec.containers[].lifecycle.preStop'),
  'spec.containers[].lifecycle.preStop.tcpSocket': U(TCP_HOOK),
  'spec.containers[].lifecycle.stopSignal': U('WASI has no signals: see docs/lifecycle.md for how a guest is asked to stop'),
  'spec.containers[].terminationMessagePath': I,
  'spec.containers[].terminationMessagePolicy': I,
  'spec.containers[].imagePullPolicy': S,
  'spec.containers[].securityContext': S,
  'spec.containers[].securityContext.runAsUser': U(IDENTITY),
  'spec.containers[].securityContext.runAsGroup': U(IDENTITY),
  'spec.containers[].securityContext.privileged': U('wasm guests are never privileged', isFalse),
  'spec.containers[].securityContext.capabilities': S,
  'spec.containers[].securityContext.capabilities.add': U('wasm guests have no capabilities to add'),
  'spec.containers[].securityContext.capabilities.drop': I, // a guest holds none
  // Satisfied by the sandbox itself: no root, no setuid, no root filesystem beyond the mounts.
  'spec.containers[].securityContext.runAsNonRoot': I,
  'spec.containers[].securityContext.allowPrivilegeEscalation': I,
  'spec.containers[].securityContext.readOnlyRootFilesystem': I,
  'spec.containers[].securityContext.procMount': I,
  'spec.containers[].securityContext.seLinuxOptions': I,
  'spec.containers[].securityContext.windowsOptions': I,
  'spec.containers[].securityContext.seccompProfile': I,
  'spec.containers[].securityContext.appArmorProfile': I,
};

/** The table for pods with `runtimeClassName: linux`: native processes have what WASI lacks. */
export const LINUX_SUPPORT: Readonly<Record<string, SupportEntry>> = {
  ...SUPPORT,
  'spec.shareProcessNamespace': S,
  'spec.containers[].workingDir': S,
};

const MISSING = U('wasmpod does not know this field yet');

/** The entry for a field path pattern (`spec.containers[].ports[].name`), following the rules above. */
export function supportOf(pattern: string, table: Readonly<Record<string, SupportEntry>> = SUPPORT): SupportEntry {
  const own = entry(pattern, table);
  if (own) return own;
  for (let p = parentPattern(pattern); p !== ''; p = parentPattern(p)) {
    const e = entry(p, table);
    if (e) return e.level === 'supported' ? MISSING : e;
  }
  return MISSING;
}

function entry(pattern: string, table: Readonly<Record<string, SupportEntry>>): SupportEntry | undefined {
  const own = table[pattern];
  if (own || !pattern.startsWith('spec.initContainers[].')) return own;
  return table[`spec.containers[].${pattern.slice('spec.initContainers[].'.length)}`];
}

function parentPattern(pattern: string): string {
  if (pattern.endsWith('[]')) return pattern.slice(0, -2);
  const dot = pattern.lastIndexOf('.');
  return dot < 0 ? '' : pattern.slice(0, dot);
}
