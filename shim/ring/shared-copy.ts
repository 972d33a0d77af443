// Copies between shared memory (a ring) and ordinary memory (a guest's) at word speed, whatever their alignment.
//
// V8 copies into or out of a SharedArrayBuffer with relaxed atomic loads and stores: a word at a time when
// source and destination are equally aligned modulo 8, and byte by byte otherwise, about ten times slower
// (2.7 against 27 GB/s for 64 KiB on the project's VM). A stream's bytes land at any offset of the ring
// (one 1-byte write shifts every later one), so a misaligned copy goes through a bounce buffer placed at
// the shared side's alignment: the extra copy is between ordinary memory, where memcpy takes any alignment.

const WORD = 8;
const BOUNCE_BYTES = 64 * 1024;
/** Below this a byte loop costs less than a second call. */
const MIN_BOUNCE = 256;
let bounce: Uint8Array | undefined;

const misaligned = (a: number, b: number): boolean => ((a - b) & (WORD - 1)) !== 0;

/** `shared.set(src, at)`, for `shared` a view of a SharedArrayBuffer and `src` of ordinary memory. */
export function copyToShared(shared: Uint8Array, at: number, src: Uint8Array): void {
  const n = src.length;
  if (n < MIN_BOUNCE || !misaligned(shared.byteOffset + at, src.byteOffset)) {
    shared.set(src, at);
    return;
  }
  const b = (bounce ??= new Uint8Array(BOUNCE_BYTES + WORD));
  for (let i = 0; i < n; i += BOUNCE_BYTES) {
    const k = Math.min(BOUNCE_BYTES, n - i);
    const off = (shared.byteOffset + at + i) & (WORD - 1);
    b.set(src.subarray(i, i + k), off);
    shared.set(b.subarray(off, off + k), at + i);
  }
}

/** `dst.set(shared, at)`, for `shared` a view of a SharedArrayBuffer and `dst` of ordinary memory. */
export function copyFromShared(dst: Uint8Array, at: number, shared: Uint8Array): void {
  const n = shared.length;
  if (n < MIN_BOUNCE || !misaligned(dst.byteOffset + at, shared.byteOffset)) {
    dst.set(shared, at);
    return;
  }
  const b = (bounce ??= new Uint8Array(BOUNCE_BYTES + WORD));
  for (let i = 0; i < n; i += BOUNCE_BYTES) {
    const k = Math.min(BOUNCE_BYTES, n - i);
    const off = (shared.byteOffset + i) & (WORD - 1);
    b.set(shared.subarray(i, i + k), off);
    dst.set(b.subarray(off, off + k), at + i);
  }
}
