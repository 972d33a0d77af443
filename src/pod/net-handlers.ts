// httpGet and tcpSocket handlers of probes and lifecycle hooks, run as the kubelet runs them, over a stream into the pod's network.
import type { Duplex } from 'node:stream';
import { Client } from 'undici';
import type { Container, HTTPGetAction, IntOrString, TCPSocketAction } from '../spec/types.js';

/** Opens a stream to a TCP port of the pod's own network, as a client on the node would reach the pod IP. */
export type PodDial = (port: number) => Promise<Duplex>;

/** What a network handler needs besides its action. */
export interface NetTarget {
  dial: PodDial;
  /** The address the kubelet would dial (the pod IP): it goes into the Host header and the messages. */
  host: string;
}

/** The Kubernetes version whose kubelet wasmpod imitates, for the User-Agent header (kube-probe/1.31, kube-lifecycle/1.31). */
const KUBE_VERSION = '1.31';
/** The kubelet reads at most this much of a probe's response body, for the message. */
const BODY_LIMIT = 10 * 1024;

/** A port by number, or by the name of one of the container's ports (as the kubelet resolves it). */
export function resolvePort(c: Container, port: IntOrString): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = (c.ports ?? []).find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port: ${port} in container ${c.name}`);
  return found.containerPort;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TimeoutError());
    }, ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

class TimeoutError extends Error {}

/** The failure text Go's dialer gives, from a dial error's errno code. */
function dialFailure(host: string, port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ECONNREFUSED' || code === 'ERR_POD_CONNECTION_REFUSED' ? 'connection refused'
    : code === 'ECONNRESET' ? 'connection reset by peer'
      : code === 'ENETUNREACH' ? 'network is unreachable' : (err as Error).message;
  return `dial tcp ${host}:${port}: connect: ${why}`;
}

/**
 * Runs an httpGet handler: a GET with the kubelet's headers, no keep-alive. For a probe a status from 200
 * to 399 succeeds; a lifecycle hook, as the kubelet runs it, fails only when no response arrives.
 * Resolves with the failure's message, or undefined on success.
 */
export async function httpGet(action: HTTPGetAction, c: Container, target: NetTarget, timeoutMs: number,
  purpose: 'probe' | 'lifecycle' = 'probe'): Promise<string | undefined> {
  const port = resolvePort(c, action.port);
  const path = action.path ? (action.path.startsWith('/') ? action.path : `/${action.path}`) : '/';
  const url = `http://${target.host}:${port}${path}`;
  // Names keep the case the kubelet (or the manifest) gives them; a manifest header replaces a default one.
  const byName = new Map<string, [string, string]>([
    ['user-agent', ['User-Agent', `kube-${purpose}/${KUBE_VERSION}`]], ['accept', ['Accept', '*/*']],
  ]);
  for (const h of action.httpHeaders ?? []) byName.set(h.name.toLowerCase(), [h.name, h.value]);
  const headers = Object.fromEntries(byName.values());
  let dialError: unknown;
  let abandoned = false;
  const client = new Client(`http://${target.host}:${port}`, {
    pipelining: 0,
    connect: (_opts, cb) => {
      target.dial(port).then((s) => {
        if (abandoned) s.destroy(); // the probe timed out while the connection was being made
        else cb(null, s as never);
      }, (err: unknown) => {
        dialError = err;
        cb(err as Error, null);
      });
    },
  });
  try {
    const res = await withTimeout((async () => {
      const r = await client.request({ path, method: 'GET', headers, reset: true });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of r.body as AsyncIterable<Buffer>) {
        if (size < BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
      }
      return { status: r.statusCode, body: Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8') };
    })(), timeoutMs, () => {
      abandoned = true;
      void client.destroy().catch(() => undefined);
    });
    if (purpose === 'lifecycle' || (res.status >= 200 && res.status < 400)) return undefined;
    return `HTTP probe failed with statuscode: ${res.status}`;
  } catch (err) {
    if (err instanceof TimeoutError) {
      return `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
    }
    if (dialError !== undefined) return `Get "${url}": ${dialFailure(target.host, port, dialError)}`;
    if (err instanceof Error) return `Get "${url}": ${err.message}`;
    throw err;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Runs a tcpSocket handler: success when a connection opens within the timeout; it is closed at once. */
export async function tcpSocket(action: TCPSocketAction, c: Container, target: NetTarget, timeoutMs: number): Promise<string | undefined> {
  const port = resolvePort(c, action.port);
  const dialing = target.dial(port);
  try {
    const s = await withTimeout(dialing, timeoutMs, () => {
      // A dial that completes after the timeout still yields a stream: close it when it comes.
      dialing.then((late) => late.destroy(), () => undefined);
    });
    s.destroy();
    return undefined;
  } catch (err) {
    if (err instanceof TimeoutError) return `dial tcp ${target.host}:${port}: i/o timeout`;
    return dialFailure(target.host, port, err);
  }
}
