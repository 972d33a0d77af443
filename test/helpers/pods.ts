// Helpers for pod tests: a runtime with a temp state dir and fast back-off, and pod specs of the test guests.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime, type PodStatus, type WorkerPoolOptions, type WorkerPoolStats } from '../../dist/src/index.js';
import { tempDir } from './temp-dir.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MODULES = path.join(ROOT, 'wasm-modules');
export const EXIT = path.join(MODULES, 'testing/exit.wasm');
export const SLEEP = path.join(MODULES, 'testing/sleep.wasm');
export const HELLO = path.join(MODULES, 'hello/hello.wasm');
export const TOOL = path.join(MODULES, 'testing/tool.wasm');

/** A runtime whose back-off is 20 ms doubling to 600 ms, so restart tests run in milliseconds; `workerPool` sizes its pool. */
export function fastRuntime(workerPool?: WorkerPoolOptions): Runtime {
  return new Runtime({
    stateDir: tempDir('wasmpod-test-'),
    backoff: { baseMs: 20, maxMs: 600, resetAfterMs: 60_000 },
    ...(workerPool ? { workerPool } : {}),
  });
}

/** Waits (polling, no timing assertion) until the runtime's pool counters satisfy `pred`. */
export async function poolUntil(rt: Runtime, pred: (s: WorkerPoolStats) => boolean): Promise<WorkerPoolStats> {
  for (;;) {
    const s = rt.workerPool;
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface ContainerSketch {
  name: string;
  image?: string;
  args?: string[];
  restartPolicy?: string;
  stdin?: boolean;
}

export function podSpec(name: string, containers: ContainerSketch[], extra: Record<string, unknown> = {},
  initContainers: ContainerSketch[] = []): Record<string, unknown> {
  const c = (x: ContainerSketch) => ({ image: EXIT, ...x });
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: containers.map(c), ...(initContainers.length ? { initContainers: initContainers.map(c) } : {}), ...extra },
  };
}

/** Resolves with the first status (now or later) that satisfies `pred`. */
export function until(pod: { on: Function; off: Function; status: PodStatus }, pred: (s: PodStatus) => boolean): Promise<PodStatus> {
  return new Promise((resolve) => {
    if (pred(pod.status)) return resolve(pod.status);
    const fn = (s: PodStatus) => { if (pred(s)) { pod.off('status', fn); resolve(s); } };
    pod.on('status', fn);
  });
}
