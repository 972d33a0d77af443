// A POSIX-style message queue in one SharedArrayBuffer: fixed slots, priorities, FIFO within a priority.
import { Errno } from '../wasi/errno.js';
import {
  LOCK_WAITERS, MUTEX_OWNER_MASK, Q_FREED, Q_HEADER_BYTES, Q_LOCK, Q_HEADER_WORDS, Q_MAXMSG, Q_MSGSIZE, Q_RECV_WAITERS, Q_SEND_WAITERS, Q_SENT, Q_SEQ,
  SLOT_FREE, SLOT_HEADER_BYTES, SLOT_HEADER_WORDS, SLOT_QUEUED, SLOT_READING, SLOT_WRITING, S_LEN, S_PRIO, S_SEQ, S_STATE, slotTag,
} from './layout.js';

/** Bytes of a queue's buffer: its header and `maxmsg` slots. */
export function queueBytes(maxmsg: number, msgsize: number): number {
  return Q_HEADER_BYTES + maxmsg * (SLOT_HEADER_BYTES + ((msgsize + 3) & ~3));
}

export function createQueueBuffer(maxmsg: number, msgsize: number): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(queueBytes(maxmsg, msgsize));
  const ctl = new Int32Array(sab, 0, Q_HEADER_WORDS);
  ctl[Q_MAXMSG] = maxmsg;
  ctl[Q_MSGSIZE] = msgsize;
  return sab;
}

export class MessageQueue {
  readonly maxmsg: number;
  readonly msgsize: number;
  /** The priority of the message the last successful receive returned. */
  lastPriority = 0;
  /** How long an operation may wait for the queue's lock; the embedder's thread sets a bound, workers do not. */
  lockWaitMs = Infinity;
  /** The last try gave up waiting for the lock (only with a bounded lockWaitMs): retry after yielding. */
  busy = false;
  private readonly w: Int32Array;
  private readonly u8: Uint8Array;
  private readonly slotWords: number;
  private hint = 0;

  constructor(readonly sab: SharedArrayBuffer) {
    this.w = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.maxmsg = this.w[Q_MAXMSG];
    this.msgsize = this.w[Q_MSGSIZE];
    this.slotWords = (SLOT_HEADER_BYTES + ((this.msgsize + 3) & ~3)) / 4;
  }

  private slot(i: number): number {
    return Q_HEADER_WORDS + i * this.slotWords;
  }

  /** Queues `src` (at most msgsize bytes) unless every slot is taken; `owner` tags the slot while it is copied. */
  trySend(src: Uint8Array, priority: number, owner: number): boolean {
    const w = this.w;
    this.busy = false;
    for (let n = 0; n < this.maxmsg; n++) {
      const i = (this.hint + n) % this.maxmsg;
      const s = this.slot(i);
      if (w[s + S_STATE] !== SLOT_FREE) continue;
      if (Atomics.compareExchange(w, s + S_STATE, SLOT_FREE, slotTag(SLOT_WRITING, owner)) !== SLOT_FREE) continue;
      this.hint = (i + 1) % this.maxmsg;
      this.u8.set(src, (s + SLOT_HEADER_WORDS) * 4);
      w[s + S_LEN] = src.length;
      w[s + S_PRIO] = priority;
      // The sequence number and the QUEUED state change together, so a receiver's scan sees messages in order.
      if (!this.lock(owner, this.lockWaitMs)) {
        Atomics.store(w, s + S_STATE, SLOT_FREE);
        this.busy = true;
        return false;
      }
      w[s + S_SEQ] = Atomics.add(w, Q_SEQ, 1);
      Atomics.store(w, s + S_STATE, SLOT_QUEUED);
      this.unlock();
      Atomics.add(w, Q_SENT, 1);
      if (Atomics.load(w, Q_RECV_WAITERS) > 0) Atomics.notify(w, Q_SENT, 1);
      return true;
    }
    return false;
  }

  /** Takes the oldest message of the highest priority into `dst`; returns its length, or -1 when none is queued. */
  tryReceive(dst: Uint8Array, owner: number): number {
    const w = this.w;
    this.busy = !this.lock(owner, this.lockWaitMs);
    if (this.busy) return -1;
    {
      let best = -1;
      let bestPrio = -1;
      let bestSeq = 0;
      for (let i = 0; i < this.maxmsg; i++) {
        const s = this.slot(i);
        if (Atomics.load(w, s + S_STATE) !== SLOT_QUEUED) continue;
        const prio = w[s + S_PRIO];
        const seq = w[s + S_SEQ];
        if (prio > bestPrio || (prio === bestPrio && ((seq - bestSeq) | 0) < 0)) {
          best = s; bestPrio = prio; bestSeq = seq;
        }
      }
      if (best < 0) {
        this.unlock();
        return -1;
      }
      Atomics.store(w, best + S_STATE, slotTag(SLOT_READING, owner));
      this.unlock();
      const len = w[best + S_LEN];
      const from = (best + SLOT_HEADER_WORDS) * 4;
      dst.set(this.u8.subarray(from, from + len));
      this.lastPriority = bestPrio;
      Atomics.store(w, best + S_STATE, SLOT_FREE);
      Atomics.add(w, Q_FREED, 1);
      if (Atomics.load(w, Q_SEND_WAITERS) > 0) Atomics.notify(w, Q_FREED, 1);
      return len;
    }
  }

  /**
   * Takes the queue's lock, held only for a few word changes. It spins first, then sleeps; `waitMs` bounds
   * the whole wait so that a thread that must not block (the embedder's) can give way and retry.
   */
  lock(owner: number, waitMs = Infinity): boolean {
    const w = this.w;
    let take = owner;
    for (let spins = 0; ; spins++) {
      const v = Atomics.compareExchange(w, Q_LOCK, 0, take);
      if (v === 0) return true;
      if (spins < 200) continue;
      if (waitMs <= 0) return false;
      const marked = v | LOCK_WAITERS;
      if (v !== marked && Atomics.compareExchange(w, Q_LOCK, v, marked) !== v) continue;
      take = owner | LOCK_WAITERS;
      const step = Math.min(waitMs, 1000);
      Atomics.wait(w, Q_LOCK, marked, step);
      waitMs -= step;
    }
  }

  unlock(): void {
    if (Atomics.exchange(this.w, Q_LOCK, 0) & LOCK_WAITERS) Atomics.notify(this.w, Q_LOCK, 1);
  }

  /** Blocking send for a worker: 0, AGAIN (timeout 0 and full) or TIMEDOUT. */
  send(src: Uint8Array, priority: number, owner: number, timeoutMs: number): Errno {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const epoch = Atomics.load(this.w, Q_FREED);
      if (this.trySend(src, priority, owner)) return Errno.SUCCESS;
      if (timeoutMs <= 0) return Errno.AGAIN;
      if (!this.sleep(Q_FREED, Q_SEND_WAITERS, epoch, deadline)) return Errno.TIMEDOUT;
    }
  }

  /** Blocking receive for a worker: the length, or -AGAIN / -TIMEDOUT. */
  receive(dst: Uint8Array, owner: number, timeoutMs: number): number {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const epoch = Atomics.load(this.w, Q_SENT);
      const n = this.tryReceive(dst, owner);
      if (n >= 0) return n;
      if (timeoutMs <= 0) return -Errno.AGAIN;
      if (!this.sleep(Q_SENT, Q_RECV_WAITERS, epoch, deadline)) return -Errno.TIMEDOUT;
    }
  }

  /** Sleeps until the epoch word moves; false when the deadline passed first. */
  private sleep(word: number, waiters: number, epoch: number, deadline: number): boolean {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.add(this.w, waiters, 1);
    Atomics.wait(this.w, word, epoch, left === Infinity ? undefined : left);
    Atomics.sub(this.w, waiters, 1);
    return true;
  }

  /** For threads that must not block (the embedder's main thread): resolves when the epoch word moves or `ms` pass. */
  async waitAsync(forSpace: boolean, ms: number): Promise<void> {
    const word = forSpace ? Q_FREED : Q_SENT;
    const waiters = forSpace ? Q_SEND_WAITERS : Q_RECV_WAITERS;
    const epoch = Atomics.load(this.w, word);
    Atomics.add(this.w, waiters, 1);
    try {
      const r = Atomics.waitAsync(this.w, word, epoch, ms === Infinity ? undefined : ms);
      if (r.async) await r.value;
    } finally {
      Atomics.sub(this.w, waiters, 1);
    }
  }

  epoch(forSpace: boolean): number {
    return Atomics.load(this.w, forSpace ? Q_FREED : Q_SENT);
  }

  /** Messages queued now. */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.maxmsg; i++) if (Atomics.load(this.w, this.slot(i) + S_STATE) === SLOT_QUEUED) n++;
    return n;
  }

  /**
   * After `owner` died: a message it was sending is dropped (its send never returned), a message it was
   * receiving is queued again in its place (its receive never returned), and sleepers wake to look.
   */
  recover(owner: number): void {
    const w = this.w;
    const held = Atomics.load(w, Q_LOCK);
    if ((held & MUTEX_OWNER_MASK) === owner && Atomics.compareExchange(w, Q_LOCK, held, 0) === held) Atomics.notify(w, Q_LOCK);
    for (let i = 0; i < this.maxmsg; i++) {
      const s = this.slot(i);
      if (Atomics.compareExchange(w, s + S_STATE, slotTag(SLOT_WRITING, owner), SLOT_FREE) === slotTag(SLOT_WRITING, owner)) {
        Atomics.add(w, Q_FREED, 1);
        Atomics.notify(w, Q_FREED);
      }
      if (Atomics.compareExchange(w, s + S_STATE, slotTag(SLOT_READING, owner), SLOT_QUEUED) === slotTag(SLOT_READING, owner)) {
        Atomics.add(w, Q_SENT, 1);
        Atomics.notify(w, Q_SENT);
      }
    }
  }
}
