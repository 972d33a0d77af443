// A container's worker thread: builds the WASI context, instantiates the module, runs _start, reports how it ended.
import { parentPort, workerData } from 'node:worker_threads';
import type { WasiContext } from './wasi/context.js';
import type { NetContext } from './net/net-context.js';
import { PortOpenError } from './net/preopen.js';
import { buildContext, closePorts, entryOf, exitReport, guestImports } from './guest.js';
import { GATE_GO, GATE_WAIT, type WorkerReport, type WorkerStandby, type WorkerStart } from './worker-protocol.js';

function report(r: WorkerReport): void {
  parentPort!.postMessage(r);
}

function run(start: WorkerStart): WorkerReport {
  let built: ReturnType<typeof buildContext>;
  try {
    built = buildContext(start);
  } catch (err) {
    closePorts(start);
    if (err instanceof PortOpenError) return { type: 'exit', code: 1, reason: 'Error', message: err.message, reusable: true };
    throw err;
  }
  const { ctx, stdout, stderr, net } = built;
  let memory: WebAssembly.Memory | undefined;
  const report = runGuest(start, ctx, net, (m) => { memory = m; });
  stdout.close();
  stderr.close();
  closePorts(start);
  // The memory's size at the end tells the host whether a failing guest had hit its memory limit.
  if (report.type === 'exit' && memory) report.memoryBytes = memory.buffer.byteLength;
  return report;
}

function runGuest(start: WorkerStart, ctx: WasiContext, net: NetContext | undefined, onMemory: (m: WebAssembly.Memory) => void): WorkerReport {
  try {
    const instance = new WebAssembly.Instance(start.module, guestImports(start, ctx, net));
    const entry = entryOf(instance, ctx, onMemory);
    if (typeof entry !== 'function') return entry;
    if (start.gate && !passGate(new Int32Array(start.gate))) return { type: 'exit', code: 0, reason: 'Completed', reusable: true };
    report({ type: 'started' });
    entry();
    return { type: 'exit', code: 0, reason: 'Completed', reusable: true };
  } catch (err) {
    return exitReport(err);
  }
}

/** A run created ahead waits here, instantiated, until it is started (true) or cancelled (false). */
function passGate(gate: Int32Array): boolean {
  for (;;) {
    const state = Atomics.load(gate, 0);
    if (state !== GATE_WAIT) return state === GATE_GO;
    Atomics.wait(gate, 0, GATE_WAIT);
  }
}

const data = workerData as WorkerStart | WorkerStandby;
if ('standby' in data) {
  // A pooled worker: the shim is loaded; each start message runs one guest. After a clean end the host may
  // send it another (worker-pool.ts), or end it; nothing of one run is kept for the next (see closePorts).
  parentPort!.on('message', (start: WorkerStart) => report(run(start)));
  report({ type: 'ready' });
} else {
  report(run(data));
}
