// wasmpod's own timings on one backend: cold and warm start of an idle two-container pod, the web server +
// client pod to its first response, and the hello pod run to completion. Each returns samples in ms.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../runtime.js';
import { benchPod, MODULES, type BackendName, type PodKind } from './fixtures.js';
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

/** The bytes of `wasm` with a custom section of random bytes appended: a new digest, the same code. */
function unseen(wasm: Buffer): Buffer {
  const name = Buffer.from('wasmpod-bench');
  const payload = Buffer.concat([Buffer.from([name.length]), name, randomBytes(16)]);
  return Buffer.concat([wasm, Buffer.from([0, payload.length]), payload]);
}

/**
 * The cold start: the first use of a module on the warm Runtime (workers pre-warmed, the module never
 * compiled): runPod to both containers Running. `compile` is the compile time alone of another unseen copy
 * (WebAssembly.compile in this thread, timed before the pod), to set the start against.
 */
export async function firstUseStart(env: BenchEnv, backend: BackendName): Promise<{ start: number[]; compile: number[] }> {
  const rt = env.runtime(backend);
  const wasm = fs.readFileSync(MODULES.sleep);
  const start: number[] = [];
  const compile: number[] = [];
  for (let i = 0; i < env.opts.warmup + env.opts.coldIterations; i++) {
    const t0 = now();
    await WebAssembly.compile(unseen(wasm));
    const c = now() - t0;
    const module = path.join(env.tmp, `unseen-${randomBytes(6).toString('hex')}.wasm`);
    fs.writeFileSync(module, unseen(wasm));
    const pod = benchPod('idle', backend, env.name('first-use'));
    for (const ctr of (pod['spec'] as { containers: { image: string }[] }).containers) ctr.image = module;
    const t1 = now();
    const handle = await rt.runPod(pod);
    await allRunning(handle);
    const ms = now() - t1;
    await deletePod(handle);
    fs.rmSync(module, { force: true });
    if (i >= env.opts.warmup) { start.push(ms); compile.push(c); }
    await sleep(WARM_GAP_MS);
  }
  return { start, compile };
}
