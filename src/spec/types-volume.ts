// Kubernetes v1 volume shapes: Volume with its sources, VolumeMount, VolumeDevice.

import type { ObjectFieldSelector, Quantity, ResourceFieldSelector } from './types.js';

export type HostPathType =
  | '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  recursiveReadOnly?: 'Disabled' | 'IfPossible' | 'Enabled';
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface VolumeDevice {
  name: string;
  devicePath: string;
}

/** Exactly one source is set. Cloud and network storage sources are typed loosely: wasmpod will not run them. */
export interface Volume {
  name: string;
  hostPath?: HostPathVolumeSource;
  emptyDir?: EmptyDirVolumeSource;
  configMap?: ConfigMapVolumeSource;
  secret?: SecretVolumeSource;
  downwardAPI?: DownwardAPIVolumeSource;
  projected?: ProjectedVolumeSource;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  ephemeral?: { volumeClaimTemplate?: Record<string, unknown> };
  image?: { reference?: string; pullPolicy?: 'Always' | 'Never' | 'IfNotPresent' };
  csi?: { driver: string; readOnly?: boolean; fsType?: string; volumeAttributes?: Record<string, string>; nodePublishSecretRef?: { name?: string } };
  nfs?: { server: string; path: string; readOnly?: boolean };
  gitRepo?: { repository: string; revision?: string; directory?: string };
  gcePersistentDisk?: Record<string, unknown>;
  awsElasticBlockStore?: Record<string, unknown>;
  iscsi?: Record<string, unknown>;
  glusterfs?: Record<string, unknown>;
  rbd?: Record<string, unknown>;
  flexVolume?: Record<string, unknown>;
  cinder?: Record<string, unknown>;
  cephfs?: Record<string, unknown>;
  flocker?: Record<string, unknown>;
  fc?: Record<string, unknown>;
  azureFile?: Record<string, unknown>;
  azureDisk?: Record<string, unknown>;
  vsphereVolume?: Record<string, unknown>;
  quobyte?: Record<string, unknown>;
  photonPersistentDisk?: Record<string, unknown>;
  portworxVolume?: Record<string, unknown>;
  scaleIO?: Record<string, unknown>;
  storageos?: Record<string, unknown>;
}

export interface HostPathVolumeSource {
  path: string;
  type?: HostPathType;
}

export interface EmptyDirVolumeSource {
  medium?: '' | 'Memory';
  sizeLimit?: Quantity;
}

/** A key of a ConfigMap or Secret projected to a file at `path` in the volume. */
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}

export interface ProjectedVolumeSource {
  sources?: VolumeProjection[];
  defaultMode?: number;
}

export interface VolumeProjection {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  clusterTrustBundle?: Record<string, unknown>;
  podCertificate?: Record<string, unknown>;
}
