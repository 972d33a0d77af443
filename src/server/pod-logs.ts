// pods/log: a container's log of this run or the previous one, with tailLines, sinceSeconds, timestamps, limitBytes and follow.
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogStore, parseLog, runLogText, runStarted, type LogLine } from '../logs/log-store.js';
import type { Pod } from '../spec/types.js';
import { apiErrors } from './api-error.js';
import type { Target } from './rest.js';
import type { ObjectStore } from './store.js';

const FOLLOW_POLL_MS = 200;

interface LogQuery {
  container: string;
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  since?: number;
  limitBytes?: number;
}

function count(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw apiErrors.badRequest(`${name} must be a whole number, ${min} or more (got ${JSON.stringify(v)})`);
  return n;
}

function parseQuery(pod: Pod, q: URLSearchParams): LogQuery {
  const names = pod.spec.containers.map((c) => c.name);
  const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
  let container = q.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) {
      const more = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
      throw apiErrors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]${more}`);
    }
    container = names[0]!;
  } else if (!names.includes(container) && !inits.includes(container)) {
    throw apiErrors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  const sinceSeconds = count(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  let since = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : undefined;
  if (sinceTime) {
    since = Date.parse(sinceTime);
    if (Number.isNaN(since)) throw apiErrors.badRequest(`sinceTime must be an RFC 3339 time (got ${JSON.stringify(sinceTime)})`);
  }
  const flag = (n: string): boolean => q.get(n) === 'true' || q.get(n) === '1';
  return {
    container, previous: flag('previous'), follow: flag('follow'), timestamps: flag('timestamps'),
    tailLines: count(q, 'tailLines', 0), since, limitBytes: count(q, 'limitBytes', 1),
  };
}

function containerStatus(pod: Pod, name: string) {
  const s = pod.status ?? {};
  return [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])].find((c) => c.name === name);
}

/** Answers GET pods/NAME/log. With follow, the response stays open until that run of the container ends. */
export function serveLog(req: IncomingMessage, res: ServerResponse, t: Target, store: ObjectStore, logs: LogStore): void {
  const stored = store.get('pods', t.namespace, t.name!);
  if (!stored) throw apiErrors.notFound('pods', t.name!);
  const pod = stored as unknown as Pod;
  const q = parseQuery(pod, t.query);
  const status = containerStatus(pod, q.container);
  const run = (status?.restartCount ?? 0) - (q.previous ? 1 : 0);
  const file = logs.containerFile(logs.podDir(pod.metadata.namespace!, pod.metadata.name!, pod.metadata.uid!), q.container, run);
  const text = run < 0 ? undefined : runLogText(file, !q.previous && runStarted(status?.state));
  if (text === undefined) {
    if (q.previous) throw apiErrors.badRequest(`previous terminated container "${q.container}" in pod "${pod.metadata.name}" not found`);
    const why = status?.state?.waiting?.reason ?? 'ContainerCreating';
    throw apiErrors.badRequest(`container "${q.container}" in pod "${pod.metadata.name}" is waiting to start: ${why}`);
  }
  let budget = q.limitBytes ?? Infinity;
  const format = (lines: LogLine[]): string => lines
    .filter((l) => q.since === undefined || !l.time || Date.parse(l.time) >= q.since)
    .map((l) => (q.timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`)).join('');
  const write = (text: string): boolean => {
    if (budget <= 0) return false;
    const buf = Buffer.from(text);
    res.write(buf.length > budget ? buf.subarray(0, budget) : buf);
    budget -= buf.length;
    return budget > 0;
  };
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  const end = q.follow ? text.lastIndexOf('\n') + 1 : text.length;
  let lines = parseLog(text.slice(0, end));
  if (q.tailLines !== undefined) lines = q.tailLines === 0 ? [] : lines.slice(-q.tailLines);
  if (!write(format(lines)) || !q.follow || q.previous) return void res.end();
  let offset = Buffer.byteLength(text.slice(0, end));
  let closed = false;
  req.on('close', () => { closed = true; });
  // Follows the file until this run of the container is over and all it wrote has been sent.
  const tick = (): void => {
    if (closed) return void res.end();
    const over = runOver(store, pod, q.container, run);
    const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size > offset) {
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      fs.closeSync(fd);
      const whole = buf.lastIndexOf(10) + 1;
      offset += whole;
      if (whole > 0 && !write(format(parseLog(buf.subarray(0, whole).toString('utf8'))))) return void res.end();
    }
    if (over && (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) <= offset) return void res.end();
    setTimeout(tick, FOLLOW_POLL_MS);
  };
  setTimeout(tick, FOLLOW_POLL_MS);
}

/** Whether run `run` of the container has ended (or its pod is gone). */
function runOver(store: ObjectStore, pod: Pod, container: string, run: number): boolean {
  const cur = store.get('pods', pod.metadata.namespace, pod.metadata.name!) as unknown as Pod | undefined;
  if (!cur || cur.metadata.uid !== pod.metadata.uid) return true;
  const s = containerStatus(cur, container);
  if (!s) return true;
  if (s.restartCount > run || cur.status?.phase === 'Succeeded' || cur.status?.phase === 'Failed') return true;
  // Its log file exists, so the run has started: it is over unless it still runs (or is just being created).
  const waiting = s.state?.waiting?.reason;
  return !s.state?.running && waiting !== 'ContainerCreating' && waiting !== 'PodInitializing';
}
