// `wasmpod port-forward POD [LOCAL:]REMOTE...`: local listeners whose connections go into the pod's ports through the server.
import * as net from 'node:net';
import WebSocket from 'ws';
import { ApiClient, resourceUrl, type ClientOptions } from './client.js';
import { WasmpodError } from '../errors.js';
import type { Pod } from '../spec/types.js';

export interface PortForwardOptions extends ClientOptions {
  namespace?: string;
  /** Comma-separated addresses to listen on: IPs or `localhost` (127.0.0.1 and, when it can, ::1). */
  address?: string;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The channel protocol of pods/portforward; v5 lets either side half-close (see src/server/port-forward-channels.ts). */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE = 255;

/** `[LOCAL:]REMOTE` as kubectl takes it: no LOCAL means the same as REMOTE; an empty or 0 LOCAL picks a free port. REMOTE may be a port name. */
export function parsePortSpec(spec: string): { local: number; remote: string } {
  const parts = spec.split(':');
  if (parts.length > 2 || parts[parts.length - 1] === '') throw new WasmpodError(`invalid port format "${spec}": use [LOCAL_PORT:]REMOTE_PORT`);
  const remote = parts[parts.length - 1]!;
  const localText = parts.length === 2 ? parts[0]! : remote;
  const local = localText === '' ? 0 : Number(localText);
  if (!/^\d*$/.test(localText) || !(local >= 0 && local <= 65535)) throw new WasmpodError(`Error parsing local port '${localText}': it must be 0-65535`);
  if (/^\d+$/.test(remote) && !(Number(remote) >= 1 && Number(remote) <= 65535)) throw new WasmpodError(`Error parsing remote port '${remote}': it must be 1-65535`);
  return { local, remote };
}

/** A remote port by number, or by the name of a container port of the pod (as kubectl resolves `8080:http`). */
function remotePort(pod: Pod, remote: string): number {
  if (/^\d+$/.test(remote)) return Number(remote);
  for (const c of pod.spec.containers) {
    const p = c.ports?.find((x) => x.name === remote);
    if (p) return p.containerPort;
  }
  throw new WasmpodError(`Pod '${pod.metadata.name}' does not have a named port '${remote}'`);
}

/** The host addresses to listen on; `localhost` is 127.0.0.1 (required) and ::1 (when the host has it). */
function listenAddresses(address: string): { host: string; optional: boolean }[] {
  return address.split(',').map((a) => a.trim()).filter(Boolean).flatMap((a) => {
    if (a === 'localhost') return [{ host: '127.0.0.1', optional: false }, { host: '::1', optional: true }];
    if (!net.isIP(a)) throw new WasmpodError(`${a} is not a valid IP`);
    return [{ host: a, optional: false }];
  });
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a client's FIN is passed on (v5) while the pod's answer still comes back.
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: net.isIPv6(host) }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The pod's status from a watch, until it ends or is deleted; then `lost` is called. */
async function watchPod(client: ApiClient, ns: string, name: string, lost: () => void, signal: AbortSignal): Promise<void> {
  const url = `${resourceUrl('pods', ns)}?watch=true&fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`;
  const res = await client.stream(url);
  signal.addEventListener('abort', () => res.destroy());
  let buf = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      buf += chunk.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const e = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        const phase = e.object?.status?.phase;
        if (e.type === 'DELETED' || phase === 'Succeeded' || phase === 'Failed') return lost();
      }
    }
  } catch {
    // Aborted, or the server went away: the forwarded connections fail on their own then.
  }
  if (!signal.aborted) lost();
}

export async function portForwardCommand(podArg: string, specs: string[], opts: PortForwardOptions, io: Io): Promise<number> {
  const m = /^(?:(pods?|po)\/)?([^/]+)$/.exec(podArg);
  if (!m) throw new WasmpodError(`wasmpod port-forward takes a pod: POD or pod/POD, not "${podArg}"`);
  const name = m[2]!;
  if (specs.length === 0) throw new WasmpodError('at least 1 PORT is required for port-forward');
  const wanted = specs.map(parsePortSpec);
  const addresses = listenAddresses(opts.address ?? 'localhost');
  const ns = opts.namespace ?? 'default';
  const client = new ApiClient(opts);
  const pod = (await client.request('GET', resourceUrl('pods', ns, name))).body as Pod;
  if (pod.status?.phase !== 'Running') throw new WasmpodError(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Pending'}`);
  const ports = wanted.map((w) => ({ local: w.local, remote: remotePort(pod, w.remote) }));

  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const stopAll = (): void => {
    for (const s of servers) s.close();
    for (const c of sockets) c.destroy();
  };
  try {
    for (const p of ports) {
      const failures: string[] = [];
      let bound = 0;
      for (const a of addresses) {
        try {
          const server = await listen(a.host, p.local);
          const local = (server.address() as net.AddressInfo).port;
          p.local = local;
          servers.push(server);
          bound++;
          io.stdout.write(`Forwarding from ${net.isIPv6(a.host) ? `[${a.host}]` : a.host}:${local} -> ${p.remote}\n`);
          const url = `${resourceUrl('pods', ns, name, 'portforward')}?ports=${p.remote}`;
          server.on('connection', (conn: net.Socket) => {
            io.stdout.write(`Handling connection for ${local}\n`);
            sockets.add(conn);
            conn.once('close', () => sockets.delete(conn));
            forward(client.socket, url, conn, `${local} -> ${p.remote}`, io.stderr);
          });
        } catch (err) {
          if (!a.optional) failures.push(`unable to create listener: Error listen ${a.host}:${p.local}: ${(err as Error).message}`);
        }
      }
      if (failures.length > 0 || bound === 0) {
        throw new WasmpodError(`Unable to listen on port ${p.local}: ${failures.join('; ') || 'no address could be bound'}`);
      }
    }
  } catch (err) {
    stopAll();
    throw err;
  }

  const aborter = new AbortController();
  const code = await new Promise<number>((resolve) => {
    const stop = (): void => resolve(0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    watchPod(client, ns, name, () => {
      io.stderr.write('error: lost connection to pod\n');
      resolve(1);
    }, aborter.signal).catch((err: Error) => {
      io.stderr.write(`error: ${err.message}\n`);
      resolve(1);
    });
    aborter.signal.addEventListener('abort', () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
  });
  aborter.abort();
  stopAll();
  return code;
}

/**
 * Carries one local connection into the pod over its own WebSocket: channel 0 its bytes, channel 1 the
 * server's error text (each channel starts with the port, 2 bytes, which are skipped). A failure is printed
 * as kubectl prints it, and the local connection is reset.
 */
function forward(socketPath: string, url: string, conn: net.Socket, what: string, stderr: NodeJS.WritableStream): void {
  const ws = new WebSocket(`ws+unix://${socketPath}:${url}`, PROTOCOLS);
  const skip = [2, 2];
  let errorText = '';
  let finished = false;
  const finish = (error?: string): void => {
    if (finished) return;
    finished = true;
    if (error) {
      stderr.write(`an error occurred forwarding ${what}: ${error}\n`);
      conn.resetAndDestroy();
    } else {
      conn.end();
    }
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
  };
  ws.on('open', () => {
    conn.on('data', (c: Buffer) => {
      conn.pause();
      ws.send(Buffer.concat([Buffer.from([0]), c]), () => conn.resume());
    });
    // v4 cannot say that our side ended: the connection then lasts until the pod's side ends.
    conn.on('end', () => { if (ws.readyState === ws.OPEN && ws.protocol === PROTOCOLS[0]) ws.send(Buffer.from([CLOSE, 0])); });
    conn.resume();
  });
  ws.on('message', (data: Buffer) => {
    const channel = data[0]!;
    if (channel === CLOSE) {
      if (data[1] === 0) conn.end();
      return;
    }
    let body = data.subarray(1);
    if (channel < 2 && skip[channel]! > 0) {
      const n = Math.min(skip[channel]!, body.length);
      skip[channel]! -= n;
      body = body.subarray(n);
    }
    if (body.length === 0) return;
    if (channel === 0 && !conn.write(body)) {
      ws.pause();
      conn.once('drain', () => ws.resume());
    } else if (channel === 1) {
      errorText += body.toString();
    }
  });
  ws.on('close', () => finish(errorText || undefined));
  ws.on('unexpected-response', (_req, res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      let message = res.statusMessage ?? `HTTP ${res.statusCode}`;
      try { message = JSON.parse(Buffer.concat(chunks).toString()).message ?? message; } catch { /* not a Status */ }
      finish(message);
    });
  });
  ws.on('error', (err) => finish(err.message));
  conn.on('error', () => finish());
  conn.on('close', () => {
    if (!finished) {
      finished = true;
      ws.terminate();
    }
  });
}
