// A host-side stream into a pod's port: a Node Duplex over the same two rings a guest-to-guest connection uses.
import { Duplex } from 'node:stream';
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import { AddressFamily, type SockAddr } from '../../shim/net/addr.js';
import { Conn } from '../../shim/net/conn.js';
import { PEER_RESET } from '../../shim/net/protocol.js';
import { READER_CLOSED, WRITER_CLOSED, createDoorbell } from '../../shim/ring/byte-ring.js';
import type { PodNetwork } from './pod-network.js';
import { PodConnectionRefusedError } from './errors.js';

/** How the host reaches the pod: over the pod's loopback (port-forward, probes) or at its IP (published hostPort). */
export type StreamVia = 'loopback' | 'podIP';

export class PodStream extends Duplex {
  /** The pod-side address this stream is connected to. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly conn: Conn;
  private reading = false;
  /** Atomics.waitAsync does not keep Node's event loop alive; an open stream must, as an open socket does. */
  private readonly alive = setInterval(() => undefined, 1 << 30);

  constructor(conn: Conn) {
    super({ allowHalfOpen: true });
    this.conn = conn;
    this.remoteAddress = conn.init.peer.ip;
    this.remotePort = conn.init.peer.port;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void this.writeAll(chunk).then(() => cb(), cb);
  }

  private async writeAll(chunk: Buffer): Promise<void> {
    const { tx } = this.conn;
    let done = 0;
    while (done < chunk.length) {
      if (tx.closedFlags() & READER_CLOSED || this.conn.reset()) {
        throw Object.assign(new Error('the pod closed the connection'), { code: this.conn.reset() ? 'ECONNRESET' : 'EPIPE' });
      }
      done += tx.write(chunk.subarray(done));
      if (done < chunk.length) await tx.waitWritableAsync();
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.conn.tx.close(WRITER_CLOSED);
    cb();
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    void this.pump();
  }

  /** Pushes what the pod wrote until the consumer is full, the pod closes, or the connection resets. */
  private async pump(): Promise<void> {
    const { rx } = this.conn;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      if (this.destroyed) return;
      const n = rx.read(buf);
      if (n > 0) {
        if (!this.push(Buffer.from(buf.subarray(0, n)))) {
          this.reading = false;
          return;
        }
        continue;
      }
      const flags = rx.closedFlags();
      if (flags & PEER_RESET) {
        this.destroy(Object.assign(new Error('the pod reset the connection'), { code: 'ECONNRESET' }));
        return;
      }
      if (flags & WRITER_CLOSED) {
        this.push(null);
        return;
      }
      await rx.waitReadableAsync();
    }
  }

  /** Lets the process exit while the stream is still open (a connection left to finish on its own). */
  unref(): this {
    this.alive.unref();
    return this;
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    clearInterval(this.alive);
    if (!this.conn.closed()) this.conn.close();
    cb(err);
  }
}

/** Nobody sleeps on it: the host side waits on the rings themselves. */
const HOST_BELL = createDoorbell().buffer as SharedArrayBuffer;

/**
 * Opens a connection from the host into `pod`'s `port`, as `kubectl port-forward` does (over the pod's
 * loopback) or as a published hostPort does (to the pod IP, from the cluster's gateway address).
 * Throws PodConnectionRefusedError when nothing listens there.
 */
export function openPodStream(pod: PodNetwork, port: number, via: StreamVia = 'loopback'): PodStream {
  const v4 = (ip: string, p: number): SockAddr => ({ family: AddressFamily.INET4, ip, port: p });
  const loopback = via === 'loopback';
  const to = v4(loopback ? '127.0.0.1' : pod.ip, port);
  const source = v4(loopback ? '127.0.0.1' : pod.cluster.gateway, 0);
  try {
    const init = pod.connectRoute({ pod, to, source, loopback }, { bell: HOST_BELL });
    return new PodStream(new Conn(init));
  } catch (err) {
    if (err instanceof WasiError && err.errno === Errno.CONNREFUSED) {
      throw new PodConnectionRefusedError(`nothing listens on port ${port} of pod "${pod.name}" (connection refused)`);
    }
    throw err;
  }
}
