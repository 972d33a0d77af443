// ABI: the path_* functions; the directory fd they name does the work through the Vfs.
import { Errno } from './errno.js';
import { LOOKUP_SYMLINK_FOLLOW } from './constants.js';
import { type WasiContext, syscall, u32, u64 } from './context.js';
import { writeFilestat } from './abi-fd.js';
import { HostDir } from '../fd/host-dir.js';

export function pathImports(ctx: WasiContext): Record<string, (...a: never[]) => unknown> {
  const { mem, fds } = ctx;
  const dir = (fd: number): HostDir => fds.getAs(fd, HostDir, Errno.NOTDIR);
  const str = (ptr: number, len: number): string => mem.path(u32(ptr), u32(len));
  return {
    path_create_directory: syscall((fd: number, p: number, l: number) => dir(fd).createDirectory(str(p, l))),
    path_remove_directory: syscall((fd: number, p: number, l: number) => dir(fd).removeDirectory(str(p, l))),
    path_unlink_file: syscall((fd: number, p: number, l: number) => dir(fd).unlinkFile(str(p, l))),
    path_filestat_get: syscall((fd: number, flags: number, p: number, l: number, out: number) => {
      const d = dir(fd);
      mem.check(u32(out), 64);
      writeFilestat(mem, u32(out), d.pathFilestat(str(p, l), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0));
    }),
    path_filestat_set_times: syscall((fd: number, flags: number, p: number, l: number,
      atim: bigint, mtim: bigint, fst: number) =>
      dir(fd).pathSetTimes(str(p, l), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, u64(atim), u64(mtim), fst)),
    path_link: syscall((ofd: number, oflags: number, op: number, ol: number, nfd: number, np: number, nl: number) =>
      dir(ofd).link(str(op, ol), (oflags & LOOKUP_SYMLINK_FOLLOW) !== 0, dir(nfd), str(np, nl))),
    path_open: syscall((fd: number, dirflags: number, p: number, l: number, oflags: number,
      base: bigint, inheriting: bigint, fdflags: number, out: number) => {
      const d = dir(fd);
      const path = str(p, l);
      mem.check(u32(out), 4);
      fds.checkFree();
      const o = d.open(path, {
        follow: (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0, oflags, base: u64(base),
        inheriting: u64(inheriting), fdflags,
      });
      mem.setU32(u32(out), fds.add(o));
    }),
    path_readlink: syscall((fd: number, p: number, l: number, buf: number, len: number, used: number) => {
      const d = dir(fd);
      mem.check(u32(used), 4);
      const target = d.readlink(str(p, l));
      // A short buffer gets a truncated target: readlink(2) semantics.
      const n = Math.min(target.length, u32(len));
      mem.bytes(u32(buf), n).set(target.subarray(0, n));
      mem.setU32(u32(used), n);
    }),
    path_rename: syscall((fd: number, op: number, ol: number, nfd: number, np: number, nl: number) =>
      dir(fd).rename(str(op, ol), dir(nfd), str(np, nl))),
    path_symlink: syscall((op: number, ol: number, fd: number, np: number, nl: number) => {
      const target = str(op, ol);
      dir(fd).symlink(target, str(np, nl));
    }),
  };
}
