// Requests per second and latency of a WASI 0.2 HTTP handler component (wasi:http/incoming-handler, one fresh
// instance per request) beside the preview1 httpd (wasm-modules/net), each in a pod reached through a published port.
// Usage: node bench/http-component.js [requests] [connections]     (defaults: 2000 requests over 4 keep-alive connections)
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { Runtime } from '../dist/src/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const N = Number(process.argv[2] ?? 2000);
const CONNECTIONS = Number(process.argv[3] ?? 4);
const HANDLER = path.join(root, 'wasm-modules/component/http-handler.component.wasm');
const HTTPD = path.join(root, 'wasm-modules/net/httpd.wasm');

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitFor(port, urlPath) {
  for (const end = Date.now() + 120_000; ;) {
    const c = new Client(`http://127.0.0.1:${port}`);
    try {
      const r = await c.request({ path: urlPath, method: 'GET' });
      await r.body.dump();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await c.close();
    }
  }
}

/** N GETs of `urlPath` spread over CONNECTIONS keep-alive connections, each sending its next request after the answer. */
async function load(port, urlPath) {
  const clients = Array.from({ length: CONNECTIONS }, () => new Client(`http://127.0.0.1:${port}`, { pipelining: 1 }));
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(clients.map(async (c) => {
    while (next++ < N) {
      const t0 = performance.now();
      const r = await c.request({ path: urlPath, method: 'GET' });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
  return { rps: (latencies.length / seconds).toFixed(0), p50: pct(0.5), p90: pct(0.9), p99: pct(0.99) };
}

const runtime = new Runtime({ stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-')) });
const www = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-www-'));
fs.writeFileSync(path.join(www, 'hello'), 'hello from a preview1 server: GET /hello\n');
const [pc, pp] = [await freePort(), await freePort()];
const t0 = performance.now();
await runtime.runPod({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'component' },
  spec: { containers: [{ name: 'h', image: HANDLER, ports: [{ containerPort: 8080, hostPort: pc }] }] },
});
await waitFor(pc, '/hello');
const firstMs = performance.now() - t0;
await runtime.runPod({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'preview1' },
  spec: {
    volumes: [{ name: 'www', hostPath: { path: www } }],
    containers: [{
      name: 'h', image: HTTPD, args: ['-r', '/www'], ports: [{ containerPort: 80, hostPort: pp }],
      volumeMounts: [{ name: 'www', mountPath: '/www', readOnly: true }],
    }],
  },
});
await waitFor(pp, '/hello');
console.log(`component pod: first answer ${firstMs.toFixed(0)} ms after runPod (transpile, compile, first instance)`);
console.log(`${N} GET /hello over ${CONNECTIONS} keep-alive connections, through the published port:`);
console.log('server                                   req/s   p50 ms   p90 ms   p99 ms');
for (const [name, port] of [['wasi:http component (instance/request)', pc], ['preview1 httpd (one process)', pp]]) {
  const r = await load(port, '/hello');
  console.log(`${name.padEnd(40)} ${r.rps.padStart(5)}  ${r.p50.padStart(7)}  ${r.p90.padStart(7)}  ${r.p99.padStart(7)}`);
}
await runtime.close();
