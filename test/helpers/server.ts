// Harness of the server tests: an ApiServer on a temp state dir (unix socket and TLS on a free port), kubectl against it, raw requests over the socket.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { ApiServer, type ServeOptions } from '../../dist/src/server/server.js';

export { ROOT, MODULES, EXIT, SLEEP } from './pods.js';
import { MODULES, ROOT } from './pods.js';
import { tempDir } from './temp-dir.js';
export const TOOL = path.join(MODULES, 'testing/tool.wasm');

/** Why kubectl tests cannot run here, or undefined when kubectl is installed. */
export const NO_KUBECTL: string | undefined = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
  ? undefined : 'kubectl is not installed on this machine';

export const TOKEN = 'test-token-0123456789abcdef';

export interface TestServer {
  server: ApiServer;
  stateDir: string;
  kubeconfig: string;
  /** Runs kubectl against the server; never throws, resolves with its exit code and output. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A request over the unix socket (no token needed there). */
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: http.IncomingHttpHeaders }>;
  /** Stops the server (its state stays in stateDir) and starts a new one on the same state dir. */
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

/** A server with a fast restart back-off, on a temp state dir (or the given one). */
export async function startServer(opts: ServeOptions = {}, stateDir = tempDir('wasmpod-serve-')): Promise<TestServer> {
  const server = await ApiServer.start({
    stateDir, tcp: { host: '127.0.0.1', port: 0 }, token: TOKEN,
    backoff: { baseMs: 50, maxMs: 400, resetAfterMs: 60_000 }, ...opts,
  });
  const kubeconfig = path.join(stateDir, 'test-kubeconfig');
  fs.writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: t',
    'clusters: [{name: t, cluster: {server: "' + server.url + '", certificate-authority-data: ' + Buffer.from(server.tls!.cert).toString('base64') + '}}]',
    'users: [{name: t, user: {token: ' + TOKEN + '}}]',
    'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]', '',
  ].join('\n'));
  const ts: TestServer = {
    server, stateDir, kubeconfig,
    kubectl: (args, o = {}) => new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: o.timeoutMs ?? 60_000, env: { ...process.env, HOME: stateDir } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
      if (o.input !== undefined) {
        // kubectl may end before it has read all of it (a command that exits without reading its stdin): EPIPE then.
        child.stdin!.on('error', () => undefined);
        child.stdin!.end(o.input);
      }
    }),
    request: (method, url, body, headers) => socketRequest(server.socketPath!, method, url, body, headers),
    restart: async () => {
      await server.close();
      return startServer(opts, stateDir);
    },
    close: () => server.close(),
  };
  return ts;
}

/** A request over a server's unix socket (no token needed there): its status, body (parsed when JSON), text and headers. */
export function socketRequest(socketPath: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}):
Promise<{ status: number; body: any; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request({ socketPath, path: url, method, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode!, body: parsed, text, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A watch over a server's unix socket: the events so far (parsed lines), whether it was answered, and its end. */
export function socketWatch(socketPath: string, url: string): { events: any[]; answered: () => boolean; close(): void } {
  const events: any[] = [];
  let buf = '';
  let answered = false;
  const req = http.get({ socketPath, path: url }, (res) => {
    answered = true;
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
  });
  req.on('error', () => undefined);
  return { events, answered: () => answered, close: () => req.destroy() };
}

/**
 * A real `wasmpod serve` (bin/wasmpod.js) on a fresh state dir with `args`, and `env` added to this process's,
 * stopped with the test; resolves once it listens on its unix socket (within `listenMs`).
 */
export async function spawnServe(t: { teardown(f: () => void): void }, opts: { args?: string[]; env?: Record<string, string>; listenMs?: number } = {}):
Promise<{ child: ChildProcess; stateDir: string; socketPath: string; stderr: string }> {
  const stateDir = tempDir('wasmpod-serve-'); // short: a unix socket's path has a length limit
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/wasmpod.js'), 'serve', '--state-dir', stateDir, ...opts.args ?? []],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { child.kill('SIGTERM'); });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c; });
  const socketPath = (await until('the server to listen', () => /listening on unix:(\S+)/.exec(stderr), opts.listenMs))[1]!;
  return { child, stateDir, socketPath, stderr };
}

/** Polls `check` every 50 ms until it returns something truthy, or fails after `ms`. */
export async function until<T>(what: string, check: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Pod manifest running the tool guest (`tool sleep` by default). */
export function toolPod(name: string, args: string[] = ['sleep'], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'tool', image: TOOL, args }], ...extra } };
}
