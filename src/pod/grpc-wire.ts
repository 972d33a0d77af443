// The bytes of a gRPC health check: the two protobuf messages, gRPC's length-prefixed framing, status codes and their names.

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by number. */
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
export const SERVING = 1;

/** The gRPC status codes, named as grpc-go's `codes.Code.String()` names them (the kubelet's messages show these). */
const CODE_NAMES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented',
  'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];
export const Code = { OK: 0, Unknown: 2, DeadlineExceeded: 4, Unimplemented: 12, Internal: 13, Unavailable: 14 } as const;

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

/** A ServingStatus as protobuf-go's enum String() gives it: the name, or the bare number for one the enum lacks. */
export function servingStatusName(status: number): string {
  return SERVING_STATUS[status] ?? String(status);
}

/** A failed RPC: a gRPC status code and its message. */
export class GrpcStatusError extends Error {
  constructor(readonly grpcCode: number, readonly grpcMessage: string) {
    super(`rpc error: code = ${codeName(grpcCode)} desc = ${grpcMessage}`);
  }
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** HealthCheckRequest{service}: field 1, a string, left out when empty as proto3 does. */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
}

/** One gRPC message on the wire: a compressed flag (0), a 4-byte big-endian length, the message. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The messages of a response body; an error status for a body that is not whole frames, or a compressed one. */
export function grpcMessages(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < 5) throw new GrpcStatusError(Code.Internal, 'server sent a truncated message header');
    if (body[at] !== 0) throw new GrpcStatusError(Code.Internal, 'grpc: compressed flag set with identity or empty encoding');
    const len = body.readUInt32BE(at + 1);
    if (body.length - at - 5 < len) throw new GrpcStatusError(Code.Internal, 'server sent a truncated message');
    out.push(body.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  return out;
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    n += (buf[i]! & 0x7f) * mul;
    mul *= 128;
    if ((buf[i]! & 0x80) === 0) return [n, i + 1];
  }
  throw new Error('truncated varint');
}

/**
 * HealthCheckResponse.status (field 1, an enum): 0 when absent, as proto3 decodes it. Fields it does not
 * know are skipped; a malformed message is an Internal error, as grpc-go reports a failure to unmarshal.
 */
export function decodeHealthCheckResponse(msg: Buffer): number {
  let status = 0;
  let at = 0;
  try {
    while (at < msg.length) {
      const [key, next] = readVarint(msg, at);
      at = next;
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        const [v, after] = readVarint(msg, at);
        at = after;
        if (field === 1) status = v >= 2 ** 31 ? v - 2 ** 64 : v;
      } else if (wire === 2) {
        const [len, after] = readVarint(msg, at);
        at = after + len;
      } else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else throw new Error(`wire type ${wire}`);
      if (at > msg.length) throw new Error('truncated field');
    }
  } catch (err) {
    throw new GrpcStatusError(Code.Internal,
      `grpc: failed to unmarshal the received message: proto: cannot parse invalid wire-format data (${(err as Error).message})`);
  }
  return status;
}

/** grpc-message is percent-encoded (gRPC over HTTP/2); a malformed escape stays as it is. */
export function decodeGrpcMessage(raw: string): string {
  return raw.replace(/(%[0-9A-Fa-f]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

/** A whole number of seconds as Go's time.Duration prints it: 1s, 1m40s, 1h0m0s. */
export function goDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

/** grpc-go's status for an HTTP status in a response that is not gRPC (the gRPC over HTTP/2 mapping). */
export function codeForHttpStatus(status: number): number {
  const table: Record<number, number> = { 400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14 };
  return table[status] ?? Code.Unknown;
}
