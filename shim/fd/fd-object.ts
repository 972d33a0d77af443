// The base of every fd kind: each operation fails with the errno POSIX gives for a kind that lacks it; subclasses override.
import { Errno, WasiError } from '../wasi/errno.js';
import { Filetype, Rights } from '../wasi/constants.js';
import type { Filestat } from '../fs/stat.js';

export interface Readiness {
  /** Bytes that can be read (or written) without blocking, or -1 when not ready. */
  nbytes: number;
  hangup: boolean;
}

export abstract class FdObject {
  abstract readonly filetype: Filetype;
  rightsBase: bigint;
  rightsInheriting: bigint;
  fdflags = 0;

  constructor(rightsBase: bigint, rightsInheriting: bigint) {
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
  }

  read(_bufs: Uint8Array[]): number { throw new WasiError(Errno.BADF); }
  write(_bufs: Uint8Array[]): number { throw new WasiError(Errno.BADF); }
  pread(_bufs: Uint8Array[], _offset: bigint): number { throw new WasiError(Errno.SPIPE); }
  pwrite(_bufs: Uint8Array[], _offset: bigint): number { throw new WasiError(Errno.SPIPE); }
  seek(_offset: bigint, _whence: number): bigint { throw new WasiError(Errno.SPIPE); }
  tell(): bigint { throw new WasiError(Errno.SPIPE); }
  sync(): void { /* nothing buffered */ }
  datasync(): void { /* nothing buffered */ }
  advise(_offset: bigint, _len: bigint, _advice: number): void { throw new WasiError(Errno.BADF); }
  allocate(_offset: bigint, _len: bigint): void { throw new WasiError(Errno.BADF); }
  abstract filestat(): Filestat;
  setSize(_size: bigint): void { throw new WasiError(Errno.BADF); }
  setTimes(_atim: bigint, _mtim: bigint, _flags: number): void { throw new WasiError(Errno.BADF); }
  setFlags(flags: number): void { this.fdflags = flags; }
  /** The readiness poll_oneoff reports; the default is "always ready", as for a regular file. */
  readiness(_write: boolean): Readiness { return { nbytes: 0, hangup: false }; }
  /** Blocks until read() would not block, or `timeoutMs` passes; streams override. */
  waitReadable(_timeoutMs: number): void { /* never blocks */ }
  close(): void { /* nothing to release */ }
  sockShutdown(_how: number): void { throw new WasiError(Errno.NOTSOCK); }
  sockRecv(_bufs: Uint8Array[], _flags: number): [number, number] { throw new WasiError(Errno.NOTSOCK); }
  sockSend(_bufs: Uint8Array[], _flags: number): number { throw new WasiError(Errno.NOTSOCK); }
  sockAccept(_flags: number): FdObject { throw new WasiError(Errno.NOTSOCK); }

  /**
   * Fails unless this fd holds every right in `need`: EBADF for reading or writing (as POSIX answers
   * for an fd not open for it, and wasmtime does), ENOTCAPABLE for every other right.
   */
  require(need: bigint): void {
    const missing = need & ~this.rightsBase;
    if (missing === 0n) return;
    throw new WasiError(missing & (Rights.FD_READ | Rights.FD_WRITE) ? Errno.BADF : Errno.NOTCAPABLE);
  }
}

/** Sums the lengths of a gathered list of buffers. */
export function totalLength(bufs: Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.length;
  return n;
}
