// pods/exec over WebSocket, the channel protocol kubectl 1.30+ speaks (v5.channel.k8s.io, and v4 before it); port-forward is handed on.
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pod } from '../spec/types.js';
import { apiErrors } from './api-error.js';
import type { PodController } from './pod-controller.js';
import type { Target } from './rest.js';
import type { ObjectStore } from './store.js';
import { handlePortForward } from './port-forward.js';

/** Subprotocols in order of preference; v1-v3 send errors as plain text and are not offered. */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
/** v5's close signal: a message `[255, channel]` says the client has no more to send on that channel. */
const CLOSE = 255;

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

interface ExecRequest {
  pod: Pod;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

function execRequest(t: Target, store: ObjectStore): ExecRequest {
  const stored = store.get('pods', t.namespace, t.name!);
  if (!stored) throw apiErrors.notFound('pods', t.name!);
  const pod = stored as unknown as Pod;
  const q = t.query;
  const command = q.getAll('command');
  if (command.length === 0) throw apiErrors.badRequest('you must specify at least 1 command');
  const flag = (n: string, dflt: boolean): boolean => (q.has(n) ? q.get(n) === 'true' || q.get(n) === '1' : dflt);
  // A WASI guest has no terminal (no termios, no window size): its stdio are pipes, so -t cannot be honoured.
  if (flag('tty', false)) throw apiErrors.badRequest('wasmpod exec has no terminal (WASI stdio are pipes): run without -t (-i alone passes stdin)');
  const names = pod.spec.containers.map((c) => c.name);
  const container = q.get('container') || names[0]!;
  if (!names.includes(container)) throw apiErrors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw apiErrors.badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  return { pod, container, command, stdin: flag('stdin', false), stdout: flag('stdout', true), stderr: flag('stderr', true) };
}

/**
 * Takes over an upgraded connection for pods/exec or pods/portforward (see port-forward.ts). Every check is
 * made before the upgrade, so a bad request gets an HTTP Status that kubectl prints as it is.
 */
export function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: Target, store: ObjectStore, pods: PodController): void {
  if (t.sub === 'portforward') {
    const stored = store.get('pods', t.namespace, t.name!);
    if (!stored) throw apiErrors.notFound('pods', t.name!);
    const phase = (stored as unknown as Pod).status?.phase;
    if (phase !== 'Running') throw apiErrors.badRequest(`unable to forward port because pod is not running. Current status=${phase ?? 'Pending'}`);
    return handlePortForward(req, socket, head, pods.running(stored));
  }
  // The request is checked first: kubectl retries a refused WebSocket upgrade over SPDY, and that second
  // attempt must get the same reason (not "unsupported protocol") for kubectl to print it.
  const r = execRequest(t, store);
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  if (!PROTOCOLS.some((p) => offered.includes(p))) {
    throw apiErrors.badRequest(`unable to upgrade: none of the offered subprotocols [${offered.join(', ')}] is supported; wasmpod speaks ${PROTOCOLS.join(', ')}`);
  }
  const handle = pods.running(store.get('pods', t.namespace, t.name!)!);
  wss.handleUpgrade(req, socket, head, (ws) => runExec(ws, r, (onOutput, stdin) => handle.exec(r.container, r.command, { onOutput, stdin })));
}

type Runner = (onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void, stdin?: AsyncIterable<Buffer>) => Promise<{ exitCode: number; message?: string }>;

/**
 * The command's stdin from the client's channel 0 messages. It ends with v5's close signal for channel 0 or
 * when the connection closes (v4 has no other way to say it).
 */
function stdinOf(ws: WebSocket): PassThrough {
  const stdin = new PassThrough();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    if (data[0] === STDIN && data.length > 1 && !stdin.writableEnded && !stdin.destroyed) {
      // Back-pressure: stop reading the socket while the command has not taken what came before.
      if (!stdin.write(data.subarray(1))) ws.pause();
    }
    else if (data[0] === CLOSE && data[1] === STDIN) stdin.end();
  });
  stdin.on('drain', () => ws.resume());
  ws.on('close', () => stdin.end());
  return stdin;
}

function runExec(ws: WebSocket, r: ExecRequest, run: Runner): void {
  // Without stdin the client sends nothing but v5's close signal: messages are dropped.
  const stdin = r.stdin ? stdinOf(ws) : undefined;
  if (!stdin) ws.on('message', () => undefined);
  const send = (channel: number, data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(frame(channel, data));
  };
  const ended = (): void => {
    // Input the command did not read is dropped, and the socket read again (it may have been paused for
    // back-pressure), so that the close handshake goes through.
    stdin?.destroy();
    ws.resume();
  };
  run((stream, chunk) => {
    if (stream === 'stdout' && r.stdout) send(STDOUT, chunk);
    if (stream === 'stderr' && r.stderr) send(STDERR, chunk);
  }, stdin).finally(ended).then((exit) => {
    const status = exit.exitCode === 0
      ? { metadata: {}, status: 'Success' }
      : {
          metadata: {}, status: 'Failure',
          message: `command terminated with non-zero exit code: error executing command [${r.command.join(' ')}], exit code ${exit.exitCode}`,
          reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exit.exitCode) }] },
        };
    send(ERROR, JSON.stringify(status));
    ws.close(1000);
  }, (err: Error) => {
    send(ERROR, JSON.stringify({ metadata: {}, status: 'Failure', message: err.message, reason: 'InternalError', code: 500 }));
    ws.close(1000);
  });
}
