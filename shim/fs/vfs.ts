// The guest's file tree: mounts of host directories at guest paths, and path resolution that never leaves a capability.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno, WasiError, fromHost } from '../wasi/errno.js';
import { Quota, type QuotaInit } from './quota.js';
import { listingBudget } from './readdir.js';

export interface MountSpec {
  /** Absolute guest path, e.g. "/" or "/data". */
  mountPath: string;
  /** Host directory shown at mountPath. */
  hostPath: string;
  readOnly: boolean;
  /** A byte budget shared with the volume's other mounts (emptyDir sizeLimit): growth past it is ENOSPC. */
  quota?: QuotaInit;
  /**
   * Host paths inside this mount that a subPath mount of the pod shows (the subPath and the directories
   * between it and the volume's root): no container may remove, rename or replace them, so that none can
   * swap one for a symlink leading out of the volume before or while another container uses it.
   */
  pinned?: string[];
}

export interface Mount {
  guest: string[];
  guestPath: string;
  hostRoot: string;
  readOnly: boolean;
  /** False for a regular file mounted by subPath. */
  isDirectory: boolean;
  quota?: Quota;
  pinned?: ReadonlySet<string>;
}

export interface Resolved {
  /** Guest-absolute components of the result. */
  guest: string[];
  mount: Mount;
  hostPath: string;
  /** The path ended in "/" or "/.": the result must be a directory. */
  mustBeDir: boolean;
  /**
   * The lstat of the result taken while resolving (null: it does not exist), when the last component was
   * looked at; path_open reuses it instead of asking the host again.
   */
  lstat?: fs.Stats | null;
}

const MAX_SYMLINKS = 40;

export function splitGuestPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

export class Vfs {
  readonly mounts: Mount[];
  /** What the run's directory listings may hold together (readdir.ts). */
  readonly listings = listingBudget();
  private readonly byDepth: Mount[];

  constructor(specs: MountSpec[]) {
    this.mounts = specs.map((s) => ({
      guest: splitGuestPath(s.mountPath),
      guestPath: s.mountPath,
      // The real path, so the /proc/self/fd check after an open compares like with like.
      hostRoot: fs.realpathSync(s.hostPath),
      readOnly: s.readOnly,
      isDirectory: fs.statSync(s.hostPath).isDirectory(),
      ...(s.quota ? { quota: new Quota(s.quota) } : {}),
      ...(s.pinned?.length ? { pinned: new Set(s.pinned) } : {}),
    }));
    this.byDepth = [...this.mounts].sort((a, b) => b.guest.length - a.guest.length);
  }

  /** The innermost mount holding a guest path, and the host path it maps to. */
  locate(guest: string[]): { mount: Mount; hostPath: string } {
    for (const m of this.byDepth) {
      if (m.guest.length <= guest.length && m.guest.every((c, i) => guest[i] === c)) {
        const rest = guest.slice(m.guest.length);
        return { mount: m, hostPath: rest.length ? path.join(m.hostRoot, ...rest) : m.hostRoot };
      }
    }
    throw new WasiError(Errno.NOENT);
  }

  /**
   * The mounts a guest gets a preopened directory for: directory mounts not inside another directory
   * mount. A nested mount is reached through the outer preopen, as a directory would be, so that
   * `/data/../a` and a link `../a` inside `/data` behave the same whether or not `/data` is a mount point
   * (wasi-libc picks the longest preopen prefix, and `..` never climbs above a preopen).
   */
  preopenMounts(): Mount[] {
    return this.mounts.filter((m) => m.isDirectory && !this.mounts.some((o) => o !== m && o.isDirectory &&
      o.guest.length < m.guest.length && o.guest.every((c, i) => m.guest[i] === c)));
  }

  /** Whether a guest path is exactly where a mount is attached (it cannot be removed or renamed). */
  isMountPoint(guest: string[]): boolean {
    return this.mounts.some((m) => m.guest.length === guest.length && m.guest.every((c, i) => guest[i] === c));
  }

  /**
   * Refuses to unlink, remove or rename a mount point, as Linux does: EROFS when the directory holding
   * it is read-only (checked first there too), else EBUSY. The same for a path pinned by a subPath mount
   * of another container of the pod (see MountSpec.pinned).
   */
  refuseMountPoint(r: Resolved): void {
    if (r.mount.pinned?.has(r.hostPath)) throw new WasiError(r.mount.readOnly ? Errno.ROFS : Errno.BUSY);
    if (!this.isMountPoint(r.guest)) return;
    const parent = r.guest.length > 0 ? this.locate(r.guest.slice(0, -1)).mount : undefined;
    throw new WasiError(parent?.readOnly ? Errno.ROFS : Errno.BUSY);
  }

  /**
   * Resolves `p` relative to the directory at guest path `base`. ".." may not climb above `base`,
   * absolute paths and absolute symlink targets are refused (EPERM, as wasmtime answers and the
   * WASI test suite expects), symlinks on the way are
   * followed here (never by the host), and the last one only when `followLast` is set.
   */
  resolve(base: string[], p: string, followLast: boolean): Resolved {
    if (p === '') throw new WasiError(Errno.NOENT);
    if (p.startsWith('/')) throw new WasiError(Errno.PERM);
    let pending = p.split('/');
    let mustBeDir = p.endsWith('/') || p.endsWith('/.') || p === '.';
    const stack: string[] = [];
    let links = 0;
    let lastStat: fs.Stats | null | undefined;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (stack.length === 0) throw new WasiError(Errno.PERM);
        stack.pop();
        continue;
      }
      if (c.length > 255) throw new WasiError(Errno.NAMETOOLONG);
      const isLast = pending.every((x) => x === '' || x === '.');
      const follow = !isLast || followLast || mustBeDir;
      if (follow) {
        const { hostPath } = this.locate([...base, ...stack, c]);
        let st: fs.Stats | undefined;
        try {
          st = fs.lstatSync(hostPath, { throwIfNoEntry: false });
        } catch (err) {
          throw fromHost(err);
        }
        if (!st && !isLast) throw new WasiError(Errno.NOENT);
        if (st?.isSymbolicLink()) {
          if (++links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
          const target = fs.readlinkSync(hostPath);
          if (target.startsWith('/')) throw new WasiError(Errno.PERM);
          if (isLast && target.endsWith('/')) mustBeDir = true;
          pending = [...target.split('/'), ...pending];
          continue;
        }
        if (st && !isLast && !st.isDirectory()) throw new WasiError(Errno.NOTDIR);
        lastStat = isLast ? st ?? null : undefined;
      } else {
        lastStat = undefined;
      }
      stack.push(c);
    }
    const guest = [...base, ...stack];
    const { mount, hostPath } = this.locate(guest);
    return { guest, mount, hostPath, mustBeDir, ...(lastStat !== undefined ? { lstat: lastStat } : {}) };
  }
}

/** Fails with EROFS when the path lies in a read-only mount. */
export function writable(r: Resolved): Resolved {
  if (r.mount.readOnly) throw new WasiError(Errno.ROFS);
  return r;
}

/**
 * After an open on Linux, checks that the host opened exactly the path we resolved: a rename or
 * symlink swapped in by someone else between our checks and the open cannot lead outside.
 */
export function verifyOpened(fd: number, expected: string): void {
  if (process.platform !== 'linux') return;
  let actual: string;
  try {
    actual = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return; // no procfs: nothing to check against
  }
  if (actual !== expected) {
    fs.closeSync(fd);
    throw new WasiError(Errno.PERM);
  }
}
