// A container's volumeMounts as the shim's mounts: the volume's directory (or a subPath inside it), read-only where asked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Container, Pod } from '../spec/types.js';
import type { MountSpec } from '../../shim/fs/vfs.js';
import type { PodVolumes } from './pod-volumes.js';
import { SubPathError } from './errors.js';
import { HostPathError } from '../errors.js';

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

/**
 * The host path of every volume mount of the pod's containers (a volume's directory or file, or a subPath
 * in it), resolved (subPaths created) once, before any container starts. A mount whose host path lies
 * inside another mount's pins it there (see pinnedUnder).
 */
export function podMountPaths(pod: Pod, volumes: PodVolumes): string[] {
  const paths = new Set<string>();
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const m of c.volumeMounts ?? []) {
      const v = volumes.byName.get(m.name);
      if (!v) continue;
      paths.add(m.subPath ? resolveSubPath(c.name, v.hostPath, m.subPath, v.readOnly || m.readOnly === true) : v.hostPath);
    }
  }
  return [...paths];
}

/**
 * The paths inside `root` that another mount of the pod shows, with the directories between them and
 * `root`: the mount refuses to remove, rename or replace them (MountSpec.pinned). Otherwise a container
 * holding a whole volume could swap a subPath (or an overlapping hostPath) for a symlink out of the
 * volume before or while another container mounts it: the kubelet's CVE-2017-1002101.
 */
function pinnedUnder(root: string, mountPaths: readonly string[]): string[] {
  const pins = new Set<string>();
  const inside = root.endsWith(path.sep) ? root : root + path.sep;
  for (const p of mountPaths) {
    for (let at = p; at.startsWith(inside) && at !== root; at = path.dirname(at)) pins.add(at);
  }
  return [...pins];
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
    const pinned = pinnedUnder(hostPath, volumes.mountPaths);
    return { mountPath: m.mountPath, hostPath, readOnly, ...(v.quota ? { quota: v.quota } : {}), ...(pinned.length ? { pinned } : {}) };
  });
  // A file (a subPath naming one) is reached through the directory mount that holds its mount point.
  for (const [i, m] of mounts.entries()) {
    if (fs.statSync(m.hostPath).isDirectory()) continue;
    const inner = components(m.mountPath);
    if (!mounts.some((o) => fs.statSync(o.hostPath).isDirectory() && isUnder(inner, components(o.mountPath)))) {
      const vm = c.volumeMounts![i]!;
      const why = `so its mountPath "${m.mountPath}" must lie inside another volume mount of the container (the wasm backend has no root filesystem to hold it)`;
      if (vm.subPath) throw new SubPathError(c.name, vm.subPath, `names a file, ${why}`);
      throw new HostPathError(vm.name, `container "${c.name}": the hostPath is a file, ${why}`);
    }
  }
  return [...mounts, ...mountPointParents(mounts, () => volumes.emptyMountPoint())];
}
