// The `wasix_32v1` socket calls: decode guest pointers and addresses, then act on the fd's socket object.
//
// Names, parameters and the `__wasi_addr_port_t` layout follow WASIX (wasix-org/wasix-libc api_wasix.h,
// generated from wasix_v1.witx; wasmer lib/wasix); docs/network.md lists them.
import type { WasiContext } from '../wasi/context.js';
import { syscall, u32 } from '../wasi/context.js';
import { CALL_DATA_BYTES } from '../call-channel.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { Fdflags } from '../wasi/constants.js';
import { sockImports } from '../wasi/abi-sock.js';
import {
  ADDR_PORT_SIZE, ADDR_SIZE, AddressFamily, WIRE_ADDR_SIZE, decodeAddr, encodeAddr, encodeIp, parseIp, type SockAddr,
} from './addr.js';
import { SocketBase } from './socket-base.js';
import { StreamSocket } from './stream-socket.js';
import { DgramSocket } from './dgram-socket.js';
import type { NetContext } from './net-context.js';

export const WASIX_MODULE = 'wasix_32v1';

const enum Socktype { STREAM = 1, DGRAM = 2 }
const enum Proto { IP = 0, TCP = 6, UDP = 17 }
const OPTION_TIMESTAMP_SIZE = 16;

/** An IPv4 address handed to an INET6 socket is reported IPv4-mapped (::ffff:a.b.c.d), as dual-stack sockets do. */
function forFamily(a: SockAddr, family: AddressFamily): SockAddr {
  if (a.family === family || family !== AddressFamily.INET6) return a;
  const [b0, b1, b2, b3] = a.ip.split('.').map(Number);
  const ip = `0:0:0:0:0:ffff:${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  return { family: AddressFamily.INET6, ip, port: a.port };
}

/** Without a pod network (a module run on its own), sockets cannot be opened: sock_open answers ENOTSUP. */
export function wasixImports(ctx: WasiContext, net: NetContext | undefined): Record<string, (...a: never[]) => unknown> {
  const { mem, fds } = ctx;
  const sock = (fd: number): SocketBase => fds.getAs(fd, SocketBase, Errno.NOTSOCK);
  const readAddr = (ptr: number): SockAddr => decodeAddr(mem.bytes(u32(ptr), WIRE_ADDR_SIZE));
  const checkAddrOut = (ptr: number): void => mem.check(u32(ptr), ADDR_PORT_SIZE);
  const writeAddr = (ptr: number, a: SockAddr, family: AddressFamily): void =>
    encodeAddr(forFamily(a, family), mem.bytes(u32(ptr), ADDR_PORT_SIZE), 0, ADDR_PORT_SIZE);
  const p1 = sockImports(ctx);

  const accept = syscall((fd: number, flags: number, fdOut: number, addrOut: number) => {
    if (flags & ~Fdflags.NONBLOCK) throw new WasiError(Errno.INVAL);
    mem.check(u32(fdOut), 4);
    checkAddrOut(addrOut);
    const s = sock(fd);
    // With no fd free the connection stays in the backlog (EMFILE), as Linux leaves it.
    fds.checkFree();
    const c = s.sockAccept(flags);
    mem.setU32(u32(fdOut), fds.add(c));
    writeAddr(addrOut, (c as SocketBase).peer(), s.family);
  });

  return {
    sock_open: syscall((af: number, type: number, proto: number, fdOut: number) => {
      mem.check(u32(fdOut), 4);
      if (af !== AddressFamily.INET4 && af !== AddressFamily.INET6) throw new WasiError(Errno.AFNOSUPPORT);
      if (type !== Socktype.STREAM && type !== Socktype.DGRAM) throw new WasiError(Errno.NOTSUP);
      const want = type === Socktype.STREAM ? Proto.TCP : Proto.UDP;
      if (proto !== Proto.IP && proto !== want) throw new WasiError(Errno.PROTONOSUPPORT);
      if (!net) throw new WasiError(Errno.NOTSUP);
      fds.checkFree();
      const s = type === Socktype.STREAM ? new StreamSocket(af, net) : new DgramSocket(af, net);
      mem.setU32(u32(fdOut), fds.add(s));
    }),
    sock_bind: syscall((fd: number, addr: number) => sock(fd).bind(readAddr(addr))),
    sock_listen: syscall((fd: number, backlog: number) => sock(fd).listen(backlog | 0)),
    sock_connect: syscall((fd: number, addr: number) => sock(fd).connect(readAddr(addr))),
    sock_accept: accept,
    sock_accept_v2: accept,
    sock_send: p1.sock_send,
    sock_recv: p1.sock_recv,
    sock_shutdown: p1.sock_shutdown,
    sock_send_to: syscall((fd: number, iovs: number, n: number, flags: number, addr: number, lenOut: number) => {
      mem.check(u32(lenOut), 4);
      const s = sock(fd);
      const to = readAddr(addr);
      mem.setU32(u32(lenOut), s.sendTo(mem.iovecs(u32(iovs), u32(n)), flags, to));
    }),
    sock_recv_from: syscall((fd: number, iovs: number, n: number, flags: number, lenOut: number, flagsOut: number, addrOut: number) => {
      mem.check(u32(lenOut), 4);
      mem.check(u32(flagsOut), 2);
      checkAddrOut(addrOut);
      const s = sock(fd);
      const [len, roflags, from] = s.recvFrom(mem.iovecs(u32(iovs), u32(n)), flags);
      mem.setU32(u32(lenOut), len);
      mem.setU16(u32(flagsOut), roflags);
      writeAddr(addrOut, from, s.family);
    }),
    sock_status: syscall((fd: number, out: number) => {
      mem.check(u32(out), 1);
      mem.setU8(u32(out), sock(fd).status());
    }),
    sock_addr_local: syscall((fd: number, out: number) => {
      checkAddrOut(out);
      const s = sock(fd);
      writeAddr(out, s.local(), s.family);
    }),
    sock_addr_peer: syscall((fd: number, out: number) => {
      checkAddrOut(out);
      const s = sock(fd);
      writeAddr(out, s.peer(), s.family);
    }),
    sock_set_opt_flag: syscall((fd: number, opt: number, flag: number) => {
      if (flag !== 0 && flag !== 1) throw new WasiError(Errno.INVAL);
      sock(fd).setOptFlag(opt, flag === 1);
    }),
    sock_get_opt_flag: syscall((fd: number, opt: number, out: number) => {
      mem.check(u32(out), 1);
      mem.setU8(u32(out), sock(fd).getOptFlag(opt) ? 1 : 0);
    }),
    sock_set_opt_size: syscall((fd: number, opt: number, size: bigint) => sock(fd).setOptSize(opt, BigInt.asUintN(64, size))),
    sock_get_opt_size: syscall((fd: number, opt: number, out: number) => {
      mem.check(u32(out), 8);
      mem.setU64(u32(out), sock(fd).getOptSize(opt));
    }),
    sock_set_opt_time: syscall((fd: number, opt: number, ptr: number) => {
      const p = u32(ptr);
      mem.check(p, OPTION_TIMESTAMP_SIZE);
      const tag = mem.u8(p);
      if (tag > 1) throw new WasiError(Errno.INVAL);
      sock(fd).setOptTime(opt, tag === 1 ? mem.u64(p + 8) : undefined);
    }),
    sock_get_opt_time: syscall((fd: number, opt: number, out: number) => {
      const p = u32(out);
      mem.check(p, OPTION_TIMESTAMP_SIZE);
      const t = sock(fd).getOptTime(opt);
      mem.bytes(p, OPTION_TIMESTAMP_SIZE).fill(0);
      if (t !== undefined) {
        mem.setU8(p, 1);
        mem.setU64(p + 8, t);
      }
    }),
    resolve: syscall((host: number, hostLen: number, _port: number, addrs: number, naddrs: number, countOut: number) => {
      mem.check(u32(countOut), 4);
      const max = u32(naddrs);
      mem.check(u32(addrs), max * ADDR_SIZE);
      // A name longer than the call channel carries is ENAMETOOLONG (NetContext.resolve), answered before any
      // string is made: one of the guest's length would count against the worker's JS heap.
      const name = mem.stringUpTo(u32(host), u32(hostLen), CALL_DATA_BYTES);
      const literal = parseIp(name);
      if (!literal && !net) throw new WasiError(Errno.NOTSUP);
      const found = literal ? [literal] : net!.resolve(new TextEncoder().encode(name));
      const n = Math.min(max, found.length);
      const out = mem.bytes(u32(addrs), max * ADDR_SIZE);
      for (let i = 0; i < n; i++) encodeIp(found[i], out, i * ADDR_SIZE);
      mem.setU32(u32(countOut), n);
    }),
  };
}

/** The function names of `wasix_32v1` this shim provides, for the admission check. */
export const WASIX_FUNCTIONS: readonly string[] = Object.keys(
  wasixImports({ mem: undefined, fds: undefined } as unknown as WasiContext, undefined),
);
