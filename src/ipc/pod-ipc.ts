// The embedder's access to a pod's IPC namespace: the same queues, segments and semaphores its containers open.
import { Errno } from '../../shim/wasi/errno.js';
import { O_CREAT, O_EXCL, O_READ, O_WRITE, IpcKind } from '../../shim/ipc/protocol.js';
import { MessageQueue } from '../../shim/ipc/queue.js';
import { Segment } from '../../shim/ipc/segment.js';
import { Semaphore } from '../../shim/ipc/semaphore.js';
import { MQ_PRIO_MAX } from '../../shim/ipc/layout.js';
import type { IpcNamespace, IpcObject } from './namespace.js';
import { IpcError } from './errors.js';
import { NotFoundError } from '../errors.js';

export interface OpenOptions {
  /** Create it when it does not exist. */
  create?: boolean;
  /** With `create`: fail with ERR_IPC_EEXIST when it exists. */
  exclusive?: boolean;
}

/** Owner id of the embedder's sends and receives: never a container's (they count up from 1). */
const EMBEDDER = 0x1ffffffe;

function flags(o: OpenOptions): number {
  return O_READ | O_WRITE | (o.create ? O_CREAT : 0) | (o.exclusive ? O_EXCL : 0);
}

const strip = (name: string): string => name.startsWith('/') ? name.slice(1) : name;

function check(r: IpcObject | Errno, what: string): IpcObject {
  if (typeof r === 'number') throw new IpcError(r, what);
  return r;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Atomics.waitAsync does not keep Node's event loop alive; a pending send or receive should, as a socket read does. */
async function keepAlive(p: Promise<void>, ms: number): Promise<void> {
  const timer = setInterval(() => undefined, Math.min(ms, 0x7fffffff));
  try {
    await p;
  } finally {
    clearInterval(timer);
  }
}

/** A queue seen from the main thread: sends and receives never block it (they await instead). */
export class PodQueue {
  private readonly q: MessageQueue;
  constructor(readonly name: string, sab: SharedArrayBuffer) {
    this.q = new MessageQueue(sab);
    // Never sleep long on the main thread: a container killed while holding the lock is recovered by this thread.
    this.q.lockWaitMs = 5;
  }

  get maxMessages(): number { return this.q.maxmsg; }
  get messageSize(): number { return this.q.msgsize; }
  get count(): number { return this.q.count(); }

  /** Queues a message; waits up to `timeoutMs` (default forever) while the queue is full. */
  async send(data: Uint8Array | string, priority = 0, timeoutMs = Infinity): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const what = `send to queue "${this.name}"`;
    if (bytes.length > this.q.msgsize) throw new IpcError(Errno.MSGSIZE, what);
    if (!(priority >= 0 && priority < MQ_PRIO_MAX)) throw new IpcError(Errno.INVAL, what);
    await this.blocking(true, what, timeoutMs, () => (this.q.trySend(bytes, priority, EMBEDDER) ? true : undefined));
  }

  /** Takes the oldest message of the highest priority; waits up to `timeoutMs` (default forever) while empty. */
  async receive(timeoutMs = Infinity): Promise<{ data: Buffer; priority: number }> {
    const buf = Buffer.allocUnsafe(this.q.msgsize);
    return this.blocking(false, `receive from queue "${this.name}"`, timeoutMs, () => {
      const n = this.q.tryReceive(buf, EMBEDDER);
      return n >= 0 ? { data: Buffer.from(buf.subarray(0, n)), priority: this.q.lastPriority } : undefined;
    });
  }

  /**
   * Runs `attempt` (a send, or a receive) until it succeeds, sleeping on the queue between tries while it is
   * full (send) or empty (receive): EAGAIN at once for a timeout of 0, ETIMEDOUT once `timeoutMs` has passed.
   */
  private async blocking<T>(send: boolean, what: string, timeoutMs: number, attempt: () => T | undefined): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    let slept = false;
    try {
      for (;;) {
        const epoch = this.q.epoch(send);
        const got = attempt();
        if (got !== undefined) return got;
        if (this.q.busy) { await yieldTurn(); continue; }
        const left = deadline - performance.now();
        if (timeoutMs <= 0) throw new IpcError(Errno.AGAIN, what);
        if (left <= 0) throw new IpcError(Errno.TIMEDOUT, what);
        slept = true;
        await keepAlive(this.q.waitAsync(send, epoch, left), left);
      }
    } finally {
      // A wake-up this call took may have been meant for another sleeper too (queue.ts passOn).
      if (slept) this.q.passOn(!send);
    }
  }
}

/** The IPC namespace of one pod, for the program that embeds the runtime. */
export class PodIpc {
  constructor(private readonly ns: IpcNamespace, private readonly pod: string) {}

  private get live(): IpcNamespace {
    if (this.ns.closed) throw new NotFoundError(`pod "${this.pod}" has ended: its IPC namespace is gone`);
    return this.ns;
  }

  /** Opens a queue; with `create`, `maxMessages` and `messageSize` size it (default 10 × 8192). */
  openQueue(name: string, opts: OpenOptions & { maxMessages?: number; messageSize?: number } = {}): PodQueue {
    const r = this.live.openQueue(strip(name), flags(opts), opts.maxMessages ?? 0, opts.messageSize ?? 0);
    return new PodQueue(name, check(r, `open queue "${name}"`).sab);
  }

  /** Opens a segment; `bytes` sizes a new one. Its `u8` and `i32` views are the shared bytes themselves. */
  openSegment(name: string, opts: OpenOptions & { bytes?: number } = {}): Segment {
    const r = check(this.live.openSegment(strip(name), flags(opts), opts.bytes ?? 0), `open segment "${name}"`);
    return new Segment(r.id, r.sab);
  }

  openSemaphore(name: string, opts: OpenOptions & { value?: number } = {}): Semaphore {
    const r = check(this.live.openSemaphore(strip(name), flags(opts), opts.value ?? 0), `open semaphore "${name}"`);
    return new Semaphore(r.sab);
  }

  unlink(kind: 'segment' | 'queue' | 'semaphore', name: string): void {
    const k = kind === 'segment' ? IpcKind.SEGMENT : kind === 'queue' ? IpcKind.QUEUE : IpcKind.SEMAPHORE;
    const r = this.live.unlink(k, strip(name));
    if (r !== Errno.SUCCESS) throw new IpcError(r, `unlink ${kind} "${name}"`);
  }
}
