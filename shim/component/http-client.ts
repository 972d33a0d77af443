// wasi:http/outgoing-handler's wire side: one HTTP/1.1 exchange over a pod-network stream socket, blocking the worker.
import type { NetContext } from '../net/net-context.js';
import { StreamSocket } from '../net/stream-socket.js';
import { AddressFamily, parseIp, type SockAddr } from '../net/addr.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { methodText, type Method, type Scheme } from './http-fields.js';
import { WireError, parseMessage, serializeHead } from './http-wire.js';
import type { ErrorCode } from './http-types.js';

export type Exchange = { status: number; headers: [string, Uint8Array][]; body: Uint8Array } | { error: ErrorCode };

const ERRORS: Partial<Record<number, ErrorCode>> = {
  [Errno.CONNREFUSED]: { tag: 'connection-refused' },
  [Errno.CONNRESET]: { tag: 'connection-terminated' },
  [Errno.PIPE]: { tag: 'connection-terminated' },
  [Errno.HOSTUNREACH]: { tag: 'destination-unavailable' },
  // Outside the cluster range: the pod may not reach the host's network.
  [Errno.NETUNREACH]: { tag: 'destination-IP-prohibited' },
  [Errno.NOENT]: { tag: 'DNS-error', val: { rcode: 'NXDOMAIN', infoCode: undefined } },
  [Errno.TIMEDOUT]: { tag: 'connection-timeout' },
};

function target(net: NetContext, authority: string): SockAddr {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) throw new WireError(`bad authority ${authority}`);
  const port = m[2] ? Number(m[2]) : 80;
  const literal = parseIp(m[1]!);
  const found = literal ? [literal] : net.resolve(new TextEncoder().encode(m[1]!));
  const addr = found.find((a) => a.family === AddressFamily.INET4) ?? found[0];
  if (!addr) throw new WasiError(Errno.NOENT);
  return { ...addr, port };
}

export function sendRequest(net: NetContext, method: Method, scheme: Scheme | undefined, authority: string | undefined,
  path: string | undefined, headers: [string, Uint8Array][], body: Buffer): Exchange {
  if (scheme && scheme.tag !== 'HTTP') return { error: { tag: 'HTTP-protocol-error' } };
  if (!authority) return { error: { tag: 'HTTP-request-URI-invalid' } };
  let sock: StreamSocket | undefined;
  try {
    const to = target(net, authority);
    sock = new StreamSocket(to.family, net);
    sock.connect(to);
    const text = methodText(method);
    const extra: [string, string][] = headers.some(([n]) => n === 'host') ? [] : [['host', authority]];
    const head = serializeHead(`${text} ${path ?? '/'} HTTP/1.1`, headers, body.length, true, extra);
    sock.write([head, body]);
    let buf = Buffer.alloc(0);
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const n = sock.read([chunk]);
      if (n > 0) buf = Buffer.concat([buf, chunk.subarray(0, n)]);
      const got = parseMessage(buf, true, n === 0, text === 'HEAD');
      if (got) return { status: got.msg.status, headers: got.msg.headers, body: got.msg.body };
      if (n === 0) return { error: { tag: 'HTTP-response-incomplete' } };
    }
  } catch (err) {
    if (err instanceof WasiError) return { error: ERRORS[err.errno] ?? { tag: 'internal-error', val: `errno ${err.errno}` } };
    if (err instanceof WireError) return { error: { tag: 'HTTP-protocol-error' } };
    throw err;
  } finally {
    sock?.close();
  }
}
