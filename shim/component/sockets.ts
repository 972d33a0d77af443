// wasi:sockets (tcp, udp, ip-name-lookup) for components over the pod network: the same StreamSocket/DgramSocket objects WASIX guests use.
import type { Doorbell } from '../ring/doorbell.js';
import type { NetContext } from '../net/net-context.js';
import { StreamSocket } from '../net/stream-socket.js';
import { DgramSocket, MAX_DATAGRAM } from '../net/dgram-socket.js';
import { RECV_DONT_WAIT, SockOption } from '../net/socket-base.js';
import { Fdflags } from '../wasi/constants.js';
import { AddressFamily, isAny, parseIp, type SockAddr } from '../net/addr.js';
import { DISPOSE, InputStream, OutputStream, Pollable, fdSink, fdSource } from './io.js';
import {
  type Family, type IpSocketAddress, familyName, familyOf, fromSockAddr, ipAddress, sockCall, toSockAddr,
} from './socket-addr.js';

class Network {}

/** wasi:sockets' bind, first step, for TCP and UDP alike: an unbound socket binds to `local` of its own family. */
function startBinding(state: string, sock: { readonly family: number; bind(a: SockAddr): void }, local: IpSocketAddress): 'binding' {
  if (state !== 'unbound') throw 'invalid-state';
  const a = toSockAddr(local);
  if (a.family !== sock.family) throw 'invalid-argument';
  sockCall(() => sock.bind(a));
  return 'binding';
}

/** wasi:sockets' bind, second step. */
function finishBinding(state: string): 'bound' {
  if (state !== 'binding') throw 'not-in-progress';
  return 'bound';
}

type TcpState = 'unbound' | 'binding' | 'bound' | 'connecting' | 'connected' | 'listen-starting' | 'listening';

export function socketInterfaces(bell: Doorbell, net: NetContext | undefined): Record<string, Record<string, unknown>> {
  const network = new Network();
  const pod = (): NetContext => {
    if (!net) throw 'access-denied';
    return net;
  };
  const always = (): Pollable => new Pollable(bell, () => true);

  class TcpSocket {
    private state: TcpState;
    private connectError?: string;
    private backlog = 0;

    constructor(readonly sock: StreamSocket, connected = false) {
      this.state = connected ? 'connected' : 'unbound';
    }

    private streams(): [InputStream, OutputStream] {
      return [new InputStream(bell, fdSource(this.sock)), new OutputStream(bell, fdSink(this.sock))];
    }

    startBind(_n: Network, local: IpSocketAddress): void {
      this.state = startBinding(this.state, this.sock, local);
    }

    finishBind(): void {
      this.state = finishBinding(this.state);
    }

    startConnect(_n: Network, remote: IpSocketAddress): void {
      if (this.state !== 'unbound' && this.state !== 'bound') throw 'invalid-state';
      const a = toSockAddr(remote);
      if (a.family !== this.sock.family || a.port === 0 || isAny(a)) throw 'invalid-argument';
      // The pod network connects at once (the backlog takes it or refuses): the outcome waits for finish-connect.
      try {
        sockCall(() => this.sock.connect(a));
        this.connectError = undefined;
      } catch (code) {
        if (typeof code !== 'string') throw code;
        this.connectError = code;
      }
      this.state = 'connecting';
    }

    finishConnect(): [InputStream, OutputStream] {
      if (this.state !== 'connecting') throw 'not-in-progress';
      if (this.connectError) {
        const e = this.connectError;
        this.connectError = undefined;
        this.state = 'unbound';
        throw e;
      }
      this.state = 'connected';
      return this.streams();
    }

    startListen(): void {
      if (this.state !== 'bound') throw 'invalid-state';
      sockCall(() => this.sock.listen(this.backlog));
      this.sock.setFlags(Fdflags.NONBLOCK);
      this.state = 'listen-starting';
    }

    finishListen(): void {
      if (this.state !== 'listen-starting') throw 'not-in-progress';
      this.state = 'listening';
    }

    accept(): [TcpSocket, InputStream, OutputStream] {
      if (this.state !== 'listening') throw 'invalid-state';
      const s = new TcpSocket(sockCall(() => this.sock.sockAccept(0)), true);
      return [s, ...s.streams()];
    }

    localAddress(): IpSocketAddress {
      if (this.state === 'unbound') throw 'invalid-state';
      return fromSockAddr(this.sock.local());
    }

    remoteAddress(): IpSocketAddress {
      if (this.state !== 'connected') throw 'invalid-state';
      return fromSockAddr(sockCall(() => this.sock.peer()));
    }

    isListening(): boolean { return this.state === 'listening'; }
    addressFamily(): Family { return familyName(this.sock.family); }

    setListenBacklogSize(n: bigint): void {
      if (n === 0n) throw 'invalid-argument';
      this.backlog = Number(n > 4096n ? 4096n : n);
    }

    keepAliveEnabled(): boolean { return this.sock.getOptFlag(SockOption.KEEP_ALIVE); }
    setKeepAliveEnabled(v: boolean): void { this.sock.setOptFlag(SockOption.KEEP_ALIVE, v); }
    keepAliveIdleTime(): bigint { return 7200_000_000_000n; }
    setKeepAliveIdleTime(d: bigint): void { if (d === 0n) throw 'invalid-argument'; }
    keepAliveInterval(): bigint { return 75_000_000_000n; }
    setKeepAliveInterval(d: bigint): void { if (d === 0n) throw 'invalid-argument'; }
    keepAliveCount(): number { return 9; }
    setKeepAliveCount(n: number): void { if (n === 0) throw 'invalid-argument'; }
    hopLimit(): number { return 64; }
    setHopLimit(n: number): void { if (n === 0) throw 'invalid-argument'; }
    receiveBufferSize(): bigint { return this.sock.getOptSize(SockOption.RECV_BUF_SIZE); }
    setReceiveBufferSize(n: bigint): void { if (n === 0n) throw 'invalid-argument'; this.sock.setOptSize(SockOption.RECV_BUF_SIZE, n); }
    sendBufferSize(): bigint { return this.sock.getOptSize(SockOption.SEND_BUF_SIZE); }
    setSendBufferSize(n: bigint): void { if (n === 0n) throw 'invalid-argument'; this.sock.setOptSize(SockOption.SEND_BUF_SIZE, n); }

    subscribe(): Pollable {
      return new Pollable(bell, () => {
        if (this.state !== 'listening') return true;
        return this.sock.readiness(false).nbytes >= 0;
      });
    }

    shutdown(how: 'receive' | 'send' | 'both'): void {
      if (this.state !== 'connected') throw 'invalid-state';
      sockCall(() => this.sock.sockShutdown(how === 'receive' ? 1 : how === 'send' ? 2 : 3));
    }

    [DISPOSE](): void { this.sock.close(); }
  }

  interface Datagram { data: Uint8Array; remoteAddress?: IpSocketAddress }

  class IncomingDatagramStream {
    constructor(private readonly sock: DgramSocket, private readonly from?: SockAddr) {}
    receive(max: bigint): { data: Uint8Array; remoteAddress: IpSocketAddress }[] {
      const out: { data: Uint8Array; remoteAddress: IpSocketAddress }[] = [];
      const buf = new Uint8Array(MAX_DATAGRAM);
      while (BigInt(out.length) < max) {
        let got: [number, number, SockAddr];
        try {
          got = sockCall(() => this.sock.recvFrom([buf], RECV_DONT_WAIT));
        } catch (code) {
          if (code === 'would-block') break;
          throw code;
        }
        if (this.from && (got[2].ip !== this.from.ip || got[2].port !== this.from.port)) continue;
        out.push({ data: buf.slice(0, got[0]), remoteAddress: fromSockAddr(got[2]) });
      }
      return out;
    }
    subscribe(): Pollable { return new Pollable(bell, () => this.sock.readiness(false).nbytes >= 0); }
  }

  class OutgoingDatagramStream {
    constructor(private readonly sock: DgramSocket, private readonly to?: SockAddr) {}
    checkSend(): bigint { return 64n; }
    send(list: Datagram[]): bigint {
      let n = 0n;
      for (const d of list) {
        const to = d.remoteAddress ? toSockAddr(d.remoteAddress) : this.to;
        if (!to) throw 'invalid-argument';
        if (this.to && (to.ip !== this.to.ip || to.port !== this.to.port)) throw 'invalid-argument';
        if (d.data.length > MAX_DATAGRAM) throw 'datagram-too-large';
        sockCall(() => this.sock.sendTo([d.data], 0, to));
        n++;
      }
      return n;
    }
    subscribe(): Pollable { return always(); }
  }

  class UdpSocket {
    private state: 'unbound' | 'binding' | 'bound' = 'unbound';
    private remote?: SockAddr;
    constructor(readonly sock: DgramSocket) {}

    startBind(_n: Network, local: IpSocketAddress): void {
      this.state = startBinding(this.state, this.sock, local);
    }

    finishBind(): void {
      this.state = finishBinding(this.state);
    }

    stream(remote?: IpSocketAddress): [IncomingDatagramStream, OutgoingDatagramStream] {
      if (this.state !== 'bound') throw 'invalid-state';
      this.remote = remote ? toSockAddr(remote) : undefined;
      if (this.remote && (this.remote.port === 0 || isAny(this.remote))) throw 'invalid-argument';
      return [new IncomingDatagramStream(this.sock, this.remote), new OutgoingDatagramStream(this.sock, this.remote)];
    }

    localAddress(): IpSocketAddress {
      if (this.state === 'unbound') throw 'invalid-state';
      return fromSockAddr(this.sock.local());
    }

    remoteAddress(): IpSocketAddress {
      if (!this.remote) throw 'invalid-state';
      return fromSockAddr(this.remote);
    }

    addressFamily(): Family { return familyName(this.sock.family); }
    unicastHopLimit(): number { return 64; }
    setUnicastHopLimit(n: number): void { if (n === 0) throw 'invalid-argument'; }
    receiveBufferSize(): bigint { return this.sock.getOptSize(SockOption.RECV_BUF_SIZE); }
    setReceiveBufferSize(n: bigint): void { if (n === 0n) throw 'invalid-argument'; this.sock.setOptSize(SockOption.RECV_BUF_SIZE, n); }
    sendBufferSize(): bigint { return this.sock.getOptSize(SockOption.SEND_BUF_SIZE); }
    setSendBufferSize(n: bigint): void { if (n === 0n) throw 'invalid-argument'; this.sock.setOptSize(SockOption.SEND_BUF_SIZE, n); }
    subscribe(): Pollable { return always(); }
    [DISPOSE](): void { this.sock.close(); }
  }

  class ResolveAddressStream {
    private i = 0;
    constructor(private readonly found: SockAddr[]) {}
    resolveNextAddress(): ReturnType<typeof ipAddress> | undefined {
      const a = this.found[this.i++];
      return a && ipAddress(a);
    }
    subscribe(): Pollable { return always(); }
  }

  return {
    // network-error-code (unstable in 0.2): socket errors carry their code directly, so an io error is never one.
    'wasi:sockets/network': { Network, networkErrorCode: () => undefined },
    'wasi:sockets/instance-network': { instanceNetwork: () => network },
    'wasi:sockets/tcp': { TcpSocket },
    'wasi:sockets/tcp-create-socket': {
      createTcpSocket: (f: Family) => new TcpSocket(new StreamSocket(familyOf(f), pod())),
    },
    'wasi:sockets/udp': { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    'wasi:sockets/udp-create-socket': {
      createUdpSocket: (f: Family) => new UdpSocket(new DgramSocket(familyOf(f), pod())),
    },
    'wasi:sockets/ip-name-lookup': {
      ResolveAddressStream,
      resolveAddresses: (_n: Network, name: string) => {
        if (name === '' || name.includes('\0')) throw 'invalid-argument';
        const literal = parseIp(name);
        const found = literal ? [literal] : sockCall(() => pod().resolve(new TextEncoder().encode(name)));
        return new ResolveAddressStream(found.filter((a) => a.family === AddressFamily.INET4 || a.family === AddressFamily.INET6));
      },
    },
  };
}
