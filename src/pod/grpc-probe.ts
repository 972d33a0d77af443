// The grpc probe handler: grpc.health.v1.Health/Check over plaintext HTTP/2 into the pod, with the kubelet's rules and messages.
import * as http2 from 'node:http2';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GRPCAction } from '../spec/types.js';
import type { NetTarget } from './net-handlers.js';
import {
  Code, GrpcStatusError, SERVING, codeForHttpStatus, decodeGrpcMessage, decodeHealthCheckResponse,
  encodeHealthCheckRequest, goDuration, grpcFrame, grpcMessages, servingStatusName,
} from './grpc-wire.js';

const KUBE_VERSION = '1.31';
const CHECK_PATH = '/grpc.health.v1.Health/Check';

export interface GrpcProbeOptions {
  /** The probe's timeoutSeconds: the time the whole check may take, as the kubelet counts it. */
  timeoutMs: number;
  /** timeoutSeconds as written in the spec, for the messages (`within 1s`). */
  timeoutSeconds: number;
  /** How long to wait before dialling again after a failed connection (grpc-go's first back-off is a second). */
  retryMs: number;
}

class Deadline extends Error {}

/**
 * Runs a grpc probe as the kubelet does: it connects (a refused or broken connection is tried again until
 * the timeout, as grpc-go's blocking dial does, and then fails with `timeout: failed to connect service`),
 * waits for the server's HTTP/2 SETTINGS, calls Check with HealthCheckRequest{service} and succeeds only
 * on SERVING. Resolves with the failure's message, or undefined on success.
 */
export async function grpcProbe(action: GRPCAction, target: NetTarget, opts: GrpcProbeOptions): Promise<string | undefined> {
  const addr = target.host.includes(':') ? `[${target.host}]:${action.port}` : `${target.host}:${action.port}`;
  const within = goDuration(opts.timeoutSeconds);
  const end = Date.now() + opts.timeoutMs;
  let session: http2.ClientHttp2Session | undefined;
  try {
    try {
      session = await connect(action.port, addr, target, end, opts.retryMs);
    } catch (err) {
      if (err instanceof Deadline) return `timeout: failed to connect service "${addr}" within ${within}: context deadline exceeded`;
      return `error: failed to connect service at "${addr}": ${(err as Error).message}`;
    }
    let status: number;
    try {
      status = await check(session, addr, action.service ?? '', end);
    } catch (err) {
      if (err instanceof Deadline) return `timeout: health rpc did not complete within ${within}`;
      if (!(err instanceof GrpcStatusError)) throw err;
      if (err.grpcCode === Code.Unimplemented) {
        return `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.grpcMessage}`;
      }
      if (err.grpcCode === Code.DeadlineExceeded) return `timeout: health rpc did not complete within ${within}`;
      return `error: health rpc probe failed: ${err.message}`;
    }
    return status === SERVING ? undefined : `service unhealthy (responded with "${servingStatusName(status)}")`;
  } finally {
    session?.destroy();
  }
}

/** Rejects with Deadline at `end` unless `p` settles first; `onLate` gets what `p` yields after that. */
function before<T>(p: Promise<T>, end: number, onLate: (value: T) => void = () => undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  p.then((v) => { if (late) onLate(v); }, () => undefined);
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => { late = true; reject(new Deadline()); }, Math.max(0, end - Date.now()));
  })]).finally(() => clearTimeout(timer));
}

/** Dials until an HTTP/2 session is up (the server's SETTINGS arrived), retrying failures until `end`. */
async function connect(port: number, addr: string, target: NetTarget, end: number, retryMs: number): Promise<http2.ClientHttp2Session> {
  for (;;) {
    let opening: http2.ClientHttp2Session | undefined;
    try {
      const stream = await before(target.dial(port), end, (s) => s.destroy());
      return await before(handshake(stream, addr, (s) => { opening = s; }), end);
    } catch (err) {
      // A server that took the connection but never spoke HTTP/2: the connection is dropped with the probe.
      opening?.destroy();
      if (err instanceof Deadline) throw err;
      // Refused, reset, or closed before the server spoke HTTP/2: a transient failure, tried again.
    }
    const wait = Math.min(retryMs, end - Date.now());
    if (wait <= 0) throw new Deadline();
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** An h2c session (prior knowledge) over `stream`, resolved once the server's SETTINGS frame has arrived. */
function handshake(stream: Duplex, addr: string, opened: (s: http2.ClientHttp2Session) => void): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`, { createConnection: () => stream });
    opened(session);
    const fail = (err: Error) => { session.destroy(); stream.destroy(); reject(err); };
    session.on('error', fail);
    session.once('close', () => fail(new Error('connection closed before the server\'s SETTINGS')));
    session.once('remoteSettings', () => {
      session.off('error', fail);
      session.on('error', () => undefined); // a later error shows on the RPC's stream
      resolve(session);
    });
  });
}

/** Calls Health/Check and resolves with the response's status; rejects with GrpcStatusError or Deadline. */
function check(session: http2.ClientHttp2Session, addr: string, service: string, end: number): Promise<number> {
  const left = Math.max(1, end - Date.now());
  const req = session.request({
    ':method': 'POST', ':scheme': 'http', ':path': CHECK_PATH, ':authority': addr,
    'content-type': 'application/grpc', 'user-agent': `kube-probe/${KUBE_VERSION}`, te: 'trailers',
    'grpc-timeout': `${left}m`,
  });
  let connectionLost = false;
  const lost = () => { connectionLost = true; };
  session.once('close', lost);
  session.once('goaway', lost);
  const result = new Promise<number>((resolve, reject) => {
    let head: http2.IncomingHttpHeaders | undefined;
    let trailers: http2.IncomingHttpHeaders | undefined;
    const body: Buffer[] = [];
    req.on('response', (h) => { head = h; });
    req.on('trailers', (t) => { trailers = t; });
    req.on('data', (d: Buffer) => body.push(d));
    req.on('error', () => undefined); // the close that follows says what happened
    req.on('close', () => {
      try {
        if (!head && connectionLost) throw new GrpcStatusError(Code.Unavailable, 'error reading from server: EOF');
        resolve(outcome(head, trailers, Buffer.concat(body), req.rstCode));
      } catch (err) {
        reject(err);
      }
    });
  });
  req.end(grpcFrame(encodeHealthCheckRequest(service)));
  return before(result, end);
}

/** HTTP/2 error codes by number, and the gRPC status grpc-go gives a stream reset with each (others: Internal). */
const H2_ERRORS = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];
const RESET_CODES: Record<number, number> = { 7: Code.Unavailable, 8: 1, 11: 8, 12: 7 };

function resetError(rstCode: number): GrpcStatusError {
  const name = H2_ERRORS[rstCode] ?? `unknown error code 0x${rstCode.toString(16)}`;
  return new GrpcStatusError(RESET_CODES[rstCode] ?? Code.Internal, `stream terminated by RST_STREAM with error code: ${name}`);
}

/** What a finished response says: the serving status, or the RPC's error status. */
function outcome(head: http2.IncomingHttpHeaders | undefined, trailers: http2.IncomingHttpHeaders | undefined,
  body: Buffer, rstCode: number): number {
  if (!head || (rstCode && !trailers && head['grpc-status'] === undefined)) throw resetError(rstCode);
  const httpStatus = Number(head[':status']);
  const contentType = String(head['content-type'] ?? '');
  if (httpStatus !== 200 || !/^application\/grpc($|[+;])/.test(contentType)) {
    const why: string[] = [];
    if (httpStatus !== 200) why.push(`unexpected HTTP status code received from server: ${httpStatus} (${STATUS_CODES[httpStatus] ?? ''})`);
    why.push(contentType ? `transport: received unexpected content-type ${JSON.stringify(contentType)}` : 'transport: malformed header: missing HTTP content-type');
    throw new GrpcStatusError(httpStatus === 200 ? Code.Unknown : codeForHttpStatus(httpStatus), why.join('; '));
  }
  // A "trailers-only" response carries grpc-status in its one HEADERS frame.
  const meta = trailers ?? head;
  if (meta['grpc-status'] === undefined) throw new GrpcStatusError(Code.Internal, 'server closed the stream without sending trailers');
  const code = Number(meta['grpc-status']);
  if (code !== Code.OK) throw new GrpcStatusError(code, decodeGrpcMessage(String(meta['grpc-message'] ?? '')));
  const messages = grpcMessages(body);
  if (messages.length === 0) {
    throw new GrpcStatusError(Code.Internal, 'cardinality violation: received no response message from non-server-streaming RPC');
  }
  if (messages.length > 1) {
    throw new GrpcStatusError(Code.Internal, 'cardinality violation: expected <EOF> for non server-streaming RPCs, but received another message');
  }
  return decodeHealthCheckResponse(messages[0]!);
}
