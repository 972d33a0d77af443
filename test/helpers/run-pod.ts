// Runs a whole pod on a fast runtime and collects each container's stdout: the harness of the volume tests.
import * as path from 'node:path';
import type { PodHandle, Runtime } from '../../dist/src/index.js';
import { MODULES, fastRuntime } from './pods.js';

export const FSOPS = path.join(MODULES, 'volumes/fsops.wasm');
export const ESCAPE = path.join(MODULES, 'volumes/escape.wasm');

export interface PodRun {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status: any;
  /** stdout of each container, all its runs concatenated. */
  out: Record<string, string>;
  runtime: Runtime;
  pod: PodHandle;
}

/** Runs the pod to its end and collects stdout per container; the pod is deleted after `limitMs`. */
export async function runPodCollect(spec: Record<string, unknown>, opts: Record<string, unknown> = {},
  runtime: Runtime = fastRuntime(), limitMs = 30_000): Promise<PodRun> {
  const pod = await runtime.runPod(spec, opts);
  const chunks: Record<string, Buffer[]> = {};
  pod.on('output', (e: { container: string; stream: string; chunk: Buffer }) => {
    if (e.stream === 'stdout') (chunks[e.container] ??= []).push(e.chunk);
  });
  const timer = setTimeout(() => void pod.delete(), limitMs);
  const status = await pod.wait();
  clearTimeout(timer);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(chunks)) out[k] = Buffer.concat(v).toString('utf8');
  return { status, out, runtime, pod };
}

/** A pod of fsops containers, restartPolicy Never. */
export function fsopsPod(name: string, volumes: unknown[], containers: { name: string; args: string[]; volumeMounts?: unknown[]; env?: unknown[]; envFrom?: unknown[] }[],
  initContainers: typeof containers = [], metadata: Record<string, unknown> = {}): Record<string, unknown> {
  const c = (x: (typeof containers)[number]) => ({ image: FSOPS, ...x });
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata },
    spec: {
      restartPolicy: 'Never', volumes, containers: containers.map(c),
      ...(initContainers.length ? { initContainers: initContainers.map(c) } : {}),
    },
  };
}
