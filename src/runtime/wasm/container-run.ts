// A container run's parts beside its worker: what is set up before it, how it ended, and its stdio pumps.
import type { TransferListItem, Worker } from 'node:worker_threads';
import type { ContainerHooks, ExitInfo } from '../sandbox.js';
import { ByteRing, WRITER_CLOSED } from '../../../shim/ring/byte-ring.js';
import type { WorkerStart } from '../../../shim/worker-protocol.js';
import type { IpcNamespace } from '../../ipc/namespace.js';
import type { NetSession } from '../../net/net-session.js';

/** The size of a container's stdout and stderr rings. */
export const STDIO_RING_BYTES = 64 * 1024;
/** At most this many stdio rings (64 KiB each) wait for a next run; the rest are let go. */
const SPARE_RINGS_MAX = 16;
/**
 * Stdio rings of runs that ended cleanly, for the next runs: a new ring maps a buffer of its own (tens of
 * microseconds on a pod's start, and the external memory makes the main isolate collect more often).
 */
const spareRings: ByteRing[] = [];

/** A stdio ring for a run: a spare one renewed, or a new one. */
export function stdioRing(): ByteRing {
  return spareRings.pop()?.renew() ?? ByteRing.create(STDIO_RING_BYTES);
}

/**
 * Keeps a run's stdio rings for the next runs. Only for rings no thread uses any more: the run's worker
 * ended cleanly and is back in its pool (one that was ended may still be writing), and they are drained.
 */
export function spareStdioRings(...rings: ByteRing[]): void {
  for (const r of rings) if (spareRings.length < SPARE_RINGS_MAX) spareRings.push(r);
}

/** Lets the spare rings go (the runtime went quiet, or closes). */
export function dropSpareRings(): void {
  spareRings.length = 0;
}

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

/**
 * A run made ahead of its start: instantiated in `worker`, which waits on `gate`; or, without a gate, a pooled
 * worker that already holds an instance of the module (`setup.start.warm`), sent the run only at the start.
 */
export interface Ahead {
  setup: RunSetup;
  worker: Worker;
  gate?: Int32Array;
  outcome: Promise<Outcome>;
  /** Stops listening to the worker (a warm run given back before its start: it never reports). */
  detach?: () => void;
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
