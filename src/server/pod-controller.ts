// Runs the Pods of the store on a Runtime, as a kubelet does for its node: starts them, reports status and events, deletes gracefully.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { LogStore } from '../logs/log-store.js';
import type { Runtime } from '../runtime.js';
import type { PodHandle } from '../pod/pod-handle.js';
import type { PodEvent } from '../pod/events.js';
import type { ConfigMap, Pod, PodStatus, Secret } from '../spec/types.js';
import { rfc3339 } from '../spec/index.js';
import type { ApiObject, ObjectStore } from './store.js';
import { apiErrors } from './api-error.js';
import { IdleMemory } from './idle-memory.js';

export interface PodControllerOptions {
  /** Events are removed this long after they last happened (the API server's --event-ttl: one hour). */
  eventTtlMs: number;
  /** Where pods' logs are: a pod's folder goes when the pod leaves the store. */
  logs: LogStore;
  /**
   * Once no pod has started or ended for this long (ms), V8 is asked to give back the memory a burst of
   * pods made it grow (idle-memory.ts); 0: never. Default 3 000.
   */
  idleGcMs?: number;
}

const terminal = (s: PodStatus | undefined): boolean => s?.phase === 'Succeeded' || s?.phase === 'Failed';

/** The Pods' QoS class from their requests and limits, as the API server sets it. */
function qosClass(pod: Pod): PodStatus['qosClass'] {
  const cs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined
    && (c.resources?.requests?.[r] === undefined || c.resources.requests[r] === c.resources.limits[r])));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

let lastClock = 0n;
/** Nanoseconds since the epoch, strictly increasing (two events of one millisecond still get distinct names). */
function eventClock(): bigint {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastClock = now > lastClock ? now : lastClock + 1n;
  return lastClock;
}

export class PodController {
  private readonly handles = new Map<string, PodHandle>();
  /** Pods whose start is under way, and whether they were deleted meanwhile (with which grace period). */
  private readonly starting = new Map<string, { deleteGrace?: number }>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly starts = new Set<Promise<void>>();
  /** Per pod uid, the Event name of each distinct event (part, reason, message), so a repeat updates its Event. */
  private readonly eventNames = new Map<string, Map<string, string>>();
  /** The counts Events had when the server last stopped, by name: the new recorder counts from zero. */
  private readonly earlierCounts = new Map<string, number>();
  /** Set when the server stops: pods are stopped then, but their stored state is kept as it was, to resume from. */
  private closing = false;
  /** Gives memory back after a burst of pods has ended. */
  readonly idleMemory: IdleMemory;

  constructor(private readonly store: ObjectStore, private readonly runtime: Runtime, private readonly opts: PodControllerOptions) {
    // Expired events are looked for every TTL, at most once a second and at least once a minute.
    this.sweeper = setInterval(() => this.expireEvents(), Math.max(1_000, Math.min(opts.eventTtlMs, 60_000)));
    this.sweeper.unref();
    // Quiet: the pool's extra idle workers (about 11 MiB each) go first, then the heap is collected.
    this.idleMemory = new IdleMemory({ quietMs: opts.idleGcMs ?? 3_000, onQuiet: () => runtime.trimIdleWorkers() });
  }

  /** The running pod behind a stored Pod, if it runs. */
  handle(pod: ApiObject): PodHandle | undefined {
    return this.handles.get(pod.metadata.uid!);
  }

  /** Stores a new, valid Pod as Pending and starts it. */
  create(pod: Pod): ApiObject {
    // One node: the pod is bound to it at once, as the scheduler would.
    pod.spec.nodeName ??= os.hostname();
    pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
    const stored = this.store.create('pods', pod as unknown as ApiObject);
    this.start(pod);
    return stored;
  }

  /** Starts the stored pods that had not ended when the server last stopped, keeping restart counts (`resume`). */
  resumeAll(): void {
    // Events of the pods' earlier lives go on: a repeat adds to their count instead of making a second Event.
    for (const e of this.store.list('events')) {
      const io = e['involvedObject'] as PodEvent['involvedObject'] | undefined;
      if (!io?.uid) continue;
      let names = this.eventNames.get(io.uid);
      if (!names) this.eventNames.set(io.uid, (names = new Map()));
      names.set(`${io.fieldPath ?? ''}\0${String(e['reason'])}\0${String(e['message'])}`, e.metadata.name!);
      this.earlierCounts.set(e.metadata.name!, Number(e['count']) || 1);
    }
    for (const o of this.store.list('pods')) {
      const pod = o as unknown as Pod;
      if (o.metadata.deletionTimestamp) this.forget(this.store.delete('pods', o.metadata.namespace, o.metadata.name!));
      else if (!terminal(pod.status)) this.start(structuredClone(pod), pod.status);
    }
  }

  private start(pod: Pod, resume?: PodStatus): void {
    const uid = pod.metadata.uid!;
    this.starting.set(uid, {});
    this.idleMemory.activity();
    const p = this.run(pod, resume).finally(() => {
      this.starts.delete(p);
      this.idleMemory.activity();
    });
    this.starts.add(p);
  }

  private async run(pod: Pod, resume?: PodStatus): Promise<void> {
    const uid = pod.metadata.uid!;
    const ns = pod.metadata.namespace!;
    let handle: PodHandle;
    try {
      handle = await this.runtime.runPod(pod, {
        configMaps: this.store.list('configmaps', ns) as unknown as ConfigMap[],
        secrets: this.store.list('secrets', ns) as unknown as Secret[],
        ...(resume ? { resume } : {}),
      });
    } catch (err) {
      const pending = this.starting.get(uid);
      this.starting.delete(uid);
      this.failedToStart(pod, err as Error & { code?: string });
      if (pending?.deleteGrace !== undefined) this.remove(pod);
      return;
    }
    const pending = this.starting.get(uid);
    this.starting.delete(uid);
    this.handles.set(uid, handle);
    handle.on('status', (s) => this.setStatus(pod, s));
    handle.on('event', (e) => this.recordEvent(e));
    for (const e of handle.events) this.recordEvent(e);
    this.setStatus(pod, handle.status);
    if (pending?.deleteGrace !== undefined) void handle.delete({ gracePeriodSeconds: pending.deleteGrace });
    const final = await handle.wait();
    this.handles.delete(uid);
    if (this.closing) return;
    this.setStatus(pod, final);
    if (this.current(pod)?.metadata.deletionTimestamp) this.remove(pod);
  }

  /** The stored version of this very pod (same uid), if it is still stored. */
  private current(pod: Pod): ApiObject | undefined {
    const cur = this.store.get('pods', pod.metadata.namespace, pod.metadata.name!);
    return cur && cur.metadata.uid === pod.metadata.uid ? cur : undefined;
  }

  private remove(pod: Pod): void {
    if (this.current(pod)) this.forget(this.store.delete('pods', pod.metadata.namespace, pod.metadata.name!));
  }

  /** Drops what is kept for a pod that has left the store: its event names and its logs, as the kubelet's garbage collection does. */
  private forget(pod: ApiObject): ApiObject {
    const m = pod.metadata;
    for (const name of this.eventNames.get(m.uid!)?.values() ?? []) this.earlierCounts.delete(name);
    this.eventNames.delete(m.uid!);
    try {
      fs.rmSync(this.opts.logs.podDir(m.namespace!, m.name!, m.uid!), { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Logs that cannot be removed now stay on disk: the server goes on (it must not die for a directory).
    }
    return pod;
  }

  private setStatus(pod: Pod, status: PodStatus): void {
    const cur = this.current(pod);
    if (!cur || this.closing) return;
    const prev = cur['status'] as PodStatus | undefined;
    // A hostNetwork pod's status already has the node's address (its pod IP too); the others are on this node's loopback.
    const next: PodStatus = { ...status, hostIP: status.hostIP ?? '127.0.0.1', hostIPs: status.hostIPs ?? [{ ip: status.hostIP ?? '127.0.0.1' }], qosClass: prev?.qosClass ?? qosClass(pod) };
    if (JSON.stringify(prev) === JSON.stringify(next)) return;
    const { resourceVersion: _rv, ...metadata } = cur.metadata;
    this.store.update('pods', { ...cur, metadata, status: next });
  }

  /** A pod the runtime refused (missing image, invalid module): it stays Pending with the reason, as the kubelet shows it. */
  private failedToStart(pod: Pod, err: Error & { code?: string }): void {
    const reason = err.code === 'ERR_IMAGE_NOT_FOUND' ? 'ErrImagePull' : 'CreateContainerError';
    const waiting = (c: Pod['spec']['containers'][number]) => ({
      name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason, message: err.message } },
    });
    this.setStatus(pod, {
      phase: 'Pending', startTime: rfc3339(new Date()),
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(new Date()) }],
      ...(pod.spec.initContainers?.length ? { initContainerStatuses: pod.spec.initContainers.map(waiting) } : {}),
      containerStatuses: pod.spec.containers.map(waiting),
    });
    const m = pod.metadata;
    this.recordEvent({
      type: 'Warning', reason: 'Failed', message: `Error: ${err.message}`,
      involvedObject: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! }, source: { component: 'wasmpod' },
      firstTimestamp: rfc3339(new Date()), lastTimestamp: rfc3339(new Date()), count: 1,
    });
  }

  /** Stores a pod event as a v1 Event; a repeat (same reason, message and part) updates the same Event's count. */
  private recordEvent(e: PodEvent): void {
    if (this.closing) return;
    const io = e.involvedObject;
    const id = `${io.fieldPath ?? ''}\0${e.reason}\0${e.message}`;
    let names = this.eventNames.get(io.uid);
    if (!names) this.eventNames.set(io.uid, (names = new Map()));
    // Named as the event recorder names them, `<object>.<creation time in hex ns>`: listed by name, they come in order.
    let name = names.get(id);
    if (!name) names.set(id, (name = `${io.name}.${eventClock().toString(16)}`));
    const cur = this.store.get('events', io.namespace, name);
    const obj: ApiObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: cur ? { ...cur.metadata, resourceVersion: undefined } : { name, namespace: io.namespace, uid: crypto.randomUUID(), creationTimestamp: e.firstTimestamp },
      involvedObject: { apiVersion: 'v1', ...io }, reason: e.reason, message: e.message, type: e.type,
      source: { component: e.source.component, host: os.hostname() },
      firstTimestamp: (cur?.['firstTimestamp'] as string | undefined) ?? e.firstTimestamp, lastTimestamp: e.lastTimestamp,
      count: (this.earlierCounts.get(name) ?? 0) + e.count, reportingComponent: e.source.component, reportingInstance: os.hostname(),
    };
    delete obj.metadata.resourceVersion;
    if (cur) this.store.update('events', obj);
    else this.store.create('events', obj);
  }

  private expireEvents(): void {
    const before = Date.now() - this.opts.eventTtlMs;
    for (const e of this.store.list('events')) {
      const last = Date.parse(String(e['lastTimestamp'] ?? e.metadata.creationTimestamp));
      if (last < before) this.store.delete('events', e.metadata.namespace, e.metadata.name!);
    }
  }

  /**
   * Deletes a stored pod: a running one is marked (deletionTimestamp) and stopped gracefully, and leaves
   * the store when it has ended; one that is not running leaves at once. Returns the pod as it is now.
   */
  delete(cur: ApiObject, gracePeriodSeconds?: number): ApiObject {
    const pod = cur as unknown as Pod;
    const uid = cur.metadata.uid!;
    const handle = this.handles.get(uid);
    const pending = this.starting.get(uid);
    if (!handle && !pending) return this.forget(this.store.delete('pods', cur.metadata.namespace, cur.metadata.name!));
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (cur.metadata.deletionTimestamp) {
      // Deleting again may only shorten the grace period, as for the API server.
      if (grace < (cur.metadata.deletionGracePeriodSeconds ?? Infinity)) void handle?.delete({ gracePeriodSeconds: grace });
      return cur;
    }
    const { resourceVersion: _rv, ...metadata } = cur.metadata;
    const marked = this.store.update('pods', {
      ...cur, metadata: { ...metadata, deletionTimestamp: rfc3339(new Date(Date.now() + grace * 1000)), deletionGracePeriodSeconds: grace },
    });
    if (handle) void handle.delete({ gracePeriodSeconds: grace });
    else pending!.deleteGrace = grace;
    return marked;
  }

  /**
   * Stops every pod without recording it: the store keeps them as they were, and the next server starts
   * them again with their restart counts (resumeAll).
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    this.idleMemory.close();
    await this.runtime.close();
    await Promise.all([...this.starts]);
  }

  /** The running pod; a 400 naming the pod when it does not run (ended, or not started). */
  running(cur: ApiObject): PodHandle {
    const h = this.handles.get(cur.metadata.uid!);
    if (!h) throw apiErrors.badRequest(`pod ${cur.metadata.name} is not running`);
    return h;
  }
}
