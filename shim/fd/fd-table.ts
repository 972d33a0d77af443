// The guest's file descriptor table: numbers to fd objects, lowest free number first, as POSIX allocates.
import { Errno, WasiError } from '../wasi/errno.js';
import type { FdObject } from './fd-object.js';

export interface Preopen {
  fd: number;
  name: Uint8Array;
}

/**
 * The most fds a guest holds open: fd numbers stay below it, as below RLIMIT_NOFILE, and a further open is EMFILE.
 * Room for the 4096 connection ends a container may hold (docs/network.md) and as many files again. Every open fd
 * is a host object (a directory fd or an unbound socket holds no host resource), so without it a guest could fill
 * the worker's JS heap with them.
 */
export const MAX_FDS = 8192;

export class FdTable {
  private readonly slots: (FdObject | undefined)[] = [];
  /** Preopened directories by fd, with the name fd_prestat_dir_name reports. */
  readonly preopens = new Map<number, Uint8Array>();

  get(fd: number): FdObject {
    const o = fd >= 0 ? this.slots[fd] : undefined;
    if (!o) throw new WasiError(Errno.BADF);
    return o;
  }

  /** Like get, but only for fds of one class (a directory for path_* calls, say); others fail with `errno`. */
  getAs<T extends FdObject>(fd: number, cls: abstract new (...args: never[]) => T, errno: Errno): T {
    const o = this.get(fd);
    if (!(o instanceof cls)) throw new WasiError(errno);
    return o;
  }

  /** EMFILE when no fd number is free: opens check first, as Linux does, so a full table creates and takes nothing. */
  checkFree(): void {
    if (this.slots.length >= MAX_FDS && this.slots.indexOf(undefined) < 0) throw new WasiError(Errno.MFILE);
  }

  /** Gives `o` the lowest free fd; with none free it is EMFILE and `o` is closed, so nothing it holds leaks. */
  add(o: FdObject): number {
    let fd = this.slots.indexOf(undefined);
    if (fd < 0) fd = this.slots.length;
    if (fd >= MAX_FDS) {
      o.close();
      throw new WasiError(Errno.MFILE);
    }
    this.slots[fd] = o;
    return fd;
  }

  addPreopen(o: FdObject, name: string): number {
    const fd = this.add(o);
    this.preopens.set(fd, new TextEncoder().encode(name));
    return fd;
  }

  close(fd: number): void {
    const o = this.get(fd);
    this.slots[fd] = undefined;
    this.preopens.delete(fd);
    o.close();
  }

  /** fd_renumber: `to` must be open; it is closed and replaced by `from`. */
  renumber(from: number, to: number): void {
    const o = this.get(from);
    const old = this.get(to);
    if (from === to) return;
    const name = this.preopens.get(from);
    this.slots[to] = o;
    this.slots[from] = undefined;
    this.preopens.delete(from);
    this.preopens.delete(to);
    if (name) this.preopens.set(to, name);
    old.close();
  }

  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]) this.close(fd);
  }
}
