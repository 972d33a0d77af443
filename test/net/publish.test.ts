// Reaching a pod from the host: streams (a Node Duplex), port-forwarding, hostPort and --publish, with undici and curl.
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { promisify } from 'node:util';
import t from 'tap';
import { request } from 'undici';
import { openPodStream, portForward, PodConnectionRefusedError, type PodHandle } from '../../dist/src/index.js';
import { fastRuntime } from '../helpers/pods.js';
import { netPod } from '../helpers/net-pods.js';

/** A host port nothing uses now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function untilListening(pod: PodHandle, container: string): Promise<void> {
  let text = '';
  await new Promise<void>((resolve) => pod.on('output', (e) => {
    if (e.container === container) text += e.chunk.toString();
    if (text.includes('listening')) resolve();
  }));
}

function readAll(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('end', () => resolve(Buffer.concat(parts).toString()));
    s.on('error', reject);
  });
}

t.test('openPodStream: a Duplex into the pod, half-close included; refused where nothing listens', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('streams', [{ name: 'echo', args: ['echo', '8080', '0'] }]));
  await untilListening(pod, 'echo');
  const s = openPodStream(pod, 8080);
  t.equal(s.remoteAddress, '127.0.0.1');
  t.equal(s.remotePort, 8080);
  const reply = readAll(s);
  s.write('from the host ');
  s.end('side\n');
  t.equal(await reply, 'from the host side\n[eof]\n', 'echoed, then the server saw our end() as EOF');
  t.throws(() => openPodStream(pod, 9999), PodConnectionRefusedError);
  await pod.delete({ gracePeriodSeconds: 0 });
});

t.test('a host writer faster than the guest reader is held back: nothing lost, buffers bounded', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('hostbp', [{ name: 'sink', args: ['sink', '8080', '3'] }]));
  await untilListening(pod, 'sink');
  const s = openPodStream(pod, 8080);
  const total = 8 * 1024 * 1024;
  const chunk = 256 * 1024;
  let maxBuffered = 0;
  let refusals = 0;
  for (let sent = 0; sent < total; sent += chunk) {
    const b = Buffer.alloc(chunk);
    for (let i = 0; i < chunk; i++) b[i] = ((sent + i) * 7 + 3) & 0xff;
    const more = s.write(b);
    maxBuffered = Math.max(maxBuffered, s.writableLength);
    if (!more) {
      refusals++;
      await new Promise((r) => s.once('drain', r));
    }
  }
  const reply = readAll(s);
  s.end();
  t.equal(await reply, `ok ${total}`, 'the guest checked every byte');
  t.ok(refusals > 0, `write() asked the host to wait ${refusals} times`);
  t.ok(maxBuffered <= 2 * chunk, `host-side buffering stayed at ${maxBuffered} bytes`);
  await pod.wait();
});

t.test('hostPort publishes on 127.0.0.1 while the pod runs: undici and curl get the page', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const hostPort = await freePort();
  const pod = await runtime.runPod(netPod('web', [
    { name: 'http', args: ['http', '8080', '0'], ports: [{ containerPort: 8080, hostPort }] },
  ]));
  await untilListening(pod, 'http');
  const res = await request(`http://127.0.0.1:${hostPort}/from-undici`);
  t.equal(res.statusCode, 200);
  t.equal(await res.body.text(), 'hello from the pod: GET /from-undici HTTP/1.1\n');
  const curl = await promisify(execFile)('curl', ['-sS', '--max-time', '20', `http://127.0.0.1:${hostPort}/from-curl`]);
  t.equal(curl.stdout, 'hello from the pod: GET /from-curl HTTP/1.1\n');
  await pod.delete({ gracePeriodSeconds: 0 });
  // Unpublished with the pod: the port refuses.
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const c = net.connect(hostPort, '127.0.0.1');
    c.on('error', resolve);
    c.on('connect', () => { c.destroy(); resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })); });
  });
  t.equal(err.code, 'ECONNREFUSED');
});

t.test('RunPodOptions.publish (wasmpod run --publish) and portForward', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const hostPort = await freePort();
  const pod = await runtime.runPod(netPod('fwd', [{ name: 'echo', args: ['echo', '8080', '0'] }]),
    { publish: [{ hostPort, containerPort: 8080 }] });
  await untilListening(pod, 'echo');
  const talk = async (port: number, msg: string): Promise<string> => {
    const c = net.connect(port, '127.0.0.1');
    const all = readAll(c);
    c.end(msg);
    return all;
  };
  t.equal(await talk(hostPort, 'published\n'), 'published\n[eof]\n');
  const fwd = await portForward(pod, 8080);
  t.ok(fwd.hostPort > 0);
  t.equal(await talk(fwd.hostPort, 'forwarded\n'), 'forwarded\n[eof]\n');
  await fwd.close();
  // A connection to a pod port nothing listens on is reset at once.
  const other = await portForward(pod, 9999);
  const err = await new Promise<string>((resolve) => {
    const c = net.connect(other.hostPort, '127.0.0.1');
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    c.on('close', () => resolve('closed'));
  });
  t.ok(err === 'ECONNRESET' || err === 'closed', `refused inside the pod: ${err}`);
  await pod.delete({ gracePeriodSeconds: 0 });
});

t.test('a hostPort already taken on the host fails runPod with HostPortError; SCTP ports are refused', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.teardown(() => taken.close());
  const hostPort = (taken.address() as net.AddressInfo).port;
  await t.rejects(runtime.runPod(netPod('clash', [{ name: 'c', args: ['echo', '8080', '1'], ports: [{ containerPort: 8080, hostPort }] }])),
    { code: 'ERR_HOST_PORT', message: new RegExp(`cannot publish port 8080 of pod "clash" on 127\\.0\\.0\\.1:${hostPort}: EADDRINUSE`) });
  t.equal(runtime.list().length, 0, 'nothing of the pod runs');
  await t.rejects(runtime.runPod(netPod('sctp', [{ name: 'c', args: ['echo', '8080', '1'], ports: [{ containerPort: 8080, protocol: 'SCTP' }] }])),
    { message: /spec\.containers\[0\]\.ports\[0\]\.protocol: not supported yet: SCTP/ });
});
