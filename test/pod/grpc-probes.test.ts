// grpc probes against real pods running the C gRPC health server (wasm-modules/net/grpc-health), and that guest reached from the host.
import t from 'tap';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as path from 'node:path';
import { Runtime } from '../../dist/src/index.js';
import { MODULES, fastRuntime, until } from '../helpers/pods.js';
import { freePort, rawExchange } from '../helpers/http-guests.js';

type Pod = Awaited<ReturnType<Runtime['runPod']>>;

const GRPC_HEALTH = path.join(MODULES, 'net/grpc-health.wasm');
const rt = fastRuntime();
// A probe "second" is 50 ms; timeouts of 100 "seconds" (5 s) leave room for a loaded machine.
const fast = new Runtime({ stateDir: rt.stateDir, secondMs: 50, backoff: { baseMs: 20, maxMs: 100, resetAfterMs: 60_000 } });
t.teardown(async () => { await fast.close(); await rt.close(); });

/** A pod of one grpc-health server on the pre-opened port 50051, with `args` and `extra` container fields. */
function grpcPod(name: string, args: string[], extra: Record<string, unknown>, volumes: unknown[] = []): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      volumes,
      containers: [{
        name: 'grpc', image: GRPC_HEALTH, args,
        ports: [{ name: 'grpc', containerPort: 50051 }],
        env: [{ name: 'WASMPOD_TERMINATION_FD', value: '' }],
        ...extra,
      }],
    },
  };
}

const ready = (s: { conditions?: { type: string; status: string }[] }) => s.conditions?.find((c) => c.type === 'Ready')?.status;

/** Resolves with the first event (now or later) whose reason and message match. */
function untilEvent(pod: Pod, reason: string, message: RegExp = /./): Promise<{ reason: string; message: string }> {
  return new Promise((resolve) => {
    const check = () => {
      const e = pod.events.find((x) => x.reason === reason && message.test(x.message));
      if (e) { pod.off('event', check); resolve(e); }
    };
    pod.on('event', check);
    check();
  });
}

/** The container's stdout so far, and a wait for it to match. */
function stdout(pod: Pod): { text(): string; until(re: RegExp): Promise<void> } {
  const chunks: Buffer[] = [];
  const text = () => Buffer.concat(chunks).toString();
  pod.on('output', (e) => { if (e.stream === 'stdout') chunks.push(e.chunk); });
  return {
    text,
    until: (re) => new Promise<void>((resolve) => {
      const check = () => { if (re.test(text())) { pod.off('output', check); resolve(); } };
      pod.on('output', check);
      check();
    }),
  };
}

const unhealthy = (pod: Pod) => pod.events.filter((e) => e.reason === 'Unhealthy').map((e) => e.message);

t.test('a grpc readiness probe on a SERVING server makes the pod Ready; the request names the service', async (t) => {
  const pod = await fast.runPod(grpcPod('grpc-ready', ['--serving', 'web'], {
    startupProbe: { grpc: { port: 50051 }, periodSeconds: 1, failureThreshold: 100, timeoutSeconds: 100 },
    readinessProbe: { grpc: { port: 50051, service: 'web' }, periodSeconds: 1, timeoutSeconds: 100 },
  }));
  const log = stdout(pod);
  const s = await until(pod, (st) => ready(st) === 'True');
  t.equal(s.containerStatuses![0].ready, true);
  await log.until(/Check "" SERVING\n/);
  await log.until(/Check "web" SERVING\n/);
  t.pass('the startup probe asked for the server as a whole, the readiness probe for "web"');
  t.same(unhealthy(pod).filter((m) => !m.startsWith('Startup')), [], 'no readiness failures');
  await pod.delete();
});

t.test('a NOT_SERVING service keeps the pod unready, with the kubelet\'s message', async (t) => {
  const pod = await fast.runPod(grpcPod('grpc-not-serving', ['--serving', 'a', '--not-serving', 'b'], {
    readinessProbe: { grpc: { port: 50051, service: 'b' }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 100 },
  }));
  const e = await untilEvent(pod, 'Unhealthy');
  t.equal(e.message, 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")');
  t.equal(ready(pod.status), 'False');
  t.equal(pod.status.containerStatuses![0].ready, false);
  t.equal(pod.status.containerStatuses![0].restartCount, 0, 'readiness never restarts');
  await pod.delete();
});

t.test('a failing grpc liveness probe restarts the container: Unhealthy, then Killing', async (t) => {
  const dir = t.testdir({});
  const live = await fast.runPod(grpcPod('grpc-live', ['--down-file', '/data/down'], {
    livenessProbe: { grpc: { port: 50051 }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 100 },
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  }, [{ name: 'data', hostPath: { path: dir } }]));
  const log = stdout(live);
  await log.until(/Check "" SERVING\n(.*\n)*Check "" SERVING\n/);
  t.equal(live.status.containerStatuses![0].restartCount, 0, 'healthy: no restart');
  fs.writeFileSync(path.join(dir, 'down'), '');
  const restarted = await until(live, (s) => s.containerStatuses![0].restartCount >= 1);
  t.ok(restarted.containerStatuses![0].lastState?.terminated, 'the previous run terminated');
  await log.until(/Check "" NOT_SERVING\n/);
  const probeEvents = live.events.filter((e) => e.reason === 'Unhealthy' || e.reason === 'Killing').map((e) => [e.reason, e.message]);
  t.match(probeEvents, [
    ['Unhealthy', 'Liveness probe failed: service unhealthy (responded with "NOT_SERVING")'],
    ['Killing', 'Container grpc failed liveness probe, will be restarted'],
  ]);
  await live.delete();
});

t.test('nothing listening on the port: the kubelet\'s connect timeout', async (t) => {
  const pod = await fast.runPod(grpcPod('grpc-refused', [], {
    livenessProbe: { grpc: { port: 9090 }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 2 },
  }));
  await untilEvent(pod, 'Killing');
  // grpc-go's blocking dial retries a refused connection until the probe's deadline.
  t.match(unhealthy(pod)[0], /^Liveness probe failed: timeout: failed to connect service "10\.\d+\.\d+\.\d+:9090" within 2s: context deadline exceeded$/);
  await pod.delete();
});

t.test('a service the server does not know: NOT_FOUND, or SERVICE_UNKNOWN with --service-unknown', async (t) => {
  const pod = await fast.runPod(grpcPod('grpc-unknown', ['--serving', 'a'], {
    readinessProbe: { grpc: { port: 50051, service: 'nope' }, periodSeconds: 1, timeoutSeconds: 100 },
  }));
  const e = await untilEvent(pod, 'Unhealthy');
  t.equal(e.message, 'Readiness probe failed: error: health rpc probe failed: rpc error: code = NotFound desc = unknown service');
  await pod.delete();
  const pod2 = await fast.runPod(grpcPod('grpc-svc-unknown', ['--serving', 'a', '--service-unknown'], {
    readinessProbe: { grpc: { port: 50051, service: 'nope' }, periodSeconds: 1, timeoutSeconds: 100 },
  }));
  const e2 = await untilEvent(pod2, 'Unhealthy');
  t.equal(e2.message, 'Readiness probe failed: service unhealthy (responded with "SERVICE_UNKNOWN")');
  await pod2.delete();
});

t.test('timeouts: a server that never answers the call, and one that never speaks HTTP/2', async (t) => {
  const hang = await fast.runPod(grpcPod('grpc-hang', ['--hang'], {
    readinessProbe: { grpc: { port: 50051 }, periodSeconds: 1, timeoutSeconds: 20 },
  }));
  t.equal((await untilEvent(hang, 'Unhealthy')).message, 'Readiness probe failed: timeout: health rpc did not complete within 20s');
  await hang.delete();
  const mute = await fast.runPod(grpcPod('grpc-mute', ['--mute'], {
    readinessProbe: { grpc: { port: 50051 }, periodSeconds: 1, timeoutSeconds: 20 },
  }));
  t.match((await untilEvent(mute, 'Unhealthy')).message,
    /^Readiness probe failed: timeout: failed to connect service "10\.\d+\.\d+\.\d+:50051" within 20s: context deadline exceeded$/);
  await mute.delete();
});

t.test('the guest over a published port: other methods and services are UNIMPLEMENTED, non-gRPC requests 415', async (t) => {
  const hostPort = await freePort();
  const pod = await rt.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'grpc-published' },
    spec: {
      containers: [{
        name: 'grpc', image: GRPC_HEALTH, args: ['--serving', 'a,b', '--not-serving', 'c'],
        ports: [{ containerPort: 50051, hostPort }], env: [{ name: 'WASMPOD_TERMINATION_FD', value: '' }],
      }],
    },
  });
  t.teardown(() => pod.delete());
  await until(pod, (s) => s.containerStatuses?.[0]?.state?.running !== undefined);
  let session: http2.ClientHttp2Session | undefined;
  for (let i = 0; !session; i++) {
    try {
      session = await new Promise<http2.ClientHttp2Session>((resolve, reject) => {
        const s = http2.connect(`http://127.0.0.1:${hostPort}`);
        s.once('remoteSettings', () => resolve(s));
        s.once('error', reject);
      });
    } catch (err) {
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  t.teardown(() => session!.close());
  const call = (p: string, body: Buffer, contentType = 'application/grpc') => new Promise<Record<string, unknown>>((resolve) => {
    const req = session!.request({ ':method': 'POST', ':path': p, 'content-type': contentType, te: 'trailers' });
    let head: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const data: Buffer[] = [];
    req.on('response', (h) => { head = h; });
    req.on('trailers', (h) => { trailers = h; });
    req.on('data', (d: Buffer) => data.push(d));
    req.on('close', () => resolve({
      status: head[':status'], grpcStatus: (trailers ?? head)['grpc-status'], grpcMessage: (trailers ?? head)['grpc-message'],
      body: Buffer.concat(data).toString('hex'),
    }));
    req.end(body);
  });
  const check = (svc: string) => Buffer.concat([Buffer.from([0, 0, 0, 0, svc.length + 2, 0x0a, svc.length]), Buffer.from(svc)]);
  t.same(await call('/grpc.health.v1.Health/Check', check('a')), { status: 200, grpcStatus: '0', grpcMessage: undefined, body: '00000000020801' });
  t.same(await call('/grpc.health.v1.Health/Check', check('c')), { status: 200, grpcStatus: '0', grpcMessage: undefined, body: '00000000020802' });
  t.same(await call('/grpc.health.v1.Health/Watch', check('a')),
    { status: 200, grpcStatus: '12', grpcMessage: 'unknown method Watch for service grpc.health.v1.Health', body: '' });
  t.same(await call('/helloworld.Greeter/SayHello', check('a')), { status: 200, grpcStatus: '12', grpcMessage: 'unknown service helloworld.Greeter', body: '' });
  t.same(await call('/grpc.health.v1.Health/Check', check('a'), 'application/json'), { status: 415, grpcStatus: undefined, grpcMessage: undefined, body: '' });
  t.same(await call('/grpc.health.v1.Health/Check', Buffer.from([0, 0, 0, 0, 3, 0x0a, 5, 0x61])),
    { status: 200, grpcStatus: '13', grpcMessage: 'grpc: error unmarshalling request', body: '' }, 'a truncated message');
  // Raw HTTP/2: the server's frames as [type, flags, payload], for a client that writes `bytes` and half-closes.
  const frames = async (bytes: Buffer) => {
    const got = Buffer.from(await rawExchange(hostPort, bytes), 'latin1');
    const out: [number, number, string][] = [];
    for (let at = 0; at + 9 <= got.length; at += 9 + got.readUIntBE(at, 3)) {
      out.push([got[at + 3]!, got[at + 4]!, got.subarray(at + 9, at + 9 + got.readUIntBE(at, 3)).toString('hex')]);
    }
    return out;
  };
  const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type; h[4] = flags; h.writeUInt32BE(stream, 5);
    return Buffer.concat([h, payload]);
  };
  const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  t.same(await frames(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), [[4, 0, '000300000008'], [7, 0, '0000000000000001']],
    'an HTTP/1.1 request: the server\'s SETTINGS, then GOAWAY PROTOCOL_ERROR');
  t.same(await frames(Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(2, 0, 1, Buffer.alloc(5)),
    frame(6, 0, 0, Buffer.from('pingpong'))])), [[4, 0, '000300000008'], [4, 1, ''], [6, 1, Buffer.from('pingpong').toString('hex')]],
  'SETTINGS acknowledged, PRIORITY ignored, PING answered');
  t.same((await frames(Buffer.concat([PREFACE, frame(0, 0, 0, Buffer.from('x'))]))).at(-1), [7, 0, '0000000000000001'], 'DATA on stream 0: GOAWAY');
  t.same((await frames(Buffer.concat([PREFACE, frame(1, 0x5, 1, Buffer.from([0xff, 0xff, 0xff, 0xff]))]))).at(-1), [7, 0, '0000000100000009'],
    'a header block with an index out of range: GOAWAY COMPRESSION_ERROR, last stream 1');
  // More calls at once than the 8 streams the server allows: the client queues the rest on the one connection.
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => call('/grpc.health.v1.Health/Check', check(i % 2 ? 'a' : 'b'))));
  t.ok(many.every((r) => r['grpcStatus'] === '0' && r['body'] === '00000000020801'), 'twenty calls, all answered');
});
