// Socket addresses: the WASIX `__wasi_addr_port_t` layout, shared by the guest ABI and the call channel's payload.
//
// Layout (wasix-libc api_wasix.h, 110 bytes, align 2):
//   @0 u8 tag (1 INET4, 2 INET6)   @1 padding   @2 u16 port, little-endian
//   INET4: @4 four address bytes in network order     INET6: @4 sixteen address bytes in network order
//   (INET6 then has flow info and scope id at @20..28, which the virtual network ignores)
import { Errno, WasiError } from '../wasi/errno.js';

export const ADDR_PORT_SIZE = 110;
/** `__wasi_addr_t` (resolve's results): the same tag, then the address bytes at @2, no port. */
export const ADDR_SIZE = 110;
/** The bytes of an address on the call channel: the first 20 of the guest layout. */
export const WIRE_ADDR_SIZE = 20;

export const enum AddressFamily { UNSPEC = 0, INET4 = 1, INET6 = 2 }

/** An IP endpoint; `ip` is dotted-quad for IPv4 and eight hex groups for IPv6 (see ipv6Text). */
export interface SockAddr {
  family: AddressFamily.INET4 | AddressFamily.INET6;
  ip: string;
  port: number;
}

/** Reads an address at `at`; anything but INET4/INET6 is EAFNOSUPPORT (UNIX sockets are not offered). */
export function decodeAddr(b: Uint8Array, at = 0): SockAddr {
  const tag = b[at];
  const port = b[at + 2] | (b[at + 3] << 8);
  if (tag === AddressFamily.INET4) return { family: tag, ip: b.subarray(at + 4, at + 8).join('.'), port };
  if (tag === AddressFamily.INET6) return { family: tag, ip: ipv6Text(b.subarray(at + 4, at + 20)), port };
  throw new WasiError(tag === AddressFamily.UNSPEC ? Errno.INVAL : Errno.AFNOSUPPORT);
}

/** Writes `a` at `at` in the guest layout; `size` bytes are cleared first (20 on the wire, 110 for a guest). */
export function encodeAddr(a: SockAddr, b: Uint8Array, at = 0, size = WIRE_ADDR_SIZE): void {
  b.fill(0, at, at + size);
  b[at] = a.family;
  b[at + 2] = a.port & 0xff;
  b[at + 3] = a.port >> 8;
  b.set(ipBytes(a), at + 4);
}

/** Writes a `__wasi_addr_t` (no port): tag at @0, address bytes at @2. */
export function encodeIp(a: SockAddr, b: Uint8Array, at: number): void {
  b.fill(0, at, at + ADDR_SIZE);
  b[at] = a.family;
  b.set(ipBytes(a), at + 2);
}

function ipBytes(a: SockAddr): Uint8Array {
  if (a.family === AddressFamily.INET4) return Uint8Array.from(a.ip.split('.').map(Number));
  const out = new Uint8Array(16);
  a.ip.split(':').forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** Sixteen bytes as eight unabbreviated hex groups ("0:0:0:0:0:0:0:1"): one spelling per address. */
export function ipv6Text(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  return groups.join(':');
}

export const IPV6_ANY = '0:0:0:0:0:0:0:0';
export const IPV6_LOOPBACK = '0:0:0:0:0:0:0:1';
const MAPPED_PREFIX = '0:0:0:0:0:ffff:';

/** The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for, else the address itself. */
export function unmap(a: SockAddr): SockAddr {
  if (a.family !== AddressFamily.INET6 || !a.ip.startsWith(MAPPED_PREFIX)) return a;
  const [hi, lo] = a.ip.slice(MAPPED_PREFIX.length).split(':').map((g) => parseInt(g, 16));
  return { family: AddressFamily.INET4, ip: [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.'), port: a.port };
}

export function isLoopback(a: SockAddr): boolean {
  return a.family === AddressFamily.INET4 ? a.ip.startsWith('127.') : a.ip === IPV6_LOOPBACK;
}

export function isAny(a: SockAddr): boolean {
  return a.family === AddressFamily.INET4 ? a.ip === '0.0.0.0' : a.ip === IPV6_ANY;
}

/** Parses a literal ("10.0.0.1", "::1", "[::1]"): the form resolve() accepts without a lookup. */
export function parseIp(text: string): SockAddr | undefined {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? { family: AddressFamily.INET4, ip: parts.join('.'), port: 0 } : undefined;
  }
  if (!/^[0-9a-fA-F:]+$/.test(t) || !t.includes(':')) return undefined;
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return { family: AddressFamily.INET6, ip: groups.map((g) => parseInt(g, 16).toString(16)).join(':'), port: 0 };
}

/** "10.88.0.5:80" or "[0:0:...:1]:80", for messages. */
export function addrText(a: SockAddr): string {
  return a.family === AddressFamily.INET4 ? `${a.ip}:${a.port}` : `[${a.ip}]:${a.port}`;
}
