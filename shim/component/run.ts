// Runs a WASI 0.2 component in a container's worker: our own WASI interfaces as jco's import object, then wasi:cli/run or the HTTP server.
import { parentPort } from 'node:worker_threads';
import { StreamIn, StreamOut } from '../fd/stdio.js';
import { HostDir } from '../fd/host-dir.js';
import { Vfs } from '../fs/vfs.js';
import { ByteRing } from '../ring/byte-ring.js';
import { DIR_RIGHTS, FILE_RIGHTS } from '../wasi/constants.js';
import { NetContext } from '../net/net-context.js';
import { TRAP_EXIT_CODE, type WorkerReport, type WorkerStart } from '../worker-protocol.js';
import { ComponentExit, cliInterfaces, clockRandomInterfaces } from './cli.js';
import { ioInterfaces } from './io.js';
import { filesystemInterfaces } from './filesystem.js';
import { socketInterfaces } from './sockets.js';
import { serveHttp } from './http-server.js';
import { httpInterfaces } from './http-types.js';
import { LIFT_BOUNDS, boundLifting } from './lift-bounds.js';

type Imports = Record<string, Record<string, unknown>>;
type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Imports,
  instantiateCore: (m: WebAssembly.Module, i?: WebAssembly.Imports) => WebAssembly.Instance,
) => Record<string, unknown>;

/**
 * jco's ES module evaluated as a function body: its two `export` statements become locals, `instantiate` is
 * returned; what it lifts from the guest's memory is bounded (lift-bounds.ts).
 */
export function loadInstantiate(source: string): Instantiate {
  const body = boundLifting(source.replace(/^export (function|const) /gm, '$1 '));
  return new Function('__bounds', `${body}\nreturn instantiate;`)(LIFT_BOUNDS) as Instantiate;
}

export interface ComponentEnv {
  imports: Imports;
  /** Instantiates the component once more: the HTTP server makes one instance per request. */
  instantiate(): Record<string, unknown>;
  memoryBytes(): number | undefined;
  /** Closes the standard streams: the log drains end. */
  close(): void;
  bell: Int32Array;
  net?: NetContext;
  /** Writes a line to the container's stderr (the HTTP server reports failed requests there). */
  log(line: string): void;
}

function prepare(start: WorkerStart): ComponentEnv {
  const comp = start.component!;
  const bell = new Int32Array(start.bell);
  const stdin = new StreamIn(start.stdin ? new ByteRing(start.stdin) : undefined);
  const stdout = new StreamOut(new ByteRing(start.stdout));
  const stderr = new StreamOut(new ByteRing(start.stderr));
  const vfs = new Vfs(start.mounts);
  const preopens: [HostDir, string][] = vfs.preopenMounts()
    .map((m) => [new HostDir(vfs, vfs.resolve(m.guest, '.', true), DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS), m.guestPath]);
  const net = start.net && new NetContext(start.net);
  const imports: Imports = {
    ...cliInterfaces({ bell, args: start.argv, env: start.env, stdin, stdout, stderr }),
    ...clockRandomInterfaces(bell),
    ...ioInterfaces(),
    ...filesystemInterfaces(bell, preopens),
    ...socketInterfaces(bell, net),
    ...httpInterfaces(bell, net),
  };
  const instantiate = loadInstantiate(comp.source);
  let memory: WebAssembly.Memory | undefined;
  const core = (m: WebAssembly.Module, i?: WebAssembly.Imports): WebAssembly.Instance => {
    const inst = new WebAssembly.Instance(m, i);
    if (!memory && inst.exports.memory instanceof WebAssembly.Memory) memory = inst.exports.memory;
    return inst;
  };
  return {
    imports,
    instantiate: () => instantiate((name) => {
      const m = comp.modules[name];
      if (!m) throw new Error(`the component's code asks for a core module "${name}" it was not given`);
      return m;
    }, imports, core),
    memoryBytes: () => memory?.buffer.byteLength,
    close: () => { stdout.close(); stderr.close(); },
    bell,
    ...(net ? { net } : {}),
    log: (line) => {
      try {
        stderr.write([Buffer.from(`${line}\n`)]);
      } catch {
        // Nobody reads the log any more.
      }
    },
  };
}

function exitOf(err: unknown): WorkerReport {
  if (err instanceof ComponentExit) return { type: 'exit', code: err.code, reason: err.code === 0 ? 'Completed' : 'Error' };
  // An `err` result of wasi:cli/run comes back as jco's ComponentError, whose payload is the (empty) error.
  if (err instanceof Error && err.name === 'ComponentError') return { type: 'exit', code: 1, reason: 'Error' };
  const kind = err instanceof WebAssembly.RuntimeError || err instanceof RangeError ? 'wasm trap' : 'host error';
  const text = err instanceof Error ? err.message : String(err);
  return { type: 'exit', code: TRAP_EXIT_CODE, reason: 'Error', message: text.startsWith(kind) ? text : `${kind}: ${text}` };
}

function runCommand(env: ComponentEnv, report: (r: WorkerReport) => void): WorkerReport {
  const exports = env.instantiate();
  const key = Object.keys(exports).find((k) => k === 'run' || k.startsWith('wasi:cli/run@'));
  const iface = key ? exports[key] as { run?: () => void } : undefined;
  if (!iface || typeof iface.run !== 'function') {
    return { type: 'exit', code: 1, reason: 'Error', message: 'the component exports neither wasi:cli/run nor wasi:http/incoming-handler' };
  }
  report({ type: 'started' });
  iface.run();
  return { type: 'exit', code: 0, reason: 'Completed' };
}

/** Runs the component of `start` to its end; every failure of the guest becomes an exit report. */
export function runComponent(start: WorkerStart): WorkerReport {
  const report = (r: WorkerReport): void => parentPort!.postMessage(r);
  let env: ComponentEnv | undefined;
  let result: WorkerReport;
  try {
    env = prepare(start);
    result = start.component!.world === 'http' ? serveHttp(start, env, report) : runCommand(env, report);
  } catch (err) {
    result = exitOf(err);
  }
  env?.close();
  const bytes = env?.memoryBytes();
  if (result.type === 'exit' && bytes !== undefined) result.memoryBytes = bytes;
  return result;
}
