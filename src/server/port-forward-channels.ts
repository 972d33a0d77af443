// pods/portforward over the WebSocket channel protocol (v4.channel.k8s.io, as the kubelet serves it): the `wasmpod port-forward` path.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { openPodStream } from '../net/index.js';
import type { PodHandle } from '../pod/pod-handle.js';
import { apiErrors } from './api-error.js';

/**
 * v4 is the kubelet's protocol; v5 is the same with v5's close signal (`[255, channel]`), which wasmpod also
 * accepts here so that a forwarded connection can be half-closed (v4 can only close the whole WebSocket).
 */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE = 255;

const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => CHANNEL_PROTOCOLS.find((p) => offered.has(p)) ?? false });

/** The `ports` query parameter (repeated or comma-separated): the pod ports of this WebSocket, in channel order. */
export function forwardedPorts(query: URLSearchParams): number[] {
  const raw = [...query.getAll('ports'), ...query.getAll('port')].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (raw.length === 0) throw apiErrors.badRequest('query parameter "ports" is required');
  return raw.map((v) => {
    const port = Number(v);
    if (!/^\d+$/.test(v) || port < 1 || port > 65535) throw apiErrors.badRequest(`invalid port ${JSON.stringify(v)}: must be 1-65535`);
    return port;
  });
}

/**
 * Serves one WebSocket: for the i-th port, channel 2i carries the connection's bytes both ways and channel 2i+1
 * the server's error text; each channel's first message from the server is the port, 2 bytes little-endian.
 * Each port gets one connection into the pod, opened at once; the WebSocket closes when all of them are done.
 */
export function serveChannels(req: IncomingMessage, socket: Duplex, head: Buffer, pod: PodHandle, ports: number[]): void {
  wss.handleUpgrade(req, socket, head, (ws) => {
    const v5 = ws.protocol === CHANNEL_PROTOCOLS[0];
    const send = (channel: number, data: Buffer): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
    };
    let open = ports.length;
    const done = (): void => {
      if (--open === 0) ws.close(1000);
    };
    const pairs = ports.map((port, i) => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16LE(port);
      send(2 * i, prefix);
      send(2 * i + 1, prefix);
      return connect(pod, port, {
        data: (c) => send(2 * i, c),
        // v5 says the pod's side ended and waits for the client's; v4 can only close.
        end: () => (v5 ? send(CLOSE, Buffer.from([2 * i])) : undefined),
        error: (message) => send(2 * i + 1, Buffer.from(message)),
        done,
        pause: () => ws.pause(),
        resume: () => ws.resume(),
      }, v5);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      if (data[0] === CLOSE) return void pairs[(data[1] ?? 0) / 2]?.endInput();
      if (data[0]! % 2 === 0) pairs[data[0]! / 2]?.write(data.subarray(1));
    });
    const onStatus = (s: { phase?: string }): void => {
      if (s.phase === 'Succeeded' || s.phase === 'Failed') ws.close(1000);
    };
    pod.on('status', onStatus);
    ws.on('close', () => {
      pod.off('status', onStatus);
      for (const p of pairs) p.destroy();
    });
  });
}

interface Sink {
  data(chunk: Buffer): void;
  end(): void;
  error(message: string): void;
  done(): void;
  pause(): void;
  resume(): void;
}

/** One connection into the pod's port, reporting to `sink`; it is done when both sides ended (v4: when the pod's did) or it failed. */
function connect(pod: PodHandle, port: number, sink: Sink, halfClose: boolean): { write(c: Buffer): void; endInput(): void; destroy(): void } {
  let finished = false;
  let paused = false;
  let inputEnded = !halfClose;
  let outputEnded = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    sink.done();
  };
  const fail = (message: string): void => {
    if (finished) return;
    if (paused) sink.resume();
    sink.error(`error forwarding port ${port} to pod ${pod.name}: ${message}`);
    finish();
  };
  let stream: ReturnType<typeof openPodStream> | undefined;
  try {
    stream = openPodStream(pod, port);
  } catch (err) {
    fail((err as Error).message);
  }
  stream?.on('data', (c: Buffer) => sink.data(c));
  stream?.on('end', () => {
    outputEnded = true;
    sink.end();
    if (inputEnded) finish();
  });
  stream?.on('error', (err: Error) => fail(err.message));
  return {
    write: (c) => {
      // Back-pressure: the WebSocket is not read while the pod has not taken what came before.
      if (stream && !stream.writableEnded && !stream.destroyed && !stream.write(c) && !paused) {
        paused = true;
        sink.pause();
        stream.once('drain', () => { paused = false; sink.resume(); });
      }
    },
    endInput: () => {
      inputEnded = true;
      stream?.end();
      if (outputEnded) finish();
    },
    destroy: () => {
      finished = true;
      stream?.destroy();
    },
  };
}
