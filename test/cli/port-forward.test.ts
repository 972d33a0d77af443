import t from 'tap';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { request } from 'undici';
import { ROOT, startServer, toolPod, until } from '../helpers/server.js';
import { HTTPD, rawExchange } from '../helpers/http-guests.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');

function wasmpod(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

/** `wasmpod port-forward` running in the background, its output collected. */
function forwarder(args: string[]): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'port-forward', ...args], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c; });
  child.stderr!.on('data', (c: Buffer) => { err += c; });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** The local port of each `Forwarding from 127.0.0.1:LOCAL -> REMOTE` line, by REMOTE. */
function forwarded(out: string): Record<string, number> {
  return Object.fromEntries([...out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)$/gm)].map((x) => [x[2], Number(x[1])]));
}

t.test('wasmpod port-forward carries connections into the pod', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const at = ['--state-dir', s.stateDir];
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
    spec: { containers: [{ name: 'httpd', image: HTTPD, ports: [{ containerPort: 8080, name: 'http' }] }] },
  };
  t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
  await until('web to run', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/web')).body.status.phase === 'Running');

  t.test('HTTP through forwarded ports; a port nothing listens on is reset and reported', async (t) => {
    const pf = forwarder(['pod/web', ':8080', '0:http', ':9999', ...at]);
    t.teardown(() => pf.child.kill('SIGKILL'));
    await until('the forwarding lines', () => pf.out().match(/^Forwarding from 127\.0\.0\.1:\d+ -> 9999$/m), 30_000);
    t.match(pf.out(), /^Forwarding from \[::1\]:\d+ -> 8080$/m, 'localhost is ::1 as well');
    const lines = pf.out().split('\n').filter((l) => l.startsWith('Forwarding from 127.0.0.1:'));
    t.equal(lines.length, 3);
    const byNumber = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(lines[0]!)![1]);
    const byName = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(lines[1]!)![1]);
    t.not(byNumber, byName, 'each :REMOTE and 0:REMOTE got a free port of its own');

    const r = await request(`http://127.0.0.1:${byNumber}/echo/through-the-forward`);
    t.equal(r.statusCode, 200);
    t.match(await r.body.text(), /^GET \/echo\/through-the-forward HTTP\/1\.1\r\n/);
    // A body larger than any buffer on the way, echoed back whole.
    const big = 'x'.repeat(900_000);
    const post = await request(`http://127.0.0.1:${byName}/echo/big`, { method: 'POST', body: big, reset: true });
    t.equal(post.statusCode, 200);
    const echoed = await post.body.text();
    t.ok(echoed.endsWith(`\r\n\r\n${big}`), 'the whole body came back');
    // Half-close: the request ends with our FIN, and the answer still comes back.
    t.match(await rawExchange(byNumber, 'GET /echo/half-closed HTTP/1.0\r\n\r\n'), /^HTTP\/1\.[01] 200 [\s\S]*GET \/echo\/half-closed HTTP\/1\.0/);
    t.match(pf.out(), `Handling connection for ${byNumber}`);

    const refused = forwarded(pf.out())['9999']!;
    await t.rejects(request(`http://127.0.0.1:${refused}/`), { code: /ECONNRESET|UND_ERR_SOCKET/ });
    await until('the error line', () => pf.err().includes('-> 9999'), 10_000);
    t.match(pf.err(), new RegExp(`^an error occurred forwarding ${refused} -> 9999: error forwarding port 9999 to pod web: nothing listens on port 9999 of pod "web" \\(connection refused\\)$`, 'm'));
    t.match((await s.request('GET', '/api/v1/namespaces/default/pods/web/log')).text, /GET \/echo\/through-the-forward 200/);

    pf.child.kill('SIGINT');
    t.equal(await pf.exit, 0, 'Ctrl-C stops it');
    await t.rejects(new Promise((resolve, reject) => net.connect(byNumber, '127.0.0.1').on('connect', resolve).on('error', reject)), { code: 'ECONNREFUSED' });
  });

  t.test('--address and a fixed local port', async (t) => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const pf = forwarder(['web', `${free}:8080`, '--address', '127.0.0.1', ...at]);
    t.teardown(() => pf.child.kill('SIGKILL'));
    await until('the forwarding line', () => pf.out().includes('Forwarding from'), 30_000);
    t.equal(pf.out(), `Forwarding from 127.0.0.1:${free} -> 8080\n`);
    const r = await request(`http://127.0.0.1:${free}/echo/fixed`);
    t.match(await r.body.text(), /^GET \/echo\/fixed /);
    // The port is taken now: a second forwarder on it fails, saying so.
    const busy = await wasmpod(['port-forward', 'web', `${free}:8080`, '--address', '127.0.0.1', ...at]);
    t.equal(busy.code, 1);
    t.match(busy.stderr, `wasmpod: Unable to listen on port ${free}: unable to create listener: Error listen 127.0.0.1:${free}: listen EADDRINUSE`);
    pf.child.kill('SIGINT');
    t.equal(await pf.exit, 0);
  });

  t.test('errors as kubectl gives them', async (t) => {
    t.match(await wasmpod(['port-forward', 'nope', '8080', ...at]), { code: 1, stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    t.match(await wasmpod(['port-forward', '-n', 'other', 'web', '8080', ...at]), { code: 1, stderr: 'Error from server (NotFound): pods "web" not found\n' });
    t.match(await wasmpod(['port-forward', 'web', '8080:grpc', ...at]), { code: 1, stderr: 'wasmpod: Pod \'web\' does not have a named port \'grpc\'\n' });
    t.match(await wasmpod(['port-forward', 'web', '8080:', ...at]), { code: 1, stderr: /invalid port format "8080:"/ });
    t.match(await wasmpod(['port-forward', 'web', '8080', '--address', 'example.com', ...at]), { code: 1, stderr: 'wasmpod: example.com is not a valid IP\n' });
    t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', toolPod('done', ['exit', '0'], { restartPolicy: 'Never' }))).status, 201);
    await until('done to succeed', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/done')).body.status.phase === 'Succeeded');
    t.match(await wasmpod(['port-forward', 'done', '8080', ...at]), {
      code: 1, stderr: 'wasmpod: unable to forward port because pod is not running. Current status=Succeeded\n',
    });
  });

  t.test('deleting the pod ends the forward: lost connection to pod', async (t) => {
    const pf = forwarder(['web', ':8080', ...at]);
    t.teardown(() => pf.child.kill('SIGKILL'));
    await until('the forwarding line', () => pf.out().includes('Forwarding from'), 30_000);
    t.equal((await s.request('DELETE', '/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0')).status, 200);
    t.equal(await pf.exit, 1);
    t.match(pf.err(), 'error: lost connection to pod\n');
  });
});
