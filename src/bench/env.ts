// The state one `wasmpod bench` run shares between its measurements: options, temp dir, the busybox root
// filesystem, one warm Runtime per backend, progress output, and why a backend or a peer cannot run here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Runtime } from '../runtime.js';
import { linuxBackendUnavailable } from '../runtime/linux/linux-backend.js';
import type { PodHandle } from '../pod/pod-handle.js';
import type { PodStatus } from '../spec/types.js';
import { busyboxRootfs, type BackendName } from './fixtures.js';
import type { BenchOptions } from './model.js';

export class BenchEnv {
  readonly tmp: string;
  /** The busybox root filesystem, when busybox is installed (the Linux backend, runc and podman run it). */
  readonly rootfs?: string;
  readonly rootfsReason?: string;
  /** Whether a static native netbench is in the root filesystem's /bin. */
  readonly netbenchNative: boolean = false;
  private readonly warm = new Map<BackendName, Runtime>();
  private counter = 0;

  constructor(readonly opts: BenchOptions, readonly progress: (line: string) => void) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-'));
    const needsRootfs = opts.backends.includes('linux') || opts.peers;
    const made = needsRootfs ? busyboxRootfs(this.tmp) : { reason: 'not needed' };
    if ('rootfs' in made) {
      this.rootfs = made.rootfs;
      this.netbenchNative = made.netbench;
    } else {
      this.rootfsReason = made.reason;
    }
  }

  /** Why pods of this backend cannot run here, or undefined when they can. */
  unavailable(backend: BackendName): string | undefined {
    if (!this.opts.backends.includes(backend)) return `not selected (--backend)`;
    if (backend === 'wasm') return undefined;
    return linuxBackendUnavailable() ?? (this.rootfs ? undefined : this.rootfsReason);
  }

  /** A unique pod or container name. */
  name(prefix: string): string {
    return `${prefix}-${++this.counter}`;
  }

  /** A Runtime of its own (a cold start: empty module cache, no pre-warmed worker), on a fresh state dir. */
  freshRuntime(backend: BackendName): Runtime {
    const stateDir = fs.mkdtempSync(path.join(this.tmp, 'state-'));
    const o = this.opts;
    // Churn at concurrency c reuses c workers: the pool keeps that many (and the two it keeps ready) between pods.
    const maxIdle = o.poolMaxIdle ?? Math.max(...o.concurrency) + 2;
    return new Runtime({
      stateDir, defaultRuntimeClass: backend, workerPool: { minIdle: Math.min(2, maxIdle), maxIdle },
      ...(o.sharedWorkers ? { sharedWorkers: { guestsPerWorker: o.sharedWorkers } } : {}),
    });
  }

  /** The backend's warm Runtime, shared by the measurements of one run. */
  runtime(backend: BackendName): Runtime {
    let rt = this.warm.get(backend);
    if (!rt) {
      rt = this.freshRuntime(backend);
      this.warm.set(backend, rt);
    }
    return rt;
  }

  async close(): Promise<void> {
    // A pod that could not be deleted (reported as a failed series) must not keep the run from ending.
    await Promise.all([...this.warm.values()].map((rt) => within(rt.close(), 60_000, 'runtime close').catch((e: Error) => this.progress(`warning: ${e.message}`))));
    this.warm.clear();
    // A state dir with a mount still under it (a Linux pod that failed to clean up) is left, never removed through the mount.
    try {
      const mounts = fs.readFileSync('/proc/self/mounts', 'utf8');
      if (mounts.includes(this.tmp)) return;
    } catch { /* not Linux: nothing is mounted */ }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

const ended = (s: PodStatus): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';

function describe(s: PodStatus): string {
  const states = (s.containerStatuses ?? []).map((c) => `${c.name}: ${JSON.stringify(c.state)}`);
  return `pod ${s.phase}${s.reason ? ` (${s.reason})` : ''}; ${states.join('; ')}`;
}

/** Resolves when every container of the pod is Running; rejects if the pod ends first. */
export function allRunning(pod: PodHandle, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`not running after ${timeoutMs} ms: ${describe(pod.status)}`)), timeoutMs);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      pod.off('status', check);
      if (err) reject(err);
      else resolve();
    };
    const check = (s: PodStatus): void => {
      const cs = s.containerStatuses ?? [];
      if (cs.length > 0 && cs.length === pod.pod.spec.containers.length && cs.every((c) => c.state?.running)) finish();
      // The bench's pods never restart: a container that ended (StartError, a crash) will not run.
      else if (ended(s) || cs.some((c) => c.state?.terminated)) finish(new Error(`ended before running: ${describe(s)}`));
    };
    pod.on('status', check);
    check(pod.status);
  });
}

/** Resolves on the first stdout output of a container (its errors, on stderr, do not count); rejects if the pod ends first. */
export function firstOutput(pod: PodHandle, container: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no output from ${container} after ${timeoutMs} ms: ${describe(pod.status)}`)), timeoutMs);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      pod.off('output', onOutput);
      pod.off('status', onStatus);
      if (err) reject(err);
      else resolve();
    };
    const onOutput = (e: { container: string; stream: string }): void => { if (e.container === container && e.stream === 'stdout') finish(); };
    const onStatus = (s: PodStatus): void => { if (ended(s)) finish(new Error(`ended before ${container} wrote: ${describe(s)}`)); };
    pod.on('output', onOutput);
    pod.on('status', onStatus);
  });
}

const DELETE_TIMEOUT_MS = 30_000;

/** Resolves `p`, or rejects with `message` after `ms`: one stuck pod fails its series instead of hanging the run. */
export function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Deletes a pod without a grace period (what deleting costs is measured by churn), giving up after 30 s. */
export async function deletePod(pod: PodHandle): Promise<void> {
  await within(pod.delete({ gracePeriodSeconds: 0 }), DELETE_TIMEOUT_MS,
    `pod ${pod.name} was not deleted within ${DELETE_TIMEOUT_MS / 1000} s: ${describe(pod.status)}`);
}

/** Waits for the pod to end and throws unless it Succeeded. */
export async function succeeded(pod: PodHandle): Promise<void> {
  const s = await pod.wait();
  if (s.phase !== 'Succeeded') throw new Error(describe(s));
}
