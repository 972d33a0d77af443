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
import { containerConfig } from './pod/container-config.js';
import { setUpVolumes } from './volume/pod-volumes.js';
import type { ConfigSources } from './volume/config-sources.js';
import { defaultStateDir } from './state-dir.js';
import { WasmpodError } from './errors.js';
import { EventRecorder } from './pod/events.js';
import { VOLUME_FULL, watchSizeLimits } from './volume/size-limit-events.js';
import { NodeResources, machineCapacity, podRequests, type Capacity } from './pod/admission.js';
import * as os from 'node:os';

export interface RuntimeOptions {
  /** Where logs (and later persisted state) go; default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod. */
  stateDir?: string;
  /** Restart back-off; Kubernetes' values by default (10 s doubling to 300 s, reset after 10 min). */
  backoff?: Partial<BackoffOptions>;
  /** Milliseconds in a "second" of probe timings, hook timeouts and grace periods: 1000, less to make tests fast. */
  secondMs?: number;
  /** What the node offers pods; pods are admitted against it by their requests (default: the machine's). */
  capacity?: Partial<Capacity>;
}

export interface RunPodOptions extends ConfigSources {
  /** Folder that relative image paths in a plain object spec resolve against (default: cwd). */
  baseDir?: string;
  // configMaps, secrets: the objects configMap/secret volumes, valueFrom and envFrom may name (a manifest's other documents).
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
  private readonly secondMs: number;
  private readonly node: NodeResources;

  constructor(opts: RuntimeOptions = {}) {
    this.stateDir = opts.stateDir ? path.resolve(opts.stateDir) : defaultStateDir();
    this.backend = new WasmBackend();
    this.backoff = { ...KUBERNETES_BACKOFF, ...opts.backoff };
    this.logs = new LogStore(this.stateDir);
    this.secondMs = opts.secondMs ?? 1000;
    this.node = new NodeResources({ ...machineCapacity(), ...opts.capacity });
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
    const logDir = this.logs.podDir(pod.metadata.namespace!, pod.metadata.name!, pod.metadata.uid!);
    // Volumes exist before any container starts and belong to the sandbox, which deletes them with the pod.
    const volumes = setUpVolumes(pod, path.join(logDir, 'volumes'), opts);
    const sandbox = await this.backend.runPodSandbox(pod.metadata.uid!, { volumes });
    const prepared = new Map<string, SandboxContainer>();
    try {
      const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
      const created = await Promise.all(all.map(async (c) => sandbox.createContainer(containerConfig(pod, c, volumes))));
      created.forEach((c) => prepared.set(c.config.name, c));
    } catch (err) {
      await sandbox.remove();
      throw err;
    }
    const handle = new PodHandle(pod, logDir);
    handle.recorder = new EventRecorder(pod, (e) => handle.emit('event', e));
    const worker = new PodWorker(pod, sandbox, prepared, {
      backoff: this.backoff,
      secondMs: this.secondMs,
      events: handle.recorder,
      logFile: (c, restart) => this.logs.containerFile(logDir, c, restart),
      changed: (s: PodStatus) => handle.emit('status', structuredClone(s)),
      output: (container, stream, chunk) => handle.emit('output', { container, stream, chunk }),
    });
    // Admitted as one unit against what the node has left, or rejected whole (Failed, OutOfmemory/OutOfcpu).
    const req = podRequests(pod);
    const rejected = this.node.admit(req);
    if (rejected) {
      worker.reject(rejected.reason, rejected.message);
      // One node: the scheduler's verdict and the kubelet's rejection are both reported, as each would be.
      handle.recorder.record('Warning', 'FailedScheduling', rejected.scheduler);
      handle.recorder.record('Warning', rejected.reason, rejected.message);
    } else {
      handle.recorder.record('Normal', 'Scheduled', `Successfully assigned ${key} to ${os.hostname()}`);
    }
    this.pods.set(key, handle);
    const sizeLimits = watchSizeLimits(volumes, (m) => handle.recorder.record('Warning', VOLUME_FULL, m), this.secondMs);
    const done = worker.run().finally(() => {
      sizeLimits.check();
      sizeLimits.stop();
      this.pods.delete(key);
      if (!rejected) this.node.release(req);
    });
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
