// One container of a pod through its runs: create, start, hooks and probes, exit, restart with back-off.
import type { Container, ContainerStatus, LifecycleHandler } from '../spec/types.js';
import type { ExitInfo, OutputStream, PodSandbox, SandboxContainer, ContainerConfig } from '../runtime/sandbox.js';
import { ContainerLog } from '../logs/log-store.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { RestartPolicy } from './phase.js';
import type { EventRecorder } from './events.js';
import { Prober } from './prober.js';
import { httpGet, type NetTarget } from './net-handlers.js';
import type { ImageService } from '../image/image-service.js';
import { isRemoteImage, prepareImage, type PreparedImage } from '../image/container-image.js';
import { rfc3339 } from '../spec/defaults.js';
import type { StopSignal } from './pod-stop.js';

export type ContainerKind = 'init' | 'sidecar' | 'app';

export interface LoopContext {
  sandbox: PodSandbox;
  restartPolicy: RestartPolicy;
  backoff: BackoffOptions;
  /** Milliseconds in a "second" of probe timings, hook timeouts and grace periods (1000; less in tests). */
  secondMs: number;
  /** The pod's terminationGracePeriodSeconds. */
  graceSeconds: number;
  /** The container's log file for a run. */
  logFile(container: string, restart: number): string;
  podLabel: string;
  signal: StopSignal;
  events: EventRecorder;
  changed(): void;
  output(container: string, stream: OutputStream, chunk: Buffer): void;
  /** Pulls remote images (URLs, registry references); without it every image is a local file. */
  images?: ImageService;
  /** The pod's network as the kubelet reaches it, for httpGet and tcpSocket probes and httpGet hooks. */
  net?: NetTarget;
}

/** The abort reason of a pod being deleted (PodWorker.terminate): its containers are not to be restarted. */
export const POD_DELETED = 'pod deleted';

function sleep(ms: number, signal: StopSignal): Promise<void> {
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
  private stopping?: Promise<void>;
  private readonly backoff: Backoff;
  /** The image pull back-off, kept apart from the restart back-off as the kubelet keeps it. */
  private readonly pullBackoff: Backoff;
  private startedResolve!: () => void;
  /** Resolves the first time the container has started (its startup probe passed): a sidecar lets the next init container go then. */
  readonly started = new Promise<void>((r) => { this.startedResolve = r; });
  /** Re-adoption: when the found container's run started (it is followed, not started); or its run was over before. */
  private adoptedStartedAt?: string;
  private finished?: ExitInfo;

  constructor(
    readonly spec: Container,
    readonly kind: ContainerKind,
    readonly config: ContainerConfig,
    private readonly ctx: LoopContext,
    private prepared?: SandboxContainer,
  ) {
    this.backoff = new Backoff(ctx.backoff, true);
    this.pullBackoff = new Backoff(ctx.backoff);
    this.status = {
      name: spec.name, image: spec.image, imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason: kind === 'app' ? 'ContainerCreating' : 'PodInitializing' } },
    };
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.events.record(type, reason, message, { name: this.spec.name, init: this.kind !== 'app' });
  }

  private restarts(exit: ExitInfo): boolean {
    if (this.ctx.signal.aborted) return false;
    if (this.kind === 'sidecar') return true;
    if (this.kind === 'init') return exit.exitCode !== 0 && this.ctx.restartPolicy !== 'Never';
    if (this.ctx.restartPolicy === 'Always') return true;
    return this.ctx.restartPolicy === 'OnFailure' && exit.exitCode !== 0;
  }

  /**
   * Re-adoption of the pod by a new runtime (docs/linux-backend.md): goes on from `prev`, the status the earlier
   * runtime saved. A container found running (`prepared` is it) keeps its start time and restart count; one
   * whose run was over stays over unless its restart policy restarts it; one that ran and is gone counts as
   * a run that ended Unknown.
   */
  adopt(prev: ContainerStatus, startedAt?: Date): void {
    this.status.restartCount = prev.restartCount;
    if (prev.lastState) this.status.lastState = prev.lastState;
    const running = prev.state?.running;
    const t = prev.state?.terminated;
    if (this.prepared) {
      // Running from this moment, as it was: run() follows it on without starting it.
      const c = this.prepared;
      this.adoptedStartedAt = running?.startedAt ?? rfc3339(startedAt);
      Object.assign(this.status, {
        state: { running: { startedAt: this.adoptedStartedAt } }, imageID: c.imageID, containerID: `${c.idScheme ?? 'wasm'}://${c.id}`,
        started: prev.started ?? false,
      });
    } else if (t) {
      const exit: ExitInfo = { exitCode: t.exitCode, reason: t.reason ?? 'Error', ...(t.message ? { message: t.message } : {}) };
      if (this.restarts(exit)) {
        this.status.lastState = { terminated: t };
        this.status.restartCount++;
      } else {
        Object.assign(this.status, { state: prev.state, imageID: prev.imageID, ...(prev.containerID ? { containerID: prev.containerID } : {}) });
        this.finished = exit;
      }
    } else if (prev.state?.waiting?.reason === 'CrashLoopBackOff') {
      // It was waiting out a back-off after a run: the next run is the next one.
      this.status.restartCount++;
    } else if (running) {
      this.status.lastState = { terminated: { exitCode: 255, reason: 'Unknown', message: 'the container was gone when the runtime re-adopted its pod', startedAt: running.startedAt, finishedAt: rfc3339() } };
      this.status.restartCount++;
    }
  }

  /** Runs until the container will not run again; resolves with its last exit. */
  async run(): Promise<ExitInfo | undefined> {
    if (this.finished) return this.finished;
    for (;;) {
      let container: SandboxContainer;
      const image = this.prepared ? undefined : await this.pullImage();
      if (image === null) return undefined;
      try {
        container = this.prepared ?? await this.ctx.sandbox.createContainer(image?.config ?? this.config);
      } catch (err) {
        // A failure that names its own reason (a subPath refused at start: CreateContainerConfigError) keeps it.
        const reason = (err as { reason?: unknown }).reason;
        this.status.state = { waiting: { reason: typeof reason === 'string' ? reason : 'CreateContainerError', message: (err as Error).message } };
        this.event('Warning', 'Failed', `Error: ${(err as Error).message}`);
        this.ctx.changed();
        if (this.ctx.signal.aborted) return undefined;
        await sleep(this.backoff.next(0), this.ctx.signal);
        if (this.ctx.signal.aborted) return undefined;
        continue;
      }
      this.prepared = undefined;
      if (this.ctx.signal.aborted) return undefined;
      if (this.adoptedStartedAt === undefined) this.event('Normal', 'Pulled', image?.pullMs !== undefined
        ? `Successfully pulled image "${this.spec.image}" in ${formatDelay(image.pullMs)}. Image size: ${image.image.record.size} bytes.`
        : `Container image "${this.spec.image}" already present on machine`);
      if (this.adoptedStartedAt === undefined) this.event('Normal', 'Created', `Created container ${this.spec.name}`);
      const exit = await this.runOnce(container);
      if (!this.restarts(exit)) return exit;
      const t = this.status.state!.terminated!;
      const delay = this.backoff.next(Date.parse(t.finishedAt!) - Date.parse(t.startedAt!));
      const before = this.status.lastState;
      this.status.lastState = { terminated: t };
      // The first crash restarts at once (delay 0): no back-off to wait out, so no CrashLoopBackOff.
      if (delay > 0) {
        this.status.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${formatDelay(delay)} restarting failed container=${this.spec.name} pod=${this.ctx.podLabel}`,
          },
        };
        this.event('Warning', 'BackOff', `Back-off restarting failed container ${this.spec.name} in pod ${this.ctx.podLabel}`);
        this.ctx.changed();
        await sleep(delay, this.ctx.signal);
      }
      if (this.ctx.signal.aborted && this.ctx.signal.reason === POD_DELETED) {
        // Deleted while waiting to restart: the run that ended is the container's final state, as the kubelet
        // reports it (a deleted pod's containers are not to be restarted, so they are not shown waiting to be).
        // A pod ended otherwise (activeDeadlineSeconds) goes on showing CrashLoopBackOff, as the kubelet does.
        this.status.state = { terminated: t };
        if (before) this.status.lastState = before;
        else delete this.status.lastState;
        return exit;
      }
      if (this.ctx.signal.aborted) return exit;
      this.status.restartCount++;
    }
  }

  /**
   * Makes a remote image present as the kubelet's image manager does (events Pulling, Pulled); a failed
   * pull shows ErrImagePull, then ImagePullBackOff while a back-off of its own runs, and is retried.
   * Resolves undefined for a local image, null when the pod was stopped meanwhile.
   */
  private async pullImage(): Promise<PreparedImage | undefined | null> {
    const images = this.ctx.images;
    const image = this.spec.image;
    if (!images || !isRemoteImage(image)) return undefined;
    for (;;) {
      // A pod deleted during a pull ends now; the pull finishes in the background and is kept in the store.
      const pull = prepareImage(images, this.spec, this.config, () => this.event('Normal', 'Pulling', `Pulling image "${image}"`),
        this.ctx.sandbox.imagePlatform);
      pull.catch(() => undefined);
      let onAbort!: () => void;
      const stopped = new Promise<null>((resolve) => { onAbort = () => resolve(null); });
      this.ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (this.ctx.signal.aborted) onAbort();
      try {
        return await Promise.race([pull, stopped]);
      } catch (err) {
        const e = err as Error & { code?: string; detail?: string };
        const reason = e.code === 'ERR_IMAGE_NEVER_PULL' ? 'ErrImageNeverPull' : e.code === 'ERR_IMAGE_REFERENCE' ? 'InvalidImageName' : 'ErrImagePull';
        const message = e.detail ?? e.message;
        this.status.state = { waiting: { reason, message } };
        if (reason === 'ErrImagePull') this.event('Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
        else this.event('Warning', reason, message);
        this.event('Warning', 'Failed', `Error: ${reason}`);
        this.ctx.changed();
        if (this.ctx.signal.aborted) return null;
        if (reason === 'ErrImagePull') {
          this.status.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
          this.event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
          this.event('Warning', 'Failed', 'Error: ImagePullBackOff');
          this.ctx.changed();
        }
        await sleep(this.pullBackoff.next(0), this.ctx.signal);
        if (this.ctx.signal.aborted) return null;
      } finally {
        this.ctx.signal.removeEventListener('abort', onAbort);
      }
    }
  }

  private async runOnce(container: SandboxContainer): Promise<ExitInfo> {
    this.current = container;
    this.stopping = undefined;
    this.status.imageID = container.imageID;
    this.status.containerID = `${container.idScheme ?? 'wasm'}://${container.id}`;
    const logFile = this.ctx.logFile(this.spec.name, this.status.restartCount);
    // Made by the first output or at the end of the run (below): not on the start's path.
    let log: ContainerLog | undefined;
    const openLog = (): ContainerLog => (log ??= new ContainerLog(logFile));
    const adopted = this.adoptedStartedAt !== undefined;
    const startedAt = this.adoptedStartedAt ?? rfc3339();
    this.adoptedStartedAt = undefined;
    // Set while the prober starts within the start's own status change (see onStarted).
    let quiet = false;
    const prober = new Prober(this.spec, {
      exec: (cmd, ms) => container.exec(cmd, ms),
      net: this.ctx.net,
      started: () => {
        this.status.started = true;
        this.startedResolve();
        if (!quiet) this.ctx.changed();
      },
      ready: (ready) => {
        const r = ready && this.kind !== 'init';
        if (this.status.ready !== r) { this.status.ready = r; if (!quiet) this.ctx.changed(); }
      },
      unhealthy: (_kind, message) => this.event('Warning', 'Unhealthy', message),
      kill: (kind) => {
        this.event('Normal', 'Killing', `Container ${this.spec.name} failed ${kind.toLowerCase()} probe, will be restarted`);
        void this.stop(this.graceMs());
      },
    }, this.ctx.secondMs);
    let postStart: Promise<unknown> = Promise.resolve();
    const running = container.start({
      onStarted: () => {
        this.status.state = { running: { startedAt } };
        if (!adopted) this.event('Normal', 'Started', `Started container ${this.spec.name}`);
        // An adopted container ran its postStart hook under the earlier runtime: only its probes resume.
        if (adopted || !this.spec.lifecycle?.postStart) {
          // Nothing comes between the start and the probes: with no startup probe the container is started, and
          // with no readiness probe ready, in the same status as Running (as the kubelet's next sync reports it).
          quiet = true;
          prober.start();
          quiet = false;
          this.ctx.changed();
          return;
        }
        this.ctx.changed();
        postStart = this.postStart(container).then((ok) => { if (ok && this.current === container) prober.start(); });
      },
      onOutput: (stream, chunk) => {
        openLog().write(stream, chunk);
        this.ctx.output(this.spec.name, stream, chunk);
      },
    });
    // The log file is made by the run's first output, or when the run ends: its directory and file cost a
    // few hundred microseconds (milliseconds when the disk is busy), which a start does not wait for. Until
    // then the log of a started run reads as empty (PodHandle.logLines, pods/log).
    const exit = await running;
    prober.stop();
    // A postStart hook still running belongs to this run: the run is over when it is.
    await postStart;
    openLog().close();
    this.current = undefined;
    this.status.state = {
      terminated: {
        exitCode: exit.exitCode, reason: exit.reason, ...(exit.message ? { message: exit.message } : {}),
        ...(exit.signal ? { signal: exit.signal === 'SIGKILL' ? 9 : 15 } : {}),
        startedAt, finishedAt: rfc3339(), containerID: this.status.containerID,
      },
    };
    this.status.ready = false;
    this.status.started = false;
    // `started` is not resolved by a run that ends unstarted: as the kubelet, the init containers after a sidecar wait until it has started.
    this.ctx.changed();
    return exit;
  }

  private graceMs(): number {
    return this.ctx.secondMs * this.ctx.graceSeconds;
  }

  /** Runs a lifecycle handler in the container; resolves with its failure message, or undefined when it succeeded. */
  private async hook(container: SandboxContainer, h: LifecycleHandler, timeoutMs: number): Promise<string | undefined> {
    if (h.sleep) {
      await new Promise((r) => setTimeout(r, h.sleep!.seconds * this.ctx.secondMs));
      return undefined;
    }
    if (h.httpGet) {
      if (!this.ctx.net) return 'the pod has no network';
      try {
        const failed = await httpGet(h.httpGet, this.spec, this.ctx.net, timeoutMs, 'lifecycle');
        return failed === undefined ? undefined : `HTTP lifecycle hook (${h.httpGet.path ?? ''}) failed - error: ${failed}`;
      } catch (err) {
        return (err as Error).message;
      }
    }
    if (!h.exec) return 'tcpSocket lifecycle handlers are not supported (Kubernetes deprecated them)';
    const r = await container.exec(h.exec.command ?? [], timeoutMs);
    if (r.exitCode === 0 && !r.timedOut) return undefined;
    const out = Buffer.concat([r.stdout, r.stderr]).toString('utf8').trim();
    return r.timedOut ? 'timed out' : `command exited with ${r.exitCode}${out ? `: ${out}` : ''}`;
  }

  /** postStart: the container counts as started only after it; a failure kills the container. */
  private async postStart(container: SandboxContainer): Promise<boolean> {
    const h = this.spec.lifecycle?.postStart;
    if (!h) return true;
    const failed = await this.hook(container, h, this.graceMs());
    if (failed === undefined) return true;
    this.event('Warning', 'FailedPostStartHook', `PostStartHook failed: ${failed}`);
    await this.stop(this.graceMs());
    return false;
  }

  /** Stops the running container: preStop hook, then the stop request, then a kill once the grace period is over. */
  stop(graceMs: number): Promise<void> {
    const c = this.current;
    if (!c) return Promise.resolve();
    this.stopping ??= (async () => {
      this.event('Normal', 'Killing', `Stopping container ${this.spec.name}`);
      const t0 = Date.now();
      const h = this.spec.lifecycle?.preStop;
      if (h) {
        const failed = await this.hook(c, h, graceMs);
        if (failed !== undefined) this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${failed}`);
      }
      await c.stop(Math.max(0, graceMs - (Date.now() - t0)));
    })();
    return this.stopping;
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
