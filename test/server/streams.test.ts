import t from 'tap';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { MODULES, NO_KUBECTL, startServer, toolPod, until } from '../helpers/server.js';

const HTTPD = path.join(MODULES, 'net/httpd.wasm');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

t.test('kubectl port-forward and get -w against wasmpod serve', { skip: NO_KUBECTL }, async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'httpd', image: HTTPD, ports: [{ containerPort: 8080 }] }] } };
  t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
  t.equal((await s.kubectl(['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'])).code, 0);

  t.test('port-forward carries HTTP into the pod; a port nothing listens on is refused', async (t) => {
    const pf = spawn('kubectl', ['--kubeconfig', s.kubeconfig, 'port-forward', 'pod/web', ':8080', ':9999'], { env: { ...process.env, HOME: s.stateDir } });
    t.teardown(() => pf.kill());
    let out = '';
    let err = '';
    pf.stdout.on('data', (c: Buffer) => { out += c; });
    pf.stderr.on('data', (c: Buffer) => { err += c; });
    const ports = await until('the forwarding lines', () => {
      const m = [...out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)];
      return m.length === 2 ? Object.fromEntries(m.map((x) => [x[2], Number(x[1])])) : undefined;
    }, 30_000);
    const r = await get(`http://127.0.0.1:${ports['8080']}/echo/through-the-tunnel`);
    t.equal(r.status, 200);
    t.match(r.body, /^GET \/echo\/through-the-tunnel HTTP\/1\.1\r\n/);
    const again = await get(`http://127.0.0.1:${ports['8080']}/echo/second`);
    t.match(again.body, /^GET \/echo\/second /, 'a second connection works too');
    await t.rejects(get(`http://127.0.0.1:${ports['9999']}/`));
    await until('kubectl to report the refusal', () => /9999/.test(err), 10_000).catch(() => undefined);
    t.match(err, /an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod web/);
    t.match((await s.request('GET', '/api/v1/namespaces/default/pods/web/log')).text, /GET \/echo\/through-the-tunnel 200/);
  });

  t.test('get pods -w prints each change as it happens', async (t) => {
    const w = spawn('kubectl', ['--kubeconfig', s.kubeconfig, 'get', 'pods', '-w', '--no-headers'], { env: { ...process.env, HOME: s.stateDir } });
    t.teardown(() => w.kill());
    let out = '';
    w.stdout.on('data', (c: Buffer) => { out += c; });
    await until('the first listing', () => /^web\s+1\/1\s+Running/m.test(out), 20_000);
    t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', toolPod('later', ['exit', '0'], { restartPolicy: 'Never' }))).status, 201);
    await until('later to show Completed', () => /^later\s+0\/1\s+Completed/m.test(out), 30_000);
    const lines = out.split('\n').filter((l) => l.startsWith('later'));
    t.ok(lines.length >= 2, 'it was shown as it changed');
    t.match(lines[0], /^later\s+0\/1\s+(Pending|ContainerCreating)/);
  });
});

t.test('pods/portforward over the WebSocket channel protocol (v4.channel.k8s.io)', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'httpd', image: HTTPD, ports: [{ containerPort: 8080 }] }] } };
  t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
  await until('web to run', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/web')).body.status.phase === 'Running');
  const url = `ws+unix://${s.server.socketPath}:/api/v1/namespaces/default/pods/web/portforward`;

  // Two ports on one WebSocket: channels 0/1 for 8080, 2/3 for 9999; each starts with its port, little-endian.
  const ws = new WebSocket(`${url}?ports=8080,9999`, ['v4.channel.k8s.io']);
  const got: Record<number, Buffer[]> = { 0: [], 1: [], 2: [], 3: [] };
  ws.on('message', (d: Buffer) => got[d[0]!]!.push(d.subarray(1)));
  await new Promise((r) => ws.once('open', r));
  t.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /echo/v4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  // v4 cannot half-close: the WebSocket ends when the pod's side of every connection has.
  await new Promise((r) => ws.once('close', r));
  const port = (ch: number): number => Buffer.concat(got[ch]!).readUInt16LE(0);
  t.same([port(0), port(1), port(2), port(3)], [8080, 8080, 9999, 9999]);
  t.match(Buffer.concat(got[0]!).subarray(2).toString(), /^HTTP\/1\.1 200 [\s\S]*GET \/echo\/v4 HTTP\/1\.1/);
  t.equal(Buffer.concat(got[1]!).length, 2, 'no error for 8080');
  t.equal(Buffer.concat(got[3]!).subarray(2).toString(), 'error forwarding port 9999 to pod web: nothing listens on port 9999 of pod "web" (connection refused)');

  const refused = await new Promise<number>((resolve) => {
    const bad = new WebSocket(url, ['v4.channel.k8s.io']);
    bad.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    bad.on('open', () => resolve(101));
  });
  t.equal(refused, 400, 'the ports parameter is required');
});
