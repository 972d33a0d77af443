// A shared worker: many guests in one thread, each suspended by JSPI (WebAssembly.Suspending) where it would
// block, so idle containers cost their memory and not a thread each (docs/library.md: sharedWorkers).
import { parentPort } from 'node:worker_threads';
import { PortOpenError } from './net/preopen.js';
import { WouldBlock, useAsyncWaits } from './ring/block.js';
import { ProcExit } from './wasi/context.js';
import { WasiError } from './wasi/errno.js';
import { buildContext, closePorts, entryOf, exitReport, guestImports } from './guest.js';
import type { SharedReport, SharedRequest, WorkerReport, WorkerStart } from './worker-protocol.js';

type ImportFn = (...a: never[]) => unknown;

/** JSPI (Node 24+): not yet in TypeScript's lib. */
const JSPI = WebAssembly as unknown as {
  Suspending: new (f: (...a: unknown[]) => unknown) => unknown;
  promising: (f: () => unknown) => () => Promise<unknown>;
};

/** One guest of this worker: killed when the host asks (its wait is cut short, it unwinds at once). */
class Guest {
  killed = false;
  /** The word the guest is suspended on, if it is. */
  waitingOn?: WouldBlock;
  kill(): void {
    this.killed = true;
    // Wakes its wait (and any other on the same word: they look again and wait on).
    if (this.waitingOn) Atomics.notify(this.waitingOn.word, this.waitingOn.index);
  }
}

const guests = new Map<number, Guest>();

function post(r: SharedReport): void {
  parentPort!.postMessage(r);
}

/**
 * A WASI function as a suspending import: it runs synchronously, and where it would sleep (WouldBlock) the
 * guest is suspended until the word changes, the time is up or it is killed; then the call goes on.
 */
function suspending(f: ImportFn, guest: Guest): unknown {
  const call = f as (...a: unknown[]) => unknown;
  return new JSPI.Suspending((...args: unknown[]) => {
    try {
      return call(...args);
    } catch (err) {
      if (err instanceof WouldBlock) return waitAndGoOn(call, args, err, guest);
      throw err;
    }
  });
}

async function waitAndGoOn(call: (...a: unknown[]) => unknown, args: unknown[], first: WouldBlock, guest: Guest): Promise<unknown> {
  let blocked = first;
  for (;;) {
    // Killed already (between two waits): no wait is left registered on the word.
    const w = guest.killed ? undefined : Atomics.waitAsync(blocked.word, blocked.index, blocked.value, blocked.timeoutMs === Infinity ? undefined : blocked.timeoutMs);
    if (w?.async) {
      guest.waitingOn = blocked;
      await w.value;
      guest.waitingOn = undefined;
    }
    blocked.after?.();
    if (guest.killed) throw new ProcExit(137, 'SIGKILL');
    const resume = blocked.resume;
    try {
      return resume ? resume() : call(...args);
    } catch (err) {
      if (err instanceof WouldBlock) {
        blocked = err;
        continue;
      }
      // A resumed call is past its syscall wrapper: its errors become errno values here.
      if (resume && err instanceof WasiError) return err.errno;
      throw err;
    }
  }
}

async function runGuest(runId: number, start: WorkerStart): Promise<WorkerReport> {
  let built: ReturnType<typeof buildContext>;
  try {
    built = buildContext(start);
  } catch (err) {
    closePorts(start);
    if (err instanceof PortOpenError) return { type: 'exit', code: 1, reason: 'Error', message: err.message };
    return exitReport(err);
  }
  const { ctx, stdout, stderr, net } = built;
  const guest = new Guest();
  guests.set(runId, guest);
  let memory: WebAssembly.Memory | undefined;
  let report: WorkerReport;
  try {
    const instance = new WebAssembly.Instance(start.module, guestImports(start, ctx, net, (f) => suspending(f, guest)));
    const entry = entryOf(instance, ctx, (m) => { memory = m; });
    if (typeof entry !== 'function') {
      report = entry;
    } else {
      post({ runId, report: { type: 'started' } });
      await JSPI.promising(entry as () => unknown)();
      report = { type: 'exit', code: 0, reason: 'Completed' };
    }
  } catch (err) {
    report = exitReport(err);
  }
  guests.delete(runId);
  stdout.close();
  stderr.close();
  closePorts(start);
  if (report.type === 'exit' && memory) report.memoryBytes = memory.buffer.byteLength;
  return report;
}

useAsyncWaits();
parentPort!.on('message', (m: SharedRequest) => {
  if (m.type === 'kill') {
    guests.get(m.runId)?.kill();
    return;
  }
  void runGuest(m.runId, m.start)
    .catch((err: unknown) => exitReport(err))
    .then((report) => post({ runId: m.runId, report }));
});
post({ runId: 0, report: { type: 'ready' } });
