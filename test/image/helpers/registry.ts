// Starts Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 for a test, optionally behind a token server of ours.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TokenServer } from './token-server.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** Why registry tests cannot run here, or undefined when they can. */
export function registryMissing(): string | undefined {
  if (!fs.existsSync(REGISTRY_BIN)) return 'docker-registry is not installed (apt-get install docker-registry; .ci/run does)';
  return undefined;
}

export function skopeoMissing(): string | undefined {
  return spawnSync('skopeo', ['--version']).status === 0 ? undefined : 'skopeo is not installed (apt-get install skopeo; .ci/run does)';
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Registry {
  /** `127.0.0.1:PORT` (or the `listen` address), the host part of image references. */
  host: string;
  port: number;
  token?: TokenServer;
  /** Stops the registry process (SIGKILL when `hard`) and waits for it to end. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port and storage. */
  restart(): Promise<void>;
  /** Stops the registry and its token server. */
  close(): Promise<void>;
}

async function waitUp(host: string, port: number, proc: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${fs.readFileSync(log, 'utf8')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not listen on ${port}: ${fs.readFileSync(log, 'utf8')}`);
}

/** Users of an `htpasswd` registry: `alice`/`secret`, as for the token server. */
export const HTPASSWD_USERS: Record<string, string> = { alice: 'secret' };

/** An htpasswd file of bcrypt hashes (the only kind the registry reads), made with libc's crypt through perl. */
function writeHtpasswd(file: string): void {
  const lines = Object.entries(HTPASSWD_USERS).map(([user, pw]) => {
    const salt = '$2y$10$wasmpodtestsaltwasmpou';
    const r = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', pw, salt], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.startsWith('$2y$')) throw new Error(`perl crypt() cannot make a bcrypt hash: ${r.stderr}${r.stdout}`);
    return `${user}:${r.stdout}`;
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * A registry with its storage and config in `dir`; with `auth: 'token'` it trusts a token server started
 * beside it; with `auth: 'htpasswd'` it asks for Basic credentials itself (HTPASSWD_USERS). It listens on
 * 127.0.0.1, or on `listen` (an IPv4 address of this machine).
 */
export async function startRegistry(dir: string, opts: { auth?: 'token' | 'htpasswd'; listen?: string } = {}): Promise<Registry> {
  const listen = opts.listen ?? '127.0.0.1';
  const port = await freePort(listen);
  let token: TokenServer | undefined;
  let auth = '';
  if (opts.auth === 'token') {
    token = await TokenServer.start(dir);
    auth = `auth:\n  token:\n    realm: ${token.realm}\n    service: ${token.service}\n    issuer: ${token.issuer}\n    rootcertbundle: ${token.certFile}\n`;
  } else if (opts.auth === 'htpasswd') {
    const file = path.join(dir, 'htpasswd');
    writeHtpasswd(file);
    auth = `auth:\n  htpasswd:\n    realm: wasmpod-test\n    path: ${file}\n`;
  }
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, [
    'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: ${listen}:${port}`, auth,
  ].join('\n'));
  const log = path.join(dir, 'registry.log');
  let proc: ChildProcess;
  const launch = async (): Promise<void> => {
    proc = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')] });
    await waitUp(listen, port, proc, log);
  };
  await launch();
  const reg: Registry = {
    host: `${listen}:${port}`, port, ...(token ? { token } : {}),
    async stop(hard = false) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const ended = new Promise((r) => proc.once('exit', r));
      proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await ended;
    },
    restart: launch,
    async close() {
      await reg.stop();
      await token?.close();
    },
  };
  return reg;
}
