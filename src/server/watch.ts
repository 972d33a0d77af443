// Watch: a chunked stream of JSON events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) from a resourceVersion on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import type { ApiObject, ObjectStore, StoreEvent } from './store.js';
import { toTable } from './table.js';
import { wantsTable } from './http.js';

export interface WatchRequest {
  resource: string;
  kind: string;
  namespace?: string;
  /** Whether an object is in the watched set (label and field selectors). */
  matches(obj: ApiObject): boolean;
  query: URLSearchParams;
}

export interface WatchOptions {
  /** How often a watch that allows bookmarks gets one (the API server: about a minute). */
  bookmarkMs: number;
}

/** A slow reader is cut off once this much is waiting for it, as the API server drops watchers that fall behind. */
const MAX_BUFFERED = 16 * 1024 * 1024;

/**
 * Streams changes to `res`. With no resourceVersion (or "0") the stream starts with an ADDED event for
 * every object in the set; with one, it replays the kept changes after it (or sends a 410 Expired ERROR
 * event when they are gone). An object that stops matching the selectors is sent as DELETED, one that
 * starts matching as ADDED, as the API server's watch cache does.
 */
export function serveWatch(req: IncomingMessage, res: ServerResponse, store: ObjectStore, w: WatchRequest, opts: WatchOptions): void {
  const table = wantsTable(req);
  const rvParam = w.query.get('resourceVersion') ?? '';
  const initial = w.query.get('sendInitialEvents') === 'true';
  const inSet = new Set<string>();
  const keyOf = (o: ApiObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const encode = (type: string, obj: unknown): string => `${JSON.stringify({ type, object: obj })}\n`;
  const objectOf = (o: ApiObject): unknown =>
    table ? toTable(w.resource, [o], { resourceVersion: o.metadata.resourceVersion }, w.query.get('includeObject') ?? 'Metadata') : o;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  // Node holds the headers back until the first body write; a watch with nothing to report yet must still
  // answer at once, or a client that cannot cancel a request in flight (kubectl's delete --wait) hangs.
  res.flushHeaders();
  let open = true;
  const send = (line: string): void => {
    if (!open) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED) finish();
  };
  const deliver = (ev: StoreEvent): void => {
    if (ev.resource !== w.resource) return;
    const o = ev.object;
    if (w.namespace !== undefined && o.metadata.namespace !== w.namespace) return;
    const key = keyOf(o);
    const was = inSet.has(key);
    const now = ev.type !== 'DELETED' && w.matches(o);
    if (now) inSet.add(key);
    else inSet.delete(key);
    if (ev.type === 'DELETED') {
      if (was || w.matches(o)) send(encode('DELETED', objectOf(o)));
    } else if (now) send(encode(was ? ev.type : 'ADDED', objectOf(o)));
    else if (was) send(encode('DELETED', objectOf(o)));
  };
  const bookmark = (extra: Record<string, string> = {}): void =>
    send(encode('BOOKMARK', { kind: w.kind, apiVersion: 'v1', metadata: { resourceVersion: String(store.version), ...(Object.keys(extra).length ? { annotations: extra } : {}) } }));

  let start: number;
  try {
    if (rvParam === '' || rvParam === '0' || initial) {
      start = store.version;
      for (const o of store.list(w.resource, w.namespace)) if (w.matches(o)) { inSet.add(keyOf(o)); send(encode('ADDED', objectOf(o))); }
      if (initial) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      start = Number(rvParam);
      if (!Number.isInteger(start) || start < 0) throw new ApiError(400, 'BadRequest', `invalid resourceVersion ${JSON.stringify(rvParam)}`);
      // The set as it was at `start`: objects untouched since then as they are, the others as their first later change shows them.
      const replay = store.since(start).filter((ev) => ev.resource === w.resource);
      const first = new Map<string, StoreEvent>();
      for (const ev of replay) if (!first.has(keyOf(ev.object))) first.set(keyOf(ev.object), ev);
      for (const o of store.list(w.resource, w.namespace)) if (!first.has(keyOf(o)) && w.matches(o)) inSet.add(keyOf(o));
      for (const [key, ev] of first) if (ev.type !== 'ADDED' && w.matches(ev.object)) inSet.add(key);
      for (const ev of replay) deliver(ev);
    }
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', (err as Error).message);
    send(encode('ERROR', e.toStatus()));
    res.end();
    return;
  }
  store.on('change', deliver);
  const timers: NodeJS.Timeout[] = [];
  if (w.query.get('allowWatchBookmarks') === 'true') timers.push(setInterval(() => bookmark(), opts.bookmarkMs));
  const timeout = Number(w.query.get('timeoutSeconds'));
  if (timeout > 0) timers.push(setTimeout(finish, timeout * 1000));
  req.on('close', finish);
  res.on('close', finish);
  function finish(): void {
    if (!open) return;
    open = false;
    store.off('change', deliver);
    for (const t of timers) clearTimeout(t);
    res.end();
  }
}
