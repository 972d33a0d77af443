// TypeScript shapes of the Kubernetes v1 objects wasmpod reads: Pod, ConfigMap, Secret (JSON field names as the API has them).

import type { Volume, VolumeDevice, VolumeMount } from './types-volume.js';
import type { PodStatus } from './types-status.js';
import type {
  Affinity, HostAlias, PodDNSConfig, PodOS, PodReadinessGate, PodResourceClaim, PodSchedulingGate,
  PodSecurityContext, SecurityContext, Toleration, TopologySpreadConstraint,
} from './types-scheduling.js';

export type * from './types-volume.js';
export type * from './types-status.js';
export type * from './types-scheduling.js';

/** A resource quantity as written (`128Mi`, `500m`); parse it with `parseQuantity`. */
export type Quantity = string;
/** A number or a name (a port given as 8080 or as `http`). */
export type IntOrString = number | string;
/** RFC 3339 date-time, seconds precision (`2024-05-01T12:00:00Z`). */
export type Time = string;
export type ResourceList = Record<string, Quantity>;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  creationTimestamp?: Time;
  resourceVersion?: string;
  generation?: number;
  selfLink?: string;
  deletionTimestamp?: Time;
  deletionGracePeriodSeconds?: number;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
  status?: PodStatus;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  ephemeralContainers?: EphemeralContainer[];
  volumes?: Volume[];
  restartPolicy?: RestartPolicy;
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  hostname?: string;
  subdomain?: string;
  setHostnameAsFQDN?: boolean;
  hostnameOverride?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostUsers?: boolean;
  shareProcessNamespace?: boolean;
  hostAliases?: HostAlias[];
  dnsPolicy?: 'ClusterFirstWithHostNet' | 'ClusterFirst' | 'Default' | 'None';
  dnsConfig?: PodDNSConfig;
  securityContext?: PodSecurityContext;
  runtimeClassName?: string;
  os?: PodOS;
  resources?: ResourceRequirements;
  overhead?: ResourceList;
  resourceClaims?: PodResourceClaim[];
  readinessGates?: PodReadinessGate[];
  schedulingGates?: PodSchedulingGate[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  schedulerName?: string;
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName. */
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: LocalObjectReference[];
  enableServiceLinks?: boolean;
}

export interface LocalObjectReference {
  name?: string;
}

export interface Container {
  name: string;
  /** A `.wasm` path (made absolute by the defaults), an `https:` URL or a registry reference. Required here. */
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  resizePolicy?: ContainerResizePolicy[];
  /** Only `Always`, only on init containers: makes the init container a sidecar. */
  restartPolicy?: 'Always';
  restartPolicyRules?: ContainerRestartRule[];
  volumeMounts?: VolumeMount[];
  volumeDevices?: VolumeDevice[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  terminationMessagePath?: string;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
  imagePullPolicy?: 'Always' | 'Never' | 'IfNotPresent';
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface EphemeralContainer extends Container {
  targetContainerName?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  hostPort?: number;
  hostIP?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: KeySelector;
  secretKeyRef?: KeySelector;
  fileKeyRef?: FileKeySelector;
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  /** `metadata.name`, `metadata.namespace`, `metadata.uid`, `metadata.labels['key']`, `status.podIP`, ... */
  fieldPath: string;
}

export interface ResourceFieldSelector {
  containerName?: string;
  /** `limits.cpu`, `limits.memory`, `requests.cpu`, `requests.memory`, ... */
  resource: string;
  divisor?: Quantity;
}

/** ConfigMapKeySelector and SecretKeySelector have the same shape. */
export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface FileKeySelector {
  volumeName: string;
  path: string;
  key: string;
  optional?: boolean;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface ResourceRequirements {
  limits?: ResourceList;
  requests?: ResourceList;
  claims?: { name: string; request?: string }[];
}

export interface ContainerResizePolicy {
  resourceName: string;
  restartPolicy: 'NotRequired' | 'RestartContainer';
}

export interface ContainerRestartRule {
  action: 'Restart';
  exitCodes?: { operator: 'In' | 'NotIn'; values?: number[] };
}

export interface Probe extends ProbeHandler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface ProbeHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
}

export interface ExecAction {
  command?: string[];
}

export interface HTTPGetAction {
  path?: string;
  port: IntOrString;
  host?: string;
  scheme?: 'HTTP' | 'HTTPS';
  httpHeaders?: { name: string; value: string }[];
}

export interface TCPSocketAction {
  port: IntOrString;
  host?: string;
}

export interface GRPCAction {
  port: number;
  service?: string;
}

export interface Lifecycle {
  postStart?: LifecycleHandler;
  preStop?: LifecycleHandler;
  stopSignal?: string;
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: { seconds: number };
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string>;
  /** Base64 values, as the JSON form of the API carries bytes. */
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  /** Base64 values. After parsing, `stringData` has been merged in and removed, as the API server does. */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  /** `Opaque` by default; `kubernetes.io/tls`, `kubernetes.io/basic-auth`, ... */
  type?: string;
  immutable?: boolean;
}

export interface Manifest {
  pods: Pod[];
  configMaps: ConfigMap[];
  secrets: Secret[];
}
