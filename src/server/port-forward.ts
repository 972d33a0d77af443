// pods/portforward: kubectl's port-forward protocol (portforward.k8s.io) on SPDY/3.1, tunnelled in a WebSocket or on a plain upgrade.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { openPodStream } from '../net/index.js';
import type { PodHandle } from '../pod/pod-handle.js';
import { apiErrors } from './api-error.js';
import { SpdySession, type SpdyStream } from './spdy.js';
import { CHANNEL_PROTOCOLS, forwardedPorts, serveChannels } from './port-forward-channels.js';

/** The WebSocket subprotocol kubectl 1.31+ asks for: SPDY frames carried in binary messages. */
const TUNNEL = 'SPDY/3.1+portforward.k8s.io';

const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(TUNNEL) ? TUNNEL : false) });

/**
 * Takes over an upgrade request for pods/portforward: a WebSocket offering the SPDY tunnel, or (older
 * kubectl, and kubectl's fallback) a direct `Upgrade: SPDY/3.1`. Each forwarded connection is a pair of
 * streams with the same `requestID`: `error` and `data` for one `port`. A WebSocket offering the channel
 * protocol instead (`wasmpod port-forward`) carries one connection per `ports` entry (port-forward-channels.ts).
 */
export function handlePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: PodHandle): void {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(TUNNEL) && CHANNEL_PROTOCOLS.some((p) => offered.includes(p))) {
      const ports = forwardedPorts(new URL(req.url ?? '/', 'http://wasmpod').searchParams);
      return serveChannels(req, socket, head, pod, ports);
    }
    if (!offered.includes(TUNNEL)) {
      throw apiErrors.badRequest(`unable to upgrade: pods/portforward speaks the ${TUNNEL} subprotocol, or ${CHANNEL_PROTOCOLS.join(', ')}`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(new SpdySession(createWebSocketStream(ws)), pod));
    return;
  }
  if (upgrade !== 'spdy/3.1') throw apiErrors.badRequest(`unable to upgrade: unsupported protocol ${JSON.stringify(req.headers.upgrade)}`);
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
  if (head.length) socket.unshift(head);
  serve(new SpdySession(socket), pod);
}

function serve(session: SpdySession, pod: PodHandle): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  session.on('error', () => undefined);
  session.on('stream', (s) => {
    const id = s.headers.get('requestid') ?? '';
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    const type = s.headers.get('streamtype');
    if (type === 'error') pair.error = s;
    else if (type === 'data') pair.data = s;
    else return s.reset();
    if (pair.error && pair.data) {
      pairs.delete(id);
      connect(pod, pair.error, pair.data);
    }
  });
  pod.once('status', function ended(s) {
    if (s.phase === 'Succeeded' || s.phase === 'Failed') session.close();
    else pod.once('status', ended);
  });
}

/** Joins one forwarded connection to a new stream into the pod's port; a failure goes to the error stream. */
function connect(pod: PodHandle, error: SpdyStream, data: SpdyStream): void {
  const port = Number(data.headers.get('port'));
  const fail = (message: string): void => {
    error.write(Buffer.from(message));
    error.end();
    data.end();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`invalid port ${JSON.stringify(data.headers.get('port'))}`);
  let stream: ReturnType<typeof openPodStream>;
  try {
    stream = openPodStream(pod, port);
  } catch (err) {
    return fail(`error forwarding port ${port} to pod ${pod.name}: ${(err as Error).message}`);
  }
  stream.on('data', (c: Buffer) => data.write(c));
  stream.on('end', () => { data.end(); error.end(); });
  stream.on('error', (err: Error) => fail(`error forwarding port ${port} to pod ${pod.name}: ${err.message}`));
  data.on('data', (c) => stream.write(c));
  data.on('end', () => stream.end());
  data.on('reset', () => stream.destroy());
}
