// One guest's run inside a worker, shared by the worker kinds (worker.ts: one guest at a time, blocking;
// shared-worker.ts: many guests, suspended with JSPI): its WASI context, imports, entry point and end report.
import { GuestMemory, encodeAll } from './wasi/memory.js';
import { FdTable } from './fd/fd-table.js';
import { StreamIn, StreamOut } from './fd/stdio.js';
import { HostDir } from './fd/host-dir.js';
import { TERMINATION_FD_ENV, TerminationNotice } from './fd/termination.js';
import { Vfs } from './fs/vfs.js';
import { ByteRing } from './ring/byte-ring.js';
import { DIR_RIGHTS, FILE_RIGHTS } from './wasi/constants.js';
import { ProcExit, type WasiContext } from './wasi/context.js';
import { PREVIEW1, preview1Imports } from './wasi/preview1.js';
import { IPC_MODULE, ipcImports } from './ipc/abi-ipc.js';
import { IpcContext } from './ipc/ipc-context.js';
import { NetContext } from './net/net-context.js';
import { openPortSockets } from './net/preopen.js';
import { WASIX_MODULE, wasixImports } from './net/abi-wasix.js';
import { TRAP_EXIT_CODE, type WorkerReport, type WorkerStart } from './worker-protocol.js';

type ImportFn = (...a: never[]) => unknown;

export function buildContext(start: WorkerStart): { ctx: WasiContext; stdout: StreamOut; stderr: StreamOut; net?: NetContext } {
  const bell = new Int32Array(start.bell);
  const fds = new FdTable();
  const stdinRing = start.stdin ? new ByteRing(start.stdin) : undefined;
  const stdout = new StreamOut(new ByteRing(start.stdout));
  const stderr = new StreamOut(new ByteRing(start.stderr));
  fds.add(new StreamIn(stdinRing));
  fds.add(stdout);
  fds.add(stderr);
  const vfs = new Vfs(start.mounts);
  // A file mounted by subPath, or a mount nested in another, is reached through the directory mount above it.
  for (const m of vfs.preopenMounts()) {
    const root = vfs.resolve(m.guest, '.', true);
    fds.addPreopen(new HostDir(vfs, root, DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS), m.guestPath);
  }
  // A container that declares WASMPOD_TERMINATION_FD in its env asks for the notice; the value becomes its fd.
  const env = start.termination
    ? start.env.map((e) => e.startsWith(`${TERMINATION_FD_ENV}=`) ? `${TERMINATION_FD_ENV}=${fds.add(new TerminationNotice(start.termination!))}` : e)
    : [...start.env];
  // The declared ports come last, listening before the guest starts (see net/preopen.ts for the LISTEN_* variables).
  const net = start.net && new NetContext(start.net);
  if (net) env.push(...openPortSockets(fds, net, start.net!.ports));
  return { ctx: { mem: new GuestMemory(), fds, args: encodeAll(start.argv), env: encodeAll(env), bell }, stdout, stderr, net };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The run's channels to the main thread: closed when it ends, so nothing of it outlives it in a reused worker. */
export function closePorts(start: WorkerStart): void {
  start.ipc?.channel.port.close();
  start.net?.channel.port.close();
}

/** The guest's import object; `wrap` may replace each WASI and WASIX function (a shared worker's suspending wrappers). */
export function guestImports(start: WorkerStart, ctx: WasiContext, net: NetContext | undefined,
  wrap?: (f: ImportFn) => unknown): WebAssembly.Imports {
  const wrapAll = (m: Record<string, ImportFn>): Record<string, unknown> =>
    wrap ? Object.fromEntries(Object.entries(m).map(([k, f]) => [k, wrap(f)])) : m;
  return {
    [PREVIEW1]: wrapAll(preview1Imports(ctx)) as never,
    [IPC_MODULE]: ipcImports(ctx.mem, start.ipc && new IpcContext(start.ipc)) as never,
    [WASIX_MODULE]: wrapAll(wasixImports(ctx, net)) as never,
  };
}

/** The most linear memory a warm instance may hold while its worker waits in the pool. */
const WARM_MEMORY_MAX = 16 * 1024 * 1024;

/** An instance made before its run (OCI's create, ahead of the pod): its imports call what bind() gives them. */
export interface WarmInstance {
  instance: WebAssembly.Instance;
  /** Points every import at the run's own import functions (its context, IPC and network). */
  bind(imports: WebAssembly.Imports): void;
}

const unbound = (): never => {
  throw new Error('a guest called the host before its run was bound');
};

/**
 * Instantiates `module` with imports that each call through a slot bound later, so a pooled worker can hold a
 * fresh instance of the module it last ran before the next container of it exists. None when the last run's
 * memory ended larger than a pooled worker should hold (`ranBytes`; a memory never shrinks, so the instance's
 * would start no larger: it is not made to be dropped), the module imports anything but functions, or its start
 * function calls the host (it throws in an unbound slot).
 */
export function prewarm(module: WebAssembly.Module, ranBytes: number): WarmInstance | undefined {
  if (ranBytes > WARM_MEMORY_MAX) return undefined;
  const slots: { module: string; name: string; call: ImportFn }[] = [];
  const imports: Record<string, Record<string, ImportFn>> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind !== 'function') return undefined;
    const slot = { module: i.module, name: i.name, call: unbound as ImportFn };
    (imports[i.module] ??= {})[i.name] = (...a: never[]) => slot.call(...a);
    slots.push(slot);
  }
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch {
    return undefined;
  }
  return {
    instance,
    bind(real) {
      for (const slot of slots) {
        const f = (real[slot.module] as Record<string, unknown> | undefined)?.[slot.name];
        if (typeof f !== 'function') throw new Error(`the host provides no ${slot.module}.${slot.name}`);
        slot.call = f as ImportFn;
      }
    },
  };
}

/** The instance's `_start`, its memory attached to the context; or the report of a module that lacks either. */
export function entryOf(instance: WebAssembly.Instance, ctx: WasiContext, onMemory: (m: WebAssembly.Memory) => void): Function | WorkerReport {
  const memory = instance.exports.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    return { type: 'exit', code: 1, reason: 'Error', message: 'module does not export a memory named "memory"' };
  }
  ctx.mem.attach(memory);
  onMemory(memory);
  const entry = instance.exports._start;
  if (typeof entry !== 'function') {
    return { type: 'exit', code: 1, reason: 'Error', message: 'module does not export a _start function' };
  }
  return entry;
}

/** How a guest that threw ended: proc_exit (reusable worker), a trap, or a host error (not trusted again). */
export function exitReport(err: unknown): WorkerReport {
  // A guest that ended by returning or by proc_exit left the shim between calls: its worker may run another guest.
  if (err instanceof ProcExit) {
    if (err.signal) return { type: 'exit', code: err.code, reason: 'Error', message: `terminated by ${err.signal}`, reusable: true };
    return { type: 'exit', code: err.code, reason: err.code === 0 ? 'Completed' : 'Error', reusable: true };
  }
  const kind = err instanceof WebAssembly.RuntimeError ? 'wasm trap' :
    err instanceof RangeError ? 'wasm trap' : 'host error';
  return { type: 'exit', code: TRAP_EXIT_CODE, reason: 'Error', message: `${kind}: ${describe(err)}` };
}
