// Bounds-checked access to the guest's linear memory; an out-of-range pointer is EFAULT, never a host exception.
import { Errno, WasiError } from './errno.js';

/** The most iovecs one call takes (Linux's IOV_MAX). */
export const IOV_MAX = 1024;
/** Linux's PATH_MAX, counting the NUL a C path ends with: a path (or symlink target) of this many bytes or more is ENAMETOOLONG. */
export const PATH_MAX = 4096;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export class GuestMemory {
  private mem?: WebAssembly.Memory;
  private buf?: ArrayBuffer;
  private u8v = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));

  /** A shared memory's buffer is not detached when it grows: it must be asked for at each access. */
  private shared = false;

  attach(mem: WebAssembly.Memory): void {
    this.mem = mem;
    this.buf = undefined;
    this.shared = mem.buffer instanceof SharedArrayBuffer;
  }

  /**
   * Refreshes the views when the memory has grown (its buffer is then a new object). A memory that is not
   * shared detaches its old buffer when it grows, so a buffer that still has bytes is current: the views are
   * kept without asking the memory (a call into the engine at every access).
   */
  private refresh(): void {
    if (!this.shared && this.buf !== undefined && this.buf.byteLength !== 0) return;
    const b = this.mem?.buffer as ArrayBuffer | undefined;
    if (b === this.buf) return;
    if (!b) throw new WasiError(Errno.FAULT);
    this.buf = b;
    this.u8v = new Uint8Array(b);
    this.dv = new DataView(b);
  }

  check(ptr: number, len: number): void {
    this.refresh();
    if (ptr < 0 || len < 0 || ptr + len > this.u8v.length) throw new WasiError(Errno.FAULT);
  }

  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8v.subarray(ptr, ptr + len);
  }

  u8(ptr: number): number { this.check(ptr, 1); return this.dv.getUint8(ptr); }
  u16(ptr: number): number { this.check(ptr, 2); return this.dv.getUint16(ptr, true); }
  u32(ptr: number): number { this.check(ptr, 4); return this.dv.getUint32(ptr, true); }
  u64(ptr: number): bigint { this.check(ptr, 8); return this.dv.getBigUint64(ptr, true); }
  setU8(ptr: number, v: number): void { this.check(ptr, 1); this.dv.setUint8(ptr, v); }
  setU16(ptr: number, v: number): void { this.check(ptr, 2); this.dv.setUint16(ptr, v, true); }
  setU32(ptr: number, v: number): void { this.check(ptr, 4); this.dv.setUint32(ptr, v >>> 0, true); }
  setU64(ptr: number, v: bigint | number): void {
    this.check(ptr, 8);
    this.dv.setBigUint64(ptr, BigInt.asUintN(64, BigInt(v)), true);
  }

  /** Reads a path or other string argument; NUL bytes and invalid UTF-8 are EINVAL (witx `string`). */
  string(ptr: number, len: number): string {
    const b = this.bytes(ptr, len);
    if (b.includes(0)) throw new WasiError(Errno.INVAL);
    try {
      return utf8.decode(b);
    } catch {
      throw new WasiError(Errno.ILSEQ);
    }
  }

  /**
   * Reads a name of at most `max` bytes: longer is ENAMETOOLONG, answered before any string is made (a string
   * of the guest's length would count against the worker's JS heap). EFAULT first for bytes out of memory.
   */
  stringUpTo(ptr: number, len: number, max: number): string {
    this.check(ptr, len);
    if (len > max) throw new WasiError(Errno.NAMETOOLONG);
    return this.string(ptr, len);
  }

  /** Reads a path argument: PATH_MAX bytes or more is ENAMETOOLONG, as Linux answers. */
  path(ptr: number, len: number): string {
    return this.stringUpTo(ptr, len, PATH_MAX - 1);
  }

  /**
   * The guest buffers an iovec array points at, checked before any byte moves (an array past the end of
   * memory is EFAULT, as wasmtime answers). More than IOV_MAX of them is EINVAL, as writev(2) answers: the
   * host makes a view per iovec, and millions of them would exhaust the worker's JS heap (which Node 24
   * treats as fatal for the whole process).
   */
  iovecs(ptr: number, count: number): Uint8Array[] {
    this.check(ptr, count * 8);
    if (count > IOV_MAX) throw new WasiError(Errno.INVAL);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const base = this.dv.getUint32(ptr + i * 8, true);
      const len = this.dv.getUint32(ptr + i * 8 + 4, true);
      out.push(this.bytes(base, len));
    }
    return out;
  }

  /** Writes NUL-terminated strings and a pointer table: the args_get/environ_get layout. */
  writeStringTable(items: Uint8Array[], ptrsPtr: number, bufPtr: number): void {
    let at = bufPtr;
    for (let i = 0; i < items.length; i++) {
      this.setU32(ptrsPtr + i * 4, at);
      const b = this.bytes(at, items[i].length + 1);
      b.set(items[i]);
      b[items[i].length] = 0;
      at += items[i].length + 1;
    }
  }
}

export function encodeAll(items: string[]): Uint8Array[] {
  return items.map((s) => encoder.encode(s));
}
