// A regular file (or device) of a mounted host directory: positioned I/O on a host fd, with the offset kept here.
import * as fs from 'node:fs';
import { FdObject, totalLength } from './fd-object.js';
import { Errno, WasiError, host } from '../wasi/errno.js';
import { Fdflags, Filetype, Rights, Whence } from '../wasi/constants.js';
import { type Filestat, requestedTimes, setHostTimes, toFilestat } from '../fs/stat.js';
import type { Resolved } from '../fs/vfs.js';

export class HostFile extends FdObject {
  readonly filetype: Filetype;
  private pos = 0n;
  /** A second host fd on the same file with O_APPEND, opened at the first APPEND write (Linux). */
  private appendFd?: number;

  constructor(
    private hostFd: number,
    readonly where: Resolved,
    filetype: Filetype,
    base: bigint,
    inheriting: bigint,
    fdflags: number,
  ) {
    super(base, inheriting);
    this.filetype = filetype;
    this.fdflags = fdflags;
  }

  read(bufs: Uint8Array[]): number {
    this.require(Rights.FD_READ);
    const n = this.preadAt(bufs, this.pos);
    this.pos += BigInt(n);
    return n;
  }

  pread(bufs: Uint8Array[], offset: bigint): number {
    this.require(Rights.FD_READ | Rights.FD_SEEK);
    return this.preadAt(bufs, offset);
  }

  private preadAt(bufs: Uint8Array[], offset: bigint): number {
    let n = 0;
    for (const b of bufs) {
      if (b.length === 0) continue;
      const got = host(() => fs.readSync(this.hostFd, b, 0, b.length, offset + BigInt(n)));
      n += got;
      if (got < b.length) break;
    }
    return n;
  }

  write(bufs: Uint8Array[]): number {
    this.require(Rights.FD_WRITE);
    if (this.where.mount.readOnly) throw new WasiError(Errno.ROFS);
    if (this.fdflags & Fdflags.APPEND && this.openAppendFd() !== undefined) return this.appendAll(bufs);
    if (this.fdflags & Fdflags.APPEND) this.pos = this.filestat().size;
    const n = this.pwriteAt(bufs, this.pos);
    this.pos += BigInt(n);
    return n;
  }

  pwrite(bufs: Uint8Array[], offset: bigint): number {
    this.require(Rights.FD_WRITE | Rights.FD_SEEK);
    if (this.where.mount.readOnly) throw new WasiError(Errno.ROFS);
    return this.pwriteAt(bufs, offset);
  }

  /**
   * Writers in other containers (workers) append to the same file: only the kernel can pick the end
   * atomically, so APPEND writes go through an O_APPEND reopening of the file (through /proc on Linux;
   * elsewhere, undefined: the end is read then written, which is atomic within one guest only).
   */
  private openAppendFd(): number | undefined {
    if (this.appendFd !== undefined) return this.appendFd;
    const proc = procPath(this.hostFd);
    if (!proc) return undefined;
    try {
      this.appendFd = fs.openSync(proc, fs.constants.O_WRONLY | fs.constants.O_APPEND);
    } catch {
      return undefined;
    }
    return this.appendFd;
  }

  /** One write(2) per buffer on the O_APPEND fd: the kernel picks the end, atomically against other writers. */
  private appendAll(bufs: Uint8Array[]): number {
    this.grow(this.filestat().size + BigInt(totalLength(bufs)));
    const fd = this.appendFd!;
    let n = 0;
    for (const b of bufs) {
      let done = 0;
      while (done < b.length) done += host(() => fs.writeSync(fd, b, done, b.length - done));
      n += done;
    }
    this.pos = this.filestat().size;
    return n;
  }

  private pwriteAt(bufs: Uint8Array[], offset: bigint): number {
    const end = offset + BigInt(totalLength(bufs));
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.FBIG);
    this.grow(end);
    let n = 0;
    for (const b of bufs) {
      let done = 0;
      while (done < b.length) {
        done += host(() => fs.writeSync(this.hostFd, b, done, b.length - done, Number(offset) + n + done));
      }
      n += done;
    }
    return n;
  }

  seek(offset: bigint, whence: number): bigint {
    // A seek that does not move only needs FD_TELL (witx: fd_tell is fd_seek(0, CUR)).
    this.require(whence === Whence.CUR && offset === 0n ? Rights.FD_TELL : Rights.FD_SEEK);
    let base: bigint;
    if (whence === Whence.SET) base = 0n;
    else if (whence === Whence.CUR) base = this.pos;
    else if (whence === Whence.END) base = this.filestat().size;
    else throw new WasiError(Errno.INVAL);
    const next = base + offset;
    if (next < 0n) throw new WasiError(Errno.INVAL);
    this.pos = next;
    return next;
  }

  tell(): bigint {
    this.require(Rights.FD_TELL);
    return this.pos;
  }

  sync(): void {
    this.require(Rights.FD_SYNC);
    host(() => fs.fsyncSync(this.hostFd));
  }

  datasync(): void {
    this.require(Rights.FD_DATASYNC);
    host(() => fs.fdatasyncSync(this.hostFd));
  }

  advise(offset: bigint, len: bigint, advice: number): void {
    this.require(Rights.FD_ADVISE);
    if (advice > 5 || offset < 0n || len < 0n) throw new WasiError(Errno.INVAL);
    // Advice is a hint; node:fs offers no posix_fadvise, and ignoring it is allowed.
  }

  allocate(offset: bigint, len: bigint): void {
    this.require(Rights.FD_ALLOCATE);
    if (len === 0n) throw new WasiError(Errno.INVAL);
    if (this.where.mount.readOnly) throw new WasiError(Errno.ROFS);
    const end = offset + len;
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.FBIG);
    if (this.filestat().size < end) {
      this.grow(end);
      host(() => fs.ftruncateSync(this.hostFd, Number(end)));
    }
  }

  /** Charges the mount's quota (if any) for extending the file to `end`; ENOSPC when it has no room. */
  private grow(end: bigint): void {
    const quota = this.where.mount.quota;
    if (!quota) return;
    const size = this.filestat().size;
    if (end > size) quota.charge(end - size);
  }

  filestat(): Filestat {
    return toFilestat(host(() => fs.fstatSync(this.hostFd, { bigint: true })));
  }

  setSize(size: bigint): void {
    this.require(Rights.FD_FILESTAT_SET_SIZE);
    if (this.where.mount.readOnly) throw new WasiError(Errno.ROFS);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.FBIG);
    const quota = this.where.mount.quota;
    const before = quota ? this.filestat().size : 0n;
    if (quota && size > before) this.grow(size);
    host(() => fs.ftruncateSync(this.hostFd, Number(size)));
    if (quota && size < before) quota.release(before - size);
  }

  setTimes(atim: bigint, mtim: bigint, flags: number): void {
    this.require(Rights.FD_FILESTAT_SET_TIMES);
    const [a, m] = requestedTimes(this.filestat(), atim, mtim, flags);
    if (this.where.mount.readOnly) throw new WasiError(Errno.ROFS);
    setHostTimes(procPath(this.hostFd) ?? this.where.hostPath, a, m, true);
  }

  setFlags(flags: number): void {
    this.require(Rights.FD_FDSTAT_SET_FLAGS);
    // Only APPEND and NONBLOCK can change on an open file (as fcntl F_SETFL); the sync flags cannot.
    if ((flags ^ this.fdflags) & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC)) throw new WasiError(Errno.NOTSUP);
    this.fdflags = flags;
  }

  close(): void {
    try { fs.closeSync(this.hostFd); } catch { /* already gone */ }
    if (this.appendFd !== undefined) try { fs.closeSync(this.appendFd); } catch { /* already gone */ }
  }
}

function procPath(fd: number): string | undefined {
  return process.platform === 'linux' ? `/proc/${process.pid}/fd/${fd}` : undefined;
}
