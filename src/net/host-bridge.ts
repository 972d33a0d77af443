// Real host sockets joined to ring streams, for hostNetwork pods: a Node socket on one side, a guest's connection end on the other.
import type * as net from 'node:net';
import { ByteRing, WRITER_CLOSED, createDoorbell } from '../../shim/ring/byte-ring.js';
import { Errno, WasiError, fromHost } from '../../shim/wasi/errno.js';
import { parseIp, type SockAddr } from '../../shim/net/addr.js';
import { Conn } from '../../shim/net/conn.js';
import type { ConnInit } from '../../shim/net/protocol.js';
import { PodStream } from './pod-stream.js';
import { resetSocket } from './reset.js';
import { STREAM_RING_BYTES, STREAM_RING_MAX_BYTES } from './pod-network.js';

/** The host end of a bridged connection rings nothing: its PodStream waits on the rings themselves. */
export const HOST_SIDE_BELL = createDoorbell().buffer as SharedArrayBuffer;

/** Socket errors the libuv names of node:fs do not cover, as the guest's errno. */
const NET_CODES: Record<string, Errno> = {
  ENETUNREACH: Errno.NETUNREACH, EHOSTUNREACH: Errno.HOSTUNREACH, ENETDOWN: Errno.NETDOWN,
  EHOSTDOWN: Errno.HOSTUNREACH, ECONNABORTED: Errno.CONNABORTED, EAFNOSUPPORT: Errno.AFNOSUPPORT,
};

/** A host socket failure as the errno a guest's call returns. */
export function errnoOf(err: unknown): WasiError {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NET_CODES[code] !== undefined) return new WasiError(NET_CODES[code]);
  try {
    return fromHost(err);
  } catch {
    return new WasiError(Errno.IO);
  }
}

/** Node's text of an address ("127.0.0.1", "::1", "::ffff:10.0.0.5") and a port as a SockAddr; IPv4-mapped ones as IPv4. */
export function sockAddrOf(text: string | undefined, port: number | undefined): SockAddr | undefined {
  if (text === undefined || port === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const a = parseIp(mapped ? mapped[1] : text.replace(/%.*$/, ''));
  return a && { ...a, port };
}

/**
 * A fresh connection's two rings: the guest's end, and the host's end, which rings `guestBell` (the
 * guest's doorbell, so its poll wakes) and whose addresses are the mirror image of the guest's.
 */
export function ringPair(guestBell: SharedArrayBuffer, guestLocal: SockAddr, guestPeer: SockAddr): { guest: ConnInit; host: ConnInit } {
  const toGuest = ByteRing.create(STREAM_RING_BYTES, STREAM_RING_MAX_BYTES);
  const fromGuest = ByteRing.create(STREAM_RING_BYTES, STREAM_RING_MAX_BYTES);
  return {
    guest: { rx: toGuest.init, tx: fromGuest.init, peerBell: HOST_SIDE_BELL, local: guestLocal, peer: guestPeer },
    host: { rx: fromGuest.init, tx: toGuest.init, peerBell: guestBell, local: guestPeer, peer: guestLocal },
  };
}

/**
 * Carries bytes both ways between a host socket and the host end of a ring connection, half-closes
 * included: the socket's FIN is the guest's EOF and the guest's close the socket's FIN. A reset on either
 * side resets the other (the guest reads ECONNRESET; the host peer gets an RST). `done` runs once both are gone.
 */
export interface Bridged {
  /** The host end of the guest's connection. */
  conn: Conn;
  /** Lets the process exit while the bridge still carries bytes. */
  unref(): void;
}

export function bridge(sock: net.Socket, hostEnd: ConnInit, done: () => void): Bridged {
  const conn = new Conn(hostEnd);
  const stream = new PodStream(conn);
  sock.pipe(stream).pipe(sock);
  sock.on('error', () => {
    if (!conn.closed()) conn.close(true);
    stream.destroy();
  });
  stream.on('error', () => resetSocket(sock));
  sock.on('close', () => {
    stream.destroy();
    done();
  });
  return { conn, unref: () => { sock.unref(); stream.unref(); } };
}

/**
 * Whether the guest has closed its end of `conn` in order (a FIN, not a reset): what it sent is still on
 * its way to the host peer, as the kernel delivers a closed socket's last bytes after its process is gone.
 */
export function guestFinished({ conn }: Bridged): boolean {
  return (conn.rx.closedFlags() & WRITER_CLOSED) !== 0 && !conn.reset();
}
