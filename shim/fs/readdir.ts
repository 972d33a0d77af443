// Directory listings with "." and "..", inode numbers and types, as fd_readdir hands them out by cookie.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { host } from '../wasi/errno.js';
import { Filetype } from '../wasi/constants.js';
import { filetypeOf } from './stat.js';
import type { Resolved } from './vfs.js';

export interface DirEntry {
  name: Buffer;
  ino: bigint;
  type: Filetype;
}

export function readDirectory(where: Resolved): DirEntry[] {
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
  return out;
}
