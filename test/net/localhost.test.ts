// Containers of one pod share its loopback and port space; pods reach each other by IP and name, and nothing more.
import * as net from 'node:net';
import * as os from 'node:os';
import t from 'tap';
import { runPodCollect } from '../helpers/run-pod.js';
import { fastRuntime } from '../helpers/pods.js';
import { netPod } from '../helpers/net-pods.js';

t.test('two containers of a pod talk over localhost; half-close lets the server answer after EOF', async (t) => {
  const { status, out } = await runPodCollect(netPod('lo', [
    { name: 'server', args: ['echo', '8080', '1'] },
    { name: 'client', args: ['client', 'localhost', '8080', 'hello over loopback\n'] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.equal(out.server, 'listening 8080\n');
  // The echo came back, then "[eof]", which the server writes only after reading the client's shutdown.
  t.equal(out.client, 'reply hello over loopback\n[eof]\n');
});

t.test('one port space per pod: a second bind gets EADDRINUSE, in the same container or another', async (t) => {
  const { status, out } = await runPodCollect(netPod('ports', [
    { name: 'server', args: ['echo', '9090', '1'] },
    { name: 'other', args: ['connect-bind', '9090'] },
    { name: 'same', args: ['bind2', '7070'] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.equal(out.other, 'bind errno=3\n', 'ADDRINUSE from another container');
  t.equal(out.same, 'bind errno=0 then errno=3\n', 'ADDRINUSE in the same container');
});

t.test('pods reach each other by IP and by name, never by loopback; the host is out of reach', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const server = await runtime.runPod(netPod('web', [{ name: 'srv', args: ['echo', '8080', '0'] }]));
  const ip = server.network.ip;
  t.match(ip, /^10\.88\.\d+\.\d+$/, 'pod IP from the default range');
  t.equal(server.status.podIP, ip, 'reported as status.podIP');
  t.same(server.status.podIPs, [{ ip }], 'and podIPs');
  // A host service on loopback, which no guest may reach.
  const host = net.createServer((s) => s.end('host secret'));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  t.teardown(() => host.close());
  const hostPort = (host.address() as net.AddressInfo).port;
  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '192.0.2.1';
  const { status, out } = await runPodCollect(netPod('caller', [
    { name: 'by-ip', args: ['client', ip, '8080', 'via ip\n'] },
    { name: 'by-name', args: ['client', 'web', '8080', 'via name\n'] },
    { name: 'their-loopback', args: ['try', '127.0.0.1', '8080'] },
    { name: 'host-loopback', args: ['try', '127.0.0.1', String(hostPort)] },
    { name: 'host-ip', args: ['try', external, String(hostPort)] },
    { name: 'unused-pod-ip', args: ['try', '10.88.250.250', '8080'] },
    { name: 'self', args: ['resolve', 'caller'] },
    { name: 'peer', args: ['resolve', 'web'] },
    { name: 'local', args: ['resolve', 'localhost'] },
    { name: 'unknown', args: ['resolve', 'example.com'] },
  ]), {}, runtime);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['by-ip'], 'reply via ip\n[eof]\n');
  t.equal(out['by-name'], 'reply via name\n[eof]\n');
  t.equal(out['their-loopback'], 'connect errno=14\n', "another pod's loopback: ECONNREFUSED (it is our own, empty)");
  t.equal(out['host-loopback'], 'connect errno=14\n', 'the host loopback is not reachable');
  t.equal(out['host-ip'], 'connect errno=40\n', 'host addresses: ENETUNREACH');
  t.equal(out['unused-pod-ip'], 'connect errno=23\n', 'an unused pod IP: EHOSTUNREACH');
  t.match(out.self, /^caller -> 10\.88\.\d+\.\d+\n$/);
  t.equal(out.peer, `web -> ${ip}\n`);
  t.equal(out.local, 'localhost -> 127.0.0.1 v6:00..01\n');
  t.equal(out.unknown, 'resolve errno=44\n');
  await server.delete({ gracePeriodSeconds: 0 });
});

t.test('the pod network survives container restarts and is released with the pod', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const spec = netPod('restarts', [
    { name: 'server', args: ['echo-fail', '8080', '1'] },
    { name: 'client', args: ['many', 'localhost', '8080', '3', 'retry'] },
  ], { restartPolicy: 'OnFailure' });
  const pod = await runtime.runPod(spec);
  const out: string[] = [];
  pod.on('output', (e) => { if (e.container === 'client') out.push(e.chunk.toString()); });
  await new Promise<void>((resolve) => {
    const check = (): void => { if (pod.status.containerStatuses?.find((c) => c.name === 'client')?.state?.terminated) resolve(); };
    pod.on('status', check);
    check();
  });
  t.equal(out.join(''), 'done 3\n', 'three connections, each to a new run of the server, on the same port');
  t.ok((pod.status.containerStatuses?.find((c) => c.name === 'server')?.restartCount ?? 0) >= 2, 'the server restarted');
  const ip = pod.network.ip;
  const network = pod.network;
  await pod.delete({ gracePeriodSeconds: 0 });
  t.equal(network.closed, true, 'the network is closed with the pod');
  t.equal(runtime.network.pod(ip), undefined, 'its IP is free again');
});
