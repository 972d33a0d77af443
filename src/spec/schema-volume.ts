// The v1 Volume schema: every volume source Kubernetes knows, the storage plugins ones left opaque.

import { arr, bool, int32, int64, obj, oneOf, opaque, quantity, str, stringMap, type FieldType } from './schema.js';
import { objectFieldSelector, resourceFieldSelector } from './schema-container.js';
import { labelSelector } from './schema-scheduling.js';

export const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** Cloud, network and plugin storage: wasmpod will not mount these, so their content is not described. */
export const STORAGE_PLUGIN_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs',
  'flocker', 'fc', 'azureFile', 'azureDisk', 'vsphereVolume', 'quobyte', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'storageos',
] as const;

const keyToPath = obj({ key: str, path: str, mode: int32 });
const downwardAPIVolumeFile = obj({
  path: str,
  fieldRef: objectFieldSelector,
  resourceFieldRef: resourceFieldSelector,
  mode: int32,
});

const volumeProjection = obj({
  configMap: obj({ name: str, items: arr(keyToPath), optional: bool }),
  secret: obj({ name: str, items: arr(keyToPath), optional: bool }),
  downwardAPI: obj({ items: arr(downwardAPIVolumeFile) }),
  serviceAccountToken: obj({ audience: str, expirationSeconds: int64, path: str }),
  clusterTrustBundle: obj({ name: str, signerName: str, labelSelector, optional: bool, path: str }),
  podCertificate: opaque,
});

/** The sources of a volume, one of which must be set: the keys of this map are what "volume type" means. */
export const VOLUME_SOURCES: Readonly<Record<string, FieldType>> = {
  hostPath: obj({ path: str, type: oneOf(...HOST_PATH_TYPES) }),
  emptyDir: obj({ medium: str, sizeLimit: quantity }),
  configMap: obj({ name: str, items: arr(keyToPath), defaultMode: int32, optional: bool }),
  secret: obj({ secretName: str, items: arr(keyToPath), defaultMode: int32, optional: bool }),
  downwardAPI: obj({ items: arr(downwardAPIVolumeFile), defaultMode: int32 }),
  projected: obj({ sources: arr(volumeProjection), defaultMode: int32 }),
  persistentVolumeClaim: obj({ claimName: str, readOnly: bool }),
  ephemeral: obj({ volumeClaimTemplate: opaque }),
  image: obj({ reference: str, pullPolicy: oneOf('Always', 'Never', 'IfNotPresent') }),
  csi: obj({ driver: str, readOnly: bool, fsType: str, volumeAttributes: stringMap, nodePublishSecretRef: obj({ name: str }) }),
  nfs: obj({ server: str, path: str, readOnly: bool }),
  gitRepo: obj({ repository: str, revision: str, directory: str }),
  ...Object.fromEntries(STORAGE_PLUGIN_SOURCES.map((name) => [name, opaque])),
};

export const volume = obj({ name: str, ...VOLUME_SOURCES });
