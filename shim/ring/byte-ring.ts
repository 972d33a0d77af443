// A single-producer, single-consumer byte ring in a SharedArrayBuffer: how bytes cross threads without a message per write.
import { copyFromShared, copyToShared } from './shared-copy.js';
import { type Doorbell, ringBell } from './doorbell.js';
import { block, waitsUnwind } from './block.js';
import { SpinPolicy } from './spin-policy.js';

export { type Doorbell, createDoorbell, ringBell, sleepOnBell } from './doorbell.js';

// Layout of the header (Int32 words), every offset named here and nowhere else. The words each side
// writes sit on their own 64-byte cache line, so the producer and the consumer do not bounce one line.
const HEAD = 0;           // bytes consumed so far (free-running, wraps at 2^32); written by the reader
const READ_ARMED = 1;     // 1 while the reader sleeps for data: the next write (only it) wakes it and disarms
const RCV_LIMIT = 2;      // the most the reader lets the ring grow to (its SO_RCVBUF); 0: up to the maximum
const TAIL = 16;          // bytes produced so far (free-running, wraps at 2^32); written by the writer
const WRITE_WANT = 17;    // while the writer sleeps, the free space worth waking it for (0: not asleep); the read that frees it disarms it
const CAP = 18;           // the data bytes in use now: the writer doubles them (see grow) up to the buffer's maximum
const SND_LIMIT = 19;     // the most the writer lets the ring grow to (its SO_SNDBUF); 0: up to the maximum
const CLOSED = 32;        // bit 0: writer closed (EOF after the data); bit 1: reader closed (writes fail with EPIPE)
// The one word waiters sleep on: bumped by a read or write that wakes a waiter, and by every close.
// A read or write that finds no one armed costs no notify and no write to this line.
// Waiting on TAIL or HEAD alone would miss a close() that lands between a waiter's check and its wait.
const SEQ = 33;
const HEADER_WORDS = 48;
const HEADER_BYTES = HEADER_WORDS * 4;
/** Up to this many bytes a read or write copies in a loop: a view and a copy call cost more than the bytes. */
const SMALL = 16;

export const WRITER_CLOSED = 1;
export const READER_CLOSED = 2;

/**
 * The growth one thread's writers may hold at once, given back when the writer closes: a guest with
 * thousands of busy connections cannot make the host commit the maximum for each of them.
 */
export const GROWTH_BUDGET_BYTES = 64 * 1024 * 1024;
let grownBytes = 0;

export interface RingInit { sab: SharedArrayBuffer }

/**
 * Rings created in this thread whose buffer this thread still references: how a test sees that closed
 * connections let their rings go (a growable SharedArrayBuffer is not counted by process.memoryUsage()).
 */
let liveRings = 0;
const ringCollected = new FinalizationRegistry<undefined>(() => { liveRings--; });

/** How many rings created in this thread are still reachable from it (after a GC and a turn of the event loop). */
export function liveRingCount(): number {
  return liveRings;
}

export class ByteRing {
  /** Data bytes in use now (a power of two for a ring that grows). */
  private cap: number;
  /** The most it may grow to: the growable buffer's maximum, or its size. */
  readonly maxCapacity: number;
  private readonly sab: SharedArrayBuffer;
  private readonly ctl: Int32Array;
  private data: Uint8Array;
  /** The writer found the ring full since it last grew: it grows when it next finds the ring empty. */
  private pressed = false;
  /** Bytes this end grew the ring by, charged to the thread's budget. */
  private grownHere = 0;
  /** Whether to poll before sleeping, from how often it paid lately. */
  private readonly spinPolicy = new SpinPolicy();
  /** Rung when data arrives or the writer closes (the reader's bell). */
  readerBell?: Doorbell;
  /** Rung when space frees or the reader closes (the writer's bell). */
  writerBell?: Doorbell;

  constructor(init: RingInit) {
    this.sab = init.sab;
    this.ctl = new Int32Array(init.sab, 0, HEADER_WORDS);
    this.maxCapacity = (init.sab.growable ? init.sab.maxByteLength : init.sab.byteLength) - HEADER_BYTES;
    this.cap = Atomics.load(this.ctl, CAP) || init.sab.byteLength - HEADER_BYTES;
    this.data = new Uint8Array(init.sab, HEADER_BYTES, this.cap);
  }

  /**
   * A ring of `capacity` bytes that the writer may grow, by doubling, up to `maxCapacity`, as Linux grows
   * a busy socket's buffers: only the bytes in use are committed, so an idle connection costs `capacity`.
   * Powers of two keep positions right across the 2^32 wrap of the free-running counters.
   */
  static create(capacity: number, maxCapacity = capacity): ByteRing {
    // Always growable, even when it may not grow: V8 maps a growable buffer's pages itself and unmaps them when
    // it is collected, where a fixed one comes from malloc. Rings of 64 KiB and more, made and dropped by every
    // container run and connection, otherwise fragment malloc's heap and keep a busy server's memory at its
    // peak after the load (bench/RESULTS.md, `wasmpod serve` under load).
    const sab = new SharedArrayBuffer(HEADER_BYTES + capacity, { maxByteLength: HEADER_BYTES + maxCapacity });
    new Int32Array(sab, 0, HEADER_WORDS)[CAP] = capacity;
    liveRings++;
    ringCollected.register(sab, undefined);
    return new ByteRing({ sab });
  }

  /**
   * The same buffer as a new ring, empty and open, no one armed: for a ring that no thread uses any more (its
   * reader and writer done with it), so a next run need not map a buffer again. A ring that grew keeps its size.
   * The old data bytes stay, but nothing reads outside [HEAD, TAIL), which start out equal.
   */
  renew(): ByteRing {
    const cap = Atomics.load(this.ctl, CAP) || this.cap;
    this.ctl.fill(0);
    this.ctl[CAP] = cap;
    return new ByteRing({ sab: this.sab });
  }

  /**
   * Caps how far the ring may grow, as SO_SNDBUF (the writer's side) or SO_RCVBUF (the reader's) fixes a
   * Linux socket's buffer: the lower of the two wins, rounded down to a power of two. It never shrinks
   * the ring below the size it has.
   */
  limitGrowth(bytes: number, side: 'writer' | 'reader'): void {
    let p = 1;
    while (p * 2 <= bytes && p * 2 <= this.maxCapacity) p *= 2;
    Atomics.store(this.ctl, side === 'writer' ? SND_LIMIT : RCV_LIMIT, p);
  }

  /** Whether the writer may double the ring now: below its limits, within the thread's budget. */
  private canGrow(): boolean {
    return this.cap < this.growthLimit() && grownBytes + this.cap <= GROWTH_BUDGET_BYTES;
  }

  /** The size the writer may still grow the ring to. */
  private growthLimit(): number {
    const snd = Atomics.load(this.ctl, SND_LIMIT);
    const rcv = Atomics.load(this.ctl, RCV_LIMIT);
    return Math.min(this.maxCapacity, snd || this.maxCapacity, rcv || this.maxCapacity);
  }

  get init(): RingInit {
    return { sab: this.sab };
  }

  /** Data bytes in use now (it grows under load; see create). */
  get capacity(): number {
    this.refresh();
    return this.cap;
  }

  /** Follows a growth made by the writer: the new size is read after TAIL, so the bytes it covers are there. */
  private refresh(): number {
    const cap = Atomics.load(this.ctl, CAP);
    if (cap !== this.cap) {
      this.cap = cap;
      this.data = new Uint8Array(this.sab, HEADER_BYTES, cap);
    }
    return cap;
  }

  /**
   * Doubles the ring while it is empty, the only moment no byte's position depends on the size: the
   * reader has copied out everything it will read at the old size, and reads the new size after TAIL.
   */
  private grow(): void {
    this.pressed = false;
    const cap = Math.min(this.cap * 2, this.growthLimit());
    try {
      this.sab.grow(HEADER_BYTES + cap);
    } catch {
      // The host could not commit the memory: the ring keeps the size it has, as before.
      Atomics.store(this.ctl, SND_LIMIT, this.cap);
      return;
    }
    grownBytes += cap - this.cap;
    this.grownHere += cap - this.cap;
    Atomics.store(this.ctl, CAP, cap);
    this.refresh();
  }

  /** Bytes waiting to be read. */
  available(): number {
    return (Atomics.load(this.ctl, TAIL) - Atomics.load(this.ctl, HEAD)) >>> 0;
  }

  space(): number {
    return this.refresh() - this.available();
  }

  closedFlags(): number {
    return Atomics.load(this.ctl, CLOSED);
  }

  /** Copies up to `src.length` bytes in; returns how many fit (0 when full). */
  write(src: Uint8Array): number {
    const ctl = this.ctl;
    const head = Atomics.load(ctl, HEAD);
    const tail = Atomics.load(ctl, TAIL);
    if (this.pressed && head === tail && this.canGrow()) this.grow();
    const cap = this.cap;
    const n = Math.min(cap - ((tail - head) >>> 0), src.length);
    if (n < src.length) this.pressed = true;
    if (n === 0) return 0;
    const at = (tail >>> 0) % cap;
    const first = cap - at;
    if (n <= SMALL) {
      const data = this.data;
      for (let i = 0, j = at; i < n; i++, j = j + 1 === cap ? 0 : j + 1) data[j] = src[i]!;
    } else if (n <= first) copyToShared(this.data, at, n === src.length ? src : src.subarray(0, n));
    else {
      copyToShared(this.data, at, src.subarray(0, first));
      copyToShared(this.data, 0, src.subarray(first, n));
    }
    Atomics.store(ctl, TAIL, (tail + n) | 0);
    // Dekker with waitReadable: it arms before it checks TAIL, we store TAIL before we look.
    if (Atomics.load(ctl, READ_ARMED) !== 0 && Atomics.exchange(ctl, READ_ARMED, 0) !== 0) this.wake();
    ringBell(this.readerBell);
    return n;
  }

  /** Copies up to `dst.length` bytes out; returns how many (0 when empty). */
  read(dst: Uint8Array, peek = false): number {
    const ctl = this.ctl;
    const head = Atomics.load(ctl, HEAD);
    const tail = Atomics.load(ctl, TAIL);
    const n = Math.min((tail - head) >>> 0, dst.length);
    if (n === 0) return 0;
    const cap = this.refresh();
    const at = (head >>> 0) % cap;
    const first = cap - at;
    if (n <= SMALL) {
      // A few bytes (a 1-byte message): a loop, without a view made to copy from.
      const data = this.data;
      for (let i = 0, j = at; i < n; i++, j = j + 1 === cap ? 0 : j + 1) dst[i] = data[j]!;
    } else if (n <= first) copyFromShared(dst, 0, this.data.subarray(at, at + n));
    else {
      copyFromShared(dst, 0, this.data.subarray(at, cap));
      copyFromShared(dst, first, this.data.subarray(0, n - first));
    }
    if (!peek) {
      const h = (head + n) | 0;
      Atomics.store(ctl, HEAD, h);
      // A sleeping writer is woken once the space it asked for is free, not by every read: a fast
      // writer then sleeps once per half ring instead of once per read.
      const want = Atomics.load(ctl, WRITE_WANT);
      if (want !== 0 && cap - ((Atomics.load(ctl, TAIL) - h) >>> 0) >= want &&
          Atomics.compareExchange(ctl, WRITE_WANT, want, 0) === want) {
        this.wake();
      }
      ringBell(this.writerBell);
    }
    return n;
  }

  private wake(): void {
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
  }

  close(flag: number): void {
    if (flag & WRITER_CLOSED && this.grownHere > 0) {
      grownBytes -= this.grownHere;
      this.grownHere = 0;
    }
    Atomics.or(this.ctl, CLOSED, flag);
    this.wake();
    ringBell(this.readerBell);
    ringBell(this.writerBell);
  }

  private readable(): boolean {
    const ctl = this.ctl;
    return Atomics.load(ctl, TAIL) !== Atomics.load(ctl, HEAD) || (Atomics.load(ctl, CLOSED) & WRITER_CLOSED) !== 0;
  }

  private writable(want: number): boolean {
    const ctl = this.ctl;
    const used = (Atomics.load(ctl, TAIL) - Atomics.load(ctl, HEAD)) >>> 0;
    return this.cap - used >= want || (Atomics.load(ctl, CLOSED) & READER_CLOSED) !== 0;
  }

  /**
   * The space worth waking a full ring's writer for: half the ring, as Linux wakes a writer when a third
   * of its buffer is free, so a fast writer sleeps once per half ring rather than once per read; all of
   * it while the ring may still grow (it grows only when empty). A reader that goes to sleep wakes the
   * writer whatever it asked for (see waitReadable), so the threshold never leaves both asleep.
   */
  private want(): number {
    const cap = this.cap;
    return this.canGrow() ? cap : Math.max(1, cap >>> 1);
  }

  /**
   * Polls until readable (or writable) or any close, for as long as the spin policy says and at most
   * `timeoutMs` (see spin-policy.ts). Returns the time left to sleep, or -1 when ready.
   */
  private spin(forWrite: boolean, timeoutMs: number): number {
    const budget = this.spinPolicy.budget();
    if (budget === 0) return timeoutMs;
    const ctl = this.ctl;
    const want = forWrite ? this.want() : 0;
    const seq = Atomics.load(ctl, SEQ);
    const start = performance.now();
    const until = start + Math.min(budget, timeoutMs);
    for (let i = 1; ; i++) {
      if ((forWrite ? this.writable(want) : this.readable()) || Atomics.load(ctl, SEQ) !== seq) {
        this.spinPolicy.paid();
        return -1;
      }
      if ((i & 31) === 0) {
        const t = performance.now();
        if (t >= until) {
          this.spinPolicy.wasted();
          return timeoutMs - (t - start);
        }
      }
    }
  }

  /**
   * Arms the reader's wake-up before it checks for data (Dekker with write(): we arm, then read TAIL; it
   * stores TAIL, then looks at the arm), and wakes a writer asleep for space: a reader that sleeps for
   * data must never leave its writer asleep, whatever threshold the writer asked for. Returns the SEQ
   * value to sleep on.
   */
  private armReader(): number {
    const ctl = this.ctl;
    Atomics.store(ctl, READ_ARMED, 1);
    if (Atomics.load(ctl, WRITE_WANT) !== 0 && Atomics.exchange(ctl, WRITE_WANT, 0) !== 0) this.wake();
    return Atomics.load(ctl, SEQ);
  }

  /** Blocks the calling thread until data arrives, the writer closes, or `timeoutMs` passes. */
  waitReadable(timeoutMs = Infinity): void {
    // A shared worker does not spin: its other guests need the thread.
    const left = waitsUnwind() ? timeoutMs : this.spin(false, timeoutMs);
    if (left <= 0) return;
    const ctl = this.ctl;
    const seq = this.armReader();
    const disarm = (): void => { Atomics.store(ctl, READ_ARMED, 0); };
    if (!this.readable()) block(ctl, SEQ, seq, left, disarm);
    else disarm();
  }

  /** Blocks the calling thread until space frees (see want), the reader closes, or `timeoutMs` passes. */
  waitWritable(timeoutMs = Infinity): void {
    const left = waitsUnwind() ? timeoutMs : this.spin(true, timeoutMs);
    if (left <= 0) return;
    const ctl = this.ctl;
    const want = this.want();
    Atomics.store(ctl, WRITE_WANT, want);
    const seq = Atomics.load(ctl, SEQ);
    const unwant = (): void => { Atomics.store(ctl, WRITE_WANT, 0); };
    if (!this.writable(want)) block(ctl, SEQ, seq, left, unwant);
    else unwant();
  }

  /** Resolves when data arrives or the ring closes: for readers on a thread that must not block. */
  async waitReadableAsync(): Promise<void> {
    const ctl = this.ctl;
    const seq = this.armReader();
    if (this.readable()) return;
    const r = Atomics.waitAsync(ctl, SEQ, seq);
    if (r.async) await r.value;
  }

  /** Resolves when space frees (see want) or the reader closes. */
  async waitWritableAsync(): Promise<void> {
    const ctl = this.ctl;
    const want = this.want();
    Atomics.store(ctl, WRITE_WANT, want);
    const seq = Atomics.load(ctl, SEQ);
    if (this.writable(want)) return;
    const r = Atomics.waitAsync(ctl, SEQ, seq);
    if (r.async) await r.value;
  }
}
