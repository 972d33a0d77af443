// The library entry: a Runtime admits pods from specs, runs them on a backend, and keeps their handles.
import * as path from 'node:path';
import type { Pod, PodStatus } from './spec/types.js';
import { normalizePod } from './spec/index.js';
import type { AdoptedSandbox, Backend, ContainerConfig, PodSandbox, SandboxContainer } from './runtime/sandbox.js';
import type { PodNetwork } from './net/pod-network.js';
import type { PodVolumes } from './volume/pod-volumes.js';
import { adoptedVolumes } from './runtime/linux/adopt.js';
import { WasmBackend } from './runtime/wasm/wasm-backend.js';
import type { WorkerPoolOptions, WorkerPoolStats } from './runtime/wasm/worker-pool.js';
import type { SharedWorkersOptions } from './runtime/wasm/shared-workers.js';
import { LinuxBackend, linuxBackendUnavailable, type LinuxBackendOptions } from './runtime/linux/linux-backend.js';
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
import { ClusterNetwork } from './net/cluster-network.js';
import { publishPodPorts, type PublishSpec } from './net/publish.js';
import { attachHostNetwork } from './net/host-network.js';
import { openPodStream } from './net/pod-stream.js';
import { ImageService } from './image/image-service.js';
import { isRemoteImage } from './image/container-image.js';
import type { HttpOptions } from './image/http-client.js';
import { VOLUME_FULL, watchSizeLimits } from './volume/size-limit-events.js';
import { NodeResources, machineCapacity, podRequests, type Capacity } from './pod/admission.js';
import * as os from 'node:os';
import { plainCopy } from './spec/plain-copy.js';
import { dropSpareRings } from './runtime/wasm/container-run.js';

export interface RuntimeOptions {
  /** Where logs (and later persisted state) go; default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod. */
  stateDir?: string;
  /** Restart back-off; Kubernetes' values by default (10 s doubling to 300 s, reset after 10 min). */
  backoff?: Partial<BackoffOptions>;
  /** Milliseconds in a "second" of probe timings, hook timeouts and grace periods: 1000, less to make tests fast. */
  secondMs?: number;
  /** What the node offers pods; pods are admitted against it by their requests (default: the machine's). */
  capacity?: Partial<Capacity>;
  /** The virtual cluster range pod IPs come from (default 10.88.0.0/16; docs/network.md). */
  podCIDR?: string;
  /** How images are fetched: extra CAs, insecure registries, auth files (docs/images.md). */
  images?: HttpOptions;
  /** The runtimeClassName of a pod that names none: `wasm` (the default) or `linux` (docs/linux-backend.md). */
  defaultRuntimeClass?: 'wasm' | 'linux';
  /** Settings of the Linux backend (OCI runtime, pause binary, per-pod pids limit). */
  linux?: LinuxBackendOptions;
  /** Pre-warmed workers for wasm containers: `{ minIdle: 0 }` turns the pool off (docs/library.md). */
  workerPool?: WorkerPoolOptions;
  /**
   * Containers share worker threads, suspended with JSPI where they would block (Node 24+; docs/library.md):
   * an idle container then costs its memory, not a thread. Off by default: a guest that computes without
   * waiting holds up the others of its worker.
   */
  sharedWorkers?: SharedWorkersOptions;
}

export interface RunPodOptions extends ConfigSources {
  /** Folder that relative image paths in a plain object spec resolve against (default: cwd). */
  baseDir?: string;
  /** Pod ports to publish on the host besides the spec's hostPorts, as `wasmpod run --publish` (docs/network.md). */
  publish?: PublishSpec[];
  // configMaps, secrets: the objects configMap/secret volumes, valueFrom and envFrom may name (a manifest's other documents).
  /**
   * The status the pod had when the process that ran it stopped (a restart of `wasmpod serve`): each
   * container that had run goes on from its restartCount + 1, with what it last did as its lastState.
   * A linux pod still running from then (its sandbox on disk, no runtime owning it) is re-adopted instead:
   * its running containers are followed again with their restart counts and start times.
   */
  resume?: PodStatus;
}

/** What a pod's worker is started with. */
interface StartWorker {
  pod: Pod;
  key: string;
  logDir: string;
  sandbox: PodSandbox;
  prepared: Map<string, SandboxContainer>;
  configs: Map<string, ContainerConfig>;
  network: PodNetwork;
  volumes?: PodVolumes;
  resume?: PodStatus | undefined;
  /** The sandbox was re-adopted: `prepared` are its containers found running, `resume` the status saved with it. */
  adopted?: boolean;
}

export class PodAlreadyExistsError extends WasmpodError {
  readonly code = 'ERR_POD_EXISTS';
}

export class Runtime {
  readonly stateDir: string;
  private readonly backend: WasmBackend;
  private readonly backoff: BackoffOptions;
  private readonly logs: LogStore;
  private readonly pods = new Map<string, PodHandle>();
  private readonly secondMs: number;
  private readonly node: NodeResources;
  /** The node's name in events, as the kubelet's is fixed when it starts. */
  private readonly nodeName = os.hostname();
  /** Made on first use: a host without root or runc can still run wasm pods. */
  private linux?: LinuxBackend;
  private readonly linuxOptions?: LinuxBackendOptions;
  private readonly defaultRuntimeClass: 'wasm' | 'linux';
  /** The virtual network every pod of this runtime is attached to: pod IPs, names, routing. */
  readonly network: ClusterNetwork;
  /** The image store and puller (STATE_DIR/images), shared by every pod of this runtime. */
  readonly images: ImageService;

  constructor(opts: RuntimeOptions = {}) {
    this.stateDir = opts.stateDir ? path.resolve(opts.stateDir) : defaultStateDir();
    this.backend = new WasmBackend(opts.workerPool, opts.sharedWorkers);
    this.backend.modules.componentCacheDir = path.join(this.stateDir, 'components');
    this.backoff = { ...KUBERNETES_BACKOFF, ...opts.backoff };
    this.logs = new LogStore(this.stateDir);
    this.secondMs = opts.secondMs ?? 1000;
    this.defaultRuntimeClass = opts.defaultRuntimeClass ?? 'wasm';
    if (opts.linux) this.linuxOptions = opts.linux;
    this.node = new NodeResources({ ...machineCapacity(), ...opts.capacity });
    this.network = new ClusterNetwork(opts.podCIDR);
    this.images = new ImageService({ ...opts.images, stateDir: this.stateDir });
  }

  /**
   * Admits and starts a pod. The spec is validated (a ManifestError names every bad field), hostPath
   * volumes are checked, and every local module is compiled and its imports checked before
   * anything runs: a pod that cannot run is rejected whole, and nothing of it starts. Remote images
   * (URLs, registry references) are pulled by each container as the kubelet pulls them, failures
   * showing as ErrImagePull / ImagePullBackOff (docs/images.md).
   */
  async runPod(spec: Pod | Record<string, unknown>, opts: RunPodOptions = {}): Promise<PodHandle> {
    const pod = normalizePod(this.withRuntimeClass(spec), { baseDir: opts.baseDir ?? process.cwd() });
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (this.pods.has(key)) throw new PodAlreadyExistsError(`pod "${key}" already exists`);
    // Chosen first: a backend that cannot run here (no root, no runc) fails before anything is set up.
    const backend = this.backendFor(pod);
    const logDir = this.logs.podDir(pod.metadata.namespace!, pod.metadata.name!, pod.metadata.uid!);
    if (opts.resume && backend.adoptPodSandbox) {
      const network = this.network.attach(pod.metadata.name!, pod.metadata.namespace!, pod.spec.hostname ?? pod.metadata.name!);
      const volumes = adoptedVolumes(path.join(logDir, 'volumes'), pod.metadata.uid!);
      const adopted = await backend.adoptPodSandbox(pod.metadata.uid!, { pod, network, volumes }).catch(async (err: unknown) => {
        await network.close();
        throw err;
      });
      if (adopted) return this.adoptPod(pod, logDir, network, adopted, opts);
      await network.close();
    }
    // Volumes exist before any container starts and belong to the sandbox, which deletes them with the pod.
    const volumes = setUpVolumes(pod, path.join(logDir, 'volumes'), opts);
    // The pod's network belongs to the sandbox (as the pause container's netns): containers restart into it.
    // A hostNetwork pod uses the node's network: the node's IP and hostname, host sockets (docs/network.md).
    const network = pod.spec.hostNetwork && backend === this.backend
      ? attachHostNetwork(this.network, pod.metadata.name!, pod.metadata.namespace!)
      : this.network.attach(pod.metadata.name!, pod.metadata.namespace!, pod.spec.hostname ?? pod.metadata.name!);
    const sandbox = await backend.runPodSandbox(pod.metadata.uid!, { volumes, network, pod });
    const prepared = new Map<string, SandboxContainer>();
    const configs = new Map<string, ContainerConfig>();
    try {
      const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
      for (const c of all) configs.set(c.name, containerConfig(pod, c, volumes));
      sandbox.keepConfigs?.([...configs.values()]);
      // Local modules are checked now; remote images are pulled by their container loops, as the kubelet pulls.
      const local = all.filter((c) => !isRemoteImage(c.image));
      const created = await Promise.all(local.map(async (c) => sandbox.createContainer(configs.get(c.name)!)));
      created.forEach((c) => prepared.set(c.config.name, c));
      // With no init containers before them, the pod's containers start now: their runs are made ahead, so
      // their workers instantiate while the pod's worker is set up (a resumed pod's containers restart later).
      if (!pod.spec.initContainers?.length && !opts.resume) sandbox.createAhead?.(created);
      if (sandbox.publishPorts) await sandbox.publishPorts(opts.publish ?? []);
      else await publishPodPorts(network, pod, opts.publish);
    } catch (err) {
      await sandbox.remove();
      throw err;
    }
    return this.startWorker({ pod, key, logDir, sandbox, prepared, configs, network, volumes, resume: opts.resume });
  }

  /** Runs an admitted pod's worker on its sandbox (new, or re-adopted with the containers found running) and keeps its handle. */
  private startWorker(p: StartWorker): PodHandle {
    const { pod, key, logDir, sandbox, prepared, configs, network, volumes } = p;
    const handle = new PodHandle(pod, logDir);
    handle.recorder = new EventRecorder(pod, (e) => handle.emit('event', e));
    const worker = new PodWorker(pod, sandbox, prepared, {
      backoff: this.backoff,
      secondMs: this.secondMs,
      events: handle.recorder,
      logFile: (c, restart) => this.logs.containerFile(logDir, c, restart),
      changed: (s: PodStatus) => {
        sandbox.saveStatus?.(s);
        // A copy for each change only when someone listens (a pod runs through several before it is Running).
        if (handle.listenerCount('status') > 0) handle.emit('status', plainCopy(s));
      },
      output: (container, stream, chunk) => handle.emit('output', { container, stream, chunk }),
      images: this.images, configs,
      // A linux pod's network namespace has only its loopback: it has no address on the pods' network to report.
      ...(network.host ? { nodeIP: network.ip } : sandbox.dial ? {} : { podIP: network.ip }),
      // The kubelet's probes and hooks dial the pod IP, so they reach what listens on it or on 0.0.0.0.
      net: sandbox.dial
        ? { host: '127.0.0.1', dial: (port) => sandbox.dial!(port) }
        : { host: network.ip, dial: async (port) => openPodStream(network, port, 'podIP') },
    });
    if (p.adopted) worker.adopt(p.resume);
    else if (p.resume) worker.resume(p.resume);
    // Admitted as one unit against what the node has left, or rejected whole (Failed, OutOfmemory/OutOfcpu).
    const req = podRequests(pod);
    const rejected = this.node.admit(req);
    if (rejected) {
      worker.reject(rejected.reason, rejected.message);
      // One node: the scheduler's verdict and the kubelet's rejection are both reported, as each would be.
      handle.recorder.record('Warning', 'FailedScheduling', rejected.scheduler);
      handle.recorder.record('Warning', rejected.reason, rejected.message);
    } else {
      handle.recorder.record('Normal', 'Scheduled', `Successfully assigned ${key} to ${this.nodeName}`);
      for (const w of sandbox.warnings ?? []) handle.recorder.record('Warning', w.reason, w.message);
    }
    this.pods.set(key, handle);
    const sizeLimits = volumes ? watchSizeLimits(volumes, (m) => handle.recorder.record('Warning', VOLUME_FULL, m), this.secondMs) : undefined;
    // The containers start on the next turn of the event loop, so a caller that attaches its listeners
    // right after `await runPod()` hears all the output: a pooled worker can run a guest in a millisecond.
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => worker.run()).finally(() => {
      sizeLimits?.check();
      sizeLimits?.stop();
      this.pods.delete(key);
      if (!rejected) this.node.release(req);
    });
    handle.attach(worker, done);
    return handle;
  }

  /**
   * A re-adopted linux pod: its containers' saved configs (a container never created gets one from the spec;
   * its volumes were not made again), its ports published again, its worker going on from the saved status.
   */
  private async adoptPod(pod: Pod, logDir: string, network: PodNetwork, adopted: AdoptedSandbox, opts: RunPodOptions): Promise<PodHandle> {
    const { sandbox, containers } = adopted;
    const configs = new Map<string, ContainerConfig>();
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      configs.set(c.name, adopted.configs.get(c.name) ?? containerConfig(pod, c));
    }
    let publishFailed: string | undefined;
    if (sandbox.publishPorts) await sandbox.publishPorts(opts.publish ?? []).catch((err: Error) => { publishFailed = err.message; });
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    // The sandbox's own saved status is the newest: a server's stored copy may lag the last change it heard of.
    const resume = adopted.status ?? opts.resume;
    const handle = this.startWorker({ pod, key, logDir, sandbox, prepared: new Map(containers), configs, network, resume, adopted: true });
    if (publishFailed) handle.recorder.record('Warning', 'FailedPublishPorts', publishFailed);
    return handle;
  }

  /**
   * Re-adopts the linux pods that an earlier runtime on this state directory left running (it crashed, or
   * closed with `keepLinuxPods`): each goes on Running with its containers found running, their start times,
   * restart counts and logs; resolves with their handles. Nothing when no linux pod can run here.
   */
  async adopt(): Promise<PodHandle[]> {
    if (!this.linux && linuxBackendUnavailable(this.linuxOptions)) return [];
    this.linux ??= new LinuxBackend(this.stateDir, this.linuxOptions);
    const handles: PodHandle[] = [];
    for (const a of this.linux.adoptable()) {
      if (this.get(a.pod.metadata.namespace!, a.pod.metadata.name!)) continue;
      handles.push(await this.runPod(a.pod, { resume: a.status ?? {}, ...(a.publish ? { publish: a.publish } : {}) }));
    }
    return handles;
  }

  /**
   * Ends the pool's idle wasm workers above its minimum now, as its idle timeout would, and lets go of the
   * stdio buffers kept for the next runs (docs/library.md).
   */
  trimIdleWorkers(): void {
    this.backend.workers.trim();
    dropSpareRings();
  }

  /** Counters of the pool of pre-warmed wasm workers (docs/library.md). */
  get workerPool(): WorkerPoolStats {
    return this.backend.workers.stats;
  }

  /** The pods that have not ended yet. */
  list(): PodHandle[] {
    return [...this.pods.values()];
  }

  get(namespace: string, name: string): PodHandle | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  /** A spec without a runtimeClassName gets the runtime's default one, before it is validated against it. */
  private withRuntimeClass(spec: Pod | Record<string, unknown>): Pod | Record<string, unknown> {
    const s = spec as { spec?: { runtimeClassName?: unknown } };
    if (this.defaultRuntimeClass === 'wasm' || !s.spec || typeof s.spec !== 'object' || s.spec.runtimeClassName !== undefined) return spec;
    return { ...spec, spec: { ...s.spec, runtimeClassName: this.defaultRuntimeClass } };
  }

  /** The backend a pod's runtimeClassName selects. */
  private backendFor(pod: Pod): Backend {
    if (pod.spec.runtimeClassName !== 'linux') return this.backend;
    this.linux ??= new LinuxBackend(this.stateDir, this.linuxOptions);
    return this.linux;
  }

  /**
   * Deletes every pod and releases the backend. With `keepLinuxPods`, linux pods are left running instead,
   * for a later runtime on the same state directory to re-adopt (`adopt()`, or `runPod` with `resume`).
   */
  async close(opts: { keepLinuxPods?: boolean } = {}): Promise<void> {
    await Promise.all(this.list().map(async (p) => {
      if (!(opts.keepLinuxPods && await p.detach())) await p.delete();
    }));
    await this.backend.close();
    await this.linux?.close();
    await this.images.close();
  }
}
