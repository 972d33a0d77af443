// A container run's attachment to its pod's network: answers its control calls and, when it ends, closes what it held.
import { CallServer, type CallRequest } from '../../shim/call-channel.js';
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import { MessageQueue } from '../../shim/ipc/queue.js';
import { decodeAddr } from '../../shim/net/addr.js';
import { Conn } from '../../shim/net/conn.js';
import { MAX_OWNER } from '../../shim/ipc/layout.js';
import { NetOp, SockKind, type ConnInit, type NetInit, type PortDecl } from '../../shim/net/protocol.js';
import type { Binding, BindingOwner, PodNetwork } from './pod-network.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * Connections one container run may hold open at once (each has 256 KiB of rings the host allocates):
 * past it, connect answers ENOBUFS, so a guest cannot make the host allocate without bound.
 */
export const MAX_CONNECTIONS = 4096;
/** Owner ids tag the datagram-queue slots a run is writing (the queue's owner field, as IPC uses it). */
let lastOwner = 0;
function newOwner(): number {
  lastOwner = lastOwner >= MAX_OWNER ? 1 : lastOwner + 1;
  return lastOwner;
}

export class NetSession implements BindingOwner {
  readonly owner = newOwner();
  private readonly server: CallServer;
  /** Connection ends this run holds; ends it has closed are swept out as the list grows. */
  private conns: Conn[] = [];
  private sweepAt = 64;
  /** Datagram queues it has sent to: a send cut short by its death is recovered there. */
  private readonly queues = new Set<SharedArrayBuffer>();
  readonly init: NetInit;
  private ended = false;

  constructor(private readonly pod: PodNetwork, readonly bell: SharedArrayBuffer, ports: PortDecl[]) {
    this.server = new CallServer((req) => this.handle(req));
    this.init = { channel: this.server.init, podIP: pod.ip, owner: this.owner, ports, ...(pod.host ? { hostNetwork: true } : {}) };
  }

  track(conn: Conn): void {
    this.conns.push(conn);
    if (this.conns.length >= this.sweepAt) {
      this.conns = this.conns.filter((c) => !c.closed());
      this.sweepAt = Math.max(64, this.conns.length * 2);
    }
  }

  /** Room for one more connection end, or ENOBUFS. */
  private reserve(): void {
    if (this.conns.length < MAX_CONNECTIONS) return;
    this.conns = this.conns.filter((c) => !c.closed());
    if (this.conns.length >= MAX_CONNECTIONS) throw new WasiError(Errno.NOBUFS);
  }

  private handle(req: CallRequest): number | Promise<number> {
    const errno = (err: unknown): number => {
      if (err instanceof WasiError) return err.errno;
      throw err;
    };
    try {
      const later = this.dispatch(req);
      return later ? later.then(() => Errno.SUCCESS, errno) : Errno.SUCCESS;
    } catch (err) {
      return errno(err);
    }
  }

  /** Answers at once, or (a hostNetwork pod's bind, connect and resolve wait for the host) later. */
  private dispatch(req: CallRequest): void | Promise<void> {
    const { pod } = this;
    const [a0, a1] = req.args;
    switch (req.op) {
      case NetOp.BIND: {
        const bound = (b: Binding): void => {
          // The run may have ended while the host was binding: the port goes back at once.
          if (this.ended) pod.release(b);
          req.args[0] = b.id;
          req.args[1] = b.addr.port;
          if (b.dgram) req.attach(b.dgram);
        };
        const addr = decodeAddr(req.payload);
        if (pod.host) return pod.host.bind(a0 as SockKind, addr, this).then(bound);
        return bound(pod.bind(a0 as SockKind, addr, this));
      }
      case NetOp.LISTEN:
        req.attach({ pending: pod.listen(pod.owned(a0, this), a1).buffer });
        return;
      case NetOp.ACCEPT: {
        const p = pod.accept(pod.owned(a0, this));
        this.track(p.conn);
        req.attach(p.init);
        return;
      }
      case NetOp.CONNECT: {
        this.reserve();
        const connected = (init: ConnInit): void => {
          const conn = new Conn(init);
          if (this.ended) conn.close();
          this.track(conn);
          req.attach(init);
        };
        const dest = decodeAddr(req.payload);
        const bound = a0 ? pod.owned(a0, this) : undefined;
        const init = pod.host ? pod.host.connect(dest, this, bound) : pod.connect(dest, this, bound);
        return init instanceof Promise ? init.then(connected) : connected(init);
      }
      case NetOp.CLOSE:
        pod.release(pod.owned(a0, this));
        return;
      case NetOp.RESOLVE: {
        let name: string;
        try {
          name = utf8.decode(req.payload);
        } catch {
          throw new WasiError(Errno.INVAL);
        }
        if (pod.host) return pod.host.resolve(name).then((found) => req.attach(found));
        req.attach(pod.cluster.resolve(pod, name));
        return;
      }
      case NetOp.DGRAM_PEER: {
        const from = pod.owned(a0, this);
        const dest = decodeAddr(req.payload);
        const target = pod.host ? pod.host.dgramPeer(from, dest) : pod.dgramPeer(dest);
        this.queues.add(target.queue);
        req.attach(target);
        return;
      }
      default:
        throw new WasiError(Errno.NOSYS);
    }
  }

  /**
   * The container's worker has ended: its connections are closed for it (peers read EOF, or ECONNRESET
   * where it left bytes unread), its ports are freed, and datagram sends it was making are undone.
   */
  end(): void {
    this.ended = true;
    this.server.close();
    for (const c of this.conns) if (!c.closed()) c.close();
    this.conns = [];
    this.pod.releaseAll(this);
    for (const q of this.queues) new MessageQueue(q).recover(this.owner);
    this.queues.clear();
  }
}
