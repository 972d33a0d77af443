import t from 'tap';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
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
