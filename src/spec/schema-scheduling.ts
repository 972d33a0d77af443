// The v1 schemas of a Pod's scheduling, DNS and pod-level security fields (on one node, mostly accepted and ignored).

import { arr, bool, int32, int64, obj, oneOf, str, stringMap, strings } from './schema.js';
import { profile, seLinuxOptions, windowsOptions } from './schema-container.js';

export const labelSelector = obj({
  matchLabels: stringMap,
  matchExpressions: arr(obj({ key: str, operator: oneOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: strings })),
});

const nodeSelectorRequirement = obj({
  key: str,
  operator: oneOf('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'),
  values: strings,
});
const nodeSelectorTerm = obj({ matchExpressions: arr(nodeSelectorRequirement), matchFields: arr(nodeSelectorRequirement) });

const podAffinityTerm = obj({
  labelSelector,
  namespaces: strings,
  topologyKey: str,
  namespaceSelector: labelSelector,
  matchLabelKeys: strings,
  mismatchLabelKeys: strings,
});

const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: arr(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: int32, podAffinityTerm })),
});

export const affinity = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: arr(nodeSelectorTerm) }),
    preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: int32, preference: nodeSelectorTerm })),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});

export const toleration = obj({
  key: str,
  operator: oneOf('Exists', 'Equal'),
  value: str,
  effect: oneOf('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
  tolerationSeconds: int64,
});

export const topologySpreadConstraint = obj({
  maxSkew: int32,
  topologyKey: str,
  whenUnsatisfiable: oneOf('DoNotSchedule', 'ScheduleAnyway'),
  labelSelector,
  minDomains: int32,
  nodeAffinityPolicy: oneOf('Honor', 'Ignore'),
  nodeTaintsPolicy: oneOf('Honor', 'Ignore'),
  matchLabelKeys: strings,
});

export const podDNSConfig = obj({
  nameservers: strings,
  searches: strings,
  options: arr(obj({ name: str, value: str })),
});

export const podSecurityContext = obj({
  seLinuxOptions,
  windowsOptions,
  runAsUser: int64,
  runAsGroup: int64,
  runAsNonRoot: bool,
  supplementalGroups: arr(int64),
  supplementalGroupsPolicy: oneOf('Merge', 'Strict'),
  fsGroup: int64,
  fsGroupChangePolicy: oneOf('OnRootMismatch', 'Always'),
  sysctls: arr(obj({ name: str, value: str })),
  seccompProfile: profile,
  appArmorProfile: profile,
  seLinuxChangePolicy: oneOf('MountOption', 'Recursive'),
});
