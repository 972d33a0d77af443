// wasi:sockets/network for components: address variants to and from the pod network's SockAddr, errno to error-code.
import { Errno, WasiError } from '../wasi/errno.js';
import { AddressFamily, type SockAddr } from '../net/addr.js';

export type IpAddress = { tag: 'ipv4'; val: number[] } | { tag: 'ipv6'; val: number[] };
export type IpSocketAddress =
  | { tag: 'ipv4'; val: { port: number; address: number[] } }
  | { tag: 'ipv6'; val: { port: number; flowInfo: number; address: number[]; scopeId: number } };
export type Family = 'ipv4' | 'ipv6';

export function familyOf(f: Family): AddressFamily.INET4 | AddressFamily.INET6 {
  if (f === 'ipv4') return AddressFamily.INET4;
  if (f === 'ipv6') return AddressFamily.INET6;
  throw 'invalid-argument';
}

export function familyName(f: AddressFamily): Family {
  return f === AddressFamily.INET4 ? 'ipv4' : 'ipv6';
}

export function toSockAddr(a: IpSocketAddress): SockAddr {
  if (a.tag === 'ipv4') {
    const parts = [...a.val.address];
    if (parts.length !== 4) throw 'invalid-argument';
    return { family: AddressFamily.INET4, ip: parts.join('.'), port: a.val.port };
  }
  const groups = [...a.val.address];
  if (groups.length !== 8) throw 'invalid-argument';
  return { family: AddressFamily.INET6, ip: groups.map((g) => g.toString(16)).join(':'), port: a.val.port };
}

function ipParts(a: SockAddr): number[] {
  return a.family === AddressFamily.INET4 ? a.ip.split('.').map(Number) : a.ip.split(':').map((g) => parseInt(g, 16));
}

export function fromSockAddr(a: SockAddr): IpSocketAddress {
  if (a.family === AddressFamily.INET4) return { tag: 'ipv4', val: { port: a.port, address: ipParts(a) } };
  return { tag: 'ipv6', val: { port: a.port, flowInfo: 0, address: ipParts(a), scopeId: 0 } };
}

export function ipAddress(a: SockAddr): IpAddress {
  return { tag: a.family === AddressFamily.INET4 ? 'ipv4' : 'ipv6', val: ipParts(a) };
}

const CODES: Partial<Record<number, string>> = {
  [Errno.ACCES]: 'access-denied', [Errno.PERM]: 'access-denied', [Errno.NOTSUP]: 'not-supported',
  [Errno.AFNOSUPPORT]: 'not-supported', [Errno.PROTONOSUPPORT]: 'not-supported', [Errno.INVAL]: 'invalid-argument',
  [Errno.NOMEM]: 'out-of-memory', [Errno.NOBUFS]: 'out-of-memory', [Errno.TIMEDOUT]: 'timeout',
  [Errno.AGAIN]: 'would-block', [Errno.ISCONN]: 'invalid-state', [Errno.NOTCONN]: 'invalid-state',
  [Errno.ALREADY]: 'concurrency-conflict', [Errno.MFILE]: 'new-socket-limit', [Errno.NFILE]: 'new-socket-limit',
  [Errno.ADDRNOTAVAIL]: 'address-not-bindable', [Errno.ADDRINUSE]: 'address-in-use',
  [Errno.HOSTUNREACH]: 'remote-unreachable', [Errno.NETUNREACH]: 'remote-unreachable', [Errno.NETDOWN]: 'remote-unreachable',
  [Errno.CONNREFUSED]: 'connection-refused', [Errno.CONNRESET]: 'connection-reset', [Errno.PIPE]: 'connection-reset',
  [Errno.CONNABORTED]: 'connection-aborted', [Errno.MSGSIZE]: 'datagram-too-large', [Errno.NOENT]: 'name-unresolvable',
};

/** Runs a socket operation; a WasiError becomes the wasi:sockets error-code (thrown as a plain value, the result's err). */
export function sockCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WasiError) throw CODES[err.errno] ?? 'unknown';
    throw err;
  }
}
