// Serves a component's wasi:http/incoming-handler on the container's TCP ports: HTTP/1.1, one fresh instance per request, one request at a time.
import type { WorkerReport, WorkerStart } from '../worker-protocol.js';
import type { ComponentEnv } from './run.js';
import { StreamSocket } from '../net/stream-socket.js';
import { AddressFamily } from '../net/addr.js';
import { sleepOnBell } from '../ring/doorbell.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { Fdflags } from '../wasi/constants.js';
import { Fields, methodOf } from './http-fields.js';
import { WireError, parseMessage, serializeHead, statusLine, type WireMessage } from './http-wire.js';
import type { HttpClasses } from './http-types.js';

interface Conn { sock: StreamSocket; buf: Buffer; eof: boolean; closed: boolean }
type Handler = { handle(req: object, out: object): void };

const CHUNK = new Uint8Array(64 * 1024);

function listen(env: ComponentEnv, port: number): StreamSocket {
  const s = new StreamSocket(AddressFamily.INET4, env.net!);
  s.bind({ family: AddressFamily.INET4, ip: '0.0.0.0', port });
  s.listen(0);
  s.setFlags(Fdflags.NONBLOCK);
  return s;
}

/** Reads what a connection has without blocking; EOF and resets mark it. */
function pull(c: Conn): void {
  for (;;) {
    let n: number;
    try {
      n = c.sock.read([CHUNK]);
    } catch (err) {
      if (err instanceof WasiError && err.errno === Errno.AGAIN) return;
      if (err instanceof WasiError) { c.eof = true; c.closed = true; return; }
      throw err;
    }
    if (n === 0) { c.eof = true; return; }
    c.buf = c.buf.length ? Buffer.concat([c.buf, CHUNK.subarray(0, n)]) : Buffer.from(CHUNK.subarray(0, n));
  }
}

function send(c: Conn, bytes: Buffer[]): void {
  c.sock.setFlags(0);
  try {
    c.sock.write(bytes);
  } catch (err) {
    if (!(err instanceof WasiError)) throw err;
    c.closed = true;
  }
  c.sock.setFlags(Fdflags.NONBLOCK);
}

function plain(c: Conn, status: number, text: string, close: boolean): void {
  const body = Buffer.from(`${text}\n`);
  send(c, [serializeHead(statusLine(status), [['content-type', Buffer.from('text/plain')]], body.length, close), body]);
}

function handlerOf(exports: Record<string, unknown>): Handler | undefined {
  const key = Object.keys(exports).find((k) => k === 'incomingHandler' || k.startsWith('wasi:http/incoming-handler@'));
  const h = key ? exports[key] as Partial<Handler> : undefined;
  return h && typeof h.handle === 'function' ? h as Handler : undefined;
}

/**
 * The instance the next request gets: made while the server waits (instantiating costs more than most requests),
 * used once, never reused. A failure to make it is left for the request to meet.
 */
let spare: Handler | undefined;

function fresh(env: ComponentEnv): Handler {
  const h = spare ?? handlerOf(env.instantiate());
  spare = undefined;
  if (!h) throw new Error('the component exports no wasi:http/incoming-handler');
  return h;
}

function prepareSpare(env: ComponentEnv): void {
  if (spare) return;
  try {
    spare = handlerOf(env.instantiate());
  } catch {
    spare = undefined;
  }
}

/** Runs one request through a fresh instance and writes its response; a failing handler is a 500, the server goes on. */
function serve(env: ComponentEnv, T: HttpClasses, c: Conn, msg: WireMessage): void {
  const host = msg.headers.find(([n]) => n === 'host');
  const req = new T.IncomingRequest(methodOf(msg.method), msg.target, host && Buffer.from(host[1]).toString('latin1'),
    Fields.received(msg.headers), msg.body);
  const out = new T.ResponseOutparam();
  try {
    fresh(env).handle(req, out);
  } catch (err) {
    if (!out.result) {
      env.log(`wasmpod: ${msg.method} ${msg.target}: the handler failed: ${err instanceof Error ? err.message : String(err)}`);
      plain(c, 500, 'the handler failed', !msg.keepAlive);
      return;
    }
  }
  const r = out.result;
  if (!r || r.tag === 'err') {
    const why = r ? `it answered error ${JSON.stringify(r.val.tag)}` : 'it set no response';
    env.log(`wasmpod: ${msg.method} ${msg.target}: ${why}`);
    plain(c, 500, 'the handler gave no response', !msg.keepAlive);
    return;
  }
  const resp = r.val;
  const body = msg.method === 'HEAD' ? Buffer.alloc(0) : resp.sink.bytes();
  const head = serializeHead(statusLine(resp.status), resp.fields.entries(), msg.method === 'HEAD' ? resp.sink.size : body.length, !msg.keepAlive);
  send(c, [head, body]);
}

export function serveHttp(start: WorkerStart, env: ComponentEnv, report: (r: WorkerReport) => void): WorkerReport {
  const ports = (start.net?.ports ?? []).filter((p) => p.protocol !== 'UDP').map((p) => p.port);
  if (!env.net || ports.length === 0) {
    return { type: 'exit', code: 1, reason: 'Error', message: 'an HTTP component serves on its containerPort: declare one (TCP)' };
  }
  const listeners: StreamSocket[] = [];
  for (const port of ports) {
    try {
      listeners.push(listen(env, port));
    } catch (err) {
      if (!(err instanceof WasiError)) throw err;
      return { type: 'exit', code: 1, reason: 'Error', message: `containerPort ${port}/TCP: cannot listen (errno ${err.errno})` };
    }
  }
  const T = env.imports['wasi:http/types'] as unknown as HttpClasses;
  let conns: Conn[] = [];
  report({ type: 'started' });
  for (;;) {
    for (const l of listeners) {
      while (l.readiness(false).nbytes > 0) {
        try {
          const sock = l.sockAccept(Fdflags.NONBLOCK);
          conns.push({ sock, buf: Buffer.alloc(0), eof: false, closed: false });
        } catch (err) {
          if (!(err instanceof WasiError)) throw err;
          break;
        }
      }
    }
    for (const c of conns) {
      pull(c);
      while (!c.closed) {
        let got;
        try {
          got = parseMessage(c.buf, false, c.eof);
        } catch (err) {
          if (!(err instanceof WireError)) throw err;
          plain(c, 400, `bad request: ${err.message}`, true);
          c.closed = true;
          break;
        }
        if (!got) break;
        c.buf = c.buf.subarray(got.used);
        serve(env, T, c, got.msg);
        if (!got.msg.keepAlive) c.closed = true;
      }
      if (c.eof && c.buf.length === 0) c.closed = true;
    }
    conns = conns.filter((c) => {
      if (c.closed) c.sock.close();
      return !c.closed;
    });
    prepareSpare(env);
    sleepOnBell(env.bell, () => listeners.some((l) => l.readiness(false).nbytes > 0) ||
      conns.some((c) => { const r = c.sock.readiness(false); return r.nbytes > 0 || r.hangup; }), Infinity);
  }
}
