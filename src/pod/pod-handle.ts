// The handle an embedder holds for a running pod: status and its changes, output, logs, stdin, wait and delete.
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { Pod, PodStatus } from '../spec/types.js';
import type { ExecResult, OutputStream } from '../runtime/sandbox.js';
import { parseLog, runLogText, runStarted, type LogLine } from '../logs/log-store.js';
import { NotFoundError } from '../errors.js';
import type { PodWorker } from './pod-worker.js';
import { PodIpc } from '../ipc/pod-ipc.js';
import type { PodNetwork } from '../net/pod-network.js';
import type { EventRecorder, PodEvent } from './events.js';
import { plainCopy } from '../spec/plain-copy.js';

export interface OutputEvent {
  container: string;
  stream: OutputStream;
  chunk: Buffer;
}

export interface LogOptions {
  /** The previous run of the container, as `kubectl logs --previous`. */
  previous?: boolean;
}

export interface PodHandleEvents {
  status: [PodStatus];
  output: [OutputEvent];
  event: [PodEvent];
}

export class PodHandle extends EventEmitter<PodHandleEvents> {
  private worker!: PodWorker;
  /** @internal */
  recorder!: EventRecorder;
  private done!: Promise<PodStatus>;

  constructor(readonly pod: Pod, readonly logDir: string) {
    super();
  }

  /** @internal Called once by the Runtime when the pod has been admitted. */
  attach(worker: PodWorker, done: Promise<PodStatus>): void {
    this.worker = worker;
    this.done = done;
  }

  get name(): string {
    return this.pod.metadata.name!;
  }

  get namespace(): string {
    return this.pod.metadata.namespace!;
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  /** The pod's IPC namespace: open the queues, segments and semaphores its containers use (docs/ipc.md). */
  get ipc(): PodIpc {
    const ns = this.worker.sandbox.ipc;
    if (!ns) throw new NotFoundError(`pod "${this.name}" has no IPC namespace on this backend`);
    return new PodIpc(ns, this.name);
  }

  /** The pod's network: its IP, port space and listeners (open streams with `openPodStream`, docs/network.md). */
  get network(): PodNetwork {
    const net = this.worker.sandbox.network;
    if (!net) throw new NotFoundError(`pod "${this.name}" has no virtual network on this backend`);
    return net;
  }

  /** A snapshot of the pod's status (Kubernetes v1 PodStatus). */
  get status(): PodStatus {
    return plainCopy(this.worker.status);
  }

  /** Resolves with the final status once the pod has Succeeded, Failed or been deleted. */
  wait(): Promise<PodStatus> {
    return this.done;
  }

  /**
   * Deletes the pod gracefully: no container restarts; preStop hooks run; each container is asked to
   * stop (see docs/lifecycle.md: the termination notice) and killed when `gracePeriodSeconds` (default:
   * the pod's terminationGracePeriodSeconds) is over. Resolves with the final status.
   */
  async delete(opts: { gracePeriodSeconds?: number } = {}): Promise<PodStatus> {
    await this.worker.terminate(opts.gracePeriodSeconds);
    return this.done;
  }

  /**
   * @internal Leaves the pod running without this process (`Runtime.close({ keepLinuxPods: true })`) for a
   * later runtime to re-adopt; resolves false, doing nothing, when its backend cannot.
   */
  async detach(): Promise<boolean> {
    const sandbox = this.worker.sandbox;
    if (!sandbox.detach) return false;
    // The sandbox marks itself detached before its first await, and the worker stops before any container's run
    // ends: nothing is restarted, stopped or removed on the way out.
    const detached = sandbox.detach();
    this.worker.detach();
    await detached;
    await this.done;
    return true;
  }

  /** The pod's events so far, oldest first. */
  get events(): PodEvent[] {
    return this.recorder.events.map((e) => ({ ...e }));
  }

  private loop(container: string) {
    const l = this.worker.loop(container);
    if (!l) throw new NotFoundError(`pod "${this.name}" has no container "${container}"`);
    return l;
  }

  /** The container's log lines from disk (current run, or the previous one). */
  logLines(container: string, opts: LogOptions = {}): LogLine[] {
    const run = this.loop(container).status.restartCount - (opts.previous ? 1 : 0);
    const file = path.join(this.logDir, container, `${run}.log`);
    const text = run < 0 ? undefined : runLogText(file, !opts.previous && runStarted(this.loop(container).status.state));
    if (text === undefined) {
      const what = opts.previous ? 'previous terminated container' : 'container';
      throw new NotFoundError(`${what} "${container}" in pod "${this.name}" not found`);
    }
    return parseLog(text);
  }

  /** The container's log as text, lines joined with newlines. */
  logs(container: string, opts: LogOptions = {}): string {
    return this.logLines(container, opts).map((l) => `${l.text}\n`).join('');
  }

  /**
   * Runs `argv` with a running container's image, beside it and sharing its mounts and env, as `kubectl
   * exec` does; `onOutput` hears its output as it comes; `stdin` (chunks, then its end as EOF) is its
   * standard input, empty without it. Resolves with its exit code and output.
   */
  exec(container: string, argv: string[], opts: { timeoutMs?: number; onOutput?: (stream: OutputStream, chunk: Buffer) => void; stdin?: AsyncIterable<Buffer> } = {}): Promise<ExecResult> {
    const c = this.loop(container).active;
    if (!c) throw new NotFoundError(`container "${container}" of pod "${this.name}" is not running`);
    // setTimeout's largest delay (about 24 days) stands for "no timeout".
    return c.exec(argv, opts.timeoutMs ?? 0x7fffffff, opts.onOutput, opts.stdin);
  }

  /** Writes to a container's stdin (the container needs `stdin: true`); waits while its buffer is full. */
  async writeStdin(container: string, data: string | Buffer): Promise<void> {
    const c = this.loop(container).active;
    if (!c) throw new NotFoundError(`container "${container}" of pod "${this.name}" is not running`);
    await c.writeStdin(typeof data === 'string' ? Buffer.from(data) : data);
  }

  /** Closes a container's stdin: its reads return EOF once the buffered bytes are read. */
  closeStdin(container: string): void {
    this.loop(container).active?.closeStdin();
  }
}
