// A counting semaphore in a SharedArrayBuffer: a value word and a count of sleepers.
import { Errno } from '../wasi/errno.js';
import { SEM_VALUE, SEM_WAITERS, SEM_WORDS } from './layout.js';

export function createSemaphoreBuffer(value: number): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(SEM_WORDS * 4);
  new Int32Array(sab)[SEM_VALUE] = value;
  return sab;
}

export class Semaphore {
  private readonly w: Int32Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.w = new Int32Array(sab);
  }

  tryWait(): boolean {
    const w = this.w;
    for (;;) {
      const v = Atomics.load(w, SEM_VALUE);
      if (v <= 0) return false;
      if (Atomics.compareExchange(w, SEM_VALUE, v, v - 1) === v) return true;
    }
  }

  /** 0, AGAIN (timeout 0 and the value is 0) or TIMEDOUT. */
  wait(timeoutMs: number): Errno {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.tryWait()) return Errno.SUCCESS;
      if (timeoutMs <= 0) return Errno.AGAIN;
      const left = deadline - performance.now();
      if (left <= 0) return Errno.TIMEDOUT;
      Atomics.add(this.w, SEM_WAITERS, 1);
      Atomics.wait(this.w, SEM_VALUE, 0, left === Infinity ? undefined : left);
      Atomics.sub(this.w, SEM_WAITERS, 1);
    }
  }

  /** OVERFLOW when the value would pass 2^31 - 1. */
  post(): Errno {
    const w = this.w;
    for (;;) {
      const v = Atomics.load(w, SEM_VALUE);
      if (v === 0x7fffffff) return Errno.OVERFLOW;
      if (Atomics.compareExchange(w, SEM_VALUE, v, v + 1) === v) break;
    }
    if (Atomics.load(w, SEM_WAITERS) > 0) Atomics.notify(w, SEM_VALUE, 1);
    return Errno.SUCCESS;
  }

  value(): number {
    return Atomics.load(this.w, SEM_VALUE);
  }
}
