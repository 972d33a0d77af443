// How the CLI verbs reach a running `wasmpod serve`: HTTP over its unix socket, with kubectl-style messages for failures.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { defaultStateDir } from '../state-dir.js';
import { WasmpodError } from '../errors.js';

/** No server answers on the socket. */
export class ServerNotRunningError extends WasmpodError {
  readonly code = 'ERR_SERVER_NOT_RUNNING';
  constructor(socket: string) {
    super(`no wasmpod server is running on unix:${socket}; start one with \`wasmpod serve\` (or pass --state-dir or --socket to reach another)`);
  }
}

/** The server answered with a failure Status; the message is the one kubectl prints. */
export class ServerError extends WasmpodError {
  readonly code = 'ERR_SERVER';
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(`Error from server (${reason}): ${message}`);
  }
}

export interface ClientOptions {
  socket?: string;
  stateDir?: string;
}

export interface Response {
  status: number;
  body: any;
}

/** The server's unix socket from the options: --socket, else <state-dir>/wasmpod.sock. */
export function socketPath(opts: ClientOptions): string {
  if (opts.socket) return path.resolve(opts.socket);
  return path.join(opts.stateDir ? path.resolve(opts.stateDir) : defaultStateDir(), 'wasmpod.sock');
}

export class ApiClient {
  readonly socket: string;

  constructor(opts: ClientOptions) {
    this.socket = socketPath(opts);
  }

  private open(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<http.IncomingMessage> {
    if (!fs.existsSync(this.socket)) return Promise.reject(new ServerNotRunningError(this.socket));
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socket, path: url, method, headers: { 'Content-Type': 'application/json', ...headers } }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? new ServerNotRunningError(this.socket) : err);
      });
      req.end(data);
    });
  }

  /** A request whose answer is JSON; a failure Status is thrown as a ServerError. */
  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.open(method, url, body, headers);
    const chunks: Buffer[] = [];
    for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString();
    const parsed: any = text ? JSON.parse(text) : undefined;
    if (res.statusCode! >= 400) throw new ServerError(res.statusCode!, parsed?.reason ?? 'Unknown', parsed?.message ?? text);
    return { status: res.statusCode!, body: parsed };
  }

  /** A request whose answer is a stream (logs, watch); a failure Status is thrown as a ServerError. */
  async stream(url: string): Promise<http.IncomingMessage> {
    const res = await this.open('GET', url, undefined, {});
    if (res.statusCode! >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
      const parsed: any = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      throw new ServerError(res.statusCode!, parsed.reason ?? 'Unknown', parsed.message ?? '');
    }
    return res;
  }
}

/** Resource names as kubectl takes them (plural, singular, short) to the plural in URLs. */
const ALIASES: Record<string, string> = {
  pods: 'pods', pod: 'pods', po: 'pods', configmaps: 'configmaps', configmap: 'configmaps', cm: 'configmaps',
  secrets: 'secrets', secret: 'secrets', namespaces: 'namespaces', namespace: 'namespaces', ns: 'namespaces',
  events: 'events', event: 'events', ev: 'events',
};

const KINDS: Record<string, string> = { pods: 'pod', configmaps: 'configmap', secrets: 'secret', namespaces: 'namespace', events: 'event' };

/** The plural of a resource name, or an error saying which names there are. */
export function resourceName(name: string): string {
  const r = ALIASES[name.toLowerCase()];
  if (!r) throw new WasmpodError(`the server doesn't have a resource type "${name}" (wasmpod serves pods, configmaps, secrets, namespaces, events)`);
  return r;
}

/** `pod`, `configmap`...: how kubectl names one object in messages (`pod/web created`). */
export function singular(resource: string): string {
  return KINDS[resource] ?? resource;
}

/** The URL of a resource's collection (or of one object) in a namespace. */
export function resourceUrl(resource: string, namespace: string | undefined, name?: string, sub?: string): string {
  const base = resource === 'namespaces' || namespace === undefined ? `/api/v1/${resource}` : `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`;
  return [base, name && encodeURIComponent(name), sub].filter(Boolean).join('/');
}
