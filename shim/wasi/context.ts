// What one container's WASI imports operate on: its memory, fd table, argv, environment, and wake-up doorbell.
import type { GuestMemory } from './memory.js';
import type { FdTable } from '../fd/fd-table.js';
import type { Doorbell } from '../ring/byte-ring.js';
import { WasiError } from './errno.js';

export interface WasiContext {
  mem: GuestMemory;
  fds: FdTable;
  args: Uint8Array[];
  env: Uint8Array[];
  /** Rung by every ring this container waits on; poll_oneoff sleeps on it. */
  bell: Doorbell;
}

/** proc_exit and fatal signals unwind the guest's stack with this; the worker turns it into an exit code. */
export class ProcExit {
  constructor(readonly code: number, readonly signal?: string) {}
}

/** Wraps a handler so domain errors become errno values and bad pointers become EFAULT. */
export function syscall<F extends (...args: never[]) => number | void>(fn: F): F {
  return ((...args: never[]) => {
    try {
      return fn(...args) ?? 0;
    } catch (err) {
      if (err instanceof WasiError) return err.errno;
      throw err;
    }
  }) as F;
}

export const u32 = (n: number): number => n >>> 0;
export const u64 = (n: bigint): bigint => BigInt.asUintN(64, n);
