// A POSIX-style message queue in one SharedArrayBuffer: fixed slots, priorities, FIFO within a priority.
//
// Waiting and waking, as the socket rings do (shim/ring/byte-ring.ts): a sender or receiver that finds nothing to do
// first polls the queue's epoch word for a while (spin-policy.ts: 50 µs, only with a free core, only while polling
// pays), and only then sleeps. Before it sleeps it registers (Q_*_WAITERS) and arms (Q_*_ARMED); the one send or
// receive that finds the word armed swaps it back and pays for the notify, and every other one makes none. A
// notify wakes one sleeper; when several sleep, one that leaves (with a message, a slot, or a timeout) while others
// are still registered arms the word again and wakes one of them if what they wait for is there (passOn), so a
// wake-up taken by one sleeper is never missing for another. A sender asleep on a full queue asks to be woken when
// half of it is free (Q_SEND_WANT), as a ring's writer does, so a fast sender sleeps once per half queue. A receiver
// finds the next message of priority 0 through the sequence map (Q_HEAD) and scans only when priorities are mixed.
import { Errno } from '../wasi/errno.js';
import { SpinPolicy } from '../ring/spin-policy.js';
import {
  LOCK_WAITERS, MUTEX_OWNER_MASK, Q_FREED, Q_HEADER_BYTES, Q_LOCK, Q_HEADER_WORDS, Q_MAXMSG, Q_MSGSIZE, Q_RECV_ARMED, Q_RECV_WAITERS,
  Q_SEND_ARMED, Q_SEND_WAITERS, Q_SEND_WANT, Q_SENT, Q_SEQ, Q_HEAD, Q_HIPRI, Q_DIRTY,
  SLOT_FREE, SLOT_HEADER_BYTES, SLOT_HEADER_WORDS, SLOT_KIND_MASK, SLOT_QUEUED, SLOT_READING, SLOT_WRITING, S_LEN, S_PRIO, S_SEQ, S_STATE,
  queueMapWords, slotTag,
} from './layout.js';
import { copyFromShared, copyToShared } from '../ring/shared-copy.js';

/** One side's words: senders wait for space (Q_FREED), receivers for messages (Q_SENT). */
interface Side { readonly epoch: number; readonly waiters: number; readonly armed: number }
const SPACE: Side = { epoch: Q_FREED, waiters: Q_SEND_WAITERS, armed: Q_SEND_ARMED };
const MESSAGES: Side = { epoch: Q_SENT, waiters: Q_RECV_WAITERS, armed: Q_RECV_ARMED };
/**
 * How long a sender that asked to be woken only once half the queue is free (Q_SEND_WANT) sleeps at most: a
 * receiver that frees fewer slots and then stops receiving without sleeping leaves it waiting this long, not for
 * ever. One that finds nothing freed in that time asks for the first free slot, without a bound, the next time.
 */
const BATCH_SLEEP_MS = 2;
/** What wait() did: the word moved while it polled, it slept (so it must pass a wake-up on when it leaves), or the deadline passed. */
const POLLED = 0;
const SLEPT = 1;
const EXPIRED = -1;

/** Bytes of a queue's buffer: its header and `maxmsg` slots. */
export function queueBytes(maxmsg: number, msgsize: number): number {
  return Q_HEADER_BYTES + queueMapWords(maxmsg) * 4 + maxmsg * (SLOT_HEADER_BYTES + ((msgsize + 3) & ~3));
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
  /** Words of the map of queued slots (layout.ts), the index of the sequence map, and of the first slot's header. */
  private readonly mapWords: number;
  private readonly seqMap: number;
  private readonly slot0: number;
  private hint = 0;
  /** Whether polling before a sleep paid lately, for sends and for receives (spin-policy.ts). */
  private readonly sendSpin = new SpinPolicy();
  private readonly recvSpin = new SpinPolicy();
  /** Whether this handle's next sleep for space asks for half the queue (it found slots freed the last time). */
  private sendBatch = true;

  constructor(readonly sab: SharedArrayBuffer) {
    this.w = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.maxmsg = this.w[Q_MAXMSG];
    this.msgsize = this.w[Q_MSGSIZE];
    this.slotWords = (SLOT_HEADER_BYTES + ((this.msgsize + 3) & ~3)) / 4;
    this.mapWords = ((this.maxmsg + 63) >>> 6) << 1;
    this.seqMap = Q_HEADER_WORDS + this.mapWords;
    this.slot0 = Q_HEADER_WORDS + queueMapWords(this.maxmsg);
  }

  private slot(i: number): number {
    return this.slot0 + i * this.slotWords;
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
      this.hint = i + 1 === this.maxmsg ? 0 : i + 1;
      copyToShared(this.u8, (s + SLOT_HEADER_WORDS) * 4, src);
      w[s + S_LEN] = src.length;
      w[s + S_PRIO] = priority;
      // The sequence number and the QUEUED state change together, so a receiver's scan sees messages in order.
      if (!this.lock(owner, this.lockWaitMs)) {
        Atomics.store(w, s + S_STATE, SLOT_FREE);
        this.busy = true;
        return false;
      }
      Atomics.or(w, Q_HEADER_WORDS + (i >>> 5), 1 << (i & 31));
      const seq = w[Q_SEQ];
      w[Q_SEQ] = (seq + 1) | 0;
      w[s + S_SEQ] = seq;
      w[this.seqMap + (seq >>> 0) % this.maxmsg] = i;
      // Counted before it is queued: a sender that dies in between leaves the count too high, never too low.
      if (priority !== 0) Atomics.add(w, Q_HIPRI, 1);
      Atomics.store(w, s + S_STATE, SLOT_QUEUED);
      this.unlock();
      Atomics.add(w, Q_SENT, 1);
      // Dekker with wait(): it arms, then compares Q_SENT; we bumped Q_SENT, then look at the arm.
      this.wake(MESSAGES, 0);
      return true;
    }
    return false;
  }

  /** Takes the oldest message of the highest priority into `dst`; returns its length, or -1 when none is queued. */
  tryReceive(dst: Uint8Array, owner: number): number {
    const w = this.w;
    this.busy = !this.lock(owner, this.lockWaitMs);
    if (this.busy) return -1;
    let best = -1;
    let bestPrio = 0;
    let bestBit = 0;
    // The fast path: only messages of priority 0, none queued again by a recovery, so the oldest is Q_HEAD's.
    if (Atomics.load(w, Q_HIPRI) === 0 && Atomics.load(w, Q_DIRTY) === 0) {
      const head = w[Q_HEAD];
      const i = w[this.seqMap + (head >>> 0) % this.maxmsg] >>> 0;
      const s = i < this.maxmsg ? this.slot(i) : 0;
      if (s !== 0 && Atomics.load(w, s + S_STATE) === SLOT_QUEUED && w[s + S_SEQ] === head && w[s + S_PRIO] === 0) {
        best = s;
        bestBit = i;
        w[Q_HEAD] = (head + 1) | 0;
      }
    }
    if (best < 0) [best, bestPrio, bestBit] = this.scan();
    if (best < 0) {
      this.unlock();
      return -1;
    }
    Atomics.store(w, best + S_STATE, slotTag(SLOT_READING, owner));
    Atomics.and(w, Q_HEADER_WORDS + (bestBit >>> 5), ~(1 << (bestBit & 31)));
    if (bestPrio !== 0) Atomics.sub(w, Q_HIPRI, 1);
    this.unlock();
    const len = w[best + S_LEN];
    const from = (best + SLOT_HEADER_WORDS) * 4;
    copyFromShared(dst, 0, this.u8.subarray(from, from + len));
    this.lastPriority = bestPrio;
    Atomics.store(w, best + S_STATE, SLOT_FREE);
    this.wake(SPACE, Atomics.add(w, Q_FREED, 1) + 1);
    return len;
  }

  /**
   * Under the lock: the slot of the oldest queued message of the highest priority, its priority and its index (slot
   * -1 when none), by a look at every queued slot; sets Q_HEAD to the oldest sequence number left queued.
   */
  private scan(): [number, number, number] {
    const w = this.w;
    Atomics.store(w, Q_DIRTY, 0);
    let best = -1;
    let bestPrio = -1;
    let bestSeq = 0;
    let bestBit = 0;
    let oldest = 0;
    let queued = 0;
    for (let k = 0; k < this.mapWords; k++) {
      let bits = Atomics.load(w, Q_HEADER_WORDS + k);
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const i = (k << 5) | (31 - Math.clz32(low));
        const s = this.slot(i);
        const state = Atomics.load(w, s + S_STATE);
        if (state !== SLOT_QUEUED) {
          // A bit its dead sender left. One on a slot being read stays: the dead reader's recovery queues it again.
          if ((state & SLOT_KIND_MASK) !== SLOT_READING) Atomics.and(w, Q_HEADER_WORDS + k, ~low);
          continue;
        }
        const prio = w[s + S_PRIO];
        const seq = w[s + S_SEQ];
        if (queued++ === 0 || ((seq - oldest) | 0) < 0) oldest = seq;
        if (prio > bestPrio || (prio === bestPrio && ((seq - bestSeq) | 0) < 0)) {
          best = s; bestPrio = prio; bestSeq = seq; bestBit = i;
        }
      }
    }
    // Nothing queued: every message to come gets Q_SEQ or later. Otherwise the oldest, or the next if we take it.
    w[Q_HEAD] = queued === 0 ? w[Q_SEQ] : best >= 0 && bestSeq === oldest ? (oldest + 1) | 0 : oldest;
    return [best, bestPrio, bestBit];
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
    let slept = false;
    let r: Errno;
    for (;;) {
      const epoch = Atomics.load(this.w, Q_FREED);
      if (this.trySend(src, priority, owner)) { r = Errno.SUCCESS; break; }
      if (timeoutMs <= 0) return Errno.AGAIN;
      const how = this.wait(SPACE, this.sendSpin, epoch, deadline);
      if (how === EXPIRED) { r = Errno.TIMEDOUT; break; }
      if (how === SLEPT) slept = true;
    }
    if (slept) this.passOn(false);
    return r;
  }

  /** Blocking receive for a worker: the length, or -AGAIN / -TIMEDOUT. */
  receive(dst: Uint8Array, owner: number, timeoutMs: number): number {
    const deadline = performance.now() + timeoutMs;
    let slept = false;
    let n: number;
    for (;;) {
      const epoch = Atomics.load(this.w, Q_SENT);
      n = this.tryReceive(dst, owner);
      if (n >= 0) break;
      if (timeoutMs <= 0) return -Errno.AGAIN;
      const how = this.wait(MESSAGES, this.recvSpin, epoch, deadline);
      if (how === EXPIRED) { n = -Errno.TIMEDOUT; break; }
      if (how === SLEPT) slept = true;
    }
    if (slept) this.passOn(true);
    return n;
  }

  /**
   * Waits until `side`'s epoch word moves from `epoch` or the deadline passes: polls first, for as long as the
   * spin policy says, then registers, arms and sleeps. The wait compares the word after the arm is stored, so a
   * change that lands in between either is seen here or finds the arm (Dekker with wake()).
   */
  private wait(side: Side, policy: SpinPolicy, epoch: number, deadline: number): number {
    const w = this.w;
    let left = deadline - performance.now();
    if (left <= 0) return EXPIRED;
    const budget = policy.budget();
    if (budget > 0) {
      const start = performance.now();
      const until = start + Math.min(budget, left);
      for (let i = 1; ; i++) {
        if (Atomics.load(w, side.epoch) !== epoch) {
          policy.paid();
          return POLLED;
        }
        if ((i & 31) === 0) {
          const t = performance.now();
          if (t >= until) {
            policy.wasted();
            left = deadline - t;
            break;
          }
        }
      }
      if (left <= 0) return EXPIRED;
    }
    let batch = 1;
    if (side === MESSAGES) {
      // A receiver that sleeps never leaves a sender asleep, whatever it asked for (as the socket rings' readers).
      this.wake(SPACE, Atomics.load(w, Q_SEND_WANT));
    } else if (this.sendBatch && this.maxmsg >= 4) {
      batch = this.maxmsg >>> 1;
      left = Math.min(left, BATCH_SLEEP_MS);
    }
    Atomics.add(w, side.waiters, 1);
    if (side === SPACE) Atomics.store(w, Q_SEND_WANT, (epoch + batch) | 0);
    Atomics.store(w, side.armed, 1);
    Atomics.wait(w, side.epoch, epoch, left === Infinity ? undefined : left);
    Atomics.sub(w, side.waiters, 1);
    if (side === SPACE) this.sendBatch = Atomics.load(w, Q_FREED) !== epoch;
    return SLEPT;
  }

  /**
   * After a change on `side`'s epoch word (to `epoch`): notifies one sleeper if the word is armed, so only the first
   * change after an arm pays; for space, only once Q_FREED has reached what the sleeper asked for.
   */
  private wake(side: Side, epoch: number): void {
    const w = this.w;
    if (Atomics.load(w, side.armed) === 0) return;
    if (side === SPACE && ((epoch - Atomics.load(w, Q_SEND_WANT)) | 0) < 0) return;
    if (Atomics.exchange(w, side.armed, 0) === 0) return;
    // Bumped again before the notify: the arm this wake-up took may be newer than the change that sent it (a
    // sleeper that had already seen that change, then armed again), and that sleeper must not sleep on it.
    Atomics.add(w, side.epoch, 1);
    Atomics.notify(w, side.epoch, 1);
  }

  /**
   * Called by a sleeper when it leaves (for messages when `forMessages`, else for space): it may have taken the one
   * wake-up a change sent while others slept on (that change disarmed the word, so the next ones did not notify).
   * While others are registered, it arms the word for them again and, when what they wait for is already there,
   * wakes one (Dekker with trySend/tryReceive: we arm, then look at the slots; they change a slot, then look at the arm).
   */
  passOn(forMessages: boolean): void {
    const side = forMessages ? MESSAGES : SPACE;
    const w = this.w;
    if (Atomics.load(w, side.waiters) === 0) return;
    if (!forMessages) Atomics.store(w, Q_SEND_WANT, Atomics.load(w, Q_FREED));
    Atomics.store(w, side.armed, 1);
    if (this.any(forMessages ? SLOT_QUEUED : SLOT_FREE)) this.wake(side, Atomics.load(w, Q_SEND_WANT));
  }

  private any(state: number): boolean {
    for (let i = 0; i < this.maxmsg; i++) if (Atomics.load(this.w, this.slot(i) + S_STATE) === state) return true;
    return false;
  }

  /**
   * For threads that must not block (the embedder's main thread): resolves when the epoch word has moved from
   * `epoch` or `ms` pass. The caller calls passOn when it leaves its operation after one of these.
   */
  async waitAsync(forSpace: boolean, epoch: number, ms: number): Promise<void> {
    const side = forSpace ? SPACE : MESSAGES;
    const w = this.w;
    Atomics.add(w, side.waiters, 1);
    try {
      if (forSpace) Atomics.store(w, Q_SEND_WANT, (epoch + 1) | 0);
      Atomics.store(w, side.armed, 1);
      const r = Atomics.waitAsync(w, side.epoch, epoch, ms === Infinity ? undefined : ms);
      if (r.async) await r.value;
    } finally {
      Atomics.sub(w, side.waiters, 1);
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
      }
      if (Atomics.compareExchange(w, s + S_STATE, slotTag(SLOT_READING, owner), SLOT_QUEUED) === slotTag(SLOT_READING, owner)) {
        Atomics.or(w, Q_HEADER_WORDS + (i >>> 5), 1 << (i & 31));
        if (w[s + S_PRIO] !== 0) Atomics.add(w, Q_HIPRI, 1);
        // Older than Q_HEAD, perhaps: the next receiver scans.
        Atomics.store(w, Q_DIRTY, 1);
        Atomics.add(w, Q_SENT, 1);
      }
    }
    // Every sleeper looks again, whether or not it held anything: the dead one may have been woken for a message
    // or a slot and died before it could pass the wake-up on (passOn).
    Atomics.notify(w, Q_FREED);
    Atomics.notify(w, Q_SENT);
  }
}
