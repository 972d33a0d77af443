// One pod's network stack, held in the main thread: its port space, listeners and their backlogs, new connections.
//
// It lives as long as the pod (as the pause container holds the netns): containers restart into it. Only
// control passes here; the bytes of a connection move through the two rings made in `connect`.
import { ByteRing } from '../../shim/ring/byte-ring.js';
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import { createQueueBuffer } from '../../shim/ipc/queue.js';
import { AddressFamily, WIRE_ADDR_SIZE, isAny, isLoopback, unmap, type SockAddr } from '../../shim/net/addr.js';
import { Conn } from '../../shim/net/conn.js';
import { SockKind, type ConnInit, type DgramInit } from '../../shim/net/protocol.js';
import { MAX_DATAGRAM } from '../../shim/net/dgram-socket.js';
import type { ClusterNetwork, Route } from './cluster-network.js';
import type { HostNetwork } from './host-network.js';

/** Bytes of each direction of a stream connection (its socket buffer): what a writer can get ahead of its reader. */
export const STREAM_RING_BYTES = 128 * 1024;
/** What a busy direction grows to (doubling each time a full ring drains): only bytes in use are committed. */
export const STREAM_RING_MAX_BYTES = 1024 * 1024;
/** Datagrams a bound UDP socket queues before further ones are dropped. */
export const DGRAM_QUEUE_MESSAGES = 32;
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

/** Who holds a binding: a container run's session (its bell wakes it), or the host (no bell to ring). */
export interface BindingOwner {
  bell: SharedArrayBuffer;
  track(conn: Conn): void;
}

interface Pending { init: ConnInit; conn: Conn }

export class Binding {
  listener?: { pending: Int32Array; backlog: number; queue: Pending[] };
  dgram?: DgramInit;
  /** Host resources behind the binding (a hostNetwork pod's real listener), let go when it is released. */
  onRelease?: () => void;
  /** Called when the binding starts listening (a hostNetwork pod's listener hands over early connections). */
  onListen?: () => void;
  constructor(readonly id: number, readonly kind: SockKind, readonly addr: SockAddr, readonly owner: BindingOwner) {}

  /** Whether a connection to `to` (over loopback or not) reaches this binding's address. */
  accepts(to: SockAddr, loopback: boolean): boolean {
    const a = unmap(this.addr);
    if (isAny(a)) return a.family === AddressFamily.INET6 || to.family === AddressFamily.INET4;
    if (isLoopback(a)) return loopback && a.family === to.family;
    return a.ip === to.ip;
  }
}

export class PodNetwork {
  private readonly ports = new Map<string, Binding>();
  private readonly ids = new Map<number, Binding>();
  private nextId = 1;
  private nextEphemeral = EPHEMERAL_FIRST;
  /** Host-side resources tied to the pod's life (published ports), closed with it. */
  private readonly closers: (() => Promise<void>)[] = [];
  closed = false;
  /** Set for a hostNetwork pod: its stream ports and connections are the host's (host-network.ts). */
  host?: HostNetwork;

  constructor(readonly cluster: ClusterNetwork, readonly ip: string, readonly name: string,
    readonly namespace: string, readonly hostname: string) {}

  private key(kind: SockKind, port: number): string {
    return `${kind}:${port}`;
  }

  /** A free port of the ephemeral range for `kind`, as the kernel picks for bind(0) and connect. */
  ephemeral(kind: SockKind): number {
    for (let i = 0; i <= EPHEMERAL_LAST - EPHEMERAL_FIRST; i++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
      if (!this.ports.has(this.key(kind, p))) return p;
    }
    throw new WasiError(Errno.ADDRINUSE);
  }

  /** Reserves a port: one binding per port and protocol in the whole pod, whichever container asks. */
  bind(kind: SockKind, addr: SockAddr, owner: BindingOwner): Binding {
    if (this.closed) throw new WasiError(Errno.NETDOWN);
    const a = unmap(addr);
    if (!(isAny(a) || isLoopback(a) || (a.family === AddressFamily.INET4 && a.ip === this.ip))) {
      throw new WasiError(Errno.ADDRNOTAVAIL);
    }
    return this.reserve(kind, { ...addr, port: addr.port === 0 ? this.ephemeral(kind) : addr.port }, owner);
  }

  /** Whether the pod's port space has `port` of `kind` taken (a hostNetwork bind checks before asking the host). */
  inUse(kind: SockKind, port: number): boolean {
    return this.ports.has(this.key(kind, port));
  }

  /** Takes `addr` (its port chosen) in the pod's port space, with no check of the address itself. */
  reserve(kind: SockKind, addr: SockAddr, owner: BindingOwner): Binding {
    if (this.closed) throw new WasiError(Errno.NETDOWN);
    const key = this.key(kind, addr.port);
    if (this.ports.has(key)) throw new WasiError(Errno.ADDRINUSE);
    const b = new Binding(this.nextId++, kind, addr, owner);
    if (kind === SockKind.DGRAM) {
      b.dgram = {
        queue: createQueueBuffer(DGRAM_QUEUE_MESSAGES, WIRE_ADDR_SIZE + MAX_DATAGRAM),
        live: new Int32Array(new SharedArrayBuffer(4)).fill(1).buffer as SharedArrayBuffer,
        bell: owner.bell,
        local: b.addr,
      };
    }
    this.ports.set(key, b);
    this.ids.set(b.id, b);
    return b;
  }

  /** The binding `id` if `owner` holds it; EBADF otherwise (a guest cannot touch another's port). */
  owned(id: number, owner: BindingOwner): Binding {
    const b = this.ids.get(id);
    if (!b || b.owner !== owner) throw new WasiError(Errno.BADF);
    return b;
  }

  listen(b: Binding, backlog: number): Int32Array {
    if (b.kind !== SockKind.STREAM) throw new WasiError(Errno.NOTSUP);
    b.listener ??= { pending: new Int32Array(new SharedArrayBuffer(4)), backlog, queue: [] };
    b.listener.backlog = backlog;
    b.onListen?.();
    return b.listener.pending;
  }

  /** Takes the oldest connection waiting in the listener's backlog; AGAIN when there is none. */
  accept(b: Binding): Pending {
    const l = b.listener;
    if (!l) throw new WasiError(Errno.INVAL);
    const p = l.queue.shift();
    if (!p) throw new WasiError(Errno.AGAIN);
    Atomics.sub(l.pending, 0, 1);
    return p;
  }

  /** Frees the port; connections still in its backlog are reset and a datagram socket's senders let go. */
  release(b: Binding): void {
    if (this.ids.get(b.id) !== b) return;
    this.ids.delete(b.id);
    this.ports.delete(this.key(b.kind, b.addr.port));
    b.onRelease?.();
    for (const p of b.listener?.queue ?? []) p.conn.close(true);
    if (b.listener) {
      b.listener.queue.length = 0;
      Atomics.store(b.listener.pending, 0, 0);
    }
    if (b.dgram) Atomics.store(new Int32Array(b.dgram.live), 0, 0);
  }

  /** Releases every binding `owner` holds (its container ended). */
  releaseAll(owner: BindingOwner): void {
    for (const b of [...this.ids.values()]) if (b.owner === owner) this.release(b);
  }

  private listenerFor(kind: SockKind, r: Route): Binding {
    const b = r.pod.ports.get(this.key(kind, r.to.port));
    if (!b || !b.accepts(r.to, r.loopback) || (kind === SockKind.STREAM && !b.listener)) {
      throw new WasiError(Errno.CONNREFUSED);
    }
    return b;
  }

  /**
   * Connects from this pod (the connector's `bell` and optional binding) to `dest`: the connection is
   * made at once and queued in the listener's backlog (ECONNREFUSED when nothing listens or the backlog
   * is full). Returns the connector's end; the acceptor's waits in the backlog.
   */
  connect(dest: SockAddr, from: BindingOwner, bound?: Binding): ConnInit {
    const r = this.cluster.route(this, dest);
    return this.connectRoute(r, from, bound);
  }

  /** Connects to a route already chosen (the host's streams come in over loopback or via the pod IP). */
  connectRoute(r: Route, from: { bell: SharedArrayBuffer }, bound?: Binding): ConnInit {
    const l = this.listenerFor(SockKind.STREAM, r);
    const local: SockAddr = { ...r.source, port: bound ? bound.addr.port : this.ephemeral(SockKind.STREAM) };
    return this.offer(l, local, r.to, from.bell);
  }

  /**
   * Queues a new connection from `from` to `to` in the backlog of listener `l` (ECONNREFUSED when it is
   * full) and returns the connector's end; the acceptor's waits in the backlog.
   */
  offer(l: Binding, from: SockAddr, to: SockAddr, fromBell: SharedArrayBuffer): ConnInit {
    const listener = l.listener;
    if (!listener || listener.queue.length >= listener.backlog) throw new WasiError(Errno.CONNREFUSED);
    const ab = ByteRing.create(STREAM_RING_BYTES, STREAM_RING_MAX_BYTES);
    const ba = ByteRing.create(STREAM_RING_BYTES, STREAM_RING_MAX_BYTES);
    const mine: ConnInit = { rx: ba.init, tx: ab.init, peerBell: l.owner.bell, local: from, peer: to };
    const theirs: ConnInit = { rx: ab.init, tx: ba.init, peerBell: fromBell, local: to, peer: from };
    listener.queue.push({ init: theirs, conn: new Conn(theirs) });
    Atomics.add(listener.pending, 0, 1);
    Atomics.notify(listener.pending, 0);
    const bell = new Int32Array(l.owner.bell);
    Atomics.add(bell, 0, 1);
    Atomics.notify(bell, 0);
    return mine;
  }

  /** The receive queue of the datagram socket at `dest`, as seen from this pod. */
  dgramPeer(dest: SockAddr): DgramInit {
    const r = this.cluster.route(this, dest);
    return this.listenerFor(SockKind.DGRAM, r).dgram!;
  }

  /** Ties a host resource (a published port) to the pod: closed when the pod's network is. */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  /** The pod has ended: every port is freed, its IP and names return to the cluster. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const b of [...this.ids.values()]) this.release(b);
    this.cluster.detach(this);
    await Promise.all(this.closers.map((fn) => fn()));
  }
}
