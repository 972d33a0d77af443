// wasmpod's own timings on one backend: cold and warm start of an idle two-container pod, the web server +
// client pod to its first response, and the hello pod run to completion. Each returns samples in ms.
import type { Runtime } from '../runtime.js';
import { benchPod, type BackendName, type PodKind } from './fixtures.js';
import { allRunning, deletePod, firstOutput, succeeded, within, type BenchEnv } from './env.js';
import { now, sleep } from './stats.js';

/** A pause between warm pods, so the worker pool refills as it would between requests (back to back is churn). */
const WARM_GAP_MS = 20;

function spec(env: BenchEnv, kind: PodKind, backend: BackendName): Record<string, unknown> {
  return benchPod(kind, backend, env.name(kind), env.rootfs ? { rootfs: env.rootfs } : {});
}

type PodHandle = Awaited<ReturnType<Runtime['runPod']>>;

/** One pod of `kind`: ms from runPod until `until` resolves; the pod is deleted after (not timed). */
async function timedPod(rt: Runtime, env: BenchEnv, kind: PodKind, backend: BackendName, until: (pod: PodHandle) => Promise<unknown>): Promise<number> {
  const t0 = now();
  const pod = await rt.runPod(spec(env, kind, backend));
  await until(pod);
  const ms = now() - t0;
  await deletePod(pod);
  return ms;
}

/** Runs `iterations` timed rounds after `warmup` untimed ones, a short pause between them. */
async function rounds(warmup: number, iterations: number, one: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const ms = await one();
    if (i >= warmup) out.push(ms);
    await sleep(WARM_GAP_MS);
  }
  return out;
}

/** runPod to every container Running, on a fresh Runtime each time: nothing compiled, no worker waiting. */
export async function coldStart(env: BenchEnv, backend: BackendName): Promise<number[]> {
  return rounds(0, env.opts.coldIterations, async () => {
    const rt = env.freshRuntime(backend);
    try {
      return await timedPod(rt, env, 'idle', backend, allRunning);
    } finally {
      await within(rt.close(), 60_000, `a cold ${backend} runtime did not close within 60 s`);
    }
  });
}

/** runPod to every container Running on the backend's warm Runtime (module compiled, pool filled). */
export async function warmStart(env: BenchEnv, backend: BackendName): Promise<number[]> {
  const rt = env.runtime(backend);
  return rounds(env.opts.warmup, env.opts.iterations, () => timedPod(rt, env, 'idle', backend, allRunning));
}

/** runPod of the web server + client pod to the client's first output: the server's response over localhost. */
export async function webFirstResponse(env: BenchEnv, backend: BackendName): Promise<number[]> {
  const rt = env.runtime(backend);
  return rounds(env.opts.warmup, env.opts.iterations, () => timedPod(rt, env, 'web', backend, (pod) => firstOutput(pod, 'client')));
}

/** One hello pod from runPod to Succeeded (the worker or process gone); the handle is then deleted. */
export function helloOnce(rt: Runtime, env: BenchEnv, backend: BackendName): Promise<number> {
  return timedPod(rt, env, 'hello', backend, succeeded);
}

/** The hello pod run to completion on the warm Runtime. */
export async function helloToCompletion(env: BenchEnv, backend: BackendName): Promise<number[]> {
  const rt = env.runtime(backend);
  return rounds(env.opts.warmup, env.opts.iterations, () => helloOnce(rt, env, backend));
}
