// ABI: the fd_* functions, decoding guest pointers and structs around the fd objects' operations.
import { Errno, WasiError } from './errno.js';
import { FDSTAT_SIZE, FILESTAT_SIZE, DIRENT_SIZE, PREOPENTYPE_DIR } from './constants.js';
import { type WasiContext, syscall, u32, u64 } from './context.js';
import type { GuestMemory } from './memory.js';
import type { Filestat } from '../fs/stat.js';
import { HostDir } from '../fd/host-dir.js';

export function writeFilestat(mem: GuestMemory, ptr: number, st: Filestat): void {
  mem.check(ptr, FILESTAT_SIZE);
  mem.setU64(ptr, st.dev);
  mem.setU64(ptr + 8, st.ino);
  mem.setU8(ptr + 16, st.filetype);
  mem.bytes(ptr + 17, 7).fill(0);
  mem.setU64(ptr + 24, st.nlink);
  mem.setU64(ptr + 32, st.size);
  mem.setU64(ptr + 40, st.atim);
  mem.setU64(ptr + 48, st.mtim);
  mem.setU64(ptr + 56, st.ctim);
}

export function fdImports(ctx: WasiContext): Record<string, (...a: never[]) => unknown> {
  const { mem, fds } = ctx;
  const out32 = (ptr: number): number => { mem.check(u32(ptr), 4); return u32(ptr); };
  const out64 = (ptr: number): number => { mem.check(u32(ptr), 8); return u32(ptr); };
  return {
    fd_advise: syscall((fd: number, off: bigint, len: bigint, advice: number) =>
      fds.get(fd).advise(u64(off), u64(len), advice)),
    fd_allocate: syscall((fd: number, off: bigint, len: bigint) => fds.get(fd).allocate(u64(off), u64(len))),
    fd_close: syscall((fd: number) => fds.close(fd)),
    fd_datasync: syscall((fd: number) => fds.get(fd).datasync()),
    fd_sync: syscall((fd: number) => fds.get(fd).sync()),
    fd_fdstat_get: syscall((fd: number, ptr: number) => {
      const o = fds.get(fd);
      const p = u32(ptr);
      mem.check(p, FDSTAT_SIZE);
      mem.bytes(p, FDSTAT_SIZE).fill(0);
      mem.setU8(p, o.filetype);
      mem.setU16(p + 2, o.fdflags);
      mem.setU64(p + 8, o.rightsBase);
      mem.setU64(p + 16, o.rightsInheriting);
    }),
    fd_fdstat_set_flags: syscall((fd: number, flags: number) => {
      if (flags & ~0x1f) throw new WasiError(Errno.INVAL);
      fds.get(fd).setFlags(flags);
    }),
    fd_fdstat_set_rights: syscall((fd: number, base: bigint, inheriting: bigint) => {
      const o = fds.get(fd);
      const b = u64(base);
      const i = u64(inheriting);
      // Rights can only shrink: a capability is never widened.
      if ((b & ~o.rightsBase) !== 0n || (i & ~o.rightsInheriting) !== 0n) throw new WasiError(Errno.NOTCAPABLE);
      o.rightsBase = b;
      o.rightsInheriting = i;
    }),
    fd_filestat_get: syscall((fd: number, ptr: number) => {
      const o = fds.get(fd);
      mem.check(u32(ptr), FILESTAT_SIZE);
      writeFilestat(mem, u32(ptr), o.filestat());
    }),
    fd_filestat_set_size: syscall((fd: number, size: bigint) => fds.get(fd).setSize(u64(size))),
    fd_filestat_set_times: syscall((fd: number, atim: bigint, mtim: bigint, flags: number) =>
      fds.get(fd).setTimes(u64(atim), u64(mtim), flags)),
    fd_pread: syscall((fd: number, iovs: number, n: number, off: bigint, nread: number) => {
      const o = fds.get(fd);
      const p = out32(nread);
      mem.setU32(p, o.pread(mem.iovecs(u32(iovs), u32(n)), u64(off)));
    }),
    fd_pwrite: syscall((fd: number, iovs: number, n: number, off: bigint, nwritten: number) => {
      const o = fds.get(fd);
      const p = out32(nwritten);
      mem.setU32(p, o.pwrite(mem.iovecs(u32(iovs), u32(n)), u64(off)));
    }),
    fd_read: syscall((fd: number, iovs: number, n: number, nread: number) => {
      const o = fds.get(fd);
      const p = out32(nread);
      mem.setU32(p, o.read(mem.iovecs(u32(iovs), u32(n))));
    }),
    fd_write: syscall((fd: number, iovs: number, n: number, nwritten: number) => {
      const o = fds.get(fd);
      const p = out32(nwritten);
      mem.setU32(p, o.write(mem.iovecs(u32(iovs), u32(n))));
    }),
    fd_seek: syscall((fd: number, off: bigint, whence: number, newoff: number) => {
      const o = fds.get(fd);
      const p = out64(newoff);
      mem.setU64(p, o.seek(off, whence));
    }),
    fd_tell: syscall((fd: number, ptr: number) => {
      const o = fds.get(fd);
      const p = out64(ptr);
      mem.setU64(p, o.tell());
    }),
    fd_prestat_get: syscall((fd: number, ptr: number) => {
      fds.get(fd);
      const name = fds.preopens.get(fd);
      if (!name) throw new WasiError(Errno.BADF);
      mem.check(u32(ptr), 8);
      mem.setU32(u32(ptr), PREOPENTYPE_DIR);
      mem.setU32(u32(ptr) + 4, name.length);
    }),
    fd_prestat_dir_name: syscall((fd: number, ptr: number, len: number) => {
      fds.get(fd);
      const name = fds.preopens.get(fd);
      if (!name) throw new WasiError(Errno.BADF);
      if (u32(len) < name.length) throw new WasiError(Errno.NAMETOOLONG);
      mem.bytes(u32(ptr), name.length).set(name);
    }),
    fd_renumber: syscall((from: number, to: number) => fds.renumber(from, to)),
    fd_readdir: syscall((fd: number, buf: number, len: number, cookie: bigint, used: number) => {
      const dir = fds.getAs(fd, HostDir, Errno.NOTDIR);
      const usedPtr = out32(used);
      const dst = mem.bytes(u32(buf), u32(len));
      const entries = dir.readdir(u64(cookie));
      let at = 0;
      const rec = new DataView(new ArrayBuffer(DIRENT_SIZE));
      // Only the entries from the cookie until the guest's buffer is full are read from the listing.
      for (let i = Number(u64(cookie)); i < entries.length && at < dst.length; i++) {
        const name = entries.name(i);
        rec.setBigUint64(0, BigInt(i + 1), true);
        rec.setBigUint64(8, entries.ino(i), true);
        rec.setUint32(16, name.length, true);
        rec.setUint32(20, entries.type(i), true);
        const head = new Uint8Array(rec.buffer).subarray(0, Math.min(DIRENT_SIZE, dst.length - at));
        dst.set(head, at);
        at += head.length;
        const cut = name.subarray(0, Math.min(name.length, dst.length - at));
        dst.set(cut, at);
        at += cut.length;
      }
      // A full buffer tells the guest its last entry may be cut short: it calls again with a bigger one.
      mem.setU32(usedPtr, at);
    }),
  };
}
