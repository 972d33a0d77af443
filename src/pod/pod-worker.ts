// Drives one pod as the kubelet's pod worker does: init containers in order, then sidecars and app containers, to the end.
import type { ContainerStatus, Pod, PodStatus } from '../spec/types.js';
import type { ContainerConfig, ExitInfo, OutputStream, PodSandbox, SandboxContainer } from '../runtime/sandbox.js';
import { ContainerLoop, POD_DELETED, type ContainerKind, type LoopContext } from './container-loop.js';
import { podPhase, setCondition, setPodConditions, type RestartPolicy } from './phase.js';
import type { BackoffOptions } from './backoff.js';
import { containerConfig } from './container-config.js';
import { PodStop } from './pod-stop.js';
import type { EventRecorder } from './events.js';
import type { ImageService } from '../image/image-service.js';
import type { NetTarget } from './net-handlers.js';
import { rfc3339 } from '../spec/defaults.js';

export interface PodWorkerOptions {
  backoff: BackoffOptions;
  secondMs: number;
  events: EventRecorder;
  logFile(container: string, restart: number): string;
  changed(status: PodStatus): void;
  output(container: string, stream: OutputStream, chunk: Buffer): void;
  /** Pulls remote images for containers that were not prepared up front. */
  images?: ImageService;
  /** The configs (with volumes) of containers that were not prepared up front, by name. */
  configs?: Map<string, ContainerConfig>;
  /** The pod's network as the kubelet reaches it (httpGet and tcpSocket probes, httpGet hooks). */
  net?: NetTarget;
  /** A hostNetwork pod's IP, which is the node's: reported as both status.podIP and status.hostIP. */
  nodeIP?: string;
  /** The pod's own IP on the pods' network (wasm pods): status.podIP and podIPs, as the kubelet reports the sandbox's. */
  podIP?: string;
}

/** The abort reason of a stopped pod: a plain value, so that aborting does not build a DOMException and its stack. */
const STOPPED = 'pod stopped';

export class PodWorker {
  readonly status: PodStatus;
  private readonly abort = new PodStop();
  private readonly loops = new Map<string, ContainerLoop>();
  private readonly init: ContainerLoop[] = [];
  private readonly app: ContainerLoop[] = [];
  private readonly restartPolicy: RestartPolicy;
  private deadline?: NodeJS.Timeout;
  private terminalReason?: { reason: string; message: string };

  constructor(
    readonly pod: Pod,
    readonly sandbox: PodSandbox,
    prepared: Map<string, SandboxContainer>,
    private readonly opts: PodWorkerOptions,
  ) {
    this.restartPolicy = (pod.spec.restartPolicy ?? 'Always') as RestartPolicy;
    const ctx: LoopContext = {
      sandbox, restartPolicy: this.restartPolicy, backoff: opts.backoff, logFile: opts.logFile,
      secondMs: opts.secondMs, graceSeconds: pod.spec.terminationGracePeriodSeconds ?? 30, events: opts.events,
      podLabel: `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      signal: this.abort, changed: () => this.publish(), output: opts.output, images: opts.images, net: opts.net,
    };
    const add = (c: Pod['spec']['containers'][number], kind: ContainerKind, list: ContainerLoop[]): void => {
      const config = prepared.get(c.name)?.config ?? opts.configs?.get(c.name) ?? containerConfig(pod, c);
      const loop = new ContainerLoop(c, kind, config, ctx, prepared.get(c.name));
      this.loops.set(c.name, loop);
      list.push(loop);
    };
    for (const c of pod.spec.initContainers ?? []) add(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', this.init);
    for (const c of pod.spec.containers) add(c, 'app', this.app);
    if (this.init.length > 0) for (const l of this.app) l.status.state = { waiting: { reason: 'PodInitializing' } };
    this.status = { phase: 'Pending', conditions: [], startTime: rfc3339() };
    if (opts.nodeIP) {
      const ips = [{ ip: opts.nodeIP }];
      Object.assign(this.status, { hostIP: opts.nodeIP, hostIPs: ips, podIP: opts.nodeIP, podIPs: structuredClone(ips) });
    } else if (opts.podIP) {
      Object.assign(this.status, { podIP: opts.podIP, podIPs: [{ ip: opts.podIP }] });
    }
    setCondition(this.status.conditions!, 'PodScheduled', true);
    setCondition(this.status.conditions!, 'Initialized', this.init.length === 0, 'ContainersNotInitialized');
    setCondition(this.status.conditions!, 'ContainersReady', false, 'ContainersNotReady');
    setCondition(this.status.conditions!, 'Ready', false, 'ContainersNotReady');
    this.publish();
  }

  loop(name: string): ContainerLoop | undefined {
    return this.loops.get(name);
  }

  get aborted(): boolean {
    return this.abort.aborted;
  }

  /** Carries restart counts and last states over from the status the pod had before its runtime restarted. */
  resume(prev: PodStatus): void {
    for (const s of [...(prev.initContainerStatuses ?? []), ...(prev.containerStatuses ?? [])]) {
      const l = this.loops.get(s.name);
      if (!l) continue;
      const running = s.state?.running;
      // A container that was running when its runtime went away ended then, as the kubelet reports it after a node restart.
      const last = s.state?.terminated ?? (running
        ? { exitCode: 255, reason: 'Unknown', message: 'the runtime restarted', startedAt: running.startedAt, finishedAt: rfc3339() }
        : s.lastState?.terminated);
      l.status.restartCount = s.restartCount + (running || s.state?.terminated ? 1 : 0);
      if (last) l.status.lastState = { terminated: last };
    }
    this.publish();
  }

  /**
   * Goes on with a pod whose sandbox was re-adopted from an earlier runtime (its containers found running are
   * the prepared ones): restart counts, start times and finished init containers carry over from `prev`.
   */
  adopt(prev: PodStatus | undefined): void {
    const saved = new Map([...(prev?.initContainerStatuses ?? []), ...(prev?.containerStatuses ?? [])].map((s) => [s.name, s]));
    for (const [name, l] of this.loops) {
      const s = saved.get(name);
      const found = l.active?.startedAt;
      if (s || found) l.adopt(s ?? { name, image: l.spec.image, imageID: '', ready: false, restartCount: 0 }, found);
    }
    if (prev?.startTime) this.status.startTime = prev.startTime;
    this.publish();
  }

  /** Stops restarting and following containers: the pod is being left running (its sandbox detached). */
  detach(): void {
    this.abort.abort(STOPPED);
  }

  /** Marks the pod Failed before anything runs (the kubelet's admission rejecting it). */
  reject(reason: string, message: string): void {
    // The kubelet's rejectPod: the event carries the message, the status prefixes it.
    this.terminalReason = { reason, message: `Pod was rejected: ${message}` };
    this.abort.abort(STOPPED);
  }

  /** Runs the pod to its end (Succeeded, Failed, or deleted); resolves with the final status. */
  async run(): Promise<PodStatus> {
    if (this.terminalReason) {
      this.publish(true);
      await this.sandbox.remove();
      return this.status;
    }
    const deadlineSeconds = this.pod.spec.activeDeadlineSeconds;
    if (deadlineSeconds) {
      this.deadline = setTimeout(() => {
        this.terminalReason = { reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline` };
        void this.stop({ exitCode: 137, reason: 'DeadlineExceeded', signal: 'SIGKILL', message: 'the pod exceeded activeDeadlineSeconds' });
      }, deadlineSeconds * 1000);
    }
    const sidecars: Promise<unknown>[] = [];
    for (const l of this.init) {
      if (this.aborted) break;
      if (l.kind === 'sidecar') {
        sidecars.push(l.run());
        await Promise.race([l.started, sidecars[sidecars.length - 1]]);
        continue;
      }
      const exit = await l.run();
      if (!exit || exit.exitCode !== 0) {
        // Only reached with restartPolicy Never (otherwise the loop retries): the pod has failed.
        await this.terminate();
        break;
      }
    }
    if (!this.aborted) {
      this.publish();
      await Promise.all(this.app.map((l) => l.run()));
      // The app containers are done: sidecars are stopped after them, as the kubelet does.
      await this.terminate();
    }
    await Promise.all(sidecars);
    if (this.deadline) clearTimeout(this.deadline);
    this.publish(true);
    await this.sandbox.remove();
    return this.status;
  }

  /** Ends every container at once: no more restarts, running ones end with `exit`. */
  async stop(exit: ExitInfo): Promise<void> {
    this.abort.abort(STOPPED);
    await Promise.all([...this.loops.values()].map((l) => l.kill(exit)));
  }

  /**
   * Graceful termination, as deleting a pod does: no more restarts; app containers get their preStop
   * hooks and the stop request, then sidecars in reverse order; whatever is left after the grace
   * period is killed.
   */
  async terminate(graceSeconds = this.pod.spec.terminationGracePeriodSeconds ?? 30): Promise<void> {
    this.abort.abort(POD_DELETED);
    const graceMs = graceSeconds * this.opts.secondMs;
    const t0 = Date.now();
    await Promise.all([...this.app, ...this.init.filter((l) => l.kind === 'init')].map((l) => l.stop(graceMs)));
    for (const l of this.init.filter((x) => x.kind === 'sidecar').reverse()) {
      await l.stop(Math.max(0, graceMs - (Date.now() - t0)));
    }
  }

  private statuses(list: ContainerLoop[]): ContainerStatus[] {
    return list.map((l) => l.status);
  }

  private publish(final = false): void {
    const s = this.status;
    s.initContainerStatuses = this.init.length ? this.statuses(this.init) : undefined;
    s.containerStatuses = this.statuses(this.app);
    if (!s.initContainerStatuses) delete s.initContainerStatuses;
    const input = {
      restartPolicy: this.restartPolicy, init: this.statuses(this.init),
      sidecar: (n: string) => this.loops.get(n)?.kind === 'sidecar', app: this.statuses(this.app),
      initialized: s.conditions!.some((c) => c.type === 'Initialized' && c.status === 'True'),
    };
    s.phase = podPhase(input);
    if (final && this.aborted && s.phase !== 'Succeeded' && s.phase !== 'Failed') {
      // A pod that was stopped is terminal all the same, whatever its restart policy (the kubelet does this too).
      const ok = this.app.every((l) => l.status.state?.terminated?.exitCode === 0);
      s.phase = ok ? 'Succeeded' : 'Failed';
    }
    if (this.terminalReason) {
      s.phase = 'Failed';
      s.reason = this.terminalReason.reason;
      s.message = this.terminalReason.message;
    }
    setPodConditions(s.conditions!, input, s.phase);
    this.opts.changed(s);
  }
}
