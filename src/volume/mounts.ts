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
 * on the host) is refused. It may name a directory or a regular file (mounted as a file).
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
  const st = fs.statSync(real);
  if (!st.isDirectory() && !st.isFile()) fail('is neither a directory nor a regular file');
  return real;
}

/** The guest path's components, e.g. "/a/b/" gives ["a", "b"]. */
const components = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');
const isUnder = (inner: string[], outer: string[]): boolean =>
  inner.length > outer.length && outer.every((c, i) => inner[i] === c);

/**
 * The directories between two nested mounts that the outer volume lacks (`/a` for a mount at `/a/b`
 * inside a mount at `/`, when the outer volume has no `a`): each becomes a read-only mount of one empty
 * directory, so the inner mount is reachable and the outer volume on the host is never written (runc
 * would create the directory in the container's root filesystem instead).
 */
function mountPointParents(mounts: MountSpec[], emptyDir: () => string): MountSpec[] {
  const out: MountSpec[] = [];
  const have = new Set(mounts.map((m) => components(m.mountPath).join('/')));
  for (const m of mounts) {
    const inner = components(m.mountPath);
    const outer = mounts.map((o) => ({ o, g: components(o.mountPath) }))
      .filter(({ g }) => isUnder(inner, g)).sort((a, b) => b.g.length - a.g.length)[0];
    if (!outer) continue;
    for (let depth = outer.g.length + 1; depth < inner.length; depth++) {
      const guest = inner.slice(0, depth);
      if (have.has(guest.join('/'))) continue;
      const onHost = fs.lstatSync(path.join(outer.o.hostPath, ...guest.slice(outer.g.length)), { throwIfNoEntry: false });
      if (onHost?.isDirectory()) continue;
      have.add(guest.join('/'));
      out.push({ mountPath: `/${guest.join('/')}`, hostPath: emptyDir(), readOnly: true });
    }
  }
  return out;
}

export function containerMounts(c: Container, volumes: PodVolumes): MountSpec[] {
  const mounts: MountSpec[] = (c.volumeMounts ?? []).map((m) => {
    const v = volumes.byName.get(m.name)!;
    const readOnly = v.readOnly || m.readOnly === true;
    const hostPath = m.subPath ? resolveSubPath(c.name, v.hostPath, m.subPath, readOnly) : v.hostPath;
    return { mountPath: m.mountPath, hostPath, readOnly, ...(v.quota ? { quota: v.quota } : {}) };
  });
  // A file (a subPath naming one) is reached through the directory mount that holds its mount point.
  for (const [i, m] of mounts.entries()) {
    if (fs.statSync(m.hostPath).isDirectory()) continue;
    const inner = components(m.mountPath);
    if (!mounts.some((o) => fs.statSync(o.hostPath).isDirectory() && isUnder(inner, components(o.mountPath)))) {
      throw new SubPathError(c.name, c.volumeMounts![i].subPath!, `names a file, so its mountPath "${m.mountPath}" must lie inside another volume mount of the container (the wasm backend has no root filesystem to hold it)`);
    }
  }
  return [...mounts, ...mountPointParents(mounts, () => volumes.emptyMountPoint())];
}
