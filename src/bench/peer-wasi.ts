// The in-process WASI peers: the hello module run by node:wasi or @wasmer/wasi in a fresh worker thread,
// timed from `new Worker` to the worker's exit. The module is compiled once up front and handed to each
// worker, as wasmpod hands its cached compiled module to its workers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { BenchEnv } from './env.js';
import { HELLO_LINE, MODULES } from './fixtures.js';
import type { PeerJob, PeerResult } from './peer-worker.js';
import { now } from './stats.js';

const WORKER = new URL('./peer-worker.js', import.meta.url);

export type WasiKind = PeerJob['kind'];

export class WasiPeer {
  private readonly outFile: string;
  private readonly outFd: number;
  private runs = 0;

  private constructor(private readonly kind: WasiKind, private readonly module: WebAssembly.Module, env: BenchEnv) {
    this.outFile = path.join(env.tmp, `${kind.replace(/[^a-z]/g, '')}-stdout`);
    this.outFd = fs.openSync(this.outFile, 'a');
  }

  /** The peer, or why it cannot run here (@wasmer/wasi is an optional dependency). */
  static async open(kind: WasiKind, env: BenchEnv): Promise<WasiPeer | string> {
    if (kind === '@wasmer/wasi') {
      try {
        createRequire(import.meta.url).resolve('@wasmer/wasi');
      } catch {
        return '@wasmer/wasi not installed (an optional dependency: npm install @wasmer/wasi)';
      }
    }
    const module = await WebAssembly.compile(fs.readFileSync(MODULES.hello));
    return new WasiPeer(kind, module, env);
  }

  /** One run of the hello module in a fresh worker, in ms, to the worker's exit. */
  hello(): Promise<number> {
    this.runs++;
    const job: PeerJob = { kind: this.kind, module: this.module, args: ['hello'], stdoutFd: this.outFd };
    return new Promise((resolve, reject) => {
      const t0 = now();
      const worker = new Worker(WORKER, { workerData: job, stderr: true });
      // node:wasi warns that it is experimental; the warning is not the benchmark's output.
      worker.stderr.resume();
      let result: PeerResult | undefined;
      worker.on('message', (r: PeerResult) => { result = r; });
      worker.on('error', reject);
      worker.on('exit', () => {
        const ms = now() - t0;
        if (!result) return reject(new Error(`${this.kind}: the worker ended without a result`));
        if (result.exitCode !== 0) return reject(new Error(`${this.kind}: hello exited ${result.exitCode}`));
        if (result.stdout !== undefined && !result.stdout.includes(HELLO_LINE)) {
          return reject(new Error(`${this.kind}: hello printed ${JSON.stringify(result.stdout)}`));
        }
        resolve(ms);
      });
    });
  }

  /** Closes the output file, checking that node:wasi's runs did print the line. */
  close(): void {
    fs.closeSync(this.outFd);
    if (this.kind === 'node:wasi' && this.runs > 0 && !fs.readFileSync(this.outFile, 'utf8').includes(HELLO_LINE)) {
      throw new Error('node:wasi: the hello module printed nothing');
    }
  }
}
