// The grpc probe client against Node HTTP/2 servers shaped like gRPC ones: what it sends, and each failure's kubelet message.
import t from 'tap';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { grpcProbe } from '../../dist/src/pod/grpc-probe.js';
import { goDuration } from '../../dist/src/pod/grpc-wire.js';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

/** An h2c server on 127.0.0.1 answering every stream with `handler`, once its request body is in. */
async function h2Server(t: { teardown(fn: () => unknown): void }, handler: Handler): Promise<number> {
  const srv = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  srv.on('session', (s) => { sessions.add(s); s.on('close', () => sessions.delete(s)); });
  srv.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
    stream.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => { for (const s of sessions) s.destroy(); srv.close(() => r()); }));
  return (srv.address() as net.AddressInfo).port;
}

const dialer = { host: '127.0.0.1', dial: (port: number) => new Promise<net.Socket>((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => resolve(s));
  s.once('error', reject);
}) };
const probe = (port: number, service?: string, timeoutMs = 20_000, timeoutSeconds = 1) =>
  grpcProbe({ port, ...(service === undefined ? {} : { service }) }, dialer, { timeoutMs, timeoutSeconds, retryMs: 10 });

/** A response message: HealthCheckResponse with field 1 = status, framed; `raw` replaces the message. */
function reply(status: number | null, raw?: Buffer): Buffer {
  const msg = raw ?? (status === null ? Buffer.alloc(0) : Buffer.from([0x08, status]));
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

function answer(stream: http2.ServerHttp2Stream, body: Buffer | null, grpcStatus = '0', grpcMessage?: string): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': grpcStatus, ...(grpcMessage ? { 'grpc-message': grpcMessage } : {}) }));
  stream.end(body ?? undefined);
}

t.test('the request: Health/Check with the kubelet\'s headers and HealthCheckRequest{service}; SERVING succeeds', async (t) => {
  const seen: { headers: http2.IncomingHttpHeaders; body: Buffer }[] = [];
  const port = await h2Server(t, (stream, headers, body) => { seen.push({ headers, body }); answer(stream, reply(1)); });
  t.equal(await probe(port, 'my.Service'), undefined);
  t.equal(await probe(port), undefined);
  t.match(seen[0]!.headers, {
    ':method': 'POST', ':scheme': 'http', ':path': '/grpc.health.v1.Health/Check', ':authority': `127.0.0.1:${port}`,
    'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'kube-probe/1.31', 'grpc-timeout': /^\d+m$/,
  });
  t.equal(seen[0]!.body.toString('hex'), '000000000c' + '0a0a' + Buffer.from('my.Service').toString('hex'));
  t.equal(seen[1]!.body.toString('hex'), '0000000000', 'no service: an empty message, as proto3 encodes it');
});

t.test('each answer that is not SERVING fails with the kubelet\'s message', async (t) => {
  const cases: [string, Handler, string][] = [
    ['NOT_SERVING', (s) => answer(s, reply(2)), 'service unhealthy (responded with "NOT_SERVING")'],
    ['SERVICE_UNKNOWN', (s) => answer(s, reply(3)), 'service unhealthy (responded with "SERVICE_UNKNOWN")'],
    ['no status field: UNKNOWN', (s) => answer(s, reply(null)), 'service unhealthy (responded with "UNKNOWN")'],
    ['a status the enum lacks', (s) => answer(s, reply(7)), 'service unhealthy (responded with "7")'],
    ['unknown fields are skipped', (s) => answer(s, reply(0, Buffer.from([0x12, 0x02, 0x68, 0x69, 0x08, 0x01]))), ''],
    ['Unimplemented, trailers-only', (s) => s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' }, { endStream: true }),
      'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health'],
    ['NotFound, percent-encoded message', (s) => answer(s, null, '5', 'unknown service %22caf%C3%A9%22'),
      'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service "café"'],
    ['DeadlineExceeded from the server', (s) => answer(s, null, '4', 'too slow'), 'timeout: health rpc did not complete within 1s'],
    ['a status grpc-go has no name for', (s) => answer(s, null, '42', 'odd'), 'error: health rpc probe failed: rpc error: code = Code(42) desc = odd'],
    ['HTTP 404, not gRPC', (s) => { s.respond({ ':status': 404, 'content-type': 'text/plain' }); s.end('no'); },
      'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unexpected HTTP status code received from server: 404 (Not Found); transport: received unexpected content-type "text/plain"'],
    ['HTTP 503', (s) => { s.respond({ ':status': 503 }); s.end(); },
      'error: health rpc probe failed: rpc error: code = Unavailable desc = unexpected HTTP status code received from server: 503 (Service Unavailable); transport: malformed header: missing HTTP content-type'],
    ['HTTP 200 with another content type', (s) => { s.respond({ ':status': 200, 'content-type': 'application/json' }); s.end('{}'); },
      'error: health rpc probe failed: rpc error: code = Unknown desc = transport: received unexpected content-type "application/json"'],
    ['a compressed message', (s) => answer(s, Buffer.concat([Buffer.from([1]), reply(1).subarray(1)])),
      'error: health rpc probe failed: rpc error: code = Internal desc = grpc: compressed flag set with identity or empty encoding'],
    ['no message', (s) => answer(s, null),
      'error: health rpc probe failed: rpc error: code = Internal desc = cardinality violation: received no response message from non-server-streaming RPC'],
    ['two messages', (s) => answer(s, Buffer.concat([reply(1), reply(1)])),
      'error: health rpc probe failed: rpc error: code = Internal desc = cardinality violation: expected <EOF> for non server-streaming RPCs, but received another message'],
    ['no trailers', (s) => { s.respond({ ':status': 200, 'content-type': 'application/grpc' }); s.end(reply(1)); },
      'error: health rpc probe failed: rpc error: code = Internal desc = server closed the stream without sending trailers'],
    ['a stream reset', (s) => s.close(http2.constants.NGHTTP2_REFUSED_STREAM),
      'error: health rpc probe failed: rpc error: code = Unavailable desc = stream terminated by RST_STREAM with error code: REFUSED_STREAM'],
    ['the connection closed mid-call', (s) => s.session?.destroy(),
      'error: health rpc probe failed: rpc error: code = Unavailable desc = error reading from server: EOF'],
  ];
  for (const [name, handler, message] of cases) {
    const port = await h2Server(t, handler);
    t.equal(await probe(port, 'svc'), message || undefined, name);
  }
});

t.test('connecting: refused until the deadline, a server that closes at once, one that never sends SETTINGS', async (t) => {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
  const closedPort = (free.address() as net.AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  t.equal(await probe(closedPort, '', 200, 3), `timeout: failed to connect service "127.0.0.1:${closedPort}" within 3s: context deadline exceeded`);

  const sockets = new Set<net.Socket>();
  const slam = net.createServer((s) => s.destroy());
  const silent = net.createServer((s) => { sockets.add(s); s.resume(); });
  for (const srv of [slam, silent]) await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => { for (const s of sockets) s.destroy(); slam.close(); silent.close(); });
  const slamPort = (slam.address() as net.AddressInfo).port;
  const silentPort = (silent.address() as net.AddressInfo).port;
  t.equal(await probe(slamPort, '', 200, 100), `timeout: failed to connect service "127.0.0.1:${slamPort}" within 1m40s: context deadline exceeded`);
  t.equal(await probe(silentPort, '', 200, 1), `timeout: failed to connect service "127.0.0.1:${silentPort}" within 1s: context deadline exceeded`);
  await Promise.all([...sockets].map((s) => (s.destroyed ? undefined : new Promise((r) => s.once('close', r)))));
  t.pass('the connection to the silent server was dropped with the probe');

  // A server that comes up while the probe is still retrying is reached within the same probe.
  let late: number | undefined;
  const port = await h2Server(t, (s) => answer(s, reply(1)));
  const flaky = { host: '127.0.0.1', dial: (p: number) => (late === undefined ? (late = 1, Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))) : dialer.dial(p)) };
  t.equal(await grpcProbe({ port }, flaky, { timeoutMs: 20_000, timeoutSeconds: 1, retryMs: 10 }), undefined, 'the retry succeeded');
});

t.test('an IPv6 pod address is bracketed, and durations print as Go prints them', async (t) => {
  const v6 = { host: 'fd00::2', dial: () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })) };
  t.equal(await grpcProbe({ port: 8080 }, v6, { timeoutMs: 30, timeoutSeconds: 1, retryMs: 10 }),
    'timeout: failed to connect service "[fd00::2]:8080" within 1s: context deadline exceeded');
  t.same([1, 59, 60, 100, 3600, 3725].map(goDuration), ['1s', '59s', '1m0s', '1m40s', '1h0m0s', '1h2m5s']);
});
