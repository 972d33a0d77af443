// A container's handle on its pod's network: the control calls that go to the main thread over the call channel.
import { CALL_DATA_BYTES, CallClient } from '../call-channel.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { WIRE_ADDR_SIZE, encodeAddr, type SockAddr } from './addr.js';
import { NetOp, SockKind, type ConnInit, type DgramInit, type ListenerInit, type NetInit } from './protocol.js';

/** A socket pre-opened for a declared port, and how to close its fd. */
interface Preopened<S> { socket: S; closeFd(): void }

export class NetContext {
  readonly podIP: string;
  readonly owner: number;
  /** The pod's ports are the host's (hostNetwork): for messages. */
  readonly hostNetwork: boolean;
  private readonly client: CallClient;
  private readonly wire = new Uint8Array(WIRE_ADDR_SIZE);
  private readonly preopened = new Map<string, Preopened<{ handOver(): number }>>();

  constructor(init: NetInit) {
    this.client = new CallClient(init.channel);
    this.podIP = init.podIP;
    this.owner = init.owner;
    this.hostNetwork = init.hostNetwork === true;
  }

  private call(op: NetOp, payload: Uint8Array, ...args: number[]): void {
    args.forEach((a, i) => { this.client.args[i] = a; });
    const status = this.client.call(op, payload);
    if (status !== 0) throw new WasiError(status as Errno);
  }

  private addr(a: SockAddr): Uint8Array {
    encodeAddr(a, this.wire);
    return this.wire;
  }

  private take<T>(): T {
    const obj = this.client.take<T>();
    if (obj === undefined) throw new WasiError(Errno.IO);
    return obj;
  }

  /** Records a socket pre-opened for a declared port (see preopen.ts). */
  addPreopened<S extends { handOver(): number }>(kind: SockKind, port: number, socket: S, closeFd: () => void): void {
    this.preopened.set(`${kind}:${port}`, { socket, closeFd });
  }

  /**
   * A guest that binds a port pre-opened for it takes that binding over, backlog included: the pre-opened
   * socket gives it up and its fd is closed. Returns the socket it came from and the binding's id.
   */
  adoptPreopened<S>(kind: SockKind, port: number): { from: S; id: number } | undefined {
    const key = `${kind}:${port}`;
    const p = this.preopened.get(key);
    if (!p) return undefined;
    this.preopened.delete(key);
    const id = p.socket.handOver();
    p.closeFd();
    return { from: p.socket as S, id };
  }

  /** Reserves `a` (port 0: an ephemeral one) in the pod's port space; returns the binding's id and port. */
  bind(kind: SockKind, a: SockAddr, reuse: boolean): { id: number; port: number; dgram?: DgramInit } {
    this.call(NetOp.BIND, this.addr(a), kind, reuse ? 1 : 0);
    const id = this.client.args[0];
    const port = this.client.args[1];
    return { id, port, dgram: kind === SockKind.DGRAM ? this.take<DgramInit>() : undefined };
  }

  listen(id: number, backlog: number): ListenerInit {
    this.call(NetOp.LISTEN, new Uint8Array(0), id, backlog);
    return this.take<ListenerInit>();
  }

  /** The next connection of the backlog; AGAIN when it is empty. */
  accept(id: number): ConnInit {
    this.call(NetOp.ACCEPT, new Uint8Array(0), id);
    return this.take<ConnInit>();
  }

  connect(id: number, to: SockAddr): ConnInit {
    this.call(NetOp.CONNECT, this.addr(to), id);
    return this.take<ConnInit>();
  }

  close(id: number): void {
    this.call(NetOp.CLOSE, new Uint8Array(0), id);
  }

  resolve(name: Uint8Array): SockAddr[] {
    if (name.length > CALL_DATA_BYTES) throw new WasiError(Errno.NAMETOOLONG);
    this.call(NetOp.RESOLVE, name);
    return this.take<SockAddr[]>();
  }

  /** The receive queue of the datagram socket bound at `to`, for the bound socket `id` to send to. */
  dgramPeer(id: number, to: SockAddr): DgramInit {
    this.call(NetOp.DGRAM_PEER, this.addr(to), id);
    return this.take<DgramInit>();
  }
}
