// Runs inside a fresh worker thread for the node:wasi and @wasmer/wasi peers: instantiates the compiled
// module it is given with that WASI implementation, runs `_start`, and reports the exit code and output.
import { parentPort, workerData } from 'node:worker_threads';

export interface PeerJob {
  kind: 'node:wasi' | '@wasmer/wasi';
  module: WebAssembly.Module;
  args: string[];
  /** node:wasi writes the guest's stdout to this host fd (a file the parent reads back). */
  stdoutFd: number;
}

export interface PeerResult {
  exitCode: number;
  /** What the guest printed, where the implementation captures it (@wasmer/wasi). */
  stdout?: string;
}

/** The part of @wasmer/wasi 1.x used here (it is an optional dependency, loaded by name at run time). */
interface WasmerWasi {
  init(): Promise<unknown>;
  WASI: new (opts: { args: string[]; env: Record<string, string> }) => {
    instantiate(module: WebAssembly.Module, imports: Record<string, unknown>): unknown;
    start(): number;
    getStdoutString(): string;
    free?(): void;
  };
}

async function run(job: PeerJob): Promise<PeerResult> {
  if (job.kind === 'node:wasi') {
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({ version: 'preview1', args: job.args, env: {}, stdout: job.stdoutFd, returnOnExit: true });
    const instance = await WebAssembly.instantiate(job.module, wasi.getImportObject() as WebAssembly.Imports);
    return { exitCode: wasi.start(instance) };
  }
  const name = '@wasmer/wasi';
  const loaded = (await import(name)) as WasmerWasi & { default?: WasmerWasi };
  const wasmer = typeof loaded.init === 'function' ? loaded : loaded.default!;
  await wasmer.init();
  const wasi = new wasmer.WASI({ args: job.args, env: {} });
  wasi.instantiate(job.module, {});
  const exitCode = wasi.start();
  const stdout = wasi.getStdoutString();
  wasi.free?.();
  return { exitCode, stdout };
}

parentPort!.postMessage(await run(workerData as PeerJob));
