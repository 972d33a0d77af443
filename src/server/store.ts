// The API objects in memory: one resourceVersion sequence for all of them, watch fan-out, a bounded history to resume watches from.
import { EventEmitter } from 'node:events';
import type { ObjectMeta } from '../spec/types.js';
import { apiErrors } from './api-error.js';
import type { ObjectFiles } from './persist.js';

/** Any stored Kubernetes object. */
export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchType;
  resource: string;
  object: ApiObject;
  /** The resourceVersion the change produced. */
  rv: number;
  /** When it was made (Date.now()): the history lets it go `historyMs` after. */
  at: number;
}

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/**
 * Every object by resource. Each change takes the next resourceVersion and is told to watchers in that
 * order; the last `historySize` changes of the last `historyMs` are kept so a watch can resume from a recent
 * version, as the API server's history reaches back to etcd's last compaction (every 5 minutes by default):
 * a watch from before gets 410 Expired and lists again. A quiet server so lets go of what a burst of changes
 * left in its history. Objects handed out are the stored ones: callers clone before changing them (`update`
 * takes a new object).
 */
export class ObjectStore extends EventEmitter<{ change: [StoreEvent] }> {
  private readonly maps = new Map<string, Map<string, ApiObject>>();
  private readonly history: StoreEvent[] = [];
  private rv = 0;
  /** Set while the history holds changes: lets the oldest go when it is `historyMs` old. */
  private expiry?: NodeJS.Timeout;
  /** Called when the last kept change has expired: nothing has changed for `historyMs`, and what the history held is garbage now. */
  onHistoryDrained?: () => void;

  constructor(private readonly files?: ObjectFiles, private readonly historySize = 10_000, private readonly historyMs = 5 * 60_000) {
    super();
    this.setMaxListeners(0);
    if (!files) return;
    const { objects, counter } = files.load();
    this.rv = counter;
    for (const [resource, list] of objects) {
      for (const obj of list) {
        this.map(resource).set(keyOf(obj.metadata.namespace, obj.metadata.name!), obj);
        this.rv = Math.max(this.rv, Number(obj.metadata.resourceVersion) || 0);
      }
    }
  }

  /** The newest resourceVersion. */
  get version(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can resume after. */
  get oldestResumable(): number {
    return this.history.length ? this.history[0]!.rv - 1 : this.rv;
  }

  private map(resource: string): Map<string, ApiObject> {
    let m = this.maps.get(resource);
    if (!m) this.maps.set(resource, (m = new Map()));
    return m;
  }

  get(resource: string, namespace: string | undefined, name: string): ApiObject | undefined {
    return this.maps.get(resource)?.get(keyOf(namespace, name));
  }

  /** The objects of a resource, in one namespace or all; sorted by namespace and name as the API server lists them. */
  list(resource: string, namespace?: string): ApiObject[] {
    const all = [...(this.maps.get(resource)?.values() ?? [])];
    const out = namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
    return out.sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name!).localeCompare(keyOf(b.metadata.namespace, b.metadata.name!)));
  }

  private commit(type: WatchType, resource: string, obj: ApiObject): ApiObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    const key = keyOf(obj.metadata.namespace, obj.metadata.name!);
    if (type === 'DELETED') {
      this.map(resource).delete(key);
      this.files?.remove(resource, obj);
    } else {
      this.map(resource).set(key, obj);
      this.files?.save(resource, obj);
    }
    this.files?.saveCounter(this.rv);
    const ev: StoreEvent = { type, resource, object: obj, rv: this.rv, at: Date.now() };
    this.history.push(ev);
    if (this.history.length > this.historySize) this.history.shift();
    this.expire(ev.at);
    this.emit('change', ev);
    return obj;
  }

  /** Adds a new object; 409 AlreadyExists when one of that name is there. */
  create(resource: string, obj: ApiObject): ApiObject {
    if (this.get(resource, obj.metadata.namespace, obj.metadata.name!)) throw apiErrors.alreadyExists(resource, obj.metadata.name!);
    return this.commit('ADDED', resource, obj);
  }

  /**
   * Replaces an object. When `obj` carries a resourceVersion it must be the stored one (optimistic
   * concurrency, 409 Conflict otherwise); 404 when there is no such object.
   */
  update(resource: string, obj: ApiObject): ApiObject {
    const cur = this.get(resource, obj.metadata.namespace, obj.metadata.name!);
    if (!cur) throw apiErrors.notFound(resource, obj.metadata.name!);
    const want = obj.metadata.resourceVersion;
    if (want && want !== cur.metadata.resourceVersion) {
      throw apiErrors.conflict(resource, obj.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.commit('MODIFIED', resource, obj);
  }

  /** Removes an object and returns its last version; 404 when there is none. */
  delete(resource: string, namespace: string | undefined, name: string): ApiObject {
    const cur = this.get(resource, namespace, name);
    if (!cur) throw apiErrors.notFound(resource, name);
    return this.commit('DELETED', resource, structuredClone(cur));
  }

  /** The changes after resourceVersion `after`, oldest first; 410 Expired when they are no longer all kept. */
  since(after: number): StoreEvent[] {
    if (after < this.oldestResumable) throw apiErrors.gone(`too old resource version: ${after} (${this.oldestResumable})`);
    return this.history.filter((e) => e.rv > after);
  }

  /** Lets go of the changes older than `historyMs` at `now`, and arms the timer for the next oldest. */
  private expire(now = Date.now()): void {
    let old = 0;
    while (old < this.history.length && now - this.history[old]!.at >= this.historyMs) old++;
    if (old > 0) {
      this.history.splice(0, old);
      if (this.history.length === 0) this.onHistoryDrained?.();
    }
    if (this.expiry || this.history.length === 0) return;
    this.expiry = setTimeout(() => {
      this.expiry = undefined;
      this.expire();
    }, this.history[0]!.at + this.historyMs - now);
    this.expiry.unref();
  }

  /** Writes pending changes to disk now (on shutdown). */
  flush(): void {
    clearTimeout(this.expiry);
    this.expiry = undefined;
    this.files?.flush();
  }
}
