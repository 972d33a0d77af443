// Pre-opened sockets: each declared containerPort is listening (TCP) or bound (UDP) before _start, announced systemd-style.
import type { FdTable } from '../fd/fd-table.js';
import { WasiError } from '../wasi/errno.js';
import { AddressFamily, type SockAddr } from './addr.js';
import { DgramSocket } from './dgram-socket.js';
import { StreamSocket } from './stream-socket.js';
import type { NetContext } from './net-context.js';
import type { PortDecl } from './protocol.js';

const ERRNO_TEXT: Record<number, string> = { 2: 'permission denied', 3: 'address already in use in the pod', 4: 'address not available' };

/** A declared port that cannot be opened: the container fails before its guest runs. */
export class PortOpenError extends Error {}

/**
 * Opens the container's ports as the next fds (after stdio, the preopened directories and the
 * termination notice, so wasi-libc's preopen scan is not disturbed) and returns the environment that
 * announces them: LISTEN_FDS, LISTEN_FDS_START, LISTEN_FDNAMES and LISTEN_PORTS (docs/network.md).
 */
export function openPortSockets(fds: FdTable, net: NetContext, ports: PortDecl[]): string[] {
  if (ports.length === 0) return [];
  const opened: number[] = [];
  for (const p of ports) {
    const any: SockAddr = { family: AddressFamily.INET4, ip: '0.0.0.0', port: p.port };
    const s = p.protocol === 'UDP' ? new DgramSocket(AddressFamily.INET4, net) : new StreamSocket(AddressFamily.INET4, net);
    try {
      s.bind(any);
      if (s instanceof StreamSocket) s.listen(0);
    } catch (err) {
      if (!(err instanceof WasiError)) throw err;
      const text = err.errno === 3 && net.hostNetwork ? 'address already in use on the host' : ERRNO_TEXT[err.errno];
      throw new PortOpenError(`containerPort ${p.port}/${p.protocol}: ${text ?? `errno ${err.errno}`}`);
    }
    const fd = fds.add(s);
    // A WASIX guest that binds the port itself takes this socket's binding over (net-context.ts).
    net.addPreopened(s.kind, p.port, s, () => fds.close(fd));
    opened.push(fd);
  }
  return [
    `LISTEN_FDS=${opened.length}`,
    `LISTEN_FDS_START=${opened[0]}`,
    `LISTEN_FDNAMES=${ports.map((p) => p.name ?? `${p.port}/${p.protocol.toLowerCase()}`).join(':')}`,
    `LISTEN_PORTS=${ports.map((p) => p.port).join(':')}`,
  ];
}
