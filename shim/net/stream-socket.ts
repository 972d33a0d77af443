// A TCP-like stream socket of the pod network: bind/listen/accept through the main thread, bytes through two rings.
import type { Readiness } from '../fd/fd-object.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { Filetype, Sdflags } from '../wasi/constants.js';
import { type ByteRing, READER_CLOSED, WRITER_CLOSED } from '../ring/byte-ring.js';
import { Conn } from './conn.js';
import { block, waitsUnwind } from '../ring/block.js';
import { AddressFamily, type SockAddr } from './addr.js';
import { PEER_RESET, SockKind, type ConnInit } from './protocol.js';
import {
  RECV_DONT_WAIT, RECV_PEEK, RECV_WAITALL, SEND_DONT_WAIT, SockOption, SocketBase, timeLeft,
} from './socket-base.js';
import type { NetContext } from './net-context.js';

/** WASIX `sock_status`. */
export const enum SockStatus { OPENING = 0, OPENED = 1, CLOSED = 2, FAILED = 3 }

/** The backlog when the guest passes 0 or less (Linux's SOMAXCONN is larger; this bounds what a guest can queue). */
export const DEFAULT_BACKLOG = 128;

export class StreamSocket extends SocketBase {
  readonly filetype = Filetype.SOCKET_STREAM;
  readonly kind = SockKind.STREAM;
  private conn?: Conn;
  private pending?: Int32Array;
  private shutRd = false;
  private shutWr = false;
  /** SO_SNDBUF / SO_RCVBUF as the guest set them: they cap how far the connection's rings grow. */
  private sndbuf = 0;
  private rcvbuf = 0;

  constructor(family: AddressFamily.INET4 | AddressFamily.INET6, net: NetContext, conn?: ConnInit) {
    super(family, net);
    if (conn) this.established(conn);
  }

  private established(init: ConnInit): void {
    this.conn = new Conn(init);
    this.localAddr = init.local;
    this.applyBufferSizes();
  }

  override setOptSize(opt: number, value: bigint): void {
    super.setOptSize(opt, value);
    const bytes = Number(value > 0x40000000n ? 0x40000000n : value);
    if (opt === SockOption.SEND_BUF_SIZE) this.sndbuf = bytes;
    else if (opt === SockOption.RECV_BUF_SIZE) this.rcvbuf = bytes;
    else return;
    this.applyBufferSizes();
  }

  private applyBufferSizes(): void {
    if (!this.conn) return;
    if (this.sndbuf > 0) this.conn.tx.limitGrowth(this.sndbuf, 'writer');
    if (this.rcvbuf > 0) this.conn.rx.limitGrowth(this.rcvbuf, 'reader');
  }

  status(): number {
    if (!this.conn) return SockStatus.OPENING;
    if (this.conn.reset()) return SockStatus.FAILED;
    return this.shutRd && this.shutWr ? SockStatus.CLOSED : SockStatus.OPENED;
  }

  peer(): SockAddr {
    if (!this.conn) throw new WasiError(Errno.NOTCONN);
    return this.conn.init.peer;
  }

  bind(a: SockAddr): void {
    this.checkFamily(a);
    if (this.bindingId !== 0 || this.conn) throw new WasiError(Errno.INVAL);
    const pre = a.port !== 0 ? this.net.adoptPreopened<StreamSocket>(SockKind.STREAM, a.port) : undefined;
    if (pre) {
      this.bindingId = pre.id;
      this.localAddr = pre.from.local();
      return;
    }
    const { id, port } = this.net.bind(SockKind.STREAM, a, this.reuseAddr);
    this.bindingId = id;
    this.localAddr = { ...a, port };
  }

  listen(backlog: number): void {
    if (this.conn) throw new WasiError(Errno.INVAL);
    if (this.pending) return;
    if (this.bindingId === 0) this.bind({ ...this.local(), port: 0 });
    const n = backlog > 0 ? Math.min(backlog, 4096) : DEFAULT_BACKLOG;
    this.pending = new Int32Array(this.net.listen(this.bindingId, n).pending);
  }

  protected isListening(): boolean { return this.pending !== undefined; }

  connect(a: SockAddr): void {
    this.checkFamily(a);
    if (this.conn) throw new WasiError(Errno.ISCONN);
    if (this.pending) throw new WasiError(Errno.INVAL);
    this.established(this.net.connect(this.bindingId, a));
  }

  sockAccept(flags: number): StreamSocket {
    const pending = this.pending;
    if (!pending) throw new WasiError(Errno.INVAL);
    const deadline = this.deadline(SockOption.ACCEPT_TIMEOUT);
    for (;;) {
      if (Atomics.load(pending, 0) > 0) {
        try {
          const s = new StreamSocket(this.family, this.net, this.net.accept(this.bindingId));
          s.setFlags(flags);
          return s;
        } catch (err) {
          if (!(err instanceof WasiError) || err.errno !== Errno.AGAIN) throw err;
        }
      }
      if (this.nonblocking(0, 0)) throw new WasiError(Errno.AGAIN);
      const left = timeLeft(deadline);
      if (left <= 0) throw new WasiError(Errno.AGAIN);
      block(pending, 0, 0, left);
    }
  }

  private connected(): Conn {
    if (!this.conn) throw new WasiError(Errno.NOTCONN);
    return this.conn;
  }

  read(bufs: Uint8Array[]): number { return this.sockRecv(bufs, 0)[0]; }
  write(bufs: Uint8Array[]): number { return this.sockSend(bufs, 0); }

  sockRecv(bufs: Uint8Array[], flags: number): [number, number] {
    const conn = this.connected();
    const deadline = this.deadline(SockOption.RECV_TIMEOUT);
    let n = 0;
    let i = 0;
    let off = 0;
    for (;;) {
      if (this.shutRd) return [n, 0];
      if (flags & RECV_PEEK) {
        n = peek(conn.rx, bufs);
        if (n > 0) return [n, 0];
      } else {
        // Fill the buffers in order; WAITALL keeps filling across waits.
        for (; i < bufs.length; i++, off = 0) {
          const got = conn.rx.read(off === 0 ? bufs[i] : bufs[i].subarray(off));
          off += got;
          n += got;
          if (off < bufs[i].length) break;
        }
        if (i >= bufs.length || (n > 0 && !(flags & RECV_WAITALL))) return [n, 0];
      }
      const closed = conn.rx.closedFlags();
      if (closed & PEER_RESET) {
        if (n > 0) return [n, 0];
        throw new WasiError(Errno.CONNRESET);
      }
      if (closed & WRITER_CLOSED) return [n, 0];
      const left = timeLeft(deadline);
      if (this.nonblocking(flags, RECV_DONT_WAIT) || left <= 0) {
        if (n > 0) return [n, 0];
        throw new WasiError(Errno.AGAIN);
      }
      // In a shared worker the wait unwinds and the call is made again: what was read is returned first.
      if (n > 0 && waitsUnwind()) return [n, 0];
      conn.rx.waitReadable(left);
    }
  }

  sockSend(bufs: Uint8Array[], flags: number): number {
    const conn = this.connected();
    const deadline = this.deadline(SockOption.SEND_TIMEOUT);
    let n = 0;
    for (const b of bufs) {
      let done = 0;
      while (done < b.length) {
        if (this.shutWr || conn.tx.closedFlags() & READER_CLOSED || conn.reset()) {
          if (n + done > 0) return n + done;
          throw new WasiError(conn.reset() ? Errno.CONNRESET : Errno.PIPE);
        }
        const put = conn.tx.write(done === 0 ? b : b.subarray(done));
        done += put;
        if (put > 0) continue;
        const left = timeLeft(deadline);
        if (this.nonblocking(flags, SEND_DONT_WAIT) || left <= 0) {
          if (n + done > 0) return n + done;
          throw new WasiError(Errno.AGAIN);
        }
        if (n + done > 0 && waitsUnwind()) return n + done;
        conn.tx.waitWritable(left);
      }
      n += done;
    }
    return n;
  }

  sockShutdown(how: number): void {
    if (how < Sdflags.RD || how > (Sdflags.RD | Sdflags.WR)) throw new WasiError(Errno.INVAL);
    const conn = this.connected();
    if (how & Sdflags.RD) this.shutRd = true;
    if (how & Sdflags.WR && !this.shutWr) {
      this.shutWr = true;
      conn.tx.close(WRITER_CLOSED);
    }
  }

  readiness(write: boolean): Readiness {
    if (this.pending) {
      const n = Atomics.load(this.pending, 0);
      return write ? { nbytes: -1, hangup: false } : { nbytes: n > 0 ? n : -1, hangup: false };
    }
    const conn = this.conn;
    if (!conn) return { nbytes: 0, hangup: true };
    if (conn.reset()) return { nbytes: 0, hangup: true };
    if (write) {
      if (this.shutWr || conn.tx.closedFlags() & READER_CLOSED) return { nbytes: 0, hangup: true };
      const space = conn.tx.space();
      return { nbytes: space > 0 ? space : -1, hangup: false };
    }
    const avail = conn.rx.available();
    if (avail > 0) return { nbytes: avail, hangup: false };
    return conn.rx.closedFlags() & WRITER_CLOSED || this.shutRd ? { nbytes: 0, hangup: true } : { nbytes: -1, hangup: false };
  }

  /**
   * Closing sends EOF; closing with unread bytes resets the connection, as TCP sends RST then. A bound or
   * listening socket gives its port back (connections still in its backlog are reset by the main thread).
   */
  close(): void {
    this.conn?.close();
    this.unbind();
  }
}

/** MSG_PEEK over several buffers: copies what is waiting without consuming it. */
function peek(ring: ByteRing, bufs: Uint8Array[]): number {
  const total = bufs.reduce((s, b) => s + b.length, 0);
  const tmp = new Uint8Array(Math.min(total, ring.available()));
  const n = ring.read(tmp, true);
  let at = 0;
  for (const b of bufs) {
    if (at >= n) break;
    const k = Math.min(b.length, n - at);
    b.set(tmp.subarray(at, at + k));
    at += k;
  }
  return n;
}
