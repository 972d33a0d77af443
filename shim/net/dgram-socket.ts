// A UDP-like datagram socket: each bound socket owns a message queue; senders put whole datagrams straight into it.
import type { Readiness } from '../fd/fd-object.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { Filetype } from '../wasi/constants.js';
import { MessageQueue } from '../ipc/queue.js';
import { ringBell } from '../ring/byte-ring.js';
import { AddressFamily, WIRE_ADDR_SIZE, addrText, decodeAddr, encodeAddr, isAny, isLoopback, type SockAddr } from './addr.js';
import { SockKind, type DgramInit } from './protocol.js';
import {
  RECV_DATA_TRUNCATED, RECV_DONT_WAIT, RECV_PEEK, SockOption, SocketBase, timeLeft,
} from './socket-base.js';
import type { NetContext } from './net-context.js';
import { SockStatus } from './stream-socket.js';

/** The largest datagram (IPv4's UDP payload limit). */
export const MAX_DATAGRAM = 65507;

interface Target { q: MessageQueue; live: Int32Array; bell: Int32Array }

export class DgramSocket extends SocketBase {
  readonly filetype = Filetype.SOCKET_DGRAM;
  readonly kind = SockKind.DGRAM;
  /** @internal the receive queue, passed on when another socket adopts this one's binding */
  queue?: MessageQueue;
  /** @internal */
  live?: Int32Array;
  private peerAddr?: SockAddr;
  /** Receivers found so far, by address text; a closed receiver (live 0) is looked up again. */
  private readonly targets = new Map<string, Target>();
  private readonly frame = new Uint8Array(WIRE_ADDR_SIZE + MAX_DATAGRAM);

  constructor(family: AddressFamily.INET4 | AddressFamily.INET6, net: NetContext) {
    super(family, net);
  }

  private get owner(): number { return this.net.owner; }

  status(): number { return this.queue ? SockStatus.OPENED : SockStatus.OPENING; }

  peer(): SockAddr {
    if (!this.peerAddr) throw new WasiError(Errno.NOTCONN);
    return this.peerAddr;
  }

  bind(a: SockAddr): void {
    this.checkFamily(a);
    if (this.queue) throw new WasiError(Errno.INVAL);
    const pre = a.port !== 0 ? this.net.adoptPreopened<DgramSocket>(SockKind.DGRAM, a.port) : undefined;
    if (pre) {
      this.bindingId = pre.id;
      this.localAddr = pre.from.local();
      this.queue = pre.from.queue;
      this.live = pre.from.live;
      return;
    }
    const { id, port, dgram } = this.net.bind(SockKind.DGRAM, a, this.reuseAddr);
    this.bindingId = id;
    this.localAddr = { ...a, port };
    this.queue = new MessageQueue(dgram!.queue);
    this.live = new Int32Array(dgram!.live);
  }

  /** Sending first binds to an ephemeral port, as the kernel does, so that replies have somewhere to go. */
  private ensureBound(): MessageQueue {
    if (!this.queue) this.bind({ ...this.local(), port: 0 });
    return this.queue!;
  }

  /** A connected datagram socket sends to and receives from one peer only. */
  connect(a: SockAddr): void {
    this.checkFamily(a);
    this.ensureBound();
    this.target(a);
    this.peerAddr = a;
  }

  private target(to: SockAddr): Target {
    const key = addrText(to);
    const known = this.targets.get(key);
    if (known && Atomics.load(known.live, 0) === 1) return known;
    const init: DgramInit = this.net.dgramPeer(this.bindingId, to);
    const t = { q: new MessageQueue(init.queue), live: new Int32Array(init.live), bell: new Int32Array(init.bell) };
    this.targets.set(key, t);
    return t;
  }

  read(bufs: Uint8Array[]): number { return this.recvFrom(bufs, 0)[0]; }
  write(bufs: Uint8Array[]): number { return this.sockSend(bufs, 0); }

  sockSend(bufs: Uint8Array[], flags: number): number {
    return this.sendTo(bufs, flags, this.peer());
  }

  sockRecv(bufs: Uint8Array[], flags: number): [number, number] {
    const [n, roflags] = this.recvFrom(bufs, flags);
    return [n, roflags];
  }

  /** A datagram goes whole or not at all; a full receiver drops it, as a full socket buffer does. */
  sendTo(bufs: Uint8Array[], _flags: number, to: SockAddr): number {
    this.checkFamily(to);
    if (isAny(to) || to.port === 0) throw new WasiError(Errno.INVAL);
    const total = bufs.reduce((s, b) => s + b.length, 0);
    if (total > MAX_DATAGRAM) throw new WasiError(Errno.MSGSIZE);
    this.ensureBound();
    let t: Target;
    try {
      t = this.target(to);
    } catch (err) {
      // Nothing bound there: the datagram is lost, as UDP to a closed port is (no error for the sender).
      if (err instanceof WasiError && err.errno === Errno.CONNREFUSED) return total;
      throw err;
    }
    encodeAddr(this.sourceFor(to), this.frame);
    let at = WIRE_ADDR_SIZE;
    for (const b of bufs) { this.frame.set(b, at); at += b.length; }
    if (t.q.trySend(this.frame.subarray(0, at), 0, this.owner)) ringBell(t.bell);
    return total;
  }

  /** The source address a receiver sees: the pod IP, or loopback when sent to loopback. */
  private sourceFor(to: SockAddr): SockAddr {
    const local = this.local();
    if (!isAny(local)) return local;
    const loop = isLoopback(to);
    const ip = loop ? to.ip : this.net.podIP;
    return { family: loop ? to.family : AddressFamily.INET4, ip, port: local.port };
  }

  recvFrom(bufs: Uint8Array[], flags: number): [number, number, SockAddr] {
    const q = this.ensureBound();
    const deadline = this.deadline(SockOption.RECV_TIMEOUT);
    const nonblocking = this.nonblocking(flags, RECV_DONT_WAIT);
    for (;;) {
      const left = timeLeft(deadline);
      if (!nonblocking && left <= 0) throw new WasiError(Errno.AGAIN);
      const n = q.receive(this.frame, this.owner, nonblocking ? 0 : left);
      if (n < 0) throw new WasiError(Errno.AGAIN);
      // MSG_PEEK puts the datagram back ahead of the others (a higher priority), so it is the next one read.
      if (flags & RECV_PEEK) q.trySend(this.frame.subarray(0, n), 1, this.owner);
      const from = decodeAddr(this.frame);
      if (this.peerAddr && addrText(from) !== addrText(this.peerAddr)) continue;
      let at = WIRE_ADDR_SIZE;
      for (const b of bufs) {
        const k = Math.min(b.length, n - at);
        if (k <= 0) break;
        b.set(this.frame.subarray(at, at + k));
        at += k;
      }
      return [at - WIRE_ADDR_SIZE, n > at ? RECV_DATA_TRUNCATED : 0, from];
    }
  }

  sockAccept(_flags: number): never { throw new WasiError(Errno.NOTSUP); }

  /** A datagram socket has no stream to close: shutdown only checks that it is connected. */
  sockShutdown(how: number): void {
    if (how < 1 || how > 3) throw new WasiError(Errno.INVAL);
    this.peer();
  }

  readiness(write: boolean): Readiness {
    if (write) return { nbytes: MAX_DATAGRAM, hangup: false };
    const n = this.queue?.count() ?? 0;
    return n > 0 ? { nbytes: n, hangup: false } : { nbytes: -1, hangup: false };
  }

  close(): void {
    // A socket whose binding was adopted leaves the queue live for its new owner.
    if (this.live && this.bindingId !== 0) Atomics.store(this.live, 0, 0);
    this.unbind();
  }

  protected defaultSize(opt: number): bigint {
    return opt === SockOption.RECV_BUF_SIZE && this.queue ? BigInt(this.queue.maxmsg * this.queue.msgsize) : super.defaultSize(opt);
  }
}
