// A container's worker thread: builds the WASI context, instantiates the module, runs _start, reports how it ended.
import { parentPort, workerData } from 'node:worker_threads';
import { GuestMemory, encodeAll } from './wasi/memory.js';
import { FdTable } from './fd/fd-table.js';
import { StreamIn, StreamOut } from './fd/stdio.js';
import { HostDir } from './fd/host-dir.js';
import { Vfs } from './fs/vfs.js';
import { ByteRing } from './ring/byte-ring.js';
import { DIR_RIGHTS, FILE_RIGHTS } from './wasi/constants.js';
import { ProcExit, type WasiContext } from './wasi/context.js';
import { PREVIEW1, preview1Imports } from './wasi/preview1.js';
import { TRAP_EXIT_CODE, type WorkerReport, type WorkerStart } from './worker-protocol.js';

function report(r: WorkerReport): void {
  parentPort!.postMessage(r);
}

function buildContext(start: WorkerStart): { ctx: WasiContext; stdout: StreamOut; stderr: StreamOut } {
  const bell = new Int32Array(start.bell);
  const fds = new FdTable();
  const stdinRing = start.stdin ? new ByteRing(start.stdin) : undefined;
  const stdout = new StreamOut(new ByteRing(start.stdout));
  const stderr = new StreamOut(new ByteRing(start.stderr));
  fds.add(new StreamIn(stdinRing));
  fds.add(stdout);
  fds.add(stderr);
  const vfs = new Vfs(start.mounts);
  for (const m of vfs.mounts) {
    const root = vfs.resolve(m.guest, '.', true);
    fds.addPreopen(new HostDir(vfs, root, DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS), m.guestPath);
  }
  const env = start.env;
  return { ctx: { mem: new GuestMemory(), fds, args: encodeAll(start.argv), env: encodeAll(env), bell }, stdout, stderr };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function run(start: WorkerStart): WorkerReport {
  const { ctx, stdout, stderr } = buildContext(start);
  try {
    const instance = new WebAssembly.Instance(start.module, { [PREVIEW1]: preview1Imports(ctx) as never });
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) {
      return { type: 'exit', code: 1, reason: 'Error', message: 'module does not export a memory named "memory"' };
    }
    ctx.mem.attach(memory);
    const entry = instance.exports._start;
    if (typeof entry !== 'function') {
      return { type: 'exit', code: 1, reason: 'Error', message: 'module does not export a _start function' };
    }
    report({ type: 'started' });
    entry();
    return { type: 'exit', code: 0, reason: 'Completed' };
  } catch (err) {
    if (err instanceof ProcExit) {
      if (err.signal) return { type: 'exit', code: err.code, reason: 'Error', message: `terminated by ${err.signal}` };
      return { type: 'exit', code: err.code, reason: err.code === 0 ? 'Completed' : 'Error' };
    }
    const kind = err instanceof WebAssembly.RuntimeError ? 'wasm trap' :
      err instanceof RangeError ? 'wasm trap' : 'host error';
    return { type: 'exit', code: TRAP_EXIT_CODE, reason: 'Error', message: `${kind}: ${describe(err)}` };
  } finally {
    // Closing the write ends tells the log reader that nothing more will come.
    stdout.close();
    stderr.close();
  }
}

report(run(workerData as WorkerStart));
