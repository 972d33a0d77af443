// The library entry: a Runtime admits pods from specs, runs them on a backend, and keeps their handles.
import * as path from 'node:path';
import type { Pod, PodStatus } from './spec/types.js';
import { normalizePod } from './spec/index.js';
import type { Backend, SandboxContainer } from './runtime/sandbox.js';
import { WasmBackend } from './runtime/wasm/wasm-backend.js';
import { LogStore } from './logs/log-store.js';
import { KUBERNETES_BACKOFF, type BackoffOptions } from './pod/backoff.js';
import { PodHandle } from './pod/pod-handle.js';
import { PodWorker } from './pod/pod-worker.js';
import { containerConfig, prepareHostPath } from './pod/container-config.js';
import { defaultStateDir } from './state-dir.js';
import { WasmpodError } from './errors.js';

export interface RuntimeOptions {
  /** Where logs (and later persisted state) go; default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod. */
  stateDir?: string;
  /** Restart back-off; Kubernetes' values by default (10 s doubling to 300 s, reset after 10 min). */
  backoff?: Partial<BackoffOptions>;
}

export interface RunPodOptions {
  /** Folder that relative image paths in a plain object spec resolve against (default: cwd). */
  baseDir?: string;
}

export class PodAlreadyExistsError extends WasmpodError {
  readonly code = 'ERR_POD_EXISTS';
}

export class Runtime {
  readonly stateDir: string;
  private readonly backend: Backend;
  private readonly backoff: BackoffOptions;
  private readonly logs: LogStore;
  private readonly pods = new Map<string, PodHandle>();

  constructor(opts: RuntimeOptions = {}) {
    this.stateDir = opts.stateDir ? path.resolve(opts.stateDir) : defaultStateDir();
    this.backend = new WasmBackend();
    this.backoff = { ...KUBERNETES_BACKOFF, ...opts.backoff };
    this.logs = new LogStore(this.stateDir);
  }

  /**
   * Admits and starts a pod. The spec is validated (a ManifestError names every bad field), hostPath
   * volumes are checked, and every container's module is compiled and its imports checked before
   * anything runs: a pod that cannot run is rejected whole, and nothing of it starts.
   */
  async runPod(spec: Pod | Record<string, unknown>, opts: RunPodOptions = {}): Promise<PodHandle> {
    const pod = normalizePod(spec, { baseDir: opts.baseDir ?? process.cwd() });
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (this.pods.has(key)) throw new PodAlreadyExistsError(`pod "${key}" already exists`);
    for (const v of pod.spec.volumes ?? []) if (v.hostPath) prepareHostPath(v);
    const sandbox = await this.backend.runPodSandbox(pod.metadata.uid!);
    const prepared = new Map<string, SandboxContainer>();
    try {
      const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
      const created = await Promise.all(all.map((c) => sandbox.createContainer(containerConfig(pod, c))));
      created.forEach((c) => prepared.set(c.config.name, c));
    } catch (err) {
      await sandbox.remove();
      throw err;
    }
    const logDir = this.logs.podDir(pod.metadata.namespace!, pod.metadata.name!, pod.metadata.uid!);
    const handle = new PodHandle(pod, logDir);
    const worker = new PodWorker(pod, sandbox, prepared, {
      backoff: this.backoff,
      logFile: (c, restart) => this.logs.containerFile(logDir, c, restart),
      changed: (s: PodStatus) => handle.emit('status', structuredClone(s)),
      output: (container, stream, chunk) => handle.emit('output', { container, stream, chunk }),
    });
    this.pods.set(key, handle);
    const done = worker.run().finally(() => this.pods.delete(key));
    handle.attach(worker, done);
    return handle;
  }

  /** The pods that have not ended yet. */
  list(): PodHandle[] {
    return [...this.pods.values()];
  }

  get(namespace: string, name: string): PodHandle | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  /** Deletes every pod and releases the backend. */
  async close(): Promise<void> {
    await Promise.all(this.list().map((p) => p.delete()));
    await this.backend.close();
  }
}
