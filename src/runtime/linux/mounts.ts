// The mounts a sandbox makes on the host: a container's overlay root filesystem and the pod's /dev/shm tmpfs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mustRun, runCommand } from './command.js';
import { MountError } from './errors.js';
import type { ContainerRoot } from './oci-config.js';

const mountError = (m: string): Error => new MountError(m);

/** Overlay options are comma and colon separated: paths holding those characters cannot be passed. */
function checkOverlayPath(p: string): void {
  if (/[,:\\]/.test(p)) throw new MountError(`cannot use ${p} in an overlay mount: it contains , : or \\`);
}

/**
 * Mounts `lower` read-only under a writable layer kept in `dir` (upper/, work/), at `dir`/rootfs:
 * each container run writes to its own layer and the image directory is never modified.
 */
export async function mountOverlayRoot(lower: string, dir: string): Promise<string> {
  const [upper, work, merged] = ['upper', 'work', 'rootfs'].map((d) => path.join(dir, d)) as [string, string, string];
  for (const d of [upper, work, merged]) fs.mkdirSync(d, { recursive: true });
  for (const p of [lower, upper, work]) checkOverlayPath(p);
  await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged], mountError);
  return merged;
}

/**
 * Rootless: makes the overlay's directories only (this user may not mount on the host); the OCI runtime mounts
 * the overlay itself over `dir`/rootfs inside the container's user and mount namespaces.
 */
export function overlayRootDirs(lower: string, dir: string): ContainerRoot {
  const [upper, work, merged] = ['upper', 'work', 'rootfs'].map((d) => path.join(dir, d)) as [string, string, string];
  for (const d of [upper, work, merged]) fs.mkdirSync(d, { recursive: true });
  for (const p of [lower, upper, work]) checkOverlayPath(p);
  return { path: merged, overlay: { lower, upper, work } };
}

/** A tmpfs of `bytes` at `dir`, shared by the pod's containers as /dev/shm (POSIX shared memory). */
export async function mountTmpfs(dir: string, bytes: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await mustRun('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=1777,nosuid,nodev,noexec`, 'shm', dir], mountError);
}

/** The mount points under `dir` (deepest first), read from /proc/self/mountinfo. */
export function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir);
  const points = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === prefix || p.startsWith(prefix + path.sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything mounted under `dir`, detaching a busy mount (lazy unmount) rather than leaving it. */
export async function unmountAll(dir: string): Promise<void> {
  for (const p of mountsUnder(dir)) {
    const r = await runCommand('umount', [p]);
    if (r.code !== 0) await mustRun('umount', ['-l', p], mountError);
  }
}
