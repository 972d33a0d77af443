// One container of a pod through its runs: create, start, exit, and restart with back-off as its restart rule says.
import type { Container, ContainerStatus } from '../spec/types.js';
import type { ExitInfo, OutputStream, PodSandbox, SandboxContainer, ContainerConfig } from '../runtime/sandbox.js';
import { ContainerLog } from '../logs/log-store.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { RestartPolicy } from './phase.js';

export type ContainerKind = 'init' | 'sidecar' | 'app';

export interface LoopContext {
  sandbox: PodSandbox;
  restartPolicy: RestartPolicy;
  backoff: BackoffOptions;
  /** The container's log file for a run. */
  logFile(container: string, restart: number): string;
  podLabel: string;
  signal: AbortSignal;
  changed(): void;
  output(container: string, stream: OutputStream, chunk: Buffer): void;
}

const rfc3339 = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class ContainerLoop {
  readonly status: ContainerStatus;
  private current?: SandboxContainer;
  private readonly backoff: Backoff;
  private startedResolve!: () => void;
  /** Resolves the first time the container is running (a sidecar lets the next init container go then). */
  readonly started = new Promise<void>((r) => { this.startedResolve = r; });

  constructor(
    readonly spec: Container,
    readonly kind: ContainerKind,
    readonly config: ContainerConfig,
    private readonly ctx: LoopContext,
    private prepared?: SandboxContainer,
  ) {
    this.backoff = new Backoff(ctx.backoff);
    this.status = {
      name: spec.name, image: spec.image, imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason: kind === 'app' ? 'ContainerCreating' : 'PodInitializing' } },
    };
  }

  private restarts(exit: ExitInfo): boolean {
    if (this.ctx.signal.aborted) return false;
    if (this.kind === 'sidecar') return true;
    if (this.kind === 'init') return exit.exitCode !== 0 && this.ctx.restartPolicy !== 'Never';
    if (this.ctx.restartPolicy === 'Always') return true;
    return this.ctx.restartPolicy === 'OnFailure' && exit.exitCode !== 0;
  }

  /** Runs until the container will not run again; resolves with its last exit. */
  async run(): Promise<ExitInfo | undefined> {
    for (;;) {
      let container: SandboxContainer;
      try {
        container = this.prepared ?? await this.ctx.sandbox.createContainer(this.config);
      } catch (err) {
        this.status.state = { waiting: { reason: 'CreateContainerError', message: (err as Error).message } };
        this.ctx.changed();
        if (this.ctx.signal.aborted) return undefined;
        await sleep(this.backoff.next(0), this.ctx.signal);
        if (this.ctx.signal.aborted) return undefined;
        continue;
      }
      this.prepared = undefined;
      if (this.ctx.signal.aborted) return undefined;
      const exit = await this.runOnce(container);
      if (!this.restarts(exit)) return exit;
      const ran = Date.parse(this.status.state!.terminated!.finishedAt!) - Date.parse(this.status.state!.terminated!.startedAt!);
      const delay = this.backoff.next(ran);
      this.status.lastState = { terminated: this.status.state!.terminated };
      this.status.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${formatDelay(delay)} restarting failed container=${this.spec.name} pod=${this.ctx.podLabel}`,
        },
      };
      this.status.ready = false;
      this.status.started = false;
      this.ctx.changed();
      await sleep(delay, this.ctx.signal);
      if (this.ctx.signal.aborted) return exit;
      this.status.restartCount++;
    }
  }

  private async runOnce(container: SandboxContainer): Promise<ExitInfo> {
    this.current = container;
    this.status.imageID = container.imageID;
    this.status.containerID = `wasm://${container.id}`;
    const log = new ContainerLog(this.ctx.logFile(this.spec.name, this.status.restartCount));
    const startedAt = rfc3339();
    const exit = await container.start({
      onStarted: () => {
        this.status.state = { running: { startedAt } };
        this.status.started = true;
        // Without a readiness probe a running container is ready (probes come with the lifecycle work).
        this.status.ready = this.kind !== 'init';
        this.startedResolve();
        this.ctx.changed();
      },
      onOutput: (stream, chunk) => {
        log.write(stream, chunk);
        this.ctx.output(this.spec.name, stream, chunk);
      },
    });
    log.close();
    this.current = undefined;
    this.status.state = {
      terminated: {
        exitCode: exit.exitCode, reason: exit.reason, ...(exit.message ? { message: exit.message } : {}),
        ...(exit.signal ? { signal: exitSignal(exit.signal) } : {}),
        startedAt, finishedAt: rfc3339(), containerID: `wasm://${container.id}`,
      },
    };
    this.status.ready = false;
    this.status.started = false;
    this.startedResolve();
    this.ctx.changed();
    return exit;
  }

  /** Ends the running container, if any, with the given exit. */
  async kill(exit: ExitInfo): Promise<void> {
    await this.current?.kill(exit);
  }

  /** The container that is running, or created and about to run (so stdin can be written before it starts). */
  get active(): SandboxContainer | undefined {
    return this.current ?? this.prepared;
  }
}

/** A duration as Go prints one (10s, 1m20s, 5m0s, 250ms), since the kubelet's messages are Go's. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGTERM: 15, SIGKILL: 9 };
function exitSignal(name: string): number {
  return SIGNAL_NUMBERS[name] ?? 0;
}
