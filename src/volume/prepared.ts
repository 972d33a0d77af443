// What setting up one volume of a pod yields: the host directory its mounts show, and how to mount it.
import * as fs from 'node:fs';
import type { QuotaInit } from '../../shim/fs/quota.js';

export interface PreparedVolume {
  name: string;
  /** The host directory (real path) that mounts of this volume show. */
  hostPath: string;
  /** configMap, secret, downwardAPI and projected volumes are always read-only. */
  readOnly: boolean;
  /** emptyDir sizeLimit: one budget shared by every mount of the volume in every container. */
  quota?: QuotaInit;
  /** Deletes what the pod created (emptyDir and generated files); hostPath volumes keep their contents. */
  remove(): void;
}

export function removeDir(dir: string): () => void {
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
