// `wasmpod serve`: runs the API server until SIGINT or SIGTERM, then stops its pods, keeping their state for the next start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allocatorHint, currentAllocator } from './allocator.js';
import { parseDuration } from './duration.js';
import { capacityOption, type CapacityCliOptions } from './capacity.js';
import { ApiServer } from '../server/server.js';
import { imageHttpOptions, type ImageCliOptions } from './images.js';
import type { Io } from './run.js';

export interface ServeCliOptions extends Pick<ImageCliOptions, 'insecureRegistry' | 'caFile' | 'authfile'>, CapacityCliOptions {
  socket?: string | false;
  listen?: string;
  token?: string;
  tokenFile?: string;
  stateDir?: string;
  backoffBase?: string;
  poolMaxIdle?: string;
  sharedWorkers?: string;
  eventTtl?: string;
  compactionInterval?: string;
  baseDir?: string;
}

/** `HOST:PORT`, `:PORT` or `PORT` (host 127.0.0.1); `[::1]:PORT` for IPv6. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`--listen must be HOST:PORT, :PORT or PORT, not "${text}"`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** A kubeconfig for the TCP listener, so `kubectl --kubeconfig FILE` needs nothing else. */
function kubeconfig(url: string, token: string, caCert: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: wasmpod',
    'clusters:', '- name: wasmpod', '  cluster:', `    server: ${url}`, `    certificate-authority-data: ${Buffer.from(caCert).toString('base64')}`,
    'users:', '- name: wasmpod', '  user:', `    token: ${token}`,
    'contexts:', '- name: wasmpod', '  context:', '    cluster: wasmpod', '    user: wasmpod', '    namespace: default', '',
  ].join('\n');
}

export async function serveCommand(opts: ServeCliOptions, io: Io): Promise<number> {
  const token = opts.tokenFile ? fs.readFileSync(opts.tokenFile, 'utf8').trim() : opts.token;
  if (token !== undefined && !/^[\x21-\x7e]{16,}$/.test(token)) throw new Error('the token must be at least 16 printable characters, without spaces');
  const backoffBase = opts.backoffBase === undefined ? undefined : Number(opts.backoffBase);
  if (backoffBase !== undefined && !(backoffBase > 0)) throw new Error('--backoff-base must be a positive number of milliseconds');
  const count = (flag: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}, not "${v}"`);
    return n;
  };
  const maxIdle = count('--pool-max-idle', opts.poolMaxIdle, 0);
  const guestsPerWorker = count('--shared-workers', opts.sharedWorkers, 1);
  const duration = (flag: string, v: string | undefined): number | undefined => {
    const ms = v === undefined ? undefined : parseDuration(v, flag);
    if (ms !== undefined && !(ms >= 1)) throw new Error(`${flag} must be at least 1ms, not "${v}"`);
    return ms;
  };
  const baseDir = opts.baseDir === undefined ? undefined : path.resolve(opts.baseDir);
  if (baseDir !== undefined && !fs.statSync(baseDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--base-dir: ${baseDir} is not a directory`);
  const eventTtlMs = duration('--event-ttl', opts.eventTtl);
  const watchHistoryMs = duration('--compaction-interval', opts.compactionInterval);
  const server = await ApiServer.start({
    stateDir: opts.stateDir, socket: opts.socket, token,
    tcp: opts.listen ? parseListen(opts.listen) : undefined,
    backoff: backoffBase ? { baseMs: backoffBase, maxMs: backoffBase * 30, resetAfterMs: backoffBase * 60 } : undefined,
    ...(maxIdle !== undefined ? { workerPool: { minIdle: Math.min(2, maxIdle), maxIdle } } : {}),
    ...(guestsPerWorker !== undefined ? { sharedWorkers: { guestsPerWorker } } : {}),
    images: imageHttpOptions(opts),
    capacity: capacityOption(opts),
    eventTtlMs, watchHistoryMs, baseDir,
  });
  io.stderr.write(`wasmpod serve: memory allocator: ${currentAllocator()}\n`);
  const hint = allocatorHint();
  if (hint) io.stderr.write(`wasmpod serve: ${hint}\n`);
  if (server.socketPath) io.stderr.write(`wasmpod serve: listening on unix:${server.socketPath} (owner only)\n`);
  if (server.url) {
    const file = path.join(server.stateDir, 'kubeconfig');
    fs.writeFileSync(file, kubeconfig(server.url, server.token, server.tls!.cert), { mode: 0o600 });
    io.stderr.write(`wasmpod serve: listening on ${server.url} (TLS, bearer token required)\n`);
    if (!token) io.stderr.write(`wasmpod serve: token: ${server.token}\n`);
    io.stderr.write(`wasmpod serve: kubectl --kubeconfig ${file} get pods\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.stderr.write('wasmpod serve: stopping; pods start again with the next `wasmpod serve`\n');
  await server.close();
  return 0;
}
