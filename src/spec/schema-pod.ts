// The v1 schemas of the top-level objects: Pod (with PodSpec and ObjectMeta), ConfigMap, Secret.

import {
  any, arr, bool, int32, int64, obj, oneOf, opaque, resourceList, str, stringMap, strings, time, type FieldType,
} from './schema.js';
import { container, ephemeralContainer, resourceRequirements } from './schema-container.js';
import { affinity, podDNSConfig, podSecurityContext, toleration, topologySpreadConstraint } from './schema-scheduling.js';
import { volume } from './schema-volume.js';

export const objectMeta = obj({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int64,
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: int64,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: arr(obj({
    apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool,
  })),
  finalizers: strings,
  managedFields: arr(opaque),
});

export const podSpec = obj({
  volumes: arr(volume),
  initContainers: arr(container),
  containers: arr(container),
  ephemeralContainers: arr(ephemeralContainer),
  restartPolicy: str,
  terminationGracePeriodSeconds: int64,
  activeDeadlineSeconds: int64,
  dnsPolicy: oneOf('ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'),
  nodeSelector: stringMap,
  serviceAccountName: str,
  serviceAccount: str,
  automountServiceAccountToken: bool,
  nodeName: str,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: podSecurityContext,
  imagePullSecrets: arr(obj({ name: str })),
  hostname: str,
  hostnameOverride: str,
  subdomain: str,
  affinity,
  schedulerName: str,
  tolerations: arr(toleration),
  hostAliases: arr(obj({ ip: str, hostnames: strings })),
  priorityClassName: str,
  priority: int32,
  dnsConfig: podDNSConfig,
  readinessGates: arr(obj({ conditionType: str })),
  runtimeClassName: str,
  enableServiceLinks: bool,
  preemptionPolicy: oneOf('PreemptLowerPriority', 'Never'),
  overhead: resourceList,
  topologySpreadConstraints: arr(topologySpreadConstraint),
  setHostnameAsFQDN: bool,
  os: obj({ name: str }),
  hostUsers: bool,
  schedulingGates: arr(obj({ name: str })),
  resourceClaims: arr(obj({ name: str, resourceClaimName: str, resourceClaimTemplateName: str })),
  resources: resourceRequirements,
});

export const pod: FieldType = obj({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: podSpec,
  // Status is written by the runtime, never read from a manifest; `kubectl get -o yaml` output carries one.
  status: any,
});

export const configMap: FieldType = obj({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  data: stringMap,
  binaryData: stringMap,
  immutable: bool,
});

export const secret: FieldType = obj({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  data: stringMap,
  stringData: stringMap,
  type: str,
  immutable: bool,
});


