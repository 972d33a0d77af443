// hostNetwork pods' datagram sockets: each bound guest socket is a real UDP socket of the host.
//
// Received datagrams go into the binding's queue (the one a guest of the virtual network reads) with
// their source address. Sends to a host or remote address go into an outbound queue per destination,
// which the main thread drains into the real socket; the guest finds it through DGRAM_PEER as it finds
// another socket's queue, so the shim does not know the difference.
import * as dgram from 'node:dgram';
import { Errno, WasiError } from '../../shim/wasi/errno.js';
import { MessageQueue, createQueueBuffer } from '../../shim/ipc/queue.js';
import { ringBell } from '../../shim/ring/byte-ring.js';
import { AddressFamily, WIRE_ADDR_SIZE, addrText, encodeAddr, unmap, type SockAddr } from '../../shim/net/addr.js';
import { SockKind, type DgramInit } from '../../shim/net/protocol.js';
import { MAX_DATAGRAM } from '../../shim/net/dgram-socket.js';
import type { Binding, BindingOwner, PodNetwork } from './pod-network.js';
import { errnoOf, sockAddrOf } from './host-bridge.js';

/** The queue owner id of the main thread's side (kept apart from container runs' ids, as IPC's embedder id is). */
const HOST_OWNER = 0x1ffffffd;
/** Datagrams an outbound queue holds before the guest's sends are dropped (a full socket buffer). */
const OUT_MESSAGES = 8;
/** Destinations a socket keeps an outbound queue for; past it, the oldest is let go (the guest asks again). */
const MAX_DESTINATIONS = 16;

/** One destination's outbound queue: the guest puts datagrams in and rings `bell`; the main thread sends them. */
interface Outbound { init: DgramInit; q: MessageQueue; bell: Int32Array; live: Int32Array }

interface HostSocket { sock: dgram.Socket; out: Map<string, Outbound> }

export class HostDatagrams {
  private readonly sockets = new Map<Binding, HostSocket>();

  constructor(private readonly pod: PodNetwork) {}

  /** Binds a real UDP socket (port 0: the host picks); EADDRINUSE when the host has the port taken. */
  async bind(addr: SockAddr, owner: BindingOwner): Promise<Binding> {
    if (addr.port !== 0 && this.pod.inUse(SockKind.DGRAM, addr.port)) throw new WasiError(Errno.ADDRINUSE);
    const a = unmap(addr);
    const sock = dgram.createSocket({ type: a.family === AddressFamily.INET4 ? 'udp4' : 'udp6', ipv6Only: false });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', (err) => reject(errnoOf(err)));
      sock.bind({ address: a.ip, port: addr.port, exclusive: true }, () => resolve());
    }).catch((err: unknown) => {
      sock.close();
      throw err;
    });
    sock.removeAllListeners('error');
    sock.on('error', () => undefined);
    let b: Binding;
    try {
      b = this.pod.reserve(SockKind.DGRAM, { ...addr, port: sock.address().port }, owner);
    } catch (err) {
      sock.close();
      throw err;
    }
    const entry: HostSocket = { sock, out: new Map() };
    this.sockets.set(b, entry);
    const q = new MessageQueue(b.dgram!.queue);
    q.lockWaitMs = 5; // the main thread never sleeps long on a guest's lock
    const bell = new Int32Array(b.dgram!.bell);
    const frame = new Uint8Array(WIRE_ADDR_SIZE + MAX_DATAGRAM);
    sock.on('message', (msg, rinfo) => {
      const from = sockAddrOf(rinfo.address, rinfo.port);
      if (!from || msg.length > MAX_DATAGRAM) return;
      encodeAddr(from, frame);
      frame.set(msg, WIRE_ADDR_SIZE);
      // A full queue drops the datagram, as a full socket buffer does.
      if (q.trySend(frame.subarray(0, WIRE_ADDR_SIZE + msg.length), 0, HOST_OWNER)) ringBell(bell);
    });
    b.onRelease = () => this.release(b);
    return b;
  }

  /** The outbound queue of socket `b` for `dest`: what the guest puts there leaves through the host socket. */
  outbound(b: Binding, dest: SockAddr): DgramInit {
    const entry = this.sockets.get(b);
    if (!entry) throw new WasiError(Errno.NETUNREACH);
    const to = unmap(dest);
    const key = addrText(to);
    const known = entry.out.get(key);
    if (known && Atomics.load(known.live, 0) === 1) return known.init;
    if (entry.out.size >= MAX_DESTINATIONS) {
      const [oldest, o] = entry.out.entries().next().value as [string, Outbound];
      entry.out.delete(oldest);
      stop(o);
    }
    const init: DgramInit = {
      queue: createQueueBuffer(OUT_MESSAGES, WIRE_ADDR_SIZE + MAX_DATAGRAM),
      live: new Int32Array(new SharedArrayBuffer(4)).fill(1).buffer as SharedArrayBuffer,
      bell: new SharedArrayBuffer(4),
      local: to,
    };
    const o: Outbound = { init, q: new MessageQueue(init.queue), bell: new Int32Array(init.bell), live: new Int32Array(init.live) };
    o.q.lockWaitMs = 5;
    entry.out.set(key, o);
    void drain(o, entry.sock, to);
    return init;
  }

  private release(b: Binding): void {
    const entry = this.sockets.get(b);
    if (!entry) return;
    this.sockets.delete(b);
    for (const o of entry.out.values()) stop(o);
    entry.sock.close();
  }
}

/** Marks an outbound queue dead (the guest looks its destination up again) and wakes its drain loop to end. */
function stop(o: Outbound): void {
  Atomics.store(o.live, 0, 0);
  Atomics.add(o.bell, 0, 1);
  Atomics.notify(o.bell, 0);
}

/** Sends what the guest queues for `to`, until the queue is stopped. Send failures are dropped, as UDP's are. */
async function drain(o: Outbound, sock: dgram.Socket, to: SockAddr): Promise<void> {
  const buf = new Uint8Array(WIRE_ADDR_SIZE + MAX_DATAGRAM);
  for (;;) {
    // The guest rings the bell after each send: a ring between the read below and the wait is not missed.
    const rings = Atomics.load(o.bell, 0);
    if (Atomics.load(o.live, 0) === 0) return;
    for (let n = o.q.tryReceive(buf, HOST_OWNER); n >= 0; n = o.q.tryReceive(buf, HOST_OWNER)) {
      try {
        sock.send(Buffer.from(buf.subarray(WIRE_ADDR_SIZE, n)), to.port, to.ip, () => undefined);
      } catch {
        return; // the socket has closed
      }
    }
    if (o.q.busy) {
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    const w = Atomics.waitAsync(o.bell, 0, rings);
    if (w.async) await w.value;
  }
}
