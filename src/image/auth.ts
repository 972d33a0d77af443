// Registry credentials from the usual auth files, and the WWW-Authenticate challenges of the distribution token flow.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The auth files searched, first match winning, as podman and docker search them:
 * `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`,
 * `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
 */
export function defaultAuthFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(path.join(os.homedir(), '.config', 'containers', 'auth.json'));
  files.push(path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json'));
  return files;
}

/** The host part of an `auths` key, which may be a bare host, `host/path` or a URL (`https://index.docker.io/v1/`). */
function authKeyHost(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '');
  const host = bare.split('/')[0];
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/**
 * Credentials for `registry` from the first auth file that has an entry for it (`auth` is
 * base64 `user:password`; `username`/`password` are read too). Credential helpers are not run.
 */
export function findCredentials(registry: string, files: string[]): Credentials | undefined {
  for (const file of files) {
    let doc: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`auth file ${file}: ${(err as Error).message}`);
    }
    for (const [key, entry] of Object.entries(doc.auths ?? {})) {
      if (authKeyHost(key) !== registry) continue;
      if (entry.auth) {
        const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = plain.indexOf(':');
        if (colon < 0) throw new Error(`auth file ${file}: the "auth" of "${key}" is not base64 of user:password`);
        return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
      }
      if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password };
    }
  }
  return undefined;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"` (RFC 7235). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = header.match(/^\s*([A-Za-z][\w-]*)\s*(.*)$/);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null && p[0] !== '') {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
