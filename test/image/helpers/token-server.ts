// A small token server for the distribution registry's token auth: RS256 JWTs, Basic credentials, an access policy per user.
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

/**
 * Users: `alice`/`secret` may pull and push everything; `mallory`/`pw` is known and refused (403);
 * anyone anonymous may pull repositories under `public/` only; wrong credentials get 401.
 */
const USERS: Record<string, string> = { alice: 'secret', mallory: 'pw' };

/** The key id the registry (libtrust) gives a public key: SHA-256 of its DER, 240 bits, base32, in groups of 4. */
function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class TokenServer {
  readonly service = 'wasmpod-test-registry';
  readonly issuer = 'wasmpod-test-issuer';
  /** Every token request: who asked (or anonymous) and the scope. */
  readonly requests: { user: string; scope: string; status: number }[] = [];

  private constructor(private readonly server: http.Server, readonly realm: string, readonly certFile: string,
    private readonly key: ReturnType<typeof createPrivateKey>, private readonly kid: string) {}

  static async start(dir: string): Promise<TokenServer> {
    const keyFile = path.join(dir, 'token.key');
    const certFile = path.join(dir, 'token.crt');
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '1', '-subj', '/CN=wasmpod-test-token'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
    const key = createPrivateKey(fs.readFileSync(keyFile));
    const kid = libtrustKeyId(createPublicKey(fs.readFileSync(certFile)).export({ type: 'spki', format: 'der' }));
    let self: TokenServer | undefined;
    const server = http.createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    self = new TokenServer(server, `http://127.0.0.1:${port}/token`, certFile, key, kid);
    return self;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope') ?? '';
    const auth = req.headers.authorization ?? '';
    let user = 'anonymous';
    const reply = (status: number, body: object): void => {
      this.requests.push({ user, scope, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (auth.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      if (USERS[u] !== p) return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
      user = u;
    }
    if (user === 'mallory') return reply(403, { errors: [{ code: 'DENIED', message: 'mallory may not use this registry' }] });
    const [type, name, actions] = scope.split(':');
    const wanted = (actions ?? '').split(',').filter(Boolean);
    const granted = user === 'alice' ? wanted : name?.startsWith('public/') ? wanted.filter((a) => a === 'pull') : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: this.kid };
    const claims = {
      iss: this.issuer, sub: user, aud: this.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(),
      access: type ? [{ type, name, actions: granted }] : [],
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), this.key))}`;
    reply(200, { token, access_token: token, expires_in: 300 });
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
