// Shared by the image tests: paths, the CLI, pod specs, and running a pod to its end or to a status.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { PodHandle, PodStatus } from '../../../dist/src/index.js';
import { ROOT, fastRuntime } from '../../helpers/pods.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const BIN = path.join(ROOT, 'bin/wasmpod.js');
export const SHOW = path.join(ROOT, 'wasm-modules/image/show.wasm');
export const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** A temp dir, removed when the test process exits. */
export const tmp = (p: string): string => tempDir(`wasmpod-${p}-`);
export const wasmpod = (args: string[], state: string) =>
  spawnSync(process.execPath, [BIN, ...args, '--state-dir', state], { encoding: 'utf8' });
export const podOf = (name: string, containers: Record<string, unknown>[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', containers },
});

/** Runs a pod to its end and returns its status, stdout per container, and events. */
export async function run(runtime: ReturnType<typeof fastRuntime>, spec: Record<string, unknown>) {
  const h = await runtime.runPod(spec);
  const out: Record<string, string> = {};
  h.on('output', (e) => { if (e.stream === 'stdout') out[e.container] = (out[e.container] ?? '') + e.chunk.toString(); });
  const timer = setTimeout(() => void h.delete(), 30_000);
  const status = await h.wait();
  clearTimeout(timer);
  return { status, out, events: h.events.map((e) => [e.reason, e.message]) };
}

/** Resolves with the first status of the pod's first container that satisfies `pred`. */
export function waitFor(h: PodHandle, pred: (s: PodStatus) => boolean): Promise<PodStatus> {
  return new Promise((resolve) => {
    if (pred(h.status)) return resolve(h.status);
    const on = (s: PodStatus): void => { if (pred(s)) { h.off('status', on); resolve(s); } };
    h.on('status', on);
  });
}
export const waiting = (s: PodStatus) => s.containerStatuses?.[0]?.state?.waiting;
