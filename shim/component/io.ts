// wasi:io (error, poll, streams) for components: pollables sleep on the container's doorbell, as poll_oneoff does.
import { sleepOnBell, type Doorbell } from '../ring/doorbell.js';
import { Errno, WasiError } from '../wasi/errno.js';
import type { FdObject } from '../fd/fd-object.js';

/** jco calls this on a host resource when the guest drops its handle. */
export const DISPOSE: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

/** wasi:io/error `error`: what failed, as an errno, which wasi:filesystem and wasi:sockets can name. */
export class IoError {
  constructor(readonly errno: number, private readonly what: string) {}
  toDebugString(): string { return `${this.what} (errno ${this.errno})`; }
}

/** A stream-error payload; jco turns a thrown non-Error value into the `err` case of the result. */
export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };
const CLOSED: StreamError = { tag: 'closed' };

export function streamFailure(err: unknown, what: string): StreamError {
  if (!(err instanceof WasiError)) throw err;
  if (err.errno === Errno.PIPE || err.errno === Errno.CONNRESET) return CLOSED;
  return { tag: 'last-operation-failed', val: new IoError(err.errno, what) };
}

export class Pollable {
  constructor(readonly bell: Doorbell, private readonly check: () => boolean, readonly deadline?: bigint) {}
  ready(): boolean {
    if (this.deadline !== undefined && process.hrtime.bigint() >= this.deadline) return true;
    return this.check();
  }
  block(): void { pollList([this]); }
}

/** wasi:io/poll `poll`: the indices of the ready pollables, sleeping until at least one is. */
export function pollList(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new RangeError('poll: the list of pollables is empty');
  const bell = list[0]!.bell;
  let deadline: bigint | undefined;
  for (const p of list) if (p.deadline !== undefined && (deadline === undefined || p.deadline < deadline)) deadline = p.deadline;
  let ready: number[] = [];
  const check = (): boolean => {
    ready = [];
    list.forEach((p, i) => { if (p.ready()) ready.push(i); });
    return ready.length > 0;
  };
  for (;;) {
    const waitMs = deadline === undefined ? Infinity : Math.max(0, Number(deadline - process.hrtime.bigint()) / 1e6);
    if (sleepOnBell(bell, check, waitMs)) return Uint32Array.from(ready);
  }
}

/** Where an input-stream's bytes come from. `read` returns null at end of stream. */
export interface ByteSource {
  read(max: number, block: boolean): Uint8Array | null;
  ready(): boolean;
  close?(): void;
}

/** Where an output-stream's bytes go. `space` is what a write may take now (0: none yet); it throws when closed. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
  space(): number;
  flush?(): void;
  close?(): void;
}

const CHUNK = 64 * 1024;
/** What one `blocking-write-and-flush` (or its zeroes form) may write, as wasi:io/streams says. */
const BLOCKING_WRITE_MAX = 4096n;

export class InputStream {
  constructor(private readonly bell: Doorbell, private readonly src: ByteSource) {}

  private take(len: bigint, block: boolean): Uint8Array {
    const max = Number(len > BigInt(CHUNK) ? BigInt(CHUNK) : len);
    let got: Uint8Array | null;
    try {
      got = this.src.read(max, block);
    } catch (err) {
      throw streamFailure(err, 'read');
    }
    if (got === null) throw CLOSED;
    return got;
  }

  read(len: bigint): Uint8Array { return this.take(len, false); }
  blockingRead(len: bigint): Uint8Array { return this.take(len, true); }
  skip(len: bigint): bigint { return BigInt(this.take(len, false).length); }
  blockingSkip(len: bigint): bigint { return BigInt(this.take(len, true).length); }
  subscribe(): Pollable { return new Pollable(this.bell, () => this.src.ready()); }
  [DISPOSE](): void { this.src.close?.(); }
}

export class OutputStream {
  constructor(private readonly bell: Doorbell, private readonly sink: ByteSink) {}

  checkWrite(): bigint {
    try {
      return BigInt(this.sink.space());
    } catch (err) {
      throw streamFailure(err, 'check-write');
    }
  }

  write(contents: Uint8Array): void {
    try {
      this.sink.write(contents);
    } catch (err) {
      throw streamFailure(err, 'write');
    }
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
    this.flush();
  }

  flush(): void {
    try {
      this.sink.flush?.();
    } catch (err) {
      throw streamFailure(err, 'flush');
    }
  }

  blockingFlush(): void { this.flush(); }
  /**
   * wasi:io/streams gives `write-zeroes` the preconditions of `write`: no more than `check-write` allowed, or
   * the guest traps; the blocking form writes at most 4096 bytes. Both are checked before the zeroes are made,
   * so a guest's length never sizes a host allocation beyond them.
   */
  writeZeroes(len: bigint): void {
    const permit = this.checkWrite();
    if (len > permit) throw new WebAssembly.RuntimeError(`write-zeroes of ${len} bytes, more than check-write allows (${permit})`);
    this.write(new Uint8Array(Number(len)));
  }

  blockingWriteZeroesAndFlush(len: bigint): void {
    if (len > BLOCKING_WRITE_MAX) throw new WebAssembly.RuntimeError(`blocking-write-zeroes-and-flush of ${len} bytes (at most ${BLOCKING_WRITE_MAX})`);
    this.blockingWriteAndFlush(new Uint8Array(Number(len)));
  }

  splice(src: InputStream, len: bigint): bigint {
    const room = this.checkWrite();
    const bytes = src.read(len < room ? len : room);
    this.write(bytes);
    return BigInt(bytes.length);
  }

  blockingSplice(src: InputStream, len: bigint): bigint {
    const bytes = src.blockingRead(len);
    this.blockingWriteAndFlush(bytes);
    return BigInt(bytes.length);
  }

  subscribe(): Pollable {
    return new Pollable(this.bell, () => {
      try {
        return this.sink.space() > 0;
      } catch {
        return true;
      }
    });
  }

  [DISPOSE](): void { this.sink.close?.(); }
}

/** A stream over an fd object that can block (stdio, sockets): readiness comes from the object itself. */
export function fdSource(fd: FdObject, owned = false): ByteSource {
  return {
    read(max, block) {
      if (!block) {
        const r = fd.readiness(false);
        if (r.nbytes < 0 && !r.hangup) return new Uint8Array(0);
      }
      if (max === 0) return new Uint8Array(0);
      const buf = new Uint8Array(max);
      const n = fd.read([buf]);
      return n === 0 ? null : buf.subarray(0, n);
    },
    ready() {
      const r = fd.readiness(false);
      return r.nbytes >= 0 || r.hangup;
    },
    ...(owned ? { close: () => fd.close() } : {}),
  };
}

export function fdSink(fd: FdObject, owned = false): ByteSink {
  return {
    write(bytes) { if (bytes.length > 0) fd.write([bytes]); },
    space() {
      const r = fd.readiness(true);
      if (r.hangup) throw new WasiError(Errno.PIPE);
      return r.nbytes < 0 ? 0 : r.nbytes === 0 ? CHUNK : Math.min(r.nbytes, CHUNK);
    },
    ...(owned ? { close: () => fd.close() } : {}),
  };
}

export function ioInterfaces(): Record<string, Record<string, unknown>> {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll: pollList },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}
