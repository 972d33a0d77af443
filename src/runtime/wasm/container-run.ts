// A container run's parts beside its worker: what is set up before it, how it ended, and its stdio pumps.
import type { TransferListItem, Worker } from 'node:worker_threads';
import type { ContainerHooks, ExitInfo } from '../sandbox.js';
import { WRITER_CLOSED, type ByteRing } from '../../../shim/ring/byte-ring.js';
import type { WorkerStart } from '../../../shim/worker-protocol.js';
import type { IpcNamespace } from '../../ipc/namespace.js';
import type { NetSession } from '../../net/net-session.js';

/** What a run needs before its worker (WasmContainer.setUp). */
export interface RunSetup {
  stdout: ByteRing;
  stderr: ByteRing;
  start: WorkerStart;
  ipc?: ReturnType<IpcNamespace['attach']>;
  net?: NetSession;
  transferList: TransferListItem[];
}

/** How a run ended; `reusable` is undefined when the worker is gone or ends by itself. */
export interface Outcome {
  exit: ExitInfo;
  reusable?: boolean;
}

/** A run made ahead of its start: instantiated in `worker`, which waits on `gate`. */
export interface Ahead {
  setup: RunSetup;
  worker: Worker;
  gate: Int32Array;
  outcome: Promise<Outcome>;
  /** Set by start(). */
  hooks?: ContainerHooks;
}

/**
 * Feeds an exec'd child's stdin from `input`, then closes it (EOF). Once the child has ended, writeStdin
 * returns at once (its ring is closed), so the rest of `input` is read and dropped; a failing input is an EOF.
 */
export async function pumpStdin(child: { writeStdin(chunk: Buffer): Promise<void>; closeStdin(): void }, input: AsyncIterable<Buffer>): Promise<void> {
  try {
    for await (const chunk of input) await child.writeStdin(chunk);
  } catch {
    // The client went away: what it sent is all the command gets.
  }
  child.closeStdin();
}

/** Moves bytes from a ring to the hooks until the writer closes and the ring is empty. */
export async function drain(ring: ByteRing, stream: 'stdout' | 'stderr', hooks: ContainerHooks): Promise<void> {
  const buf = Buffer.allocUnsafe(ring.capacity);
  for (;;) {
    const n = ring.read(buf);
    if (n > 0) {
      hooks.onOutput(stream, Buffer.from(buf.subarray(0, n)));
      continue;
    }
    if (ring.closedFlags() & WRITER_CLOSED && ring.available() === 0) return;
    await ring.waitReadableAsync();
  }
}

/** `p`'s value if it settles within `ms`, else undefined; the timer does not outlive the wait. */
export async function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
