// `wasmpod serve`: the Kubernetes-style API over a unix socket (owner only) and, when asked, TCP with a bearer token.
import * as http from 'node:http';
import * as https from 'node:https';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Runtime, type RuntimeOptions } from '../runtime.js';
import { defaultStateDir } from '../state-dir.js';
import { WasmpodError } from '../errors.js';
import { ApiError, apiErrors } from './api-error.js';
import { apiGroupList, apiVersions, resourceList, versionInfo } from './discovery.js';
import { sendError, sendJson } from './http.js';
import { ObjectFiles } from './persist.js';
import { PodController } from './pod-controller.js';
import { byName } from './resources.js';
import { RestHandler, SYSTEM_NAMESPACES, type Target } from './rest.js';
import { ObjectStore } from './store.js';
import { OPENAPI_V2_PROTOBUF, openApiV2Protobuf, openApiV3, openApiV3Root } from './openapi.js';
import { serveLog } from './pod-logs.js';
import { handleUpgrade } from './streams.js';
import { LogStore } from '../logs/log-store.js';
import { serverCertificate } from './tls.js';
import { StateLock } from './state-lock.js';

/**
 * A server's pool keeps the workers of a burst, up to 64, for the next one: its pods arrive together (clients
 * whose connections are open), and a pool that kept fewer would start the rest cold at each wave, some 27 ms
 * of CPU each. Its peak is the burst's, which had those workers running anyway; they are let go once the
 * server goes quiet (idleGcMs, idle-memory.ts).
 */
const SERVER_POOL = { minIdle: 2, maxIdle: 64 };

export interface ServeOptions extends Pick<RuntimeOptions, 'backoff' | 'secondMs' | 'capacity' | 'workerPool' | 'sharedWorkers' | 'images'> {
  /** State (objects, logs); default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod. */
  stateDir?: string;
  /** The unix socket to listen on (default `<stateDir>/wasmpod.sock`); false for none. */
  socket?: string | false;
  /** A TCP address to listen on as well, e.g. `{ host: '127.0.0.1', port: 6443 }` (port 0: any free port). */
  tcp?: { host: string; port: number };
  /** The TCP listener's TLS certificate and key (PEM); default: a self-signed one kept in `<stateDir>/tls`. */
  tls?: { cert: string; key: string };
  /** The bearer token TCP clients must send; generated when not given. */
  token?: string;
  /** The folder relative image paths of created pods resolve against (default: the working directory). */
  baseDir?: string;
  /** How often watches that allow bookmarks get one, in ms (default 60 000). */
  bookmarkMs?: number;
  /** How long events are kept after they last happened, in ms (default one hour). */
  eventTtlMs?: number;
  /** How many recent changes are kept for watches to resume from (default 10 000); older resourceVersions get 410 Expired. */
  watchHistory?: number;
  /** How long changes are kept for watches to resume from, in ms (default 300 000, etcd's compaction interval). */
  watchHistoryMs?: number;
  /** Once no pod has started or ended for this long (ms), memory grown by a burst of pods is given back (default 3 000; 0: never). */
  idleGcMs?: number;
}

/** The running API server. Start it with `ApiServer.start(options)`; `close()` stops it and its pods, keeping their state. */
export class ApiServer {
  readonly stateDir: string;
  readonly socketPath?: string;
  readonly token: string;
  readonly store: ObjectStore;
  readonly runtime: Runtime;
  private readonly pods: PodController;
  private readonly rest: RestHandler;
  private readonly servers: http.Server[] = [];
  private readonly tokenBytes: Buffer;
  private readonly logs: LogStore;
  private tcpAddress?: AddressInfo;
  private ownsSocket = false;
  private readonly lock: StateLock;
  /** The TCP listener's certificate and key, when it listens on TCP (clients trust the certificate). */
  tls?: { cert: string; key: string };

  private constructor(opts: ServeOptions, stateDir: string, lock: StateLock) {
    this.stateDir = stateDir;
    this.lock = lock;
    this.token = opts.token ?? randomBytes(24).toString('base64url');
    this.tokenBytes = Buffer.from(this.token);
    if (opts.socket !== false) this.socketPath = path.resolve(opts.socket ?? path.join(this.stateDir, 'wasmpod.sock'));
    const files = new ObjectFiles(path.join(this.stateDir, 'objects'), (err) => process.stderr.write(`wasmpod serve: cannot persist: ${err.message}\n`));
    this.store = new ObjectStore(files, opts.watchHistory, opts.watchHistoryMs);
    this.logs = new LogStore(this.stateDir);
    this.runtime = new Runtime({
      stateDir: this.stateDir, backoff: opts.backoff, secondMs: opts.secondMs, capacity: opts.capacity,
      workerPool: opts.workerPool ?? SERVER_POOL, sharedWorkers: opts.sharedWorkers, images: opts.images,
    });
    this.pods = new PodController(this.store, this.runtime, { eventTtlMs: opts.eventTtlMs ?? 3_600_000, logs: this.logs, idleGcMs: opts.idleGcMs });
    // The history of a burst (its pods and their events, a few thousand objects) is let go `watchHistoryMs` after
    // it, long after the burst's own release of memory: a quiet server runs no GC, so it gives that back once more.
    this.store.onHistoryDrained = () => this.pods.idleMemory.activity();
    this.rest = new RestHandler(this.store, this.pods, { baseDir: path.resolve(opts.baseDir ?? process.cwd()) }, { bookmarkMs: opts.bookmarkMs ?? 60_000 });
    for (const ns of SYSTEM_NAMESPACES) {
      if (!this.store.get('namespaces', undefined, ns)) {
        this.store.create('namespaces', byName.get('namespaces')!.decode({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { baseDir: '' }));
      }
    }
  }

  /** Loads the stored objects, starts the pods that had not ended, and listens. */
  static async start(opts: ServeOptions = {}): Promise<ApiServer> {
    const stateDir = opts.stateDir ? path.resolve(opts.stateDir) : defaultStateDir();
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // Before anything is read: two servers on one state dir would run the same pods and overwrite each other's objects.
    const lock = StateLock.acquire(stateDir);
    let s: ApiServer;
    try {
      s = new ApiServer(opts, stateDir, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
    try {
      if (s.socketPath) await s.listenUnix(s.socketPath);
      if (opts.tcp) {
        s.tls = opts.tls ?? await serverCertificate(path.join(s.stateDir, 'tls'), opts.tcp.host);
        await s.listenTcp(opts.tcp, s.tls);
      }
    } catch (err) {
      await s.close();
      throw err;
    }
    s.pods.resumeAll();
    return s;
  }

  /** `https://host:port` of the TCP listener, when there is one. */
  get url(): string | undefined {
    if (!this.tcpAddress) return undefined;
    const host = this.tcpAddress.family === 'IPv6' ? `[${this.tcpAddress.address}]` : this.tcpAddress.address;
    return `https://${host}:${this.tcpAddress.port}`;
  }

  private server(authenticated: boolean, tls?: { cert: string; key: string }): http.Server {
    const handler: http.RequestListener = (req, res) => {
      if (!authenticated && !this.authorized(req)) return sendError(res, apiErrors.unauthorized());
      this.route(req, res).catch((err) => sendError(res, err));
    };
    const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    // Clients (kubectl, the CLI, load generators) reuse connections; closing idle ones early races their next request.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      if (!authenticated && !this.authorized(req)) return refuseUpgrade(socket, apiErrors.unauthorized());
      try {
        const t = this.target(req);
        if (!t || t.def.name !== 'pods' || !t.name || (t.sub !== 'exec' && t.sub !== 'portforward')) throw apiErrors.badRequest('only pods/exec and pods/portforward can be upgraded');
        handleUpgrade(req, socket, head, t, this.store, this.pods);
      } catch (err) {
        refuseUpgrade(socket, err);
      }
    });
    this.servers.push(server);
    return server;
  }

  private async listenUnix(file: string): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (await answers(file)) throw new WasmpodError(`another wasmpod serve is listening on ${file}`);
    fs.rmSync(file, { force: true });
    const server = this.server(true);
    // The socket is its owner's alone: created under a umask that leaves no access to others, then checked.
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, resolve));
    } finally {
      process.umask(old);
    }
    fs.chmodSync(file, 0o600);
    this.ownsSocket = true;
  }

  private async listenTcp(addr: { host: string; port: number }, tls: { cert: string; key: string }): Promise<void> {
    const server = this.server(false, tls);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(addr.port, addr.host, resolve));
    this.tcpAddress = server.address() as AddressInfo;
  }

  private authorized(req: http.IncomingMessage): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const given = Buffer.from(m[1]!);
    return given.length === this.tokenBytes.length && timingSafeEqual(given, this.tokenBytes);
  }

  /** Where a /api/v1 URL points: resource, namespace, name, subresource. Undefined for other paths. */
  private target(req: http.IncomingMessage): Target | undefined {
    const url = new URL(req.url ?? '/', 'http://wasmpod');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v1' || parts.length < 3) return undefined;
    let rest = parts.slice(2);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status') {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const def = byName.get(rest[0]!);
    if (!def || rest.length > 3 || (!def.namespaced && namespace !== undefined)) throw notFoundPath();
    if (rest[2] !== undefined && !def.subresources.includes(rest[2])) throw notFoundPath();
    return { def, namespace, name: rest[1], sub: rest[2], query: url.searchParams };
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://wasmpod');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method === 'GET') {
      switch (p) {
        case '/version': return sendJson(res, 200, versionInfo());
        case '/api': return sendJson(res, 200, apiVersions(req.headers.host ?? 'localhost'));
        case '/api/v1': return sendJson(res, 200, resourceList());
        case '/apis': return sendJson(res, 200, apiGroupList());
        case '/openapi/v2': {
          const body = openApiV2Protobuf();
          res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': body.length });
          return void res.end(body);
        }
        case '/openapi/v3': return sendJson(res, 200, openApiV3Root());
        case '/openapi/v3/api/v1': return sendJson(res, 200, openApiV3());
        case '/healthz': case '/livez': case '/readyz':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          return void res.end('ok');
        default: break;
      }
    }
    const t = this.target(req);
    if (!t) throw notFoundPath();
    if (t.sub === 'log') return serveLog(req, res, t, this.store, this.logs);
    if (t.sub === 'exec' || t.sub === 'portforward') {
      throw apiErrors.badRequest(`pods/${t.sub} needs a WebSocket upgrade (Upgrade: websocket, subprotocol v5.channel.k8s.io)`);
    }
    return this.rest.handle(req, res, t);
  }

  /** Stops listening and stops the pods; the store keeps them, to start again on the next `start`. */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
    await this.pods.close();
    this.store.flush();
    if (this.socketPath && this.ownsSocket) fs.rmSync(this.socketPath, { force: true });
    this.lock.release();
  }
}

function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

/** Answers an upgrade request that cannot be served with its Status, over the raw socket. */
function refuseUpgrade(socket: Duplex, err: unknown): void {
  const e = err instanceof ApiError ? err : apiErrors.internal((err as Error).message);
  const body = JSON.stringify(e.toStatus());
  socket.end(`HTTP/1.1 ${e.httpCode} ${http.STATUS_CODES[e.httpCode]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Whether something accepts connections on the unix socket `file` (a stale socket file refuses them). */
function answers(file: string): Promise<boolean> {
  if (!fs.existsSync(file)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const c = net.connect(file);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}
