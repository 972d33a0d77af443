// A directory of a mounted host directory: the base of every path_* operation, resolved through the Vfs.
import * as fs from 'node:fs';
import { FdObject } from './fd-object.js';
import { HostFile } from './host-file.js';
import { type DirListing, readDirectory } from '../fs/readdir.js';
import { Errno, WasiError, host } from '../wasi/errno.js';
import {
  DIR_RIGHTS, FILE_RIGHTS, Fdflags, Filetype, Oflags, READ_RIGHTS, Rights, WRITE_RIGHTS,
} from '../wasi/constants.js';
import { type Filestat, filetypeOf, requestedTimes, setHostTimes, toFilestat } from '../fs/stat.js';
import { type Resolved, type Vfs, verifyOpened, writable } from '../fs/vfs.js';

export interface OpenRequest {
  follow: boolean;
  oflags: number;
  base: bigint;
  inheriting: bigint;
  fdflags: number;
}

export class HostDir extends FdObject {
  readonly filetype = Filetype.DIRECTORY;
  private listing?: DirListing;

  constructor(readonly vfs: Vfs, readonly where: Resolved, base: bigint, inheriting: bigint) {
    super(base, inheriting);
  }

  private at(p: string, follow: boolean, need: bigint): Resolved {
    this.require(need);
    return this.vfs.resolve(this.where.guest, p, follow);
  }

  filestat(): Filestat {
    return toFilestat(host(() => fs.statSync(this.where.hostPath, { bigint: true })));
  }

  setTimes(atim: bigint, mtim: bigint, flags: number): void {
    this.require(Rights.FD_FILESTAT_SET_TIMES);
    const [a, m] = requestedTimes(this.filestat(), atim, mtim, flags);
    setHostTimes(writable(this.where).hostPath, a, m, true);
  }

  read(): number { throw new WasiError(Errno.ISDIR); }
  write(): number { throw new WasiError(Errno.ISDIR); }
  pread(): number { throw new WasiError(Errno.ISDIR); }
  pwrite(): number { throw new WasiError(Errno.ISDIR); }
  seek(): bigint { throw new WasiError(Errno.ISDIR); }
  tell(): bigint { throw new WasiError(Errno.ISDIR); }
  setSize(): void { throw new WasiError(Errno.ISDIR); }

  readdir(cookie: bigint): DirListing {
    this.require(Rights.FD_READDIR);
    // A listing is taken when a scan starts (cookie 0) and kept so that later cookies index the same list.
    if (cookie === 0n || !this.listing) {
      // The previous listing is let go first, so that two are never held at once for one fd.
      this.listing?.release();
      this.listing = undefined;
      this.listing = readDirectory(this.where, this.vfs.mounts, undefined, this.vfs.listings);
    }
    return this.listing;
  }

  close(): void {
    this.listing?.release();
    this.listing = undefined;
  }

  open(p: string, req: OpenRequest): FdObject {
    this.require(Rights.PATH_OPEN);
    if ((req.base & ~this.rightsInheriting) !== 0n || (req.inheriting & ~this.rightsInheriting) !== 0n) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    const { oflags } = req;
    if (oflags & ~0xf || req.fdflags & ~0x1f) throw new WasiError(Errno.INVAL);
    if (oflags & Oflags.CREAT) this.require(Rights.PATH_CREATE_FILE);
    if (oflags & Oflags.TRUNC) this.require(Rights.PATH_FILESTAT_SET_SIZE);
    if (oflags & Oflags.DIRECTORY && oflags & (Oflags.CREAT | Oflags.TRUNC)) throw new WasiError(Errno.INVAL);
    // O_CREAT|O_EXCL never follows a symlink in the last place: an existing link is EEXIST (POSIX).
    const exclusive = (oflags & Oflags.CREAT) !== 0 && (oflags & Oflags.EXCL) !== 0;
    const r = this.vfs.resolve(this.where.guest, p, req.follow && !exclusive);
    const wantsWrite = (req.base & WRITE_RIGHTS) !== 0n || (req.fdflags & Fdflags.APPEND) !== 0 ||
      (oflags & Oflags.TRUNC) !== 0;
    const st = r.lstat !== undefined ? r.lstat ?? undefined : host(() => fs.lstatSync(r.hostPath, { throwIfNoEntry: false }));
    if (st && exclusive) throw new WasiError(Errno.EXIST);
    if (st?.isSymbolicLink()) throw new WasiError(oflags & Oflags.DIRECTORY ? Errno.NOTDIR : Errno.LOOP);
    if (!st && !(oflags & Oflags.CREAT)) throw new WasiError(Errno.NOENT);
    if (!st && (r.mustBeDir || oflags & Oflags.DIRECTORY)) {
      throw new WasiError(r.mustBeDir && oflags & Oflags.CREAT ? Errno.ISDIR : Errno.NOENT);
    }
    if (st?.isDirectory()) {
      // Only writing the directory's data is an error (POSIX EISDIR); other rights that do not apply to a
      // directory (FD_DATASYNC of a preopen's own base rights, FD_ALLOCATE, ...) are dropped, as the witx allows.
      if ((req.base & Rights.FD_WRITE) !== 0n || (req.fdflags & Fdflags.APPEND) !== 0 || oflags & Oflags.TRUNC) {
        throw new WasiError(Errno.ISDIR);
      }
      return new HostDir(this.vfs, r, req.base & DIR_RIGHTS, req.inheriting);
    }
    if (st && (r.mustBeDir || oflags & Oflags.DIRECTORY)) throw new WasiError(Errno.NOTDIR);
    if (r.mount.readOnly && (wantsWrite || !st)) throw new WasiError(Errno.ROFS);
    const wantsRead = (req.base & READ_RIGHTS) !== 0n || !wantsWrite;
    let flags = fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
    flags |= wantsWrite ? (wantsRead ? fs.constants.O_RDWR : fs.constants.O_WRONLY) : fs.constants.O_RDONLY;
    if (oflags & Oflags.CREAT) flags |= fs.constants.O_CREAT;
    if (oflags & Oflags.EXCL) flags |= fs.constants.O_EXCL;
    if (oflags & Oflags.TRUNC) flags |= fs.constants.O_TRUNC;
    const fd = host(() => fs.openSync(r.hostPath, flags, 0o666));
    verifyOpened(fd, r.hostPath);
    if (oflags & Oflags.TRUNC && st?.isFile()) r.mount.quota?.release(BigInt(st.size));
    // The type seen before the open holds: O_NOFOLLOW and verifyOpened made sure this is the same path.
    const ft = st ? filetypeOf(st) : Filetype.REGULAR_FILE;
    return new HostFile(fd, r, ft, req.base & FILE_RIGHTS, req.inheriting, req.fdflags);
  }

  createDirectory(p: string): void {
    const r = writable(this.at(p, false, Rights.PATH_CREATE_DIRECTORY));
    host(() => fs.mkdirSync(r.hostPath));
  }

  removeDirectory(p: string): void {
    const at = this.at(p, false, Rights.PATH_REMOVE_DIRECTORY);
    this.vfs.refuseMountPoint(at);
    const r = writable(at);
    if (r.guest.length <= this.where.guest.length) throw new WasiError(Errno.BUSY);
    host(() => fs.rmdirSync(r.hostPath));
  }

  unlinkFile(p: string): void {
    const at = this.at(p, false, Rights.PATH_UNLINK_FILE);
    this.vfs.refuseMountPoint(at);
    const r = writable(at);
    const st = host(() => fs.lstatSync(r.hostPath));
    if (r.mustBeDir && !st.isDirectory()) throw new WasiError(Errno.NOTDIR);
    if (st.isDirectory()) throw new WasiError(Errno.ISDIR);
    host(() => fs.unlinkSync(r.hostPath));
    if (st.isFile() && st.nlink === 1) r.mount.quota?.release(BigInt(st.size));
  }

  symlink(target: string, p: string): void {
    const r = writable(this.at(p, false, Rights.PATH_SYMLINK));
    // A link to an absolute path could only ever lead outside the sandbox.
    if (target.startsWith('/')) throw new WasiError(Errno.PERM);
    if (r.mustBeDir) {
      if (fs.existsSync(r.hostPath)) throw new WasiError(Errno.EXIST);
      throw new WasiError(Errno.NOENT);
    }
    host(() => fs.symlinkSync(target, r.hostPath));
  }

  readlink(p: string): Buffer {
    const r = this.at(p, false, Rights.PATH_READLINK);
    return host(() => fs.readlinkSync(r.hostPath, { encoding: 'buffer' }));
  }

  pathFilestat(p: string, follow: boolean): Filestat {
    const r = this.at(p, follow, Rights.PATH_FILESTAT_GET);
    const st = toFilestat(host(() => fs.lstatSync(r.hostPath, { bigint: true })));
    if (r.mustBeDir && st.filetype !== Filetype.DIRECTORY) throw new WasiError(Errno.NOTDIR);
    return st;
  }

  pathSetTimes(p: string, follow: boolean, atim: bigint, mtim: bigint, flags: number): void {
    const r = this.at(p, follow, Rights.PATH_FILESTAT_SET_TIMES);
    const cur = toFilestat(host(() => fs.lstatSync(r.hostPath, { bigint: true })));
    const [a, m] = requestedTimes(cur, atim, mtim, flags);
    setHostTimes(writable(r).hostPath, a, m, false);
  }

  link(oldPath: string, follow: boolean, target: HostDir, newPath: string): void {
    const from = this.at(oldPath, follow, Rights.PATH_LINK_SOURCE);
    const to = writable(target.at(newPath, false, Rights.PATH_LINK_TARGET));
    writable(from);
    const st = host(() => fs.lstatSync(from.hostPath));
    if (st.isDirectory()) throw new WasiError(Errno.PERM);
    if (from.mustBeDir) throw new WasiError(Errno.NOTDIR);
    // A new name with a trailing slash names a directory that does not exist.
    if (to.mustBeDir) throw new WasiError(fs.existsSync(to.hostPath) ? Errno.EXIST : Errno.NOENT);
    host(() => fs.linkSync(from.hostPath, to.hostPath));
  }

  rename(oldPath: string, target: HostDir, newPath: string): void {
    const fromAt = this.at(oldPath, false, Rights.PATH_RENAME_SOURCE);
    const toAt = target.at(newPath, false, Rights.PATH_RENAME_TARGET);
    this.vfs.refuseMountPoint(fromAt);
    this.vfs.refuseMountPoint(toAt);
    const from = writable(fromAt);
    const to = writable(toAt);
    if (from.mount !== to.mount) throw new WasiError(Errno.XDEV);
    const st = host(() => fs.lstatSync(from.hostPath));
    if ((from.mustBeDir || to.mustBeDir) && !st.isDirectory()) throw new WasiError(Errno.NOTDIR);
    const replaced = to.mount.quota ? fs.lstatSync(to.hostPath, { throwIfNoEntry: false }) : undefined;
    host(() => fs.renameSync(from.hostPath, to.hostPath));
    if (replaced?.isFile() && replaced.nlink === 1) to.mount.quota?.release(BigInt(replaced.size));
  }
}
