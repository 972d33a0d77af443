// A linux pod's own network namespace reached from the host: hostPort publishing and httpGet probes, through the relay.
import t from 'tap';
import * as net from 'node:net';
import * as http from 'node:http';
import * as os from 'node:os';
import { busyboxRootfs, containerPids, eventually, linuxRuntime, linuxSkip, nsLinks, sandboxes } from './helpers.js';
import { until } from '../helpers/pods.js';

const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(port));
  });
});
const get = (port: number): Promise<string> => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port, path: '/index.html' }, (res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => resolve(`${res.statusCode} ${body}`));
  }).on('error', reject);
});

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  const rt = linuxRuntime();
  t.teardown(() => rt.close());
  const R = busyboxRootfs();

  t.test('hostPort reaches httpd in the pod\'s namespace; an httpGet probe makes it Ready; deleting closes the port', async (t) => {
    const hostPort = await freePort();
    const pod = await rt.runPod({
      metadata: { name: 'published' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'httpd', image: R, command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          ports: [{ containerPort: 8080, hostPort }],
          readinessProbe: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 },
        }],
      },
    });
    const s = await until(pod, (x) => x.containerStatuses![0]!.ready === true);
    t.equal(s.conditions!.find((c) => c.type === 'Ready')!.status, 'True', 'the httpGet probe reached httpd');
    t.equal(await get(hostPort), '200 hello from httpd\n', 'a host client reaches the pod through its hostPort');
    t.equal(await get(hostPort), '200 hello from httpd\n', 'and again, on a new connection');
    await pod.delete();
    await t.rejects(get(hostPort), { code: 'ECONNREFUSED' }, 'the host port is closed with the pod');
  });

  t.test('--publish (runPod\'s publish) reaches the pod; a client that half-closes after its request still gets the answer', async (t) => {
    const hostPort = await freePort();
    const pod = await rt.runPod({
      metadata: { name: 'published-extra' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'httpd', image: R, command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }],
      },
    }, { publish: [{ hostPort, containerPort: 8080 }] });
    await until(pod, (x) => x.containerStatuses![0]!.ready === true);
    t.equal(await get(hostPort), '200 hello from httpd\n', 'a host client reaches the pod through the published port');
    // As `nc -N` or `printf ... | socat` do: the request, then shutdown(SHUT_WR); the answer must still come back.
    const answer = await new Promise<string>((resolve, reject) => {
      let body = '';
      const sock = net.connect(hostPort, '127.0.0.1', () => sock.end('GET /index.html HTTP/1.0\r\n\r\n'));
      sock.on('data', (c) => { body += c; });
      sock.on('end', () => resolve(body));
      sock.on('error', reject);
    });
    t.match(answer, /^HTTP\/1\.[01] 200 [^]*\r\n\r\nhello from httpd\n$/, 'the whole answer arrives after the client\'s half-close');
    await pod.delete();
    await t.rejects(get(hostPort), { code: 'ECONNREFUSED' }, 'the published port is closed with the pod');
  });

  t.test('a published port nothing listens on resets the connection; an httpGet probe to it fails', async (t) => {
    const hostPort = await freePort();
    const pod = await rt.runPod({
      metadata: { name: 'nolistener' },
      spec: {
        containers: [{
          name: 's', image: R, command: ['sleep', '1000'], ports: [{ containerPort: 9999, hostPort }],
          readinessProbe: { httpGet: { path: '/', port: 9999 }, periodSeconds: 1 },
        }],
      },
    });
    t.ok(await eventually(() => pod.events.some((e) => e.reason === 'Unhealthy'), 10_000), 'the probe failed');
    t.notOk(pod.status.containerStatuses![0]!.ready, 'not ready');
    t.match(pod.events.find((e) => e.reason === 'Unhealthy')!.message, /Readiness probe failed/);
    await t.rejects(get(hostPort), { code: 'ECONNRESET' });
    await pod.delete();
  });

  t.test('hostNetwork: the containers use the host\'s network and hostname; ipc stays the pod\'s', async (t) => {
    const port = await freePort();
    const pod = await rt.runPod({
      metadata: { name: 'on-host' },
      spec: {
        hostNetwork: true, terminationGracePeriodSeconds: 1,
        containers: [{ name: 'httpd', image: R, command: ['sh', '-c', `hostname; exec httpd -f -p 127.0.0.1:${port} -h /www`] }],
      },
    });
    let out = '';
    pod.on('output', (e) => { out += e.chunk; });
    t.ok(await eventually(() => out.includes('\n')), 'it printed its hostname');
    t.equal(out.trim(), os.hostname(), 'the node\'s hostname');
    let body = '';
    await eventually(() => { get(port).then((b) => { body = b; }, () => undefined); return body !== ''; }, 5000);
    t.equal(body, '200 hello from httpd\n', 'a host client reaches it on the host\'s own port');
    // This pod's sandbox (an earlier test's pod may still be going away, with an httpd of its own).
    const s = sandboxes(rt).find((x) => x.podUid === pod.pod.metadata.uid)!;
    const ns = nsLinks(containerPids(s)['httpd']![0]!);
    const host = nsLinks(process.pid);
    t.equal(ns.net, host.net, 'the host\'s network namespace');
    t.equal(ns.uts, host.uts, 'the host\'s uts namespace');
    t.not(ns.ipc, host.ipc, 'its own ipc namespace');
    await pod.delete();
  });
}
