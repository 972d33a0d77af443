// Streams behave like TCP: back-pressure without loss, EAGAIN, poll_oneoff, a dying peer; datagrams keep their bounds.
import t from 'tap';
import { runPodCollect } from '../helpers/run-pod.js';
import { fastRuntime } from '../helpers/pods.js';
import { PREVIEW1_ECHO, netPod } from '../helpers/net-pods.js';

t.test('a fast writer and a slow reader: every byte arrives in order, the writer waits', async (t) => {
  const bytes = 4 * 1024 * 1024;
  const { status, out } = await runPodCollect(netPod('bp', [
    { name: 'sink', args: ['sink', '8080', '2'] },
    { name: 'blast', args: ['blast', 'localhost', '8080', String(bytes)] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.equal(out.sink, `listening 8080\nreceived ${bytes} ok\n`, 'the pattern checked byte by byte');
  t.equal(out.blast, `sent ${bytes} verdict ok ${bytes}\n`);
});

t.test('non-blocking sockets answer EAGAIN; MSG_DONTWAIT too', async (t) => {
  const { out } = await runPodCollect(netPod('nb', [{ name: 'c', args: ['nonblock', '8080'] }]));
  t.equal(out.c, 'listening 8080\naccept-empty errno=6 accept errno=0 recv-empty -6 recv 1 dontwait errno=6\n');
});

t.test('poll_oneoff waits on a listener, a connection and a clock together', async (t) => {
  const { out } = await runPodCollect(netPod('poll', [{ name: 'c', args: ['poll', '8080'] }]));
  t.equal(out.c, 'listening 8080\ntimeout n=0 listener n=1 ready=1 idle n=0 data n=1 ready=1\n');
});

t.test('UDP datagrams keep their boundaries; a short buffer truncates and says so', async (t) => {
  const { status, out } = await runPodCollect(netPod('udp', [
    { name: 'echo', args: ['udp-echo', '5353', '6'] },
    { name: 'client', args: ['udp-client', 'localhost', '5353'] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.equal(out.client, 'got 1 100 1000 1400 9000 truncated 10 flags=1\n');
});

t.test('a peer that dies mid-transfer leaves the writer with EPIPE or ECONNRESET, not a hang', async (t) => {
  const { status, out } = await runPodCollect(netPod('die', [
    { name: 'reader', args: ['die-after', '8080', '1000000'] },
    { name: 'writer', args: ['blast-forever', 'localhost', '8080'] },
  ]));
  t.equal(status.phase, 'Failed', 'the reader trapped');
  t.match(out.reader, /^listening 8080\ndying after \d+\n$/);
  t.match(out.writer, /^send errno=(64|15) after \d+\n$/);
});

t.test('a container killed mid-transfer leaves its reader with EOF or ECONNRESET', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(netPod('kill', [{ name: 'reader', args: ['drain', '8080'] }]));
  const out: string[] = [];
  const listening = new Promise<void>((resolve) => pod.on('output', (e) => {
    out.push(e.chunk.toString());
    if (out.join('').includes('listening')) resolve();
  }));
  await listening;
  const guard = setTimeout(() => void pod.delete({ gracePeriodSeconds: 0 }), 60_000);
  t.teardown(() => clearTimeout(guard));
  // exec runs beside the container, in the pod's network; its timeout kills the worker while it is writing.
  const r = await pod.exec('reader', ['nettool', 'blast-forever', 'localhost', '8080'], { timeoutMs: 1500 });
  t.equal(r.timedOut, true, 'the writer was killed, not finished');
  const status = await pod.wait();
  t.equal(status.phase, 'Succeeded');
  t.match(out.join(''), /^listening 8080\n(eof|errno=15) \d+\n$/);
  const got = Number(/ (\d+)\n$/.exec(out.join(''))?.[1]);
  t.ok(got > 0, `the reader got ${got} bytes before the end`);
});

t.test('socket calls on bad fds and non-sockets give EBADF, ENOTSOCK and friends', async (t) => {
  const { out } = await runPodCollect(netPod('badfd', [{ name: 'c', args: ['badfd'] }]));
  t.equal(out.c, 'recv-badf=8 recv-notsock=57 accept-notsock=57 shutdown-notsock=57 bind-notsock=57 bind-badf=8 '
    + 'shutdown-notconn=53 bind-unix=5 bind-foreign=4\n');
});

t.test('addresses and options: getsockname/getpeername, sock_status, option setters', async (t) => {
  const { status, out } = await runPodCollect(netPod('addrs', [
    { name: 'server', args: ['echo', '8080', '1'] },
    { name: 'client', args: ['addrs', '127.0.0.1', '8080'] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.match(out.client, /^local 127\.0\.0\.1:(\d+) peer 127\.0\.0\.1:8080 status=1 type=1 nodelay=1 rcvtimeo=2500000000 wrong-setter=28\n$/);
  const port = Number(/:(\d+) peer/.exec(out.client)?.[1]);
  t.ok(port >= 32768 && port <= 60999, `an ephemeral port (${port})`);
});

t.test('a preview1 program gets listeners pre-opened for its containerPorts, announced in LISTEN_FDS style', async (t) => {
  const { status, out } = await runPodCollect(netPod('pre', [
    {
      name: 'server', image: PREVIEW1_ECHO, command: ['preview1-echo'], args: [],
      ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090 }],
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    } as never,
    { name: 'first', args: ['client', 'localhost', '8080', 'through the first preopened fd\n'] },
    { name: 'second', args: ['client', 'localhost', '9090', 'and the second\n'] },
  ], { volumes: [{ name: 'scratch', emptyDir: {} }] }));
  t.equal(status.phase, 'Succeeded');
  // fd 3 is the /scratch directory preopen: the listeners follow it.
  t.equal(out.server, 'LISTEN_FDS=2 LISTEN_FDS_START=4 LISTEN_FDNAMES=http:9090/tcp LISTEN_PORTS=8080:9090\nserved fd 4\nserved fd 5\n');
  t.equal(out.first, 'reply through the first preopened fd\n');
  t.equal(out.second, 'reply and the second\n');
});

t.test('a WASIX program that binds a declared port itself takes over the listener pre-opened for it', async (t) => {
  const { status, out } = await runPodCollect(netPod('self', [
    { name: 'server', args: ['echo', '8080', '1'], ports: [{ containerPort: 8080 }] },
    { name: 'client', args: ['client', 'localhost', '8080', 'bound by the guest\n'] },
  ]));
  t.equal(status.phase, 'Succeeded');
  t.equal(out.client, 'reply bound by the guest\n[eof]\n');
});
