// Churn (jobs created, run to completion and removed per second at a fixed concurrency) and density (how
// many idle two-container pods one process holds, and the memory each costs).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Runtime } from '../runtime.js';
import { readSandboxState } from '../runtime/linux/sandbox-state.js';
import { gcFunctionOf } from '../server/idle-memory.js';
import type { PodHandle } from '../pod/pod-handle.js';
import { benchPod, type BackendName } from './fixtures.js';
import { allRunning, deletePod, within, type BenchEnv } from './env.js';
import { now, sleep } from './stats.js';

export interface ChurnResult {
  jobs: number;
  perSecond: number;
  /** Each job's own time, ms. */
  latencies: number[];
}

/** Runs `total` jobs with `concurrency` of them in flight at any time; each job returns its own time in ms. */
export async function churn(concurrency: number, total: number, job: () => Promise<number>): Promise<ChurnResult> {
  let started = 0;
  const latencies: number[] = [];
  const t0 = now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      latencies.push(await job());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return { jobs: total, perSecond: total / ((now() - t0) / 1000), latencies };
}

export interface DensityResult {
  pods: number;
  /** Memory growth while the pods were held, MiB: the process's RSS (wasm), the memory charged to the pod cgroups (linux). */
  deltaMiB: number;
  perPodMiB: number;
  /** Why it stopped adding pods: `cap`, `memory floor`, `time limit`, or the failure. */
  stoppedBy: string;
  measure: string;
}

/** MemAvailable from /proc/meminfo, else the free memory Node reports, in bytes. */
function memAvailable(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch { /* not Linux */ }
  return os.freemem();
}

/**
 * What the Linux backend's pods are charged in their pod cgroups (pause and containers' processes, with the
 * page cache they touched), summed; they live outside this process, so its RSS does not see them.
 */
function podCgroupBytes(rt: Runtime): number {
  const root = path.join(rt.stateDir, 'linux/sandboxes');
  let total = 0;
  for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    const dirs = readSandboxState(path.join(root, id))?.cgroupDirs ?? [];
    const mem = dirs.find((d) => d.includes('/memory/')) ?? dirs.find((d) => fs.existsSync(path.join(d, 'memory.current')));
    if (!mem) continue;
    for (const f of ['memory.current', 'memory.usage_in_bytes']) {
      try {
        total += Number(fs.readFileSync(path.join(mem, f), 'utf8').trim());
        break;
      } catch { /* the other cgroup version's file */ }
    }
  }
  return total;
}

/** The memory figure density is measured by, after a full GC of the main isolate and a moment to settle. */
async function memoryNow(rt: Runtime, backend: BackendName): Promise<number> {
  gcFunctionOf()?.();
  await sleep(300);
  // A Linux pod's processes live outside this process: what they cost is what their pod cgroups are charged.
  return backend === 'linux' ? podCgroupBytes(rt) : process.memoryUsage().rss;
}

/** By default never take the (usually shared) machine below this much available memory: the larger of 2 GiB and half of it. */
const defaultMemoryFloor = (): number => Math.max(2 << 30, os.totalmem() / 2);
const DENSITY_TIME_LIMIT_MS = 180_000;
const BATCH = 4;

/** Starts idle two-container pods in small batches, each to Running, until the cap (or a limit); then removes them. */
export async function density(env: BenchEnv, backend: BackendName, cap: number, floorMiB?: number): Promise<DensityResult> {
  const floor = floorMiB !== undefined ? floorMiB * 1048576 : defaultMemoryFloor();
  const rt = env.freshRuntime(backend);
  const held: PodHandle[] = [];
  let stoppedBy = 'cap';
  try {
    // A first pod compiles the module and fills the worker pool, so the baseline holds what every pod shares.
    const first = await rt.runPod(benchPod('idle', backend, env.name('density'), env.rootfs ? { rootfs: env.rootfs } : {}));
    await allRunning(first);
    await deletePod(first);
    const base = await memoryNow(rt, backend);
    const deadline = now() + DENSITY_TIME_LIMIT_MS;
    while (held.length < cap) {
      if (memAvailable() < floor) { stoppedBy = 'memory floor'; break; }
      if (now() > deadline) { stoppedBy = 'time limit'; break; }
      const n = Math.min(BATCH, cap - held.length);
      const started = await Promise.allSettled(Array.from({ length: n }, async () => {
        const pod = await rt.runPod(benchPod('idle', backend, env.name('density'), env.rootfs ? { rootfs: env.rootfs } : {}));
        held.push(pod);
        await allRunning(pod);
      }));
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) { stoppedBy = `failed: ${(failed.reason as Error).message.slice(0, 300)}`; break; }
      if (held.length % 100 === 0) env.progress(`  density (${backend}): ${held.length} pods`);
    }
    const delta = (await memoryNow(rt, backend)) - base;
    const pods = held.length;
    return {
      pods,
      deltaMiB: delta / 1048576,
      perPodMiB: pods ? delta / 1048576 / pods : 0,
      stoppedBy,
      measure: backend === 'wasm' ? 'process RSS (workers included)' : 'pod cgroups memory',
    };
  } finally {
    for (let i = 0; i < held.length; i += 32) {
      await Promise.allSettled(held.slice(i, i + 32).map(deletePod));
    }
    await within(rt.close(), 60_000, `the density runtime (${backend}) did not close within 60 s`).catch((e: Error) => env.progress(`warning: ${e.message}`));
  }
}
