// The TCP listener's TLS certificate: self-signed, kept in the state dir, made again when it nears its end or its names change.
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TlsFiles {
  key: string;
  cert: string;
}

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** The names the certificate is for: localhost, the loopback addresses, this machine's name and the listen host. */
function names(host: string): string[] {
  const all = new Set(['localhost', '127.0.0.1', '::1', os.hostname()]);
  if (host && host !== '0.0.0.0' && host !== '::') all.add(host);
  return [...all].sort();
}

/**
 * Loads `<dir>/server.crt` and `server.key`, or makes them. kubectl sends a bearer token only over TLS, so
 * the TCP listener always speaks it; clients trust this certificate through the kubeconfig that
 * `wasmpod serve` writes (certificate-authority-data).
 */
export async function serverCertificate(dir: string, host: string): Promise<TlsFiles> {
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  const want = names(host);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    const x = new X509Certificate(cert);
    const has = (x.subjectAltName ?? '').split(', ').map((s) => s.replace(/^(DNS|IP Address):/, ''));
    const fresh = Date.parse(x.validTo) - Date.now() > RENEW_BEFORE_MS;
    if (fresh && want.every((n) => has.includes(n === '::1' ? '0:0:0:0:0:0:0:1' : n) || has.includes(n))) {
      return { cert, key: fs.readFileSync(keyFile, 'utf8') };
    }
  }
  const pems = await generate([{ name: 'commonName', value: 'wasmpod' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: want.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private };
}
