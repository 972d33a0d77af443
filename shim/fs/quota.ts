// A byte budget shared by every mount of one sized volume (emptyDir sizeLimit), counted across workers in shared memory.
import { Errno, WasiError } from '../wasi/errno.js';

/** What the main thread hands each worker: the limit and the shared usage word (a BigInt64Array of 2). */
export interface QuotaInit {
  limit: number;
  /** [0]: bytes in use; [1]: how many writes were refused (the runtime reports it). */
  used: SharedArrayBuffer;
}

export function newQuota(limit: number, inUse = 0): QuotaInit {
  const used = new SharedArrayBuffer(16);
  new BigInt64Array(used)[0] = BigInt(inUse);
  return { limit, used };
}

export function quotaUsage(q: QuotaInit): { used: number; refused: number } {
  const a = new BigInt64Array(q.used);
  return { used: Number(Atomics.load(a, 0)), refused: Number(Atomics.load(a, 1)) };
}

export class Quota {
  private readonly word: BigInt64Array;
  private readonly limit: bigint;

  constructor(init: QuotaInit) {
    this.word = new BigInt64Array(init.used);
    this.limit = BigInt(init.limit);
  }

  /** Reserves `bytes` of growth or fails with ENOSPC, reserving nothing (the write is refused whole). */
  charge(bytes: bigint): void {
    if (bytes <= 0n) return;
    const after = Atomics.add(this.word, 0, bytes) + bytes;
    if (after > this.limit) {
      Atomics.sub(this.word, 0, bytes);
      Atomics.add(this.word, 1, 1n);
      throw new WasiError(Errno.NOSPC);
    }
  }

  release(bytes: bigint): void {
    if (bytes > 0n) Atomics.sub(this.word, 0, bytes);
  }
}
