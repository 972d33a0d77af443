// A single-producer, single-consumer byte ring in a SharedArrayBuffer: how bytes cross threads without a message per write.
//
// Layout of the header (Int32 words), every offset named here and nowhere else:
const HEAD = 0;       // bytes consumed so far (free-running, wraps at 2^32)
const TAIL = 1;       // bytes produced so far (free-running, wraps at 2^32)
const CLOSED = 2;     // bit 0: writer closed (EOF after the data); bit 1: reader closed (writes fail with EPIPE)
// Bumped by every write, read and close: the one word waiters sleep on. Waiting on TAIL or HEAD alone would
// miss a close() that lands between a waiter's check and its wait, and sleep forever.
const SEQ = 3;
const HEADER_WORDS = 4;
const HEADER_BYTES = HEADER_WORDS * 4;

export const WRITER_CLOSED = 1;
export const READER_CLOSED = 2;

/**
 * A doorbell is one Int32 word a thread waits on while it waits for any of several rings
 * (poll_oneoff). Every ring change rings the bells registered on its side.
 */
export type Doorbell = Int32Array;

export function createDoorbell(): Doorbell {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function ringBell(bell: Doorbell | undefined): void {
  if (!bell) return;
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

export interface RingInit { sab: SharedArrayBuffer }

export class ByteRing {
  readonly capacity: number;
  private readonly ctl: Int32Array;
  private readonly data: Uint8Array;
  /** Rung when data arrives or the writer closes (the reader's bell). */
  readerBell?: Doorbell;
  /** Rung when space frees or the reader closes (the writer's bell). */
  writerBell?: Doorbell;

  constructor(init: RingInit) {
    this.ctl = new Int32Array(init.sab, 0, HEADER_WORDS);
    this.data = new Uint8Array(init.sab, HEADER_BYTES);
    this.capacity = this.data.length;
  }

  static create(capacity: number): ByteRing {
    return new ByteRing({ sab: new SharedArrayBuffer(HEADER_BYTES + capacity) });
  }

  get init(): RingInit {
    return { sab: this.ctl.buffer as SharedArrayBuffer };
  }

  /** Bytes waiting to be read. */
  available(): number {
    return (Atomics.load(this.ctl, TAIL) - Atomics.load(this.ctl, HEAD)) >>> 0;
  }

  space(): number {
    return this.capacity - this.available();
  }

  closedFlags(): number {
    return Atomics.load(this.ctl, CLOSED);
  }

  /** Copies up to `src.length` bytes in; returns how many fit (0 when full). */
  write(src: Uint8Array): number {
    const head = Atomics.load(this.ctl, HEAD);
    const tail = Atomics.load(this.ctl, TAIL);
    const free = this.capacity - ((tail - head) >>> 0);
    const n = Math.min(free, src.length);
    if (n === 0) return 0;
    const at = (tail >>> 0) % this.capacity;
    const first = Math.min(n, this.capacity - at);
    this.data.set(src.subarray(0, first), at);
    if (n > first) this.data.set(src.subarray(first, n), 0);
    Atomics.store(this.ctl, TAIL, (tail + n) | 0);
    this.changed();
    ringBell(this.readerBell);
    return n;
  }

  /** Copies up to `dst.length` bytes out; returns how many (0 when empty). */
  read(dst: Uint8Array, peek = false): number {
    const head = Atomics.load(this.ctl, HEAD);
    const tail = Atomics.load(this.ctl, TAIL);
    const n = Math.min((tail - head) >>> 0, dst.length);
    if (n === 0) return 0;
    const at = (head >>> 0) % this.capacity;
    const first = Math.min(n, this.capacity - at);
    dst.set(this.data.subarray(at, at + first), 0);
    if (n > first) dst.set(this.data.subarray(0, n - first), first);
    if (!peek) {
      Atomics.store(this.ctl, HEAD, (head + n) | 0);
      this.changed();
      ringBell(this.writerBell);
    }
    return n;
  }

  private changed(): void {
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
  }

  close(flag: number): void {
    Atomics.or(this.ctl, CLOSED, flag);
    this.changed();
    ringBell(this.readerBell);
    ringBell(this.writerBell);
  }

  /** Blocks the calling thread until data arrives, the writer closes, or `timeoutMs` passes. */
  waitReadable(timeoutMs = Infinity): void {
    const seq = Atomics.load(this.ctl, SEQ);
    if (this.available() > 0 || (this.closedFlags() & WRITER_CLOSED)) return;
    Atomics.wait(this.ctl, SEQ, seq, timeoutMs);
  }

  /** Blocks the calling thread until space frees, the reader closes, or `timeoutMs` passes. */
  waitWritable(timeoutMs = Infinity): void {
    const seq = Atomics.load(this.ctl, SEQ);
    if (this.space() > 0 || (this.closedFlags() & READER_CLOSED)) return;
    Atomics.wait(this.ctl, SEQ, seq, timeoutMs);
  }

  /** Resolves when the tail moves or the ring closes: for readers on a thread that must not block. */
  async waitReadableAsync(): Promise<void> {
    const seq = Atomics.load(this.ctl, SEQ);
    if (this.available() > 0 || (this.closedFlags() & WRITER_CLOSED)) return;
    const r = Atomics.waitAsync(this.ctl, SEQ, seq);
    if (r.async) await r.value;
  }

  /** Resolves when space frees or the reader closes. */
  async waitWritableAsync(): Promise<void> {
    const seq = Atomics.load(this.ctl, SEQ);
    if (this.space() > 0 || (this.closedFlags() & READER_CLOSED)) return;
    const r = Atomics.waitAsync(this.ctl, SEQ, seq);
    if (r.async) await r.value;
  }
}
