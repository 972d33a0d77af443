// hostNetwork pods: the pod's sockets are the host's (real listeners, connections, UDP sockets), names resolve through the host.
//
// The pod keeps its PodNetwork (one port space shared by its containers, rings between them, the same
// guest ABI); what changes is where a port and a connection live. A stream bind takes the port on the
// host (a Node server on the address asked for) and its accepted connections join the listener's backlog
// as ring connections; a connect to anything but the pod itself opens a Node socket from the main thread,
// bridged to a ring connection. Bytes between the host socket and the guest pass through the main thread
// (host-bridge.ts); bytes between containers of the pod still go worker to worker. Datagram sockets are
// host UDP sockets (host-dgram.ts).
import * as net from 'node:net';
import * as dns from 'node:dns';
import * as os from 'node:os';
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import { AddressFamily, IPV6_LOOPBACK, isAny, isLoopback, unmap, type SockAddr } from '../../shim/net/addr.js';
import { SockKind, type ConnInit, type DgramInit } from '../../shim/net/protocol.js';
import { PodNetwork, type Binding, type BindingOwner } from './pod-network.js';
import type { ClusterNetwork, Route } from './cluster-network.js';
import { HOST_SIDE_BELL, bridge, errnoOf, guestFinished, ringPair, sockAddrOf, type Bridged } from './host-bridge.js';
import { HostDatagrams } from './host-dgram.js';
import { resetSocket } from './reset.js';

/** The node's address a hostNetwork pod reports as its IP: the first IPv4 address of a real interface, else loopback. */
export function nodeAddress(): string {
  const all = Object.values(os.networkInterfaces()).flat();
  return all.find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.1';
}

/**
 * Attaches a hostNetwork pod: its IP is the node's, its hostname the node's (os.hostname()), and it takes
 * no address of the cluster range and no name in the cluster's table (as a Kubernetes hostNetwork pod).
 */
export function attachHostNetwork(cluster: ClusterNetwork, name: string, namespace: string): PodNetwork {
  const pod = new PodNetwork(cluster, nodeAddress(), name, namespace, os.hostname());
  pod.host = new HostNetwork(pod);
  return pod;
}

/** Connections a bound host port holds before its guest listens; more are reset. */
const EARLY_CONNECTIONS = 128;

/** How long a connection a guest closed in order may take to hand its last bytes to the host peer once the pod is gone (Linux's tcp_fin_timeout). */
const LINGER_MS = 60_000;

export class HostNetwork {
  private readonly servers = new Set<net.Server>();
  /** The host connections the pod's guests hold, with the host end of each one's rings. */
  private readonly sockets = new Map<net.Socket, Bridged>();
  /** Listeners let go of (their binding released): close() waits until the host has closed them. */
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;
  /** The pod's datagram sockets, each a real UDP socket of the host. */
  private readonly dgrams: HostDatagrams;

  constructor(private readonly pod: PodNetwork) {
    this.dgrams = new HostDatagrams(pod);
    pod.onClose(() => this.close());
  }

  /** Binds a socket of either kind on the host. */
  bind(kind: SockKind, addr: SockAddr, owner: BindingOwner): Promise<Binding> {
    if (this.closed) throw new WasiError(Errno.NETDOWN);
    return kind === SockKind.DGRAM ? this.dgrams.bind(addr, owner) : this.bindStream(addr, owner);
  }

  /** Where datagrams of the pod's socket `from` to `dest` go: out of its host socket, wherever `dest` is. */
  dgramPeer(from: Binding, dest: SockAddr): DgramInit {
    if (this.closed) throw new WasiError(Errno.NETDOWN);
    return this.dgrams.outbound(from, dest);
  }

  /**
   * Binds a stream socket on the host: a Node server listening on the address asked for (0.0.0.0 or ::
   * every interface, 127.0.0.1 loopback, an interface address that one), port 0 a port the host picks.
   * EADDRINUSE when the host (another process, or this pod) has the port; EADDRNOTAVAIL for an address
   * the host does not have. Connections that arrive before listen() wait for it; past the backlog, they are reset.
   */
  async bindStream(addr: SockAddr, owner: BindingOwner): Promise<Binding> {
    if (this.closed) throw new WasiError(Errno.NETDOWN);
    if (addr.port !== 0 && this.pod.inUse(SockKind.STREAM, addr.port)) throw new WasiError(Errno.ADDRINUSE);
    const a = unmap(addr);
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(errnoOf(err)));
      server.listen({ host: a.ip, port: addr.port, exclusive: true, ipv6Only: false }, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', () => undefined);
    let b: Binding;
    try {
      if (this.closed) throw new WasiError(Errno.NETDOWN);
      b = this.pod.reserve(SockKind.STREAM, { ...addr, port: (server.address() as net.AddressInfo).port }, owner);
    } catch (err) {
      server.close();
      throw err;
    }
    this.servers.add(server);
    // The host listens from bind() on (Node cannot bind without listening): connections that come before
    // the guest's listen() wait, paused, and join the backlog then, as the kernel's SYN queue would hold them.
    const early: net.Socket[] = [];
    server.on('connection', (sock) => {
      if (b.listener) return this.accepted(b, sock);
      sock.on('error', () => undefined);
      if (early.length >= EARLY_CONNECTIONS) return resetSocket(sock);
      sock.pause();
      early.push(sock);
    });
    b.onListen = () => {
      for (const sock of early.splice(0)) if (!sock.destroyed) this.accepted(b, sock);
    };
    b.onRelease = () => {
      for (const sock of early.splice(0)) resetSocket(sock);
      this.servers.delete(server);
      this.stop(server);
    };
    return b;
  }

  /** A host connection to a listener of the pod: queued in its backlog as a ring connection, or reset. */
  private accepted(b: Binding, sock: net.Socket): void {
    const local = sockAddrOf(sock.localAddress, sock.localPort);
    const peer = sockAddrOf(sock.remoteAddress, sock.remotePort);
    let hostEnd: ConnInit;
    try {
      if (!local || !peer || this.closed) throw new WasiError(Errno.CONNREFUSED);
      hostEnd = this.pod.offer(b, peer, local, HOST_SIDE_BELL);
    } catch {
      sock.on('error', () => undefined);
      resetSocket(sock);
      return;
    }
    this.track(sock, hostEnd);
  }

  private track(sock: net.Socket, hostEnd: ConnInit): void {
    this.sockets.set(sock, bridge(sock, hostEnd, () => this.sockets.delete(sock)));
  }

  /**
   * Connects a guest of the pod to `dest`. The pod itself (loopback, the unspecified address, the node
   * address) is reached directly over rings when one of its containers listens there; another pod of the
   * runtime by its cluster IP; anything else through a real host socket (ECONNREFUSED, ENETUNREACH,
   * ETIMEDOUT... as the host's connect reports them). Returns the guest's end.
   */
  connect(dest: SockAddr, from: BindingOwner, bound?: Binding): ConnInit | Promise<ConnInit> {
    if (this.closed) throw new WasiError(Errno.NETDOWN);
    const to = unmap(dest);
    const self = this.selfRoute(to);
    if (self) {
      try {
        return this.pod.connectRoute(self, from, bound);
      } catch (err) {
        if (!(err instanceof WasiError) || err.errno !== Errno.CONNREFUSED) throw err;
        // Nothing of the pod listens there: maybe something else on the host does.
      }
    } else if (to.family === AddressFamily.INET4 && this.pod.cluster.contains(to.ip)) {
      return this.pod.connect(to, from, bound);
    }
    if (to.port === 0) throw new WasiError(Errno.CONNREFUSED);
    return this.connectHost(to, from);
  }

  private selfRoute(to: SockAddr): Route | undefined {
    const { pod } = this;
    if (isLoopback(to) || isAny(to)) {
      const ip = to.family === AddressFamily.INET4 ? '127.0.0.1' : IPV6_LOOPBACK;
      return { pod, to, source: { family: to.family, ip, port: 0 }, loopback: true };
    }
    if (to.family === AddressFamily.INET4 && to.ip === pod.ip) {
      return { pod, to, source: { family: AddressFamily.INET4, ip: pod.ip, port: 0 }, loopback: false };
    }
    return undefined;
  }

  private async connectHost(to: SockAddr, from: BindingOwner): Promise<ConnInit> {
    const sock = net.connect({ host: to.ip, port: to.port, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', (err) => reject(errnoOf(err)));
    });
    sock.removeAllListeners('error');
    const local = sockAddrOf(sock.localAddress, sock.localPort);
    if (!local || this.closed) {
      sock.destroy();
      throw new WasiError(this.closed ? Errno.NETDOWN : Errno.CONNRESET);
    }
    const { guest, host } = ringPair(from.bell, local, to);
    this.track(sock, host);
    return guest;
  }

  /**
   * Resolves a name through the host's resolver (dns.lookup: /etc/hosts, then DNS, as getaddrinfo).
   * The node's own hostname always resolves, to the node's address, as glibc's nss-myhostname answers.
   */
  async resolve(name: string): Promise<SockAddr[]> {
    if (name === '' || name.includes('\0')) throw new WasiError(Errno.NOENT);
    try {
      const found = await dns.promises.lookup(name, { all: true, verbatim: true });
      const out = found.map((f) => sockAddrOf(f.address, 0)).filter((a): a is SockAddr => a !== undefined);
      if (out.length > 0) return out;
    } catch {
      // not found: NOENT below, unless it is the node's own name
    }
    if (name.toLowerCase().replace(/\.$/, '') === this.pod.hostname.toLowerCase()) {
      return [{ family: AddressFamily.INET4, ip: this.pod.ip, port: 0 }];
    }
    throw new WasiError(Errno.NOENT);
  }

  private stop(server: net.Server): void {
    const p: Promise<void> = new Promise<void>((resolve) => server.close(() => resolve())).then(() => { this.stopping.delete(p); });
    this.stopping.add(p);
  }

  /**
   * The pod has ended: its host listeners stop and the host connections it carried are reset, except those
   * a guest closed in order before it went: their last bytes and FIN still reach the peer (as the kernel
   * delivers them after the process is gone), for at most LINGER_MS, then they are reset too.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.servers) this.stop(s);
    this.servers.clear();
    for (const [s, bridged] of this.sockets) {
      if (!guestFinished(bridged)) resetSocket(s);
      else {
        // Lingering does not keep the process alive: a runtime closing for good exits without waiting for it.
        bridged.unref();
        setTimeout(() => resetSocket(s), LINGER_MS).unref();
      }
    }
    this.sockets.clear();
    await Promise.all([...this.stopping]);
  }
}
