// emptyDir: a fresh directory per pod, on disk under the state dir or, with medium Memory, on tmpfs (/dev/shm).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Volume } from '../spec/types.js';
import { memoryBytes } from '../spec/quantity.js';
import { newQuota } from '../../shim/fs/quota.js';
import { type PreparedVolume, removeDir } from './prepared.js';

/** Where Memory emptyDirs go: a tmpfs every Linux host has; elsewhere (macOS, Windows) the disk fallback. */
export const SHM_DIR = '/dev/shm';

function shmAvailable(): boolean {
  try {
    if (process.platform !== 'linux' || !fs.statSync(SHM_DIR).isDirectory()) return false;
    fs.accessSync(SHM_DIR, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh directory on tmpfs for a pod's volume (0700 until the caller opens it up), or undefined where
 * the host has no writable /dev/shm.
 */
export function memoryDir(podUid: string, volume: string): string | undefined {
  if (!shmAvailable()) return undefined;
  const dir = fs.mkdtempSync(path.join(SHM_DIR, `wasmpod-${podUid}-${volume}-`));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/**
 * Creates the volume's directory before any container starts. It lives as long as the pod: container
 * restarts keep it, and `remove()` deletes it when the pod ends.
 */
export function prepareEmptyDir(v: Volume, volumesDir: string, podUid: string): PreparedVolume {
  const src = v.emptyDir!;
  let dir = src.medium === 'Memory' ? memoryDir(podUid, v.name) : undefined;
  if (dir) {
    fs.chmodSync(dir, 0o755);
  } else {
    dir = path.join(volumesDir, 'empty-dir', v.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  }
  const limit = src.sizeLimit === undefined ? undefined : memoryBytes(String(src.sizeLimit));
  return {
    name: v.name,
    hostPath: fs.realpathSync(dir),
    readOnly: false,
    ...(limit !== undefined ? { quota: newQuota(limit) } : {}),
    remove: removeDir(dir),
  };
}
