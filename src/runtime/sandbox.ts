// The CRI-shaped boundary between the pod manager and a backend: pod sandboxes and the containers in them.
import type { MountSpec } from '../../shim/fs/vfs.js';
import type { IpcNamespace } from '../ipc/namespace.js';
import type { Pod, PodStatus } from '../spec/types.js';
import type { Duplex } from 'node:stream';
import type { PodNetwork } from '../net/pod-network.js';
import type { PortDecl } from '../../shim/net/protocol.js';
import type { LayerDescriptor } from '../image/store.js';
import type { Platform } from '../image/layout.js';

export type OutputStream = 'stdout' | 'stderr';

export interface ContainerConfig {
  /** The container's name in the pod spec. */
  name: string;
  /** The image as the container spec names it (a local path, a URL or a registry reference). */
  image: string;
  /** For a pulled image: the module's file in the image store and the digest its bytes must have. */
  module?: { path: string; digest: string };
  /** For a pulled image: what its container status reports as imageID (`host/repo@sha256:...`). */
  imageID?: string;
  /** For an image pulled for a backend that runs root filesystems (`imagePlatform`): its layers in the image store. */
  rootfsImage?: { name: string; digest: string; layers: LayerDescriptor[] };
  argv: string[];
  env: string[];
  mounts: MountSpec[];
  /**
   * Mounts whose host path lies below the root of a volume of the pod (a subPath, or a hostPath inside another
   * volume): a container holding that volume could swap the path for a symlink out of it (CVE-2017-1002101), so
   * a backend whose host follows host paths (Linux) resolves `rel` beneath `root` again, without following
   * symlinks, at every start of the container.
   */
  beneath?: BeneathMount[];
  /** Open a stdin stream the embedder can write to (spec `stdin: true`). */
  stdin: boolean;
  /** resources.limits.memory in bytes: the guest cannot grow past it; hitting it ends the container OOMKilled. */
  memoryLimit?: number;
  /** Declared containerPorts: pre-opened as listening sockets for the guest (docs/network.md). */
  ports?: PortDecl[];  /** spec workingDir: where the process starts (the Linux backend; a wasm guest always starts in /). */
  workingDir?: string;
  /** resources.limits.cpu in millicores: a CPU quota where the backend has cgroups (the Linux backend). */
  cpuLimitMillis?: number;
  /** resources.requests.cpu in millicores: a relative CPU weight where the backend has cgroups. */
  cpuRequestMillis?: number;
}

/** A mount of `ContainerConfig.mounts` (at index `mount`) whose host path is `rel` (no symlinks, no "..") below `root`. */
export interface BeneathMount {
  mount: number;
  /** The real path of the volume root (trusted: the pod's own directory, or the hostPath the pod names). */
  root: string;
  rel: string;
  /** The volumeMount's volume name and subPath, for messages. */
  volume: string;
  subPath?: string;
}

export interface ExitInfo {
  exitCode: number;
  reason: string;
  message?: string;
  signal?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** The command did not end within its timeout and was killed. */
  timedOut: boolean;
  message?: string;
}

export interface ContainerHooks {
  /** Bytes the container wrote, in the order it wrote them per stream. */
  onOutput(stream: OutputStream, chunk: Buffer): void;
  /** The guest reached its entry point. */
  onStarted(): void;
}

/** One created container of a sandbox; start it once. */
export interface SandboxContainer {
  readonly id: string;
  /** The scheme of the container's ID in its status, as CRI runtimes name theirs (`runc://ID`); default `wasm`. */
  readonly idScheme?: string;
  /** Digest of the image the container runs (`sha256:...`). */
  readonly imageID: string;
  /** Set on a container found running by a runtime re-adopting its pod: when its run began. */
  readonly startedAt?: Date;
  readonly config: ContainerConfig;
  /** Runs the container; resolves when it has exited and all its output has been delivered. */
  start(hooks: ContainerHooks): Promise<ExitInfo>;
  /** Ends the container now (as SIGKILL would); the promise from start() resolves with `exit`. */
  kill(exit: ExitInfo): Promise<void>;
  /**
   * Asks the container to stop, as SIGTERM does, and kills it (SIGKILL) if it has not ended after
   * `graceMs`. Resolves when it has ended.
   */
  stop(graceMs: number): Promise<void>;
  /**
   * Runs the container's image again with `argv`, beside it, sharing its mounts and env (hooks, probes, exec).
   * `onOutput`, when given, hears the output as it is written (it is in the result as well). `stdin`, when
   * given, is the command's standard input: its chunks in order, then EOF when it ends (without it, stdin is empty).
   */
  exec(argv: string[], timeoutMs: number, onOutput?: (stream: OutputStream, chunk: Buffer) => void, stdin?: AsyncIterable<Buffer>): Promise<ExecResult>;
  writeStdin(chunk: Buffer): Promise<void>;
  closeStdin(): void;
}

export interface PodSandbox {
  readonly id: string;
  /** The pod's IPC namespace (segments, queues, semaphores), when the backend has one. */
  readonly ipc?: IpcNamespace;
  /** The pod's network (port space, listeners), when the backend has one. */
  readonly network?: PodNetwork;
  /** Opens a TCP stream to a port of the pod's own network namespace (a backend with real ones): probes and hooks dial it. */
  dial?(port: number): Promise<Duplex>;
  /** Publishes the pod's hostPorts and `extra` (`--publish`) on the host, into the pod's own network namespace, until remove(). */
  publishPorts?(extra: { hostIP?: string; hostPort: number; containerPort: number }[]): Promise<void>;
  /**
   * The platform a registry image is pulled for when the sandbox runs root filesystems (the Linux backend:
   * `linux/amd64` on this machine); without it images are pulled as wasm modules.
   */
  readonly imagePlatform?: Platform;
  /** Conditions the pod's events warn of once it is admitted (limits the backend could not apply, as `CgroupLimitsNotApplied`). */
  readonly warnings?: readonly { reason: string; message: string }[];
  /** Checks and prepares a container (compile, validate imports); throws a WasmpodError when it cannot run. */
  createContainer(config: ContainerConfig): Promise<SandboxContainer>;
  /**
   * Makes the runs of containers about to start ahead of their start (OCI's create, then start), where the backend
   * can: their first start() then only lets them go. A container made ahead and never started is given back by
   * remove().
   */
  createAhead?(containers: SandboxContainer[]): void;
  /** Releases the sandbox's resources; every container must have ended. */
  remove(): Promise<void>;
  /** Keeps the pod's status where a runtime re-adopting the sandbox finds it (a backend whose pods outlive it). */
  saveStatus?(status: PodStatus): void;
  /**
   * Keeps every container's config, made when the pod starts, where a re-adopting runtime finds it: a container
   * not created yet (its image still pulling) is created from it later, with the volumes made for the pod.
   */
  keepConfigs?(configs: ContainerConfig[]): void;
  /** Leaves the pod running and stops following it (its containers' runs end `Detached`), for a later runtime to re-adopt. */
  detach?(): Promise<void>;
}

/** A sandbox an earlier runtime left running, re-adopted: the containers whose runs it found, by container name. */
export interface AdoptedSandbox {
  sandbox: PodSandbox;
  containers: Map<string, SandboxContainer>;
  /** The configs the pod's containers were created with, by name, to restart them from. */
  configs: Map<string, ContainerConfig>;
  /**
   * The pod's status as the sandbox last saved it (written on every change, before anyone else hears of it):
   * newer than any copy a caller kept, so re-adoption goes on from this one when there is one.
   */
  status?: PodStatus;
}

/** A pod an earlier runtime left running, as a backend that can re-adopt it finds it. */
export interface AdoptablePod {
  pod: Pod;
  /** Its status when its runtime last saw it. */
  status?: PodStatus;
  /** Ports it had published besides its hostPorts. */
  publish?: { hostIP?: string; hostPort: number; containerPort: number }[];
}

/** Pod-level resources the sandbox owns from its creation and releases in `remove()`. */
export interface SandboxOptions {
  volumes?: { remove(): Promise<void> };
  /** The pod, for a backend that builds its sandbox from the spec (hostname, shareProcessNamespace, limits). */
  pod?: Pod;
  /** The pod's network, made by the Runtime's cluster network; closed in `remove()`. */
  network?: PodNetwork;
}

export interface Backend {
  readonly name: string;
  runPodSandbox(podUid: string, opts?: SandboxOptions): Promise<PodSandbox>;
  /** The pods an earlier runtime on the same state left running (a backend whose pods outlive it). */
  adoptable?(): AdoptablePod[];
  /** Re-adopts the sandbox of pod `podUid` if it is one of adoptable()'s; undefined when there is none. */
  adoptPodSandbox?(podUid: string, opts: SandboxOptions): Promise<AdoptedSandbox | undefined>;
  close(): Promise<void>;
}
