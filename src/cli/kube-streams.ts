// `wasmpod logs|exec`: the streaming verbs, over the server's unix socket (exec through its WebSocket channel protocol).
import WebSocket from 'ws';
import { ApiClient, resourceUrl, type ClientOptions } from './client.js';

export interface StreamOptions extends ClientOptions {
  namespace?: string;
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tail?: string;
  timestamps?: boolean;
  sinceSeconds?: string;
  /** exec: pass stdin to the command. */
  stdin?: boolean;
  /** exec: ask for a terminal (the server refuses it: WASI stdio are pipes). */
  tty?: boolean;
}

/** `wasmpod logs POD`: the container's log, streamed to stdout (to its end with -f). */
export async function logsCommand(pod: string, opts: StreamOptions, out: NodeJS.WritableStream): Promise<number> {
  const q = new URLSearchParams();
  if (opts.container) q.set('container', opts.container);
  if (opts.follow) q.set('follow', 'true');
  if (opts.previous) q.set('previous', 'true');
  if (opts.timestamps) q.set('timestamps', 'true');
  if (opts.tail !== undefined && opts.tail !== '-1') q.set('tailLines', opts.tail);
  if (opts.sinceSeconds !== undefined) q.set('sinceSeconds', opts.sinceSeconds);
  const client = new ApiClient(opts);
  const res = await client.stream(`${resourceUrl('pods', opts.namespace ?? 'default', pod, 'log')}?${q}`);
  for await (const chunk of res as AsyncIterable<Buffer>) out.write(chunk);
  return 0;
}

/** Sends `input` on the exec's channel 0, then (v5) the close signal for it; pauses `input` while the socket is behind. */
function sendStdin(ws: WebSocket, input: NodeJS.ReadableStream): () => void {
  const onData = (chunk: Buffer | string): void => {
    const body = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (ws.readyState !== ws.OPEN) return;
    input.pause();
    ws.send(Buffer.concat([Buffer.from([0]), body]), () => input.resume());
  };
  const onEnd = (): void => {
    // v4 has no way to say that stdin ended: the command then reads until it ends by itself.
    if (ws.readyState === ws.OPEN && ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([255, 0]));
  };
  input.on('data', onData);
  input.on('end', onEnd);
  return () => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
}

/** `wasmpod exec POD -- CMD...`: runs CMD in the pod's container (with our stdin when -i); exits with its exit code. */
export async function execCommand(pod: string, command: string[], opts: StreamOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; stdin?: NodeJS.ReadableStream }): Promise<number> {
  if (command.length === 0) throw new Error('you must specify at least one command for the container: wasmpod exec POD -- CMD [ARGS...]');
  const client = new ApiClient(opts);
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  if (opts.container) q.set('container', opts.container);
  if (opts.stdin) q.set('stdin', 'true');
  if (opts.tty) q.set('tty', 'true');
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  const url = `${resourceUrl('pods', opts.namespace ?? 'default', pod, 'exec')}?${q}`;
  // The pod must exist: GET it first, so a missing one is reported as kubectl reports it.
  await client.request('GET', resourceUrl('pods', opts.namespace ?? 'default', pod));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${client.socket}:${url}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    let code = 1;
    let stopStdin = (): void => undefined;
    if (opts.stdin && io.stdin) {
      const input = io.stdin;
      ws.once('open', () => { stopStdin = sendStdin(ws, input); });
    }
    ws.on('message', (data: Buffer) => {
      const body = data.subarray(1);
      if (data[0] === 1) io.stdout.write(body);
      else if (data[0] === 2) io.stderr.write(body);
      else if (data[0] === 3) {
        const s = JSON.parse(body.toString());
        if (s.status === 'Success') code = 0;
        else {
          const exit = s.details?.causes?.find((c: any) => c.reason === 'ExitCode')?.message;
          code = exit !== undefined ? Number(exit) : 1;
          io.stderr.write(exit !== undefined ? `command terminated with exit code ${exit}\n` : `error: ${s.message}\n`);
        }
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const s = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        reject(new Error(`Error from server (${s.reason ?? 'Unknown'}): ${s.message ?? res.statusMessage}`));
      });
    });
    ws.on('error', (err) => { stopStdin(); reject(err); });
    ws.on('close', () => { stopStdin(); resolve(code); });
  });
}
