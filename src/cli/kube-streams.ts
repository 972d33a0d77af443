// `wasmpod logs|exec`: the streaming verbs, over the server's unix socket (exec through its WebSocket channel protocol).
import WebSocket from 'ws';
import { ApiClient, ServerError, resourceUrl, type ClientOptions } from './client.js';
import type { Pod } from '../spec/types.js';

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

/** POD or pod/POD, as kubectl takes them. */
function podName(arg: string, verb: string): string {
  const m = /^(?:(?:pods?|po)\/)?([^/]+)$/.exec(arg);
  if (!m) throw new Error(`wasmpod ${verb} takes a pod: POD or pod/POD, not "${arg}"`);
  return m[1]!;
}

/**
 * The container kubectl picks when -c is not given: the one the pod's `kubectl.kubernetes.io/default-container`
 * annotation names, else the first, saying so on stderr when the pod has others (as kubectl does).
 */
export function defaultContainer(pod: Pod, stderr: NodeJS.WritableStream): string {
  const wanted = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (wanted && pod.spec.containers.some((c) => c.name === wanted)) return wanted;
  const first = pod.spec.containers[0]!.name;
  const init = pod.spec.initContainers ?? [];
  if (pod.spec.containers.length > 1 || init.length > 0) {
    const all = [...pod.spec.containers.map((c) => c.name), ...init.map((c) => `${c.name} (init)`)];
    stderr.write(`Defaulted container "${first}" out of: ${all.join(', ')}\n`);
  }
  return first;
}

/** `wasmpod logs POD`: the container's log, streamed to stdout (to its end with -f). */
export async function logsCommand(podArg: string, opts: StreamOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const pod = podName(podArg, 'logs');
  const client = new ApiClient(opts);
  const ns = opts.namespace ?? 'default';
  // The pod must exist (a missing one is reported as kubectl reports it), and without -c it names the container.
  const obj = (await client.request('GET', resourceUrl('pods', ns, pod))).body as Pod;
  const q = new URLSearchParams();
  q.set('container', opts.container ?? defaultContainer(obj, err));
  if (opts.follow) q.set('follow', 'true');
  if (opts.previous) q.set('previous', 'true');
  if (opts.timestamps) q.set('timestamps', 'true');
  if (opts.tail !== undefined && opts.tail !== '-1') q.set('tailLines', opts.tail);
  if (opts.sinceSeconds !== undefined) q.set('sinceSeconds', opts.sinceSeconds);
  const res = await client.stream(`${resourceUrl('pods', ns, pod, 'log')}?${q}`);
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
  pod = podName(pod, 'exec');
  const client = new ApiClient(opts);
  // The pod must exist: GET it first, so a missing one is reported as kubectl reports it; without -c it names the container.
  const obj = (await client.request('GET', resourceUrl('pods', opts.namespace ?? 'default', pod))).body as Pod;
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', opts.container ?? defaultContainer(obj, io.stderr));
  if (opts.stdin) q.set('stdin', 'true');
  if (opts.tty) q.set('tty', 'true');
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  const url = `${resourceUrl('pods', opts.namespace ?? 'default', pod, 'exec')}?${q}`;
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
        reject(new ServerError(res.statusCode ?? 0, s.reason ?? 'Unknown', s.message ?? res.statusMessage ?? ''));
      });
    });
    ws.on('error', (err) => { stopStdin(); reject(err); });
    ws.on('close', () => { stopStdin(); resolve(code); });
  });
}
