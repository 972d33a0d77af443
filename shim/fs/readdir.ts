// Directory listings with "." and "..", inode numbers and types, as fd_readdir hands them out by cookie.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { host } from '../wasi/errno.js';
import { Filetype } from '../wasi/constants.js';
import { filetypeOf } from './stat.js';
import type { Mount, Resolved } from './vfs.js';

export interface DirEntry {
  name: Buffer;
  ino: bigint;
  type: Filetype;
}

/**
 * Lists `where`; a mount attached directly below it shows as its root (a directory, or a file mounted
 * by subPath, with its inode) whether or not the host directory has an entry of that name, so a mount
 * point looks like any directory or file.
 */
export function readDirectory(where: Resolved, mounts: readonly Mount[] = []): DirEntry[] {
  const dir = where.hostPath;
  const self = host(() => fs.statSync(dir, { bigint: true }));
  // ".." of a mount's root is the root itself: the guest must learn nothing of the host above it.
  const atRoot = dir === where.mount.hostRoot;
  const parent = atRoot ? self : host(() => fs.statSync(path.dirname(dir), { bigint: true }));
  const out: DirEntry[] = [
    { name: Buffer.from('.'), ino: self.ino, type: Filetype.DIRECTORY },
    { name: Buffer.from('..'), ino: parent.ino, type: Filetype.DIRECTORY },
  ];
  for (const name of host(() => fs.readdirSync(dir, { encoding: 'buffer' })).sort(Buffer.compare)) {
    try {
      const st = fs.lstatSync(path.join(dir, name.toString()), { bigint: true });
      out.push({ name, ino: st.ino, type: filetypeOf(st) });
    } catch {
      // Removed between the listing and the stat: it is gone, so it is not listed.
    }
  }
  for (const m of mounts) {
    if (m.guest.length !== where.guest.length + 1 || !where.guest.every((c, i) => m.guest[i] === c)) continue;
    const name = Buffer.from(m.guest[m.guest.length - 1]);
    const st = host(() => fs.statSync(m.hostRoot, { bigint: true }));
    const entry = { name, ino: st.ino, type: filetypeOf(st) };
    const at = out.findIndex((e, i) => i >= 2 && e.name.equals(name));
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}
