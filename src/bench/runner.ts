// Runs the selected measurements for each backend and peer and assembles the report: one group per
// measurement, every subject side by side, what could not run listed with the reason.
import type { BenchOptions, BenchReport, Group, Measurement, Series } from './model.js';
import { machineInfo } from './model.js';
import { BenchEnv } from './env.js';
import type { BackendName } from './fixtures.js';
import { coldStart, firstUseStart, helloOnce, helloToCompletion, warmStart, webFirstResponse } from './pod-cases.js';
import { churn, density } from './load.js';
import { nativeLoopback, podLoopback, type LoopbackResult } from './loopback.js';
import { RuncPeer } from './peer-runc.js';
import { PodmanPeer } from './peer-podman.js';
import { WasiPeer } from './peer-wasi.js';
import { now, summarize, withRatios } from './stats.js';
import * as os from 'node:os';

const BACKENDS: BackendName[] = ['wasm', 'linux'];
const round2 = (x: number): number => Math.round(x * 100) / 100;

interface Peers {
  runc: RuncPeer | string;
  podman: PodmanPeer | string;
  nodeWasi: WasiPeer | string;
  wasmer: WasiPeer | string;
}

class Run {
  constructor(readonly env: BenchEnv, readonly peers: Peers) {}

  group(id: string, title: string, unit: string, better: 'lower' | 'higher', note?: string): Group {
    return { id, title, unit, better, series: [], skipped: [], ...(note ? { note } : {}) };
  }

  /** Adds one series made by `measure`, or a skipped entry with the reason it could not run or failed. */
  async add(g: Group, name: string, subject: string, backend: string, why: string | undefined,
    measure: () => Promise<Omit<Series, 'name' | 'subject' | 'backend'>>): Promise<void> {
    if (why) { g.skipped.push({ name, reason: `skipped: ${why}` }); return; }
    this.env.progress(`${g.title}: ${name}`);
    try {
      g.series.push({ name, subject, backend, ...(await measure()) });
    } catch (err) {
      g.skipped.push({ name, reason: `failed: ${(err as Error).message}` });
      this.env.progress(`  failed: ${(err as Error).message}`);
    }
  }

  /** `iterations` sequential samples of a peer's timed job, after `warmup` untimed ones. */
  async samples(job: () => Promise<number>, iterations = this.env.opts.iterations): Promise<{ stats: ReturnType<typeof summarize> }> {
    const out: number[] = [];
    for (let i = 0; i < this.env.opts.warmup + iterations; i++) {
      const ms = await job();
      if (i >= this.env.opts.warmup) out.push(ms);
    }
    return { stats: summarize(out) };
  }

  peer<P>(p: P | string): [P | undefined, string | undefined] {
    return typeof p === 'string' ? [undefined, p] : [p, undefined];
  }

  async start(): Promise<Group[]> {
    const cold = this.group('start-cold', 'Cold start: idle two-container pod, runPod to all Running (fresh Runtime)', 'ms', 'lower');
    const warm = this.group('start-warm', 'Warm start: idle two-container pod, runPod to all Running', 'ms', 'lower');
    for (const b of BACKENDS) {
      await this.add(cold, `wasmpod ${b}`, 'wasmpod', b, this.env.unavailable(b), async () => ({ stats: summarize(await coldStart(this.env, b)) }));
      await this.add(warm, `wasmpod ${b}`, 'wasmpod', b, this.env.unavailable(b), async () => ({ stats: summarize(await warmStart(this.env, b)) }));
    }
    const first = this.group('start-first-use', 'First use of a module: idle two-container pod on the warm Runtime, module never compiled', 'ms', 'lower',
      'the issue\'s cold start (target: 30 ms plus the module\'s compile time, given as compileP50Ms)');
    await this.add(first, 'wasmpod wasm', 'wasmpod', 'wasm', this.env.unavailable('wasm'), async () => {
      const r = await firstUseStart(this.env, 'wasm');
      const compile = summarize(r.compile);
      return { stats: summarize(r.start), extra: { compileP50Ms: compile.p50, compileP99Ms: compile.p99 } };
    });
    const [runc, noRunc] = this.peer(this.peers.runc);
    await this.add(warm, 'runc run -d (one container, no pod)', 'runc', 'runc', noRunc, () => this.samples(() => runc!.start()));
    const [podman, noPodman] = this.peer(this.peers.podman);
    await this.add(warm, 'podman kube play', 'podman', 'podman', noPodman, () => this.samples(() => podman!.start()));
    return [cold, first, warm];
  }

  async web(): Promise<Group[]> {
    const g = this.group('web', 'Web server + client pod: runPod to the first response over localhost', 'ms', 'lower');
    for (const b of BACKENDS) {
      await this.add(g, `wasmpod ${b}`, 'wasmpod', b, this.env.unavailable(b), async () => ({ stats: summarize(await webFirstResponse(this.env, b)) }));
    }
    const [podman, noPodman] = this.peer(this.peers.podman);
    await this.add(g, 'podman kube play', 'podman', 'podman', noPodman, () => this.samples(() => podman!.web()));
    return [g];
  }

  async hello(): Promise<Group[]> {
    const g = this.group('hello', 'Hello pod run to completion (runPod to Succeeded)', 'ms', 'lower');
    for (const b of BACKENDS) {
      await this.add(g, `wasmpod ${b}`, 'wasmpod', b, this.env.unavailable(b), async () => ({ stats: summarize(await helloToCompletion(this.env, b)) }));
    }
    const [runc, noRunc] = this.peer(this.peers.runc);
    await this.add(g, 'runc run (no pod)', 'runc', 'runc', noRunc, () => this.samples(() => runc!.hello()));
    const [podman, noPodman] = this.peer(this.peers.podman);
    await this.add(g, 'podman kube play + wait', 'podman', 'podman', noPodman, () => this.samples(() => podman!.hello()));
    const [nodeWasi, noNodeWasi] = this.peer(this.peers.nodeWasi);
    await this.add(g, 'node:wasi, fresh worker', 'node:wasi', 'node:wasi', noNodeWasi, () => this.samples(() => nodeWasi!.hello()));
    const [wasmer, noWasmer] = this.peer(this.peers.wasmer);
    await this.add(g, '@wasmer/wasi, fresh worker', '@wasmer/wasi', '@wasmer/wasi', noWasmer, () => this.samples(() => wasmer!.hello()));
    return [g];
  }

  async churn(): Promise<Group[]> {
    const o = this.env.opts;
    // Pods of the Linux backend and runc cost 10-100x more than a wasm pod: fewer of them keep the run short.
    const fewer = (c: number): number => Math.max(2 * c, Math.ceil(o.churnPods / 4));
    const groups: Group[] = [];
    for (const c of o.concurrency) {
      const g = this.group(`churn-c${c}`, `Churn at concurrency ${c}: hello pods created, run to completion and deleted per second`, 'pods/s', 'higher');
      const one = async (name: string, subject: string, backend: string, why: string | undefined, total: number, job: () => Promise<number>): Promise<void> => {
        await this.add(g, name, subject, backend, why, async () => {
          // Warm-up at this concurrency, untimed: the module compiled, the bundle made, and as many workers
          // as the concurrency needs started (the steady state a platform runs in, not the ramp to it).
          await churn(c, Math.min(total, 2 * c), job);
          const r = await churn(c, total, job);
          const lat = summarize(r.latencies);
          return { value: round2(r.perSecond), extra: { jobs: r.jobs, concurrency: c, latencyP50Ms: lat.p50, latencyP90Ms: lat.p90, latencyP99Ms: lat.p99 } };
        });
      };
      for (const b of BACKENDS) {
        const rt = this.env.unavailable(b) ? undefined : this.env.runtime(b);
        await one(`wasmpod ${b}`, 'wasmpod', b, this.env.unavailable(b), b === 'wasm' ? o.churnPods : fewer(c), () => helloOnce(rt!, this.env, b));
      }
      const [runc, noRunc] = this.peer(this.peers.runc);
      await one('runc run (no pod)', 'runc', 'runc', noRunc, fewer(c), () => runc!.hello());
      const [nodeWasi, noNodeWasi] = this.peer(this.peers.nodeWasi);
      await one('node:wasi, fresh worker', 'node:wasi', 'node:wasi', noNodeWasi, o.churnPods, () => nodeWasi!.hello());
      const [wasmer, noWasmer] = this.peer(this.peers.wasmer);
      await one('@wasmer/wasi, fresh worker', '@wasmer/wasi', '@wasmer/wasi', noWasmer, fewer(c), () => wasmer!.hello());
      groups.push(g);
    }
    return groups;
  }

  async density(): Promise<Group[]> {
    const o = this.env.opts;
    const pods = this.group('density-pods', 'Density: idle two-container pods held by one process', 'pods', 'higher',
      `caps: wasm ${o.densityCap}, linux ${o.densityCapLinux}; stops early when the host's available memory falls below ${o.densityFloorMiB !== undefined ? `${o.densityFloorMiB} MiB` : 'max(2 GiB, half of it)'}, or after 180 s`);
    const mem = this.group('density-memory', 'Density: memory per idle two-container pod', 'MiB/pod', 'lower',
      'wasm: growth of the process RSS (its worker threads included) / pods; linux: the memory charged to the pod cgroups (pause + 2 processes per pod; pages shared with the host, such as busybox\'s text, are charged elsewhere) / pods');
    for (const b of BACKENDS) {
      const why = this.env.unavailable(b);
      const cap = b === 'wasm' ? o.densityCap : o.densityCapLinux;
      let result: Awaited<ReturnType<typeof density>> | undefined;
      await this.add(pods, `wasmpod ${b}`, 'wasmpod', b, why, async () => {
        result = await density(this.env, b, cap, o.densityFloorMiB);
        return { value: result.pods, extra: { cap, stoppedBy: result.stoppedBy } };
      });
      if (result) {
        const r = result;
        await this.add(mem, `wasmpod ${b}`, 'wasmpod', b, undefined, async () => ({
          value: round2(r.perPodMiB),
          extra: { pods: r.pods, deltaMiB: round2(r.deltaMiB), perContainerMiB: round2(r.perPodMiB / 2), measure: r.measure },
        }));
      } else if (why) {
        mem.skipped.push({ name: `wasmpod ${b}`, reason: `skipped: ${why}` });
      }
    }
    return [pods, mem];
  }

  async loopback(): Promise<Group[]> {
    const tput = this.group('loopback-throughput', 'Loopback between two containers: bulk throughput (64 KiB writes)', 'MiB/s', 'higher');
    const lat = this.group('loopback-latency', 'Loopback between two containers: 1-byte round trip, median', 'µs', 'lower',
      'the guest (netbench) reports p50, p99 and the mean of its round trips, not p90');
    const record = async (name: string, subject: string, backend: string, why: string | undefined, run: () => Promise<LoopbackResult | string>): Promise<void> => {
      let r: LoopbackResult | undefined;
      await this.add(tput, name, subject, backend, why, async () => {
        const got = await run();
        if (typeof got === 'string') throw new Error(got);
        r = got;
        return { value: round2(r.bulk.MiBps), extra: { bytes: r.bulk.bytes, seconds: r.bulk.seconds } };
      });
      if (r) {
        const rr = r.rr;
        await this.add(lat, name, subject, backend, undefined, async () => ({ value: rr.p50_us, extra: { roundTrips: rr.count, p99Us: rr.p99_us, meanUs: rr.mean_us } }));
      } else {
        lat.skipped.push(tput.skipped[tput.skipped.length - 1]!);
      }
    };
    for (const b of BACKENDS) {
      const why = this.env.unavailable(b) ?? (b === 'linux' && !this.env.netbenchNative ? 'no static native netbench for the busybox root filesystem (needs a C compiler and static libc)' : undefined);
      await record(`wasmpod ${b}`, 'wasmpod', b, why, () => podLoopback(this.env, b));
    }
    await record('two native processes, kernel TCP', 'native', 'native', this.env.opts.peers ? undefined : 'not selected (--no-peers)', () => nativeLoopback(this.env));
    return [tput, lat];
  }
}

async function openPeers(env: BenchEnv): Promise<Peers> {
  if (!env.opts.peers) {
    const no = 'not selected (--no-peers)';
    return { runc: no, podman: no, nodeWasi: no, wasmer: no };
  }
  const podman = await PodmanPeer.open(env).catch((e: Error) => `podman: ${e.message}`);
  const nodeWasi = await WasiPeer.open('node:wasi', env);
  const wasmer = await WasiPeer.open('@wasmer/wasi', env);
  return { runc: RuncPeer.open(env), podman, nodeWasi, wasmer };
}

/** Runs the benchmark; progress lines go to `progress` (the CLI's stderr). */
export async function runBench(opts: BenchOptions, command: string, progress: (line: string) => void): Promise<BenchReport> {
  const t0 = now();
  const machine = machineInfo();
  const env = new BenchEnv(opts, progress);
  const groups: Group[] = [];
  try {
    const peers = await openPeers(env);
    const run = new Run(env, peers);
    const steps: Record<Measurement, () => Promise<Group[]>> = {
      start: () => run.start(), web: () => run.web(), hello: () => run.hello(),
      churn: () => run.churn(), density: () => run.density(), loopback: () => run.loopback(),
    };
    for (const m of opts.only) groups.push(...(await steps[m]()).map(withRatios));
    for (const p of [peers.nodeWasi, peers.wasmer]) if (typeof p !== 'string') p.close();
  } finally {
    await env.close();
  }
  return {
    tool: 'wasmpod bench', version: 1, date: new Date().toISOString(), command, machine,
    loadAverageAfter: os.loadavg().map(round2), durationMs: Math.round(now() - t0), options: opts, groups,
  };
}
