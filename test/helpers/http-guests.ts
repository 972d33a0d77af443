// The HTTP guests of wasm-modules/net (httpd, wget) for pod tests: their paths, a free host port, waiting for a published port.
import * as net from 'node:net';
import * as path from 'node:path';
import { request } from 'undici';
import { MODULES } from './pods.js';

export const HTTPD = path.join(MODULES, 'net/httpd.wasm');
export const WGET = path.join(MODULES, 'net/wget.wasm');

/** A TCP port free on 127.0.0.1 right now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Polls http://127.0.0.1:port/path until it answers (any status); throws after `ms`. */
export async function waitForHttp(port: number, urlPath = '/', ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await request(`http://127.0.0.1:${port}${urlPath}`, { reset: true });
      await r.body.dump();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Sends raw bytes over a fresh connection and returns everything the server sent until it closed. */
export function rawExchange(port: number, bytes: string | Buffer, endAfterWrite = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    c.on('data', (d) => chunks.push(d));
    c.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    c.on('error', reject);
    c.write(bytes);
    if (endAfterWrite) c.end();
  });
}
