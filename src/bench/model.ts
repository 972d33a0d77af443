// The shape of a `wasmpod bench` report (its JSON output), the options that steer a run, and the machine it ran on.
import * as os from 'node:os';

/** A distribution of samples, in the group's unit. */
export interface Stats {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * One measured subject in a group: `stats` when it has a distribution of samples, `value` when it is one
 * figure (a rate, a count); `ratio` is its p50 (or value) over the group's baseline, the wasmpod wasm backend.
 */
export interface Series {
  name: string;
  /** Who ran it: `wasmpod`, `runc`, `podman`, `node:wasi`, `@wasmer/wasi`, `native`. */
  subject: string;
  /** wasmpod's backend (`wasm` or `linux`), or the peer's own name. */
  backend: string;
  stats?: Stats;
  value?: number;
  ratio?: number;
  /** Extra figures that belong to this series (pods held, RSS delta, why it stopped...). */
  extra?: Record<string, number | string>;
  note?: string;
}

export interface Skipped {
  name: string;
  reason: string;
}

/** One measurement, e.g. "warm start of an idle two-container pod", with every subject side by side. */
export interface Group {
  id: string;
  title: string;
  unit: string;
  /** Whether a lower or a higher figure is better; ratios are read accordingly. */
  better: 'lower' | 'higher';
  /** The series the ratios are taken against (absent when it was not measured). */
  baseline?: string;
  series: Series[];
  skipped: Skipped[];
  note?: string;
}

export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  platform: string;
  memTotalMiB: number;
  loadAverage: number[];
}

export interface BenchReport {
  tool: 'wasmpod bench';
  version: 1;
  date: string;
  command: string;
  machine: Machine;
  /** Load average at the end of the run (the start's is in `machine`). */
  loadAverageAfter: number[];
  durationMs: number;
  options: BenchOptions;
  groups: Group[];
}

/** The measurements a run may include (`--only`). */
export const MEASUREMENTS = ['start', 'web', 'hello', 'churn', 'density', 'loopback'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

export interface BenchOptions {
  only: Measurement[];
  backends: ('wasm' | 'linux')[];
  /** Include the peers (podman, runc, node:wasi, @wasmer/wasi) beside wasmpod. */
  peers: boolean;
  iterations: number;
  coldIterations: number;
  warmup: number;
  concurrency: number[];
  churnPods: number;
  densityCap: number;
  densityCapLinux: number;
  /** Density stops adding pods when the host's available memory falls below this (default: max(2 GiB, half of it)). */
  densityFloorMiB?: number;
  loopbackBytes: number;
  loopbackTrips: number;
  quick: boolean;
  /** The wasm runtime's pool of idle workers holds up to this many (default: the largest churn concurrency + 2). */
  poolMaxIdle?: number;
  /** Run wasm containers in shared workers of this many guests each (JSPI, Node 24+): `sharedWorkers` of the Runtime. */
  sharedWorkers?: number;
}

/** A full run's counts; `--quick` shrinks them so that a run takes seconds. */
export function defaultOptions(quick: boolean): BenchOptions {
  return {
    only: [...MEASUREMENTS],
    backends: ['wasm', 'linux'],
    peers: true,
    iterations: quick ? 3 : 30,
    coldIterations: quick ? 2 : 10,
    warmup: quick ? 1 : 5,
    concurrency: quick ? [1, 4] : [1, 8, 32],
    churnPods: quick ? 6 : 200,
    densityCap: quick ? 6 : 1000,
    densityCapLinux: quick ? 2 : 50,
    loopbackBytes: quick ? 2 << 20 : 256 << 20,
    loopbackTrips: quick ? 100 : 10000,
    quick,
  };
}

export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    memTotalMiB: Math.round(os.totalmem() / 1048576),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
