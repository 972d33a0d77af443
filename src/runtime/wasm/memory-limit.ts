// Enforces a container's memory limit by rewriting the module's memory maximum, so memory.grow past it fails.
import { WasmpodError } from '../../errors.js';

export const WASM_PAGE = 65536;

export class MemoryLimitError extends WasmpodError {
  readonly code = 'ERR_MEMORY_LIMIT';
}

function readLeb(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    if (byte === undefined) throw new MemoryLimitError('truncated LEB128 in module');
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return [v, at];
  }
}

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
}

/**
 * Returns the module bytes with every defined 32-bit memory's maximum lowered to `limitBytes`
 * (rounded down to whole pages). Throws when the module needs more than that just to start.
 */
export function limitMemory(bytes: Uint8Array, limitBytes: number, what: string): Uint8Array {
  const limitPages = Math.floor(limitBytes / WASM_PAGE);
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = readLeb(bytes, at + 1);
    const end = body + size;
    if (id !== 5) {
      out.push(bytes.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = readLeb(bytes, body);
    const section: number[] = leb(count);
    while (count-- > 0) {
      const flags = bytes[p++];
      if (flags & 0x04) throw new MemoryLimitError(`${what}: 64-bit memories cannot be limited yet`);
      let min: number;
      [min, p] = readLeb(bytes, p);
      let max = Infinity;
      if (flags & 0x01) [max, p] = readLeb(bytes, p);
      if (min > limitPages) {
        throw new MemoryLimitError(`${what}: memory limit ${limitBytes} bytes is below the module's initial memory of ${min * WASM_PAGE} bytes`);
      }
      section.push(flags | 0x01, ...leb(min), ...leb(Math.min(max, limitPages)));
    }
    out.push(Uint8Array.from([5, ...leb(section.length), ...section]));
    at = end;
  }
  return Buffer.concat(out);
}
