// A container's worker thread: builds the WASI context, instantiates the module, runs _start, reports how it ended.
import { parentPort, workerData } from 'node:worker_threads';
import type { WasiContext } from './wasi/context.js';
import type { NetContext } from './net/net-context.js';
import { PortOpenError } from './net/preopen.js';
import { buildContext, closePorts, entryOf, exitReport, guestImports, prewarm, type WarmInstance } from './guest.js';
import { GATE_CANCEL, GATE_GO, GATE_READY, GATE_WAIT, type WorkerReport, type WorkerStandby, type WorkerStart } from './worker-protocol.js';

function report(r: WorkerReport): void {
  parentPort!.postMessage(r);
}

function run(start: WorkerStart, warm?: WarmInstance): WorkerReport {
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
  const report = runGuest(start, ctx, net, (m) => { memory = m; }, warm);
  stdout.close();
  stderr.close();
  closePorts(start);
  // The memory's size at the end tells the host whether a failing guest had hit its memory limit.
  if (report.type === 'exit' && memory) report.memoryBytes = memory.buffer.byteLength;
  return report;
}

function runGuest(start: WorkerStart, ctx: WasiContext, net: NetContext | undefined, onMemory: (m: WebAssembly.Memory) => void,
  warm: WarmInstance | undefined): WorkerReport {
  try {
    const imports = guestImports(start, ctx, net);
    warm?.bind(imports);
    const instance = warm?.instance ?? new WebAssembly.Instance(start.module, imports);
    const entry = entryOf(instance, ctx, onMemory);
    if (typeof entry !== 'function') return entry;
    const gate = start.gate ? passGate(new Int32Array(start.gate)) : start.warm ? 'known' : 'late';
    if (gate === 'cancelled') return { type: 'exit', code: 0, reason: 'Completed', reusable: true };
    if (gate === 'late') report({ type: 'started' });
    entry();
    return { type: 'exit', code: 0, reason: 'Completed', reusable: true };
  } catch (err) {
    return exitReport(err);
  }
}

/**
 * A run created ahead waits here, instantiated, until it is started or cancelled. 'late': the start came while
 * the guest was instantiating, so the host waits for this worker's `started`; 'known': the host saw the guest
 * ready and counted it started when it let it go.
 */
function passGate(gate: Int32Array): 'late' | 'known' | 'cancelled' {
  const before = Atomics.compareExchange(gate, 0, GATE_WAIT, GATE_READY);
  if (before !== GATE_WAIT) return before === GATE_GO ? 'late' : 'cancelled';
  for (;;) {
    const state = Atomics.load(gate, 0);
    if (state === GATE_GO) return 'known';
    if (state === GATE_CANCEL) return 'cancelled';
    Atomics.wait(gate, 0, state);
  }
}

const data = workerData as WorkerStart | WorkerStandby;
if ('standby' in data) {
  // A pooled worker: the shim is loaded; each start message runs one guest. After a clean end the host may
  // send it another (worker-pool.ts), or end it; nothing of one run is kept for the next (see closePorts).
  // After a clean run the worker makes a fresh instance of the same module and says so ('warm'): the next
  // container of that module is sent `warm` and runs it (its run message then comes at its start).
  let warm: WarmInstance | undefined;
  parentPort!.on('message', (start: WorkerStart) => {
    const held = start.warm ? warm : undefined;
    warm = undefined;
    const end = run(start, held);
    report(end);
    if (end.type !== 'exit' || !end.reusable) return;
    // A run that ended before it instantiated (its ports could not be opened) gives no size: none is made then.
    warm = prewarm(start.module, end.memoryBytes ?? Infinity);
    // Said either way: the pool gives this worker no other run before (a long wasm start function would hold it).
    report({ type: 'warm', held: warm !== undefined });
  });
  report({ type: 'ready' });
} else {
  report(run(data));
}
