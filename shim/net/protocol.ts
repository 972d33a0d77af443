// What a container's worker and its pod's network (src/net, main thread) exchange: control op codes and object inits.
//
// Only control goes over the call channel (bind, listen, connect, accept, close, resolve, finding a UDP
// peer); stream bytes move through two ByteRings per connection and datagrams through the receiver's
// queue, worker to worker.
import type { CallChannelInit } from '../call-channel.js';
import type { RingInit } from '../ring/byte-ring.js';
import type { SockAddr } from './addr.js';

export const enum NetOp {
  /** args [kind, reuseAddr], payload: wire address → results [id, port]; a DGRAM bind attaches a DgramInit */
  BIND = 1,
  /** args [id, backlog] → attaches a ListenerInit */
  LISTEN = 2,
  /** args [id] → attaches a ConnInit, or AGAIN when the backlog is empty */
  ACCEPT = 3,
  /** args [id or 0 (unbound)], payload: wire address → attaches a ConnInit */
  CONNECT = 4,
  /** args [id]: releases a bound port */
  CLOSE = 5,
  /** payload: the name (UTF-8) → attaches SockAddr[] */
  RESOLVE = 6,
  /** args [id of the bound sender], payload: wire address → attaches the receiver's DgramInit */
  DGRAM_PEER = 7,
}

export const enum SockKind { STREAM = 1, DGRAM = 2 }

/** A ByteRing CLOSED bit beside WRITER_CLOSED/READER_CLOSED: the connection was reset (the peer died or dropped unread data). */
export const PEER_RESET = 4;

/** One end of an established stream: it reads `rx`, writes `tx`, and rings `peerBell` on every change. */
export interface ConnInit {
  rx: RingInit;
  tx: RingInit;
  peerBell: SharedArrayBuffer;
  local: SockAddr;
  peer: SockAddr;
}

/** A listening socket's shared word: the number of connections waiting in its backlog. */
export interface ListenerInit {
  pending: SharedArrayBuffer;
}

/**
 * A datagram socket's receive queue (a MessageQueue: each message is a 20-byte wire source address, then
 * the payload), its `live` word (0 once it is closed: senders forget it) and its owner's bell.
 */
export interface DgramInit {
  queue: SharedArrayBuffer;
  live: SharedArrayBuffer;
  bell: SharedArrayBuffer;
  local: SockAddr;
}

/** One port a container declares, pre-opened as a listening (TCP) or bound (UDP) socket before _start. */
export interface PortDecl {
  port: number;
  protocol: 'TCP' | 'UDP';
  name?: string;
}

/** The part of WorkerStart that puts a container in its pod's network. */
export interface NetInit {
  channel: CallChannelInit;
  /** The pod's IP (dotted quad). */
  podIP: string;
  /** This container run's owner id: tags the datagram-queue slots it is writing, recovered if it dies mid-send. */
  owner: number;
  ports: PortDecl[];
  /** The pod uses the host's network (hostNetwork: true): its ports are the host's. */
  hostNetwork?: boolean;
}
