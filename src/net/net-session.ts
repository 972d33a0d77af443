// A container run's attachment to its pod's network: answers its control calls and, when it ends, closes what it held.
import { CallServer, type CallRequest } from '../../shim/call-channel.js';
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import { MessageQueue } from '../../shim/ipc/queue.js';
import { decodeAddr } from '../../shim/net/addr.js';
import { Conn } from '../../shim/net/conn.js';
import { MAX_OWNER } from '../../shim/ipc/layout.js';
import { NetOp, SockKind, type NetInit, type PortDecl } from '../../shim/net/protocol.js';
import type { BindingOwner, PodNetwork } from './pod-network.js';

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

  constructor(private readonly pod: PodNetwork, readonly bell: SharedArrayBuffer, ports: PortDecl[]) {
    this.server = new CallServer((req) => this.handle(req));
    this.init = { channel: this.server.init, podIP: pod.ip, owner: this.owner, ports };
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

  private handle(req: CallRequest): number {
    try {
      this.dispatch(req);
      return Errno.SUCCESS;
    } catch (err) {
      if (err instanceof WasiError) return err.errno;
      throw err;
    }
  }

  private dispatch(req: CallRequest): void {
    const { pod } = this;
    const [a0, a1] = req.args;
    switch (req.op) {
      case NetOp.BIND: {
        const b = pod.bind(a0 as SockKind, decodeAddr(req.payload), this);
        req.args[0] = b.id;
        req.args[1] = b.addr.port;
        if (b.dgram) req.attach(b.dgram);
        return;
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
        const init = pod.connect(decodeAddr(req.payload), this, a0 ? pod.owned(a0, this) : undefined);
        this.track(new Conn(init));
        req.attach(init);
        return;
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
        req.attach(pod.cluster.resolve(pod, name));
        return;
      }
      case NetOp.DGRAM_PEER: {
        pod.owned(a0, this);
        const target = pod.dgramPeer(decodeAddr(req.payload));
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
    this.server.close();
    for (const c of this.conns) if (!c.closed()) c.close();
    this.conns = [];
    this.pod.releaseAll(this);
    for (const q of this.queues) new MessageQueue(q).recover(this.owner);
    this.queues.clear();
  }
}
