// A container's volumeMounts as the shim's mounts: the volume's directory (or a subPath inside it), read-only where asked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Container } from '../spec/types.js';
import type { MountSpec } from '../../shim/fs/vfs.js';
import type { PodVolumes } from './pod-volumes.js';
import { SubPathError } from './errors.js';

/**
 * Where a subPath lands inside a volume. Like the kubelet, a missing subPath directory is created
 * (in a writable volume); a subPath whose real path leaves the volume (a symlink planted by a guest or
 * on the host) is refused, and so is one that is not a directory (a WASI preopen is a directory).
 */
export function resolveSubPath(container: string, root: string, subPath: string, readOnly: boolean): string {
  const fail = (msg: string): never => { throw new SubPathError(container, subPath, msg); };
  if (path.isAbsolute(subPath) || subPath.split(/[\\/]/).includes('..')) fail('must be a relative path without ".."');
  const joined = path.join(root, subPath);
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch {
    if (readOnly) fail('does not exist in a read-only volume');
    // Create one component at a time, refusing symlinks, so that no link can steer the creation out.
    let at = root;
    for (const c of subPath.split(/[\\/]/).filter((x) => x !== '' && x !== '.')) {
      at = path.join(at, c);
      const st = fs.lstatSync(at, { throwIfNoEntry: false });
      if (st?.isSymbolicLink()) fail('is a symbolic link');
      if (!st) fs.mkdirSync(at, { mode: 0o755 });
    }
    real = fs.realpathSync(joined);
  }
  if (real !== root && !real.startsWith(root + path.sep)) fail('leaves the volume');
  if (!fs.statSync(real).isDirectory()) fail('is not a directory: the wasm backend mounts directories only');
  return real;
}

export function containerMounts(c: Container, volumes: PodVolumes): MountSpec[] {
  return (c.volumeMounts ?? []).map((m) => {
    const v = volumes.byName.get(m.name)!;
    const readOnly = v.readOnly || m.readOnly === true;
    const hostPath = m.subPath ? resolveSubPath(c.name, v.hostPath, m.subPath, readOnly) : v.hostPath;
    return { mountPath: m.mountPath, hostPath, readOnly, ...(v.quota ? { quota: v.quota } : {}) };
  });
}
