// hostNetwork: true — a wasm pod's sockets are the host's: real listeners, real connections, the host's resolver and hostname.
import t from 'tap';
import * as crypto from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import { fastRuntime, until } from '../helpers/pods.js';
import { runPodCollect } from '../helpers/run-pod.js';
import { netPod } from '../helpers/net-pods.js';
import { HTTPD, WGET, freePort, waitForHttp } from '../helpers/http-guests.js';

const run = promisify(execFile);
const HOST_NET = { hostNetwork: true };
/** The host's first IPv4 address that is not loopback (none on a machine without a network). */
const EXTERNAL = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** A Node server on the host's 127.0.0.1; closed when the test ends. */
async function hostServer(t: { teardown(fn: () => unknown): void }, handler: (s: net.Socket) => void): Promise<number> {
  // The socket is read to its end, or a client's FIN would never be seen and the server never close;
  // a client that closes with the answer unread resets it (ECONNRESET here), as TCP does.
  const srv = net.createServer((s) => { s.on('error', () => undefined); s.resume(); handler(s); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  return (srv.address() as net.AddressInfo).port;
}

/** Connects once to 127.0.0.1:port; resolves with the error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => { c.destroy(); resolve('connected'); });
    c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Connects to 127.0.0.1:port, retrying while refused (the guest may not listen yet). */
function dial(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => { c.removeAllListeners('error'); resolve(c); });
      c.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? setTimeout(attempt, 50) : reject(err)));
    };
    attempt();
  });
}

t.test('a guest httpd in a hostNetwork pod listens on the host: Node and curl reach it on 127.0.0.1', async (t) => {
  const big = crypto.randomBytes(1024 * 1024 + 3);
  const www = t.testdir({ 'notes.txt': 'from the host network\n' });
  fs.writeFileSync(path.join(www, 'big.bin'), big);
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-web' },
    spec: {
      hostNetwork: true, restartPolicy: 'Never',
      volumes: [{ name: 'www', hostPath: { path: www } }],
      containers: [{
        name: 'web', image: HTTPD, args: ['-r', '/www', '-p', String(port)],
        volumeMounts: [{ name: 'www', mountPath: '/www', readOnly: true }],
        readinessProbe: { httpGet: { path: '/status/200', port }, periodSeconds: 1 },
      }],
    },
  });
  await waitForHttp(port, '/', 60_000);
  const base = `http://127.0.0.1:${port}`;
  const r = await request(`${base}/notes.txt`);
  t.equal(r.statusCode, 200);
  t.equal(await r.body.text(), 'from the host network\n');
  const b = await request(`${base}/big.bin`);
  t.ok(Buffer.from(await b.body.arrayBuffer()).equals(big), '1 MiB from the guest over a real host connection');
  const e = await request(`${base}/echo/post`, { method: 'POST', body: 'a body' });
  t.match(await e.body.text(), /^POST \/echo\/post HTTP\/1\.1\r\n[\s\S]*\r\n\r\na body$/);
  const curl = await run('curl', ['-sS', '-D', '-', `${base}/notes.txt`]);
  t.match(curl.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  t.match(curl.stdout, /\r\n\r\nfrom the host network\n$/);
  await until(pod, (s) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
  t.pass('the kubelet\'s httpGet probe reached it at the pod IP, the node\'s');
  // The pod's IP is the node's, reported as both podIP and hostIP.
  t.equal(pod.network.ip, pod.status.podIP);
  t.equal(pod.status.hostIP, pod.status.podIP);
  t.notMatch(pod.status.podIP ?? '', /^10\.88\./, 'not an address of the cluster range');

  await pod.delete({ gracePeriodSeconds: 0 });
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'the host listener closed with the pod');
});

t.test('a guest that binds 127.0.0.1 listens on the host\'s loopback only', async (t) => {
  const external = EXTERNAL;
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-lo-only' },
    spec: { hostNetwork: true, restartPolicy: 'Never', containers: [{ name: 'web', image: HTTPD, args: ['-b', '127.0.0.1', '-p', String(port)] }] },
  });
  await waitForHttp(port, '/', 60_000);
  t.equal(pod.network.ip, external ?? '127.0.0.1', 'the pod IP is the node\'s first IPv4 address');
  if (external) {
    const code = await new Promise<string>((resolve) => {
      const c = net.connect(port, external);
      c.on('connect', () => { c.destroy(); resolve('connected'); });
      c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    t.equal(code, 'ECONNREFUSED', `not on ${external}`);
  }
  await pod.delete({ gracePeriodSeconds: 0 });
});

t.test('a preopened containerPort of a hostNetwork pod is a host listener on every interface', async (t) => {
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-preopen' },
    spec: {
      hostNetwork: true, restartPolicy: 'Never',
      containers: [{ name: 'web', image: HTTPD, ports: [{ containerPort: port, hostPort: port }] }],
    },
  });
  await waitForHttp(port, '/', 60_000);
  const r = await request(`http://127.0.0.1:${port}/status/204`);
  t.equal(r.statusCode, 204);
  await r.body.dump();
  const external = EXTERNAL;
  if (external) {
    const e = await request(`http://${external}:${port}/status/204`);
    t.equal(e.statusCode, 204, `reached on ${external} too`);
    await e.body.dump();
  }
  await pod.delete({ gracePeriodSeconds: 0 });
  t.equal(await tryConnect(port), 'ECONNREFUSED');
});

t.test('a guest wget in a hostNetwork pod fetches from a Node HTTP server on the host', async (t) => {
  const srv = http.createServer((req, res) => res.end(`host says hi to ${req.url} (${req.headers['user-agent']})\n`));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as net.AddressInfo).port;
  const { status, out } = await runPodCollect({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-wget' },
    spec: {
      hostNetwork: true, restartPolicy: 'Never',
      containers: [
        { name: 'by-ip', image: WGET, args: ['-q', `http://127.0.0.1:${port}/by-ip`] },
        { name: 'by-name', image: WGET, args: ['-q', `http://localhost:${port}/by-name`] },
      ],
    },
  });
  t.equal(status.phase, 'Succeeded');
  t.equal(out['by-ip'], 'host says hi to /by-ip (wasmpod-wget/1)\n');
  t.equal(out['by-name'], 'host says hi to /by-name (wasmpod-wget/1)\n', 'localhost through the host resolver');
});

t.test('host errors: EADDRINUSE for a port a host process holds, ECONNREFUSED for a closed one', async (t) => {
  const clientPorts: number[] = [];
  const held = await hostServer(t, (s) => { clientPorts.push(s.remotePort!); s.end('host\n'); });
  const closed = await freePort();
  const { status, out } = await runPodCollect(netPod('host-errors', [
    { name: 'taken', args: ['bind', String(held)] },
    { name: 'refused', args: ['try', '127.0.0.1', String(closed)] },
    { name: 'reached', args: ['client', '127.0.0.1', String(held), 'hi\n'] },
    { name: 'addrs', args: ['addrs', '127.0.0.1', String(held)] },
  ], HOST_NET));
  const m = /^local 127\.0\.0\.1:(\d+) peer 127\.0\.0\.1:(\d+)/.exec(out.addrs);
  t.ok(m, `getsockname and getpeername are the host socket's: ${out.addrs}`);
  t.equal(Number(m?.[2]), held);
  t.ok(clientPorts.includes(Number(m?.[1])), 'the host server saw the guest come from that very port');
  t.equal(status.phase, 'Succeeded', JSON.stringify(status.containerStatuses?.map((c: { name: string; state: unknown }) => [c.name, c.state])));
  t.equal(out.taken, 'bind errno=3\n', 'EADDRINUSE: a host process has the port');
  t.equal(out.refused, 'connect errno=14\n', 'ECONNREFUSED: nothing listens there on the host');
  t.equal(out.reached, 'reply host\n');
});

t.test('a declared containerPort a host process holds fails the container before its guest runs', async (t) => {
  const held = await hostServer(t, (s) => s.end());
  const { status } = await runPodCollect(netPod('host-preopen-taken', [
    { name: 'srv', args: ['echo', String(held), '1'], ports: [{ containerPort: held }] },
  ], HOST_NET));
  const term = status.containerStatuses[0].state.terminated;
  t.equal(term.exitCode, 1);
  t.equal(term.message, `containerPort ${held}/TCP: address already in use on the host`);
});

t.test('UDP: a guest echo server on a host port answers a Node client; a guest client reaches a host echo server', async (t) => {
  // A host UDP echo server for the guest client.
  const echo = dgram.createSocket('udp4');
  echo.on('message', (msg, r) => echo.send(msg, r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => echo.close());
  const guestPort = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('host-udp', [
    { name: 'echo', args: ['udp-echo', String(guestPort), '1000'] },
    { name: 'client', args: ['udp-client', '127.0.0.1', String(echo.address().port)] },
  ], HOST_NET));
  const out: Record<string, string> = {};
  pod.on('output', (e) => { if (e.stream === 'stdout') out[e.container] = (out[e.container] ?? '') + e.chunk.toString(); });
  // Datagrams sent before the guest has bound are lost: resend until the echo comes back (extra echoes are ignored).
  const client = dgram.createSocket('udp4');
  t.teardown(() => client.close());
  for (const text of ['one', 'two', 'three']) {
    const got = await new Promise<string>((resolve) => {
      const timer = setInterval(() => client.send(text, guestPort, '127.0.0.1'), 100);
      const onMessage = (m: Buffer): void => {
        if (m.toString() !== text) return;
        clearInterval(timer);
        client.off('message', onMessage);
        resolve(m.toString());
      };
      client.on('message', onMessage);
      client.send(text, guestPort, '127.0.0.1');
    });
    t.equal(got, text, `the guest echoed "${text}" from a real host UDP port`);
  }
  await until(pod, (s) => s.containerStatuses?.find((c) => c.name === 'client')?.state?.terminated !== undefined);
  t.equal(out.client, 'got 1 100 1000 1400 9000 truncated 10 flags=1\n', 'boundaries kept through the host socket');
  await pod.delete({ gracePeriodSeconds: 0 });
});

t.test('two containers of a hostNetwork pod talk over localhost; the host reaches the same listener', async (t) => {
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('host-lo', [
    { name: 'server', args: ['echo', String(port), '2'] },
    { name: 'client', args: ['client', 'localhost', String(port), 'hello over the host loopback\n'] },
  ], HOST_NET));
  const out: Record<string, string> = {};
  pod.on('output', (e) => { if (e.stream === 'stdout') out[e.container] = (out[e.container] ?? '') + e.chunk.toString(); });
  // The second connection the echo server takes comes from a real host socket.
  const c = await dial(port);
  const chunks: Buffer[] = [];
  c.on('data', (d) => chunks.push(d));
  const reply = await new Promise<string>((resolve, reject) => {
    c.on('end', () => resolve(Buffer.concat(chunks).toString()));
    c.on('error', reject);
    c.end('from a host process\n');
  });
  t.equal(reply, 'from a host process\n[eof]\n', 'half-close from a host socket: the guest read EOF, then answered');
  const status = await pod.wait();
  t.equal(status.phase, 'Succeeded');
  t.equal(out.client, 'reply hello over the host loopback\n[eof]\n');
});

t.test('a host connection the guest closed in order still delivers its last bytes after the pod has ended', async (t) => {
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('host-linger', [{ name: 'echo', args: ['echo', String(port), '1'] }], HOST_NET));
  const c = await dial(port);
  c.pause();
  const sent = crypto.randomBytes(1024 * 1024);
  c.end(sent);
  // The guest echoes, closes and exits; the pod ends and is deleted while nothing of the echo has been read here yet.
  const status = await pod.wait();
  t.equal(status.phase, 'Succeeded');
  await pod.delete({ gracePeriodSeconds: 0 });
  const chunks: Buffer[] = [];
  const how = await new Promise<string>((resolve) => {
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('end', () => resolve('end'));
    c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    c.resume();
  });
  t.equal(how, 'end', 'a FIN, not a reset');
  t.ok(Buffer.concat(chunks).equals(Buffer.concat([sent, Buffer.from('[eof]\n')])), 'every byte the guest sent before it closed');
});

t.test("a hostNetwork pod's guest sees the node's hostname; a second pod cannot bind the same host port", async (t) => {
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const first = await runtime.runPod(netPod('host-one', [{ name: 'srv', args: ['echo', String(port), '0'] }], HOST_NET));
  t.teardown(() => first.delete({ gracePeriodSeconds: 0 }));
  while ((await tryConnect(port)) !== 'connected') await new Promise((r) => setTimeout(r, 50));
  const { status, out } = await runPodCollect(netPod('host-two', [
    { name: 'name', args: ['hostname'] },
    { name: 'taken', args: ['bind', String(port)] },
  ], HOST_NET), {}, runtime);
  t.equal(status.phase, 'Succeeded');
  t.match(out.name, new RegExp(`^hostname ${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n${
    os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -> `), 'HOSTNAME is the node\'s and resolves through the host');
  t.equal(out.taken, 'bind errno=3\n', 'the port space is the host\'s, shared with other hostNetwork pods');
});

t.test('a guest that dies with bytes unread resets the host connection it held', async (t) => {
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('host-reset', [{ name: 'die', args: ['die-after', String(port), '1000'] }], HOST_NET));
  const b = await dial(port);
  const code = await new Promise<string>((resolve) => {
    b.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    b.on('close', () => resolve('closed without an error'));
    b.write(Buffer.alloc(64 * 1024, 2));
  });
  t.equal(code, 'ECONNRESET', 'the guest trapped with bytes unread: the host client got an RST');
  const status = await pod.wait();
  t.equal(status.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
});

t.test('a hostNetwork pod reaches other pods at their cluster IPs, as a node does', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const web = await runtime.runPod(netPod('cluster-web', [{ name: 'srv', args: ['echo', '8080', '0'] }]));
  t.teardown(() => web.delete({ gracePeriodSeconds: 0 }));
  const { status, out } = await runPodCollect(netPod('host-caller', [
    { name: 'c', args: ['client', web.network.ip, '8080', 'from the node\n'] },
  ], HOST_NET), {}, runtime);
  t.equal(status.phase, 'Succeeded');
  t.equal(out.c, 'reply from the node\n[eof]\n');
});

t.test('without hostNetwork a pod still cannot reach a host server (see also localhost.test.ts)', async (t) => {
  const hostPort = await hostServer(t, (s) => s.end('host secret'));
  const { status, out } = await runPodCollect(netPod('isolated', [
    { name: 'host-loopback', args: ['try', '127.0.0.1', String(hostPort)] },
    { name: 'host-name', args: ['resolve', os.hostname()] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.equal(out['host-loopback'], 'connect errno=14\n', 'the pod\'s own loopback, where nothing listens');
  t.equal(out['host-name'], 'resolve errno=44\n', 'no host resolver either');
});
