// The CRI-shaped boundary between the pod manager and a backend: pod sandboxes and the containers in them.
import type { MountSpec } from '../../shim/fs/vfs.js';
import type { IpcNamespace } from '../ipc/namespace.js';

export type OutputStream = 'stdout' | 'stderr';

export interface ContainerConfig {
  /** The container's name in the pod spec. */
  name: string;
  /** Resolved image reference (a local path for now). */
  image: string;
  argv: string[];
  env: string[];
  mounts: MountSpec[];
  /** Open a stdin stream the embedder can write to (spec `stdin: true`). */
  stdin: boolean;
  /** resources.limits.memory in bytes: the guest cannot grow past it; hitting it ends the container OOMKilled. */
  memoryLimit?: number;
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
  /** Digest of the image the container runs (`sha256:...`). */
  readonly imageID: string;
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
  /** Runs the container's image again with `argv`, beside it, sharing its mounts and env (hooks, probes, exec). */
  exec(argv: string[], timeoutMs: number): Promise<ExecResult>;
  writeStdin(chunk: Buffer): Promise<void>;
  closeStdin(): void;
}

export interface PodSandbox {
  readonly id: string;
  /** The pod's IPC namespace (segments, queues, semaphores), when the backend has one. */
  readonly ipc?: IpcNamespace;
  /** Checks and prepares a container (compile, validate imports); throws a WasmpodError when it cannot run. */
  createContainer(config: ContainerConfig): Promise<SandboxContainer>;
  /** Releases the sandbox's resources; every container must have ended. */
  remove(): Promise<void>;
}

/** Pod-level resources the sandbox owns from its creation and releases in `remove()`. */
export interface SandboxOptions {
  volumes?: { remove(): Promise<void> };
}

export interface Backend {
  readonly name: string;
  runPodSandbox(podUid: string, opts?: SandboxOptions): Promise<PodSandbox>;
  close(): Promise<void>;
}
