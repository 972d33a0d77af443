// A named shared-memory segment: bounds-checked copies, atomics and futex wait/wake on its 32-bit words, robust mutexes.
import { Errno, WasiError } from '../wasi/errno.js';
import { MUTEX_OWNER_DIED, MUTEX_OWNER_MASK, MUTEX_WAITERS } from './layout.js';

/** shm_atomic operations (wasmpod_ipc.h WASMPOD_ATOMIC_*). */
export const enum AtomicOp { LOAD = 0, STORE = 1, ADD = 2, SUB = 3, AND = 4, OR = 5, XOR = 6, EXCHANGE = 7, CAS = 8 }

export class Segment {
  readonly size: number;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;

  constructor(readonly id: number, readonly sab: SharedArrayBuffer) {
    this.size = sab.byteLength;
    this.u8 = new Uint8Array(sab);
    this.i32 = new Int32Array(sab, 0, sab.byteLength >> 2);
  }

  /** The bytes [offset, offset + len), or EINVAL when they are not all inside the segment. */
  range(offset: number, len: number): Uint8Array {
    if (offset < 0 || len < 0 || offset + len > this.size) throw new WasiError(Errno.INVAL);
    return this.u8.subarray(offset, offset + len);
  }

  /** The index of the aligned 32-bit word at `offset`, or EINVAL. */
  word(offset: number): number {
    if (offset < 0 || (offset & 3) !== 0 || offset + 4 > this.size) throw new WasiError(Errno.INVAL);
    return offset >> 2;
  }

  /** Returns the word's previous value (for LOAD, its value). */
  atomic(op: AtomicOp, offset: number, a: number, b: number): number {
    const i = this.word(offset);
    const w = this.i32;
    switch (op) {
      case AtomicOp.LOAD: return Atomics.load(w, i);
      case AtomicOp.STORE: return Atomics.exchange(w, i, a);
      case AtomicOp.ADD: return Atomics.add(w, i, a);
      case AtomicOp.SUB: return Atomics.sub(w, i, a);
      case AtomicOp.AND: return Atomics.and(w, i, a);
      case AtomicOp.OR: return Atomics.or(w, i, a);
      case AtomicOp.XOR: return Atomics.xor(w, i, a);
      case AtomicOp.EXCHANGE: return Atomics.exchange(w, i, a);
      case AtomicOp.CAS: return Atomics.compareExchange(w, i, a, b);
      default: throw new WasiError(Errno.INVAL);
    }
  }

  /** Sleeps while the word holds `expected`: 0 when woken, AGAIN when it held another value, TIMEDOUT. */
  futexWait(offset: number, expected: number, timeoutMs: number): Errno {
    const r = Atomics.wait(this.i32, this.word(offset), expected, timeoutMs === Infinity ? undefined : timeoutMs);
    return r === 'ok' ? Errno.SUCCESS : r === 'not-equal' ? Errno.AGAIN : Errno.TIMEDOUT;
  }

  /** Wakes up to `count` sleepers on the word; returns how many woke. */
  futexWake(offset: number, count: number): number {
    return Atomics.notify(this.i32, this.word(offset), count <= 0 ? 0 : count);
  }

  /**
   * Locks the mutex word for `owner`: 0, OWNERDEAD (locked, but the previous owner died holding it: the
   * data it guards may be half-updated), DEADLK (already ours), AGAIN (timeout 0) or TIMEDOUT.
   */
  lock(offset: number, owner: number, timeoutMs: number): Errno {
    const i = this.word(offset);
    const w = this.i32;
    const deadline = performance.now() + timeoutMs;
    let contended = 0;
    for (;;) {
      const v = Atomics.compareExchange(w, i, 0, owner | contended);
      if (v === 0) return Errno.SUCCESS;
      if ((v & MUTEX_OWNER_MASK) === owner) return Errno.DEADLK;
      if (v === MUTEX_OWNER_DIED || v === (MUTEX_OWNER_DIED | MUTEX_WAITERS)) {
        if (Atomics.compareExchange(w, i, v, owner | (v & MUTEX_WAITERS)) === v) return Errno.OWNERDEAD;
        continue;
      }
      if (timeoutMs <= 0) return Errno.AGAIN;
      const left = deadline - performance.now();
      if (left <= 0) return Errno.TIMEDOUT;
      const marked = v | MUTEX_WAITERS;
      if (v !== marked && Atomics.compareExchange(w, i, v, marked) !== v) continue;
      // Once we have slept, others may sleep too: keep the waiters bit when we take the lock.
      contended = MUTEX_WAITERS;
      Atomics.wait(w, i, marked, left === Infinity ? undefined : left);
    }
  }

  /** Unlocks a mutex word `owner` holds; PERM when it does not hold it. */
  unlock(offset: number, owner: number): Errno {
    const i = this.word(offset);
    const v = Atomics.load(this.i32, i);
    if ((v & MUTEX_OWNER_MASK) !== owner) return Errno.PERM;
    Atomics.store(this.i32, i, 0);
    if (v & MUTEX_WAITERS) Atomics.notify(this.i32, i, 1);
    return Errno.SUCCESS;
  }

  /** After `owner` died: a mutex word it still holds is marked OWNER_DIED and its sleepers wake. */
  releaseDead(offset: number, owner: number): void {
    if (offset < 0 || (offset & 3) !== 0 || offset + 4 > this.size) return;
    const i = offset >> 2;
    const v = Atomics.load(this.i32, i);
    if ((v & MUTEX_OWNER_MASK) !== owner || v & MUTEX_OWNER_DIED) return;
    if (Atomics.compareExchange(this.i32, i, v, MUTEX_OWNER_DIED | (v & MUTEX_WAITERS)) === v) Atomics.notify(this.i32, i);
  }
}
