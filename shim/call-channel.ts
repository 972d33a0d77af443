// A worker's synchronous request channel to the main thread: one reusable SharedArrayBuffer slot per worker.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Errno } from './wasi/errno.js';

// The worker writes a request into the slot and sleeps with Atomics.wait; the main thread, which waits
// with Atomics.waitAsync, answers in the same slot. A reply that must carry an object (a new
// SharedArrayBuffer) posts it on the channel's MessagePort before the reply is marked ready, and the
// worker takes it with receiveMessageOnPort: no message and no buffer per call otherwise.
//
// Layout of the slot (Int32 words, then bytes), every offset named here and nowhere else:
const STATE = 0;        // IDLE, REQUEST (the worker wrote one) or REPLY (the main thread answered)
const OP = 1;           // request: operation code
const STATUS = 2;       // reply: 0 or an errno
const DATA_LEN = 3;     // request: bytes of payload in DATA
const ARGS = 4;         // request arguments, then reply results, ARG_WORDS words
export const ARG_WORDS = 6;
const HEADER_WORDS = ARGS + ARG_WORDS;
const HEADER_BYTES = HEADER_WORDS * 4;
/** The largest request payload (a name, for the IPC calls). */
export const CALL_DATA_BYTES = 512;

const IDLE = 0;
const REQUEST = 1;
const REPLY = 2;

export interface CallChannelInit { sab: SharedArrayBuffer; port: MessagePort }

/** The worker's end: `call` blocks until the main thread has answered. */
export class CallClient {
  private readonly ctl: Int32Array;
  private readonly data: Uint8Array;
  /** Results of the last reply (and the arguments of the request being written). */
  readonly args: Int32Array;

  constructor(private readonly init: CallChannelInit) {
    this.ctl = new Int32Array(init.sab, 0, HEADER_WORDS);
    this.args = new Int32Array(init.sab, ARGS * 4, ARG_WORDS);
    this.data = new Uint8Array(init.sab, HEADER_BYTES, CALL_DATA_BYTES);
  }

  /** Sends `op` with `this.args` and `payload`; returns the reply's status; results are in `this.args`. */
  call(op: number, payload: Uint8Array): number {
    this.data.set(payload);
    Atomics.store(this.ctl, DATA_LEN, payload.length);
    Atomics.store(this.ctl, OP, op);
    Atomics.store(this.ctl, STATE, REQUEST);
    Atomics.notify(this.ctl, STATE);
    while (Atomics.load(this.ctl, STATE) !== REPLY) Atomics.wait(this.ctl, STATE, REQUEST);
    const status = Atomics.load(this.ctl, STATUS);
    Atomics.store(this.ctl, STATE, IDLE);
    return status;
  }

  /** The object the last reply carried (the main thread posted it before answering). */
  take<T>(): T | undefined {
    return receiveMessageOnPort(this.init.port)?.message as T | undefined;
  }
}

/** What a handler sees of one request; it sets results in `args` and may attach one object. */
export interface CallRequest {
  op: number;
  args: Int32Array;
  payload: Uint8Array;
  attach(obj: unknown): void;
}

/** The main thread's end: answers requests with `handler` until closed. */
export class CallServer {
  private readonly ctl: Int32Array;
  private readonly args: Int32Array;
  private readonly data: Uint8Array;
  private readonly channel = new MessageChannel();
  private closed = false;
  private attached: unknown = undefined;

  /** A handler may answer later (a Promise): the worker sleeps until then, as it does in any blocking call. */
  constructor(private readonly handler: (req: CallRequest) => number | Promise<number>) {
    const sab = new SharedArrayBuffer(HEADER_BYTES + CALL_DATA_BYTES);
    this.ctl = new Int32Array(sab, 0, HEADER_WORDS);
    this.args = new Int32Array(sab, ARGS * 4, ARG_WORDS);
    this.data = new Uint8Array(sab, HEADER_BYTES, CALL_DATA_BYTES);
    this.channel.port1.unref();
    void this.serve();
  }

  /** Hand this to the worker (its port goes in the transfer list). */
  get init(): CallChannelInit {
    return { sab: this.ctl.buffer as SharedArrayBuffer, port: this.channel.port2 };
  }

  private async serve(): Promise<void> {
    const req: CallRequest = {
      op: 0, args: this.args, payload: this.data,
      attach: (obj) => { this.attached = obj; },
    };
    while (!this.closed) {
      const s = Atomics.load(this.ctl, STATE);
      if (s === REQUEST) {
        req.op = Atomics.load(this.ctl, OP);
        req.payload = this.data.subarray(0, Math.min(Atomics.load(this.ctl, DATA_LEN), CALL_DATA_BYTES));
        let status: number;
        try {
          const r = this.handler(req);
          status = typeof r === 'number' ? r : await r;
        } catch {
          status = Errno.IO; // a host bug must not leave the worker asleep forever
        }
        if (this.closed) return;
        if (this.attached !== undefined) this.channel.port1.postMessage(this.attached);
        this.attached = undefined;
        Atomics.store(this.ctl, STATUS, status);
        Atomics.store(this.ctl, STATE, REPLY);
        Atomics.notify(this.ctl, STATE);
        continue;
      }
      const w = Atomics.waitAsync(this.ctl, STATE, s);
      if (w.async) await w.value;
    }
  }

  close(): void {
    this.closed = true;
    Atomics.notify(this.ctl, STATE);
    this.channel.port1.close();
  }
}
