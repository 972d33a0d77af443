// Rootless mode: whether this user may make user namespaces, and what a pod is told when its limits cannot be applied.
import * as fs from 'node:fs';
import { RootfsError } from './errors.js';

/** The host uid and gid a rootless pod's user namespace maps to root; undefined when running as root. */
export function rootlessUser(): { uid: number; gid: number } | undefined {
  const uid = process.geteuid?.() ?? 0;
  return uid === 0 ? undefined : { uid, gid: process.getegid?.() ?? uid };
}

const readSysctl = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/**
 * Why this (non-root) user cannot make user namespaces, or undefined when it can. The knobs that turn them
 * off: user.max_user_namespaces = 0 (any kernel), kernel.unprivileged_userns_clone = 0 (Debian's older
 * kernels), kernel.apparmor_restrict_unprivileged_userns = 1 (Ubuntu 23.10+).
 */
export function userNamespacesUnavailable(): string | undefined {
  if (!fs.existsSync('/proc/self/ns/user')) return 'rootless mode needs user namespaces, which this kernel lacks';
  const checks: [string, (v: string) => boolean][] = [
    ['/proc/sys/user/max_user_namespaces', (v) => v === '0'],
    ['/proc/sys/kernel/unprivileged_userns_clone', (v) => v === '0'],
    ['/proc/sys/kernel/apparmor_restrict_unprivileged_userns', (v) => v === '1'],
  ];
  for (const [file, off] of checks) {
    const v = readSysctl(file);
    if (v !== undefined && off(v)) return `rootless mode needs unprivileged user namespaces, which ${file} = ${v} turns off`;
  }
  return undefined;
}

/** The event reason (a Warning) of a pod whose cgroup limits could not be applied. */
export const LIMITS_NOT_APPLIED = 'CgroupLimitsNotApplied';

/** The event's message: who we run as, why the cgroup tree is out of reach, and what is not enforced. */
export function limitsNotAppliedMessage(uid: number, why: string, podPidsLimit: number): string {
  return `running rootless as uid ${uid} on a cgroup tree not delegated to it (${why}): the pod runs without cgroups, ` +
    `so its containers' memory and cpu limits and requests and the pod's pids limit (${podPidsLimit}) are not enforced, ` +
    'and an OOM kill cannot be told from other SIGKILLs';
}

/**
 * Rootless: the image's files must be this user's. The pod's user namespace maps only this user (to root), so
 * files of anyone else are unmapped there: the container's root could not write to them, and runc could not
 * make its mount points (/etc/hosts) in their directories. An image unpacked by this user (an OCI layout, a
 * registry image) is; a root filesystem directory must be owned by it (checked at its top).
 */
export function checkRootfsOwner(container: string, image: string, rootfs: string, uid: number): void {
  const owner = fs.statSync(rootfs).uid;
  if (owner !== uid) {
    throw new RootfsError(container, image, `rootless mode needs a root filesystem owned by uid ${uid} (the one user mapped into the pod), but ${rootfs} is owned by uid ${owner}`);
  }
}
