// Publishing pod ports on the host: hostPort, `wasmpod run --publish`, and port-forwarding, as a TCP server per port.
import * as net from 'node:net';
import { openPodStream, type StreamVia } from './pod-stream.js';
import type { PodNetwork } from './pod-network.js';
import { HostPortError, PublishSpecError } from './errors.js';
import type { Pod } from '../spec/types.js';
import { relayInto } from './reset.js';

export interface PublishSpec {
  /** The host address to listen on (default 127.0.0.1). */
  hostIP?: string;
  /** The host port; 0 picks a free one. */
  hostPort: number;
  containerPort: number;
}

/** A host port forwarding to a pod's port; close() stops listening and ends the connections it carries. */
export interface PublishedPort {
  hostIP: string;
  /** The port actually listened on (the one picked when 0 was asked for). */
  hostPort: number;
  containerPort: number;
  close(): Promise<void>;
}

/** Parses `--publish` values: `HOST:POD` or `IP:HOST:POD` (IPv6 hosts in brackets: `[::1]:8080:80`). */
export function parsePublish(text: string): PublishSpec {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d{1,5}):(\d{1,5})$/.exec(text);
  const hostPort = m ? Number(m[2]) : NaN;
  const containerPort = m ? Number(m[3]) : NaN;
  if (!m || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
    throw new PublishSpecError(`--publish "${text}": expected [IP:]HOST_PORT:POD_PORT with ports 1-65535 (HOST_PORT 0 picks a free one)`);
  }
  const ip = m[1]?.replace(/^\[|\]$/g, '');
  return { ...(ip ? { hostIP: ip } : {}), hostPort, containerPort };
}

/**
 * Listens on the host and carries each accepted connection into the pod's port (over the pod's loopback
 * for port-forwarding, to the pod IP for a published hostPort). A connection nothing in the pod accepts
 * is closed at once, as a refused one would be. The server stops when the pod's network closes.
 */
export async function publishPort(pod: PodNetwork, spec: PublishSpec, via: StreamVia): Promise<PublishedPort> {
  const hostIP = spec.hostIP ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  // Half-open allowed: a client's shutdown(SHUT_WR) reaches the pod as EOF while the pod's answer still flows back.
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    relayInto(sock, () => openPodStream(pod, spec.containerPort, via));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new HostPortError(
      `cannot publish port ${spec.containerPort} of pod "${pod.name}" on ${hostIP}:${spec.hostPort}: ${err.code ?? err.message}`)));
    server.listen(spec.hostPort, hostIP, () => resolve());
  });
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  pod.onClose(close);
  const addr = server.address() as net.AddressInfo;
  return { hostIP, hostPort: addr.port, containerPort: spec.containerPort, close };
}

/**
 * Publishes every `hostPort` the pod's containers declare (on their `hostIP`, default 127.0.0.1) and the
 * `extra` ones (`wasmpod run --publish`), to the pod IP as a hostPort's traffic arrives in Kubernetes.
 */
export async function publishPodPorts(pod: PodNetwork, spec: Pod, extra: PublishSpec[] = []): Promise<PublishedPort[]> {
  const wanted: PublishSpec[] = [...extra];
  // A hostNetwork pod's ports are already the host's: a hostPort is its containerPort, nothing to forward.
  const containers = spec.spec.hostNetwork ? [] : [...(spec.spec.initContainers ?? []), ...spec.spec.containers];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && (p.protocol ?? 'TCP') === 'TCP') {
        wanted.push({ hostPort: p.hostPort, containerPort: p.containerPort, ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
      }
    }
  }
  const out: PublishedPort[] = [];
  for (const w of wanted) out.push(await publishPort(pod, w, 'podIP'));
  return out;
}
