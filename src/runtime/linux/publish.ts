// hostPort and --publish for a linux pod: a host TCP server per port, each connection relayed into the pod's network namespace.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../spec/types.js';
import { WasmpodError } from '../../errors.js';
import { relayInto } from '../../net/reset.js';

/** A port to publish: the host address and port, and the pod's port. */
export interface LinuxPublish {
  hostIP?: string;
  hostPort: number;
  containerPort: number;
}

/** A host port could not be listened on (in use, no permission). */
export class LinuxHostPortError extends WasmpodError {
  readonly code = 'ERR_HOSTPORT';
}

/** The spec's TCP hostPorts, then the extra ones (`--publish`). */
export function wantedPorts(pod: Pod, extra: LinuxPublish[]): LinuxPublish[] {
  const out = [...extra];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && (p.protocol ?? 'TCP') === 'TCP') out.push({ hostPort: p.hostPort, containerPort: p.containerPort, ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return out;
}

/**
 * Listens on each wanted host port (default address 127.0.0.1) and carries every accepted connection to
 * the pod's port through `dial`; a connection nothing in the pod accepts is reset, as a refused one would
 * be. Resolves with a function that stops listening and ends the connections.
 */
export async function publishLinuxPorts(dial: (port: number) => Promise<Duplex>, ports: LinuxPublish[]): Promise<() => Promise<void>> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const closeAll = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  };
  for (const p of ports) {
    const hostIP = p.hostIP ?? '127.0.0.1';
    // Half-open allowed, as the wasm backend's publishing: a client's shutdown(SHUT_WR) reaches the pod as EOF
    // (the relay shuts its socket's write side) while the pod's answer still flows back.
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      relayInto(sock, () => dial(p.containerPort));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(p.hostPort, hostIP, () => resolve());
      });
    } catch (err) {
      await closeAll();
      throw new LinuxHostPortError(`cannot publish port ${p.containerPort} on ${hostIP}:${p.hostPort}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    servers.push(server);
  }
  return closeAll;
}
