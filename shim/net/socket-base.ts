// What stream and datagram sockets share: the family, the local binding, socket options and their timeouts.
import { FdObject } from '../fd/fd-object.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { Fdflags, Rights, STREAM_RIGHTS } from '../wasi/constants.js';
import { type Filestat, streamFilestat } from '../fs/stat.js';
import { AddressFamily, IPV6_ANY, type SockAddr } from './addr.js';
import type { NetContext } from './net-context.js';
import type { SockKind } from './protocol.js';

/** What is left of a wait until `deadline` (see SocketBase.deadline), in ms; no clock read for none. */
export const timeLeft = (deadline: number): number => (deadline === Infinity ? Infinity : deadline - performance.now());

/** WASIX `sock_option` values (api_wasix.h `__WASI_SOCK_OPTION_*`). */
export const enum SockOption {
  REUSE_PORT = 1, REUSE_ADDR = 2, NO_DELAY = 3, DONT_ROUTE = 4, ONLY_V6 = 5, BROADCAST = 6,
  MULTICAST_LOOP_V4 = 7, MULTICAST_LOOP_V6 = 8, LISTENING = 10, LAST_ERROR = 11, KEEP_ALIVE = 12,
  LINGER = 13, OOB_INLINE = 14, RECV_BUF_SIZE = 15, SEND_BUF_SIZE = 16, RECV_LOWAT = 17, SEND_LOWAT = 18,
  RECV_TIMEOUT = 19, SEND_TIMEOUT = 20, CONNECT_TIMEOUT = 21, ACCEPT_TIMEOUT = 22, TTL = 23,
  MULTICAST_TTL_V4 = 24, TYPE = 25, PROTO = 26,
}

const FLAG_OPTIONS = new Set<number>([
  SockOption.REUSE_PORT, SockOption.REUSE_ADDR, SockOption.NO_DELAY, SockOption.DONT_ROUTE, SockOption.ONLY_V6,
  SockOption.BROADCAST, SockOption.MULTICAST_LOOP_V4, SockOption.MULTICAST_LOOP_V6, SockOption.KEEP_ALIVE,
  SockOption.OOB_INLINE,
]);
const SIZE_OPTIONS = new Set<number>([
  SockOption.RECV_BUF_SIZE, SockOption.SEND_BUF_SIZE, SockOption.RECV_LOWAT, SockOption.SEND_LOWAT,
  SockOption.TTL, SockOption.MULTICAST_TTL_V4,
]);
const TIME_OPTIONS = new Set<number>([
  SockOption.RECV_TIMEOUT, SockOption.SEND_TIMEOUT, SockOption.CONNECT_TIMEOUT, SockOption.ACCEPT_TIMEOUT,
  SockOption.LINGER,
]);

/** riflags / siflags bits (preview1 and WASIX agree on these). */
export const RECV_PEEK = 1;
export const RECV_WAITALL = 2;
export const RECV_DONT_WAIT = 8;
export const SEND_DONT_WAIT = 1;
/** roflags: the datagram was larger than the buffers. */
export const RECV_DATA_TRUNCATED = 1;

export const SOCKET_RIGHTS = STREAM_RIGHTS | Rights.SOCK_SHUTDOWN | Rights.SOCK_ACCEPT;

export abstract class SocketBase extends FdObject {
  abstract readonly kind: SockKind;
  /** The pod-wide binding (a port reserved in the main thread), once bound. */
  protected bindingId = 0;
  protected localAddr?: SockAddr;
  private readonly flags = new Map<number, boolean>();
  private readonly sizes = new Map<number, bigint>();
  private readonly times = new Map<number, bigint | undefined>();

  constructor(readonly family: AddressFamily.INET4 | AddressFamily.INET6, protected readonly net: NetContext) {
    super(SOCKET_RIGHTS, 0n);
  }

  filestat(): Filestat { return streamFilestat(this.filetype); }

  /** The address getsockname reports: the unspecified address before bind, as POSIX does. */
  local(): SockAddr {
    return this.localAddr ?? { family: this.family, ip: this.family === AddressFamily.INET4 ? '0.0.0.0' : IPV6_ANY, port: 0 };
  }

  abstract peer(): SockAddr;
  abstract bind(a: SockAddr): void;
  abstract status(): number;

  listen(_backlog: number): void { throw new WasiError(Errno.NOTSUP); }
  connect(_a: SockAddr): void { throw new WasiError(Errno.NOTSUP); }
  sendTo(_bufs: Uint8Array[], _flags: number, _to: SockAddr): number { throw new WasiError(Errno.NOTSUP); }
  recvFrom(_bufs: Uint8Array[], _flags: number): [number, number, SockAddr] { throw new WasiError(Errno.NOTSUP); }

  /** The guest's address must be of the socket's family (an INET6 socket also takes IPv4-mapped ones). */
  protected checkFamily(a: SockAddr): void {
    if (a.family !== this.family) throw new WasiError(Errno.AFNOSUPPORT);
  }

  protected nonblocking(flags: number, dontWait: number): boolean {
    return (this.fdflags & Fdflags.NONBLOCK) !== 0 || (flags & dontWait) !== 0;
  }

  /** A SO_RCVTIMEO-style option in milliseconds (Infinity when unset). */
  private timeoutMs(opt: SockOption): number {
    const ns = this.times.get(opt);
    return ns === undefined || ns === 0n ? Infinity : Number(ns) / 1e6;
  }

  /**
   * When a wait under a SO_RCVTIMEO-style option ends (a `performance.now()` time): Infinity, with no clock read,
   * for a socket without that timeout, the common case, at every send and receive.
   */
  protected deadline(opt: SockOption): number {
    const ms = this.timeoutMs(opt);
    return ms === Infinity ? Infinity : performance.now() + ms;
  }

  protected get reuseAddr(): boolean {
    return this.flags.get(SockOption.REUSE_ADDR) === true || this.flags.get(SockOption.REUSE_PORT) === true;
  }

  setOptFlag(opt: number, value: boolean): void {
    if (!FLAG_OPTIONS.has(opt)) throw new WasiError(Errno.INVAL);
    this.flags.set(opt, value);
  }

  getOptFlag(opt: number): boolean {
    if (opt === SockOption.LISTENING) return this.isListening();
    if (!FLAG_OPTIONS.has(opt)) throw new WasiError(Errno.INVAL);
    return this.flags.get(opt) ?? (opt === SockOption.MULTICAST_LOOP_V4 || opt === SockOption.MULTICAST_LOOP_V6);
  }

  setOptSize(opt: number, value: bigint): void {
    if (!SIZE_OPTIONS.has(opt)) throw new WasiError(Errno.INVAL);
    this.sizes.set(opt, value);
  }

  getOptSize(opt: number): bigint {
    if (opt === SockOption.TYPE) return BigInt(this.kind);
    if (opt === SockOption.PROTO) return this.kind === 1 ? 6n : 17n;
    if (opt === SockOption.LAST_ERROR) return 0n;
    if (!SIZE_OPTIONS.has(opt)) throw new WasiError(Errno.INVAL);
    return this.sizes.get(opt) ?? this.defaultSize(opt);
  }

  protected defaultSize(opt: number): bigint {
    return opt === SockOption.TTL || opt === SockOption.MULTICAST_TTL_V4 ? 64n : 1n;
  }

  /** `ns` undefined clears the option (an `option_timestamp` of none). */
  setOptTime(opt: number, ns: bigint | undefined): void {
    if (!TIME_OPTIONS.has(opt)) throw new WasiError(Errno.INVAL);
    this.times.set(opt, ns);
  }

  getOptTime(opt: number): bigint | undefined {
    if (!TIME_OPTIONS.has(opt)) throw new WasiError(Errno.INVAL);
    return this.times.get(opt);
  }

  protected isListening(): boolean { return false; }

  /** Gives the pod-wide binding away without releasing it (another socket of the container adopts it). */
  handOver(): number {
    const id = this.bindingId;
    this.bindingId = 0;
    return id;
  }

  /** Releases the pod-wide binding, if any. */
  protected unbind(): void {
    if (this.bindingId === 0) return;
    const id = this.bindingId;
    this.bindingId = 0;
    this.net.close(id);
  }
}
