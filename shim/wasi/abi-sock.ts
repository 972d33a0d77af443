// ABI: the preview1 sock_* functions; the fd object decides (a non-socket answers ENOTSOCK).
import { type WasiContext, syscall, u32 } from './context.js';

export function sockImports(ctx: WasiContext): Record<string, (...a: never[]) => unknown> {
  const { mem, fds } = ctx;
  return {
    sock_accept: syscall((fd: number, flags: number, out: number) => {
      const s = fds.get(fd);
      fds.checkFree();
      const o = s.sockAccept(flags);
      mem.setU32(u32(out), fds.add(o));
    }),
    sock_recv: syscall((fd: number, iovs: number, n: number, flags: number, lenOut: number, flagsOut: number) => {
      const o = fds.get(fd);
      mem.check(u32(lenOut), 4);
      mem.check(u32(flagsOut), 2);
      const [len, roflags] = o.sockRecv(mem.iovecs(u32(iovs), u32(n)), flags);
      mem.setU32(u32(lenOut), len);
      mem.setU16(u32(flagsOut), roflags);
    }),
    sock_send: syscall((fd: number, iovs: number, n: number, flags: number, lenOut: number) => {
      const o = fds.get(fd);
      mem.check(u32(lenOut), 4);
      mem.setU32(u32(lenOut), o.sockSend(mem.iovecs(u32(iovs), u32(n)), flags));
    }),
    sock_shutdown: syscall((fd: number, how: number) => fds.get(fd).sockShutdown(how)),
  };
}
