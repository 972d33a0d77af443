// `wasmpod bench`: measures pod start-up, churn, density and loopback on each backend beside the peers, and
// prints a table (and writes JSON and an HTML report with charts when asked).
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { MEASUREMENTS, defaultOptions, type BenchOptions, type Measurement } from '../bench/model.js';
import { runBench } from '../bench/runner.js';
import { reportText } from '../bench/report-text.js';
import { reportHtml } from '../bench/report-html.js';

export interface BenchCliOptions {
  only?: string;
  backend?: string;
  peers?: boolean;
  iterations?: string;
  coldIterations?: string;
  warmup?: string;
  concurrency?: string;
  churnPods?: string;
  densityCap?: string;
  densityCapLinux?: string;
  densityFloor?: string;
  loopbackBytes?: string;
  loopbackTrips?: string;
  poolMaxIdle?: string;
  sharedWorkers?: string;
  quick?: boolean;
  json?: string;
  html?: string;
  quiet?: boolean;
}

function count(flag: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}, not "${text}"`);
  return n;
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The run's options: `--quick`'s or a full run's counts, overridden by each flag given. */
export function benchOptions(o: BenchCliOptions): BenchOptions {
  const d = defaultOptions(o.quick === true);
  const only = o.only === undefined ? d.only : list(o.only);
  for (const m of only) if (!(MEASUREMENTS as readonly string[]).includes(m)) throw new Error(`--only: unknown measurement "${m}" (one of ${MEASUREMENTS.join(', ')})`);
  const backend = o.backend ?? 'all';
  if (!['wasm', 'linux', 'all'].includes(backend)) throw new Error(`--backend must be wasm, linux or all, not "${backend}"`);
  const concurrency = o.concurrency === undefined ? d.concurrency : list(o.concurrency).map((c) => count('--concurrency', c, 1));
  if (concurrency.length === 0) throw new Error('--concurrency needs at least one number');
  return {
    only: MEASUREMENTS.filter((m) => only.includes(m)) as Measurement[],
    backends: backend === 'all' ? ['wasm', 'linux'] : [backend as 'wasm' | 'linux'],
    peers: o.peers !== false,
    iterations: count('--iterations', o.iterations, d.iterations),
    coldIterations: count('--cold-iterations', o.coldIterations, d.coldIterations),
    warmup: count('--warmup', o.warmup, d.warmup, 0),
    concurrency,
    churnPods: count('--churn-pods', o.churnPods, d.churnPods),
    densityCap: count('--density-cap', o.densityCap, d.densityCap),
    densityCapLinux: count('--density-cap-linux', o.densityCapLinux, d.densityCapLinux),
    ...(o.densityFloor !== undefined ? { densityFloorMiB: count('--density-floor', o.densityFloor, 0, 0) } : {}),
    loopbackBytes: count('--loopback-bytes', o.loopbackBytes, d.loopbackBytes),
    loopbackTrips: count('--loopback-trips', o.loopbackTrips, d.loopbackTrips),
    quick: o.quick === true,
    ...(o.poolMaxIdle !== undefined ? { poolMaxIdle: count('--pool-max-idle', o.poolMaxIdle, 0, 0) } : {}),
    ...(o.sharedWorkers !== undefined ? { sharedWorkers: count('--shared-workers', o.sharedWorkers, 1) } : {}),
  };
}

export async function benchCommand(o: BenchCliOptions, argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const opts = benchOptions(o);
  const t0 = Date.now();
  const progress = o.quiet ? () => {} : (line: string) => { io.stderr.write(`bench: [${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`); };
  const report = await runBench(opts, ['wasmpod', ...argv].join(' '), progress);
  if (o.json) fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  if (o.html) fs.writeFileSync(o.html, reportHtml(report));
  io.stdout.write(reportText(report));
  return 0;
}

export function registerBenchCommand(program: Command, setCode: (code: number) => void, argv: string[]): void {
  program
    .command('bench')
    .description('measure pod start-up, churn, density and loopback on each backend, beside podman, runc, node:wasi and @wasmer/wasi')
    .option('--only <list>', `measurements to run, comma-separated: ${MEASUREMENTS.join(',')} (default: all)`)
    .option('--backend <name>', 'wasmpod backend(s) to measure: wasm, linux or all (linux needs root and runc)', 'all')
    .option('--no-peers', 'measure wasmpod only, without podman, runc, node:wasi, @wasmer/wasi and native processes')
    .option('-n, --iterations <n>', 'timed samples per series for start, web and hello (default 30; --quick 3)')
    .option('--cold-iterations <n>', 'cold starts per backend, each on a fresh Runtime (default 10; --quick 2)')
    .option('--warmup <n>', 'untimed rounds before each series (default 5; --quick 1)')
    .option('--concurrency <list>', 'churn concurrencies, comma-separated (default 1,8,32; --quick 1,4)')
    .option('--churn-pods <n>', 'pods per churn concurrency for wasm and node:wasi; a quarter (at least 2x the concurrency) for linux, runc and @wasmer/wasi (default 200; --quick 6)')
    .option('--density-cap <n>', 'most idle two-container wasm pods to hold (default 1000; --quick 6)')
    .option('--density-cap-linux <n>', 'most idle two-container Linux pods to hold (default 50; --quick 2)')
    .option('--density-floor <mib>', "stop adding density pods when the host's available memory falls below this many MiB (default: the larger of 2 GiB and half the host's memory)")
    .option('--loopback-bytes <n>', 'bytes sent one way for loopback throughput (default 268435456; --quick 2097152)')
    .option('--loopback-trips <n>', '1-byte round trips for loopback latency (default 10000; --quick 100)')
    .option('--pool-max-idle <n>', 'idle workers the wasm runtime keeps for reuse (default: the largest --concurrency + 2)')
    .option('--shared-workers <n>', 'run wasm containers in shared workers of N guests each (JSPI: Node 24 or later)')
    .option('--quick', 'small counts, for a run of seconds (a smoke test, not a measurement)')
    .option('--json <file>', 'write the report as JSON to FILE')
    .option('--html <file>', 'write a self-contained HTML report with charts to FILE')
    .option('-q, --quiet', 'no progress lines on stderr')
    .action(async (opts: BenchCliOptions) => {
      setCode(await benchCommand(opts, argv, { stdout: process.stdout, stderr: process.stderr }));
    });
}
