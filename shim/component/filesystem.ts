// wasi:filesystem (types, preopens) for components: descriptors over the same HostDir/HostFile objects, and so the same rules, as preview1.
import type { Doorbell } from '../ring/doorbell.js';
import type { FdObject } from '../fd/fd-object.js';
import { HostDir } from '../fd/host-dir.js';
import { HostFile } from '../fd/host-file.js';
import { DIR_RIGHTS, FILE_RIGHTS, Fdflags, Filetype, Fstflags, Oflags, Rights, WRITE_RIGHTS } from '../wasi/constants.js';
import type { Filestat } from '../fs/stat.js';
import type { DirListing } from '../fs/readdir.js';
import { DISPOSE, InputStream, OutputStream } from './io.js';
import { descriptorType, filesystemErrorCode, fsCall } from './fs-errors.js';

interface DescriptorFlags { read?: boolean; write?: boolean; mutateDirectory?: boolean }
interface PathFlags { symlinkFollow?: boolean }
interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };
interface Datetime { seconds: bigint; nanoseconds: number }

const NS = 1_000_000_000n;
const ADVICE = ['normal', 'sequential', 'random', 'will-need', 'dont-need', 'no-reuse'];
/** The most one `read` hands back: a guest asking for more gets a short read, as POSIX allows. */
const MAX_READ = 4 * 1024 * 1024;

function datetime(ns: bigint): Datetime {
  return { seconds: ns / NS, nanoseconds: Number(ns % NS) };
}

function toStat(st: Filestat): Record<string, unknown> {
  return {
    type: descriptorType(st.filetype), linkCount: st.nlink, size: st.size,
    dataAccessTimestamp: datetime(st.atim), dataModificationTimestamp: datetime(st.mtim), statusChangeTimestamp: datetime(st.ctim),
  };
}

function checkPath(p: string): string {
  if (p.includes('\0')) throw 'invalid';
  return p;
}

/** The (atim, mtim, fstflags) of preview1's set_times for two new-timestamp values. */
function times(a: NewTimestamp, m: NewTimestamp): [bigint, bigint, number] {
  const one = (t: NewTimestamp, set: number, now: number): [bigint, number] =>
    t.tag === 'now' ? [0n, now] : t.tag === 'timestamp' ? [t.val.seconds * NS + BigInt(t.val.nanoseconds), set] : [0n, 0];
  const [at, af] = one(a, Fstflags.ATIM, Fstflags.ATIM_NOW);
  const [mt, mf] = one(m, Fstflags.MTIM, Fstflags.MTIM_NOW);
  return [at, mt, af | mf];
}

/** The entries of one listing after "." and "..", made into objects one at a time as the guest reads them. */
class DirectoryEntryStream {
  private i = 2;
  constructor(private readonly entries: DirListing) {}
  readDirectoryEntry(): { name: string; type: string } | undefined {
    if (this.i >= this.entries.length) return undefined;
    const i = this.i++;
    return { name: this.entries.name(i).toString('utf8'), type: descriptorType(this.entries.type(i)) };
  }
}

export function filesystemInterfaces(bell: Doorbell, preopens: [HostDir, string][]): Record<string, Record<string, unknown>> {
  class Descriptor {
    constructor(readonly fd: FdObject, private readonly flags: DescriptorFlags, private readonly owned = true) {}

    private dir(): HostDir {
      if (this.fd instanceof HostDir) return this.fd;
      throw 'not-directory';
    }

    private file(): HostFile {
      if (this.fd instanceof HostFile) return this.fd;
      throw this.fd instanceof HostDir ? 'is-directory' : 'bad-descriptor';
    }

    readViaStream(offset: bigint): InputStream {
      const f = this.file();
      let pos = offset;
      return new InputStream(bell, {
        read: (max) => {
          const buf = new Uint8Array(max);
          const n = f.pread([buf], pos);
          pos += BigInt(n);
          return n === 0 && max > 0 ? null : buf.subarray(0, n);
        },
        ready: () => true,
      });
    }

    writeViaStream(offset: bigint): OutputStream {
      const f = this.file();
      let pos = offset;
      return new OutputStream(bell, {
        write: (b) => { pos += BigInt(f.pwrite([b], pos)); },
        space: () => 64 * 1024,
      });
    }

    appendViaStream(): OutputStream {
      const f = this.file();
      return new OutputStream(bell, {
        write: (b) => { f.fdflags |= Fdflags.APPEND; f.write([b]); },
        space: () => 64 * 1024,
      });
    }

    advise(offset: bigint, len: bigint, advice: string): void { fsCall(() => this.file().advise(offset, len, ADVICE.indexOf(advice))); }
    syncData(): void { fsCall(() => { if (this.fd instanceof HostFile) this.fd.datasync(); }); }
    sync(): void { fsCall(() => { if (this.fd instanceof HostFile) this.fd.sync(); }); }
    getFlags(): DescriptorFlags { return this.flags; }
    getType(): string { return descriptorType(this.fd.filetype); }
    setSize(size: bigint): void { fsCall(() => this.file().setSize(size)); }
    stat(): Record<string, unknown> { return toStat(fsCall(() => this.fd.filestat())); }

    setTimes(a: NewTimestamp, m: NewTimestamp): void {
      fsCall(() => this.fd.setTimes(...times(a, m)));
    }

    read(length: bigint, offset: bigint): [Uint8Array, boolean] {
      const f = this.file();
      const want = Number(length > BigInt(MAX_READ) ? BigInt(MAX_READ) : length);
      const buf = new Uint8Array(want);
      const n = fsCall(() => f.pread([buf], offset));
      return [buf.subarray(0, n), n < want || want === 0 && offset >= f.filestat().size];
    }

    write(buffer: Uint8Array, offset: bigint): bigint {
      const f = this.file();
      return BigInt(fsCall(() => f.pwrite([buffer], offset)));
    }

    readDirectory(): DirectoryEntryStream {
      // The stream keeps its own listing: a later readDirectory of this descriptor takes a new one.
      return new DirectoryEntryStream(fsCall(() => this.dir().readdir(0n)));
    }

    createDirectoryAt(p: string): void { fsCall(() => this.dir().createDirectory(checkPath(p))); }
    statAt(pf: PathFlags, p: string): Record<string, unknown> {
      return toStat(fsCall(() => this.dir().pathFilestat(checkPath(p), pf.symlinkFollow === true)));
    }

    setTimesAt(pf: PathFlags, p: string, a: NewTimestamp, m: NewTimestamp): void {
      fsCall(() => this.dir().pathSetTimes(checkPath(p), pf.symlinkFollow === true, ...times(a, m)));
    }

    linkAt(pf: PathFlags, oldPath: string, target: Descriptor, newPath: string): void {
      fsCall(() => this.dir().link(checkPath(oldPath), pf.symlinkFollow === true, target.dir(), checkPath(newPath)));
    }

    openAt(pf: PathFlags, p: string, of: OpenFlags, flags: DescriptorFlags): Descriptor {
      const dir = this.dir();
      if (flags.write && !this.flags.mutateDirectory && !this.flags.write) throw 'read-only';
      let oflags = 0;
      if (of.create) oflags |= Oflags.CREAT;
      if (of.directory) oflags |= Oflags.DIRECTORY;
      if (of.exclusive) oflags |= Oflags.EXCL;
      if (of.truncate) oflags |= Oflags.TRUNC;
      let base = FILE_RIGHTS | DIR_RIGHTS;
      if (!flags.write) base &= ~WRITE_RIGHTS;
      if (!flags.read) base &= ~Rights.FD_READ;
      const fd = fsCall(() => dir.open(checkPath(p), {
        follow: pf.symlinkFollow === true, oflags, base, inheriting: FILE_RIGHTS | DIR_RIGHTS, fdflags: 0,
      }));
      const kept: DescriptorFlags = { read: flags.read === true, write: flags.write === true && fd.filetype !== Filetype.DIRECTORY };
      if (fd instanceof HostDir) kept.mutateDirectory = this.flags.mutateDirectory === true && flags.mutateDirectory === true;
      return new Descriptor(fd, kept);
    }

    readlinkAt(p: string): string { return fsCall(() => this.dir().readlink(checkPath(p))).toString('utf8'); }
    removeDirectoryAt(p: string): void { fsCall(() => this.dir().removeDirectory(checkPath(p))); }
    renameAt(oldPath: string, target: Descriptor, newPath: string): void {
      fsCall(() => this.dir().rename(checkPath(oldPath), target.dir(), checkPath(newPath)));
    }

    symlinkAt(oldPath: string, newPath: string): void { fsCall(() => this.dir().symlink(checkPath(oldPath), checkPath(newPath))); }
    unlinkFileAt(p: string): void { fsCall(() => this.dir().unlinkFile(checkPath(p))); }

    isSameObject(other: Descriptor): boolean {
      const a = fsCall(() => this.fd.filestat());
      const b = fsCall(() => other.fd.filestat());
      return a.dev === b.dev && a.ino === b.ino;
    }

    metadataHash(): { lower: bigint; upper: bigint } { return hashOf(fsCall(() => this.fd.filestat())); }
    metadataHashAt(pf: PathFlags, p: string): { lower: bigint; upper: bigint } {
      return hashOf(fsCall(() => this.dir().pathFilestat(checkPath(p), pf.symlinkFollow === true)));
    }

    [DISPOSE](): void { if (this.owned) this.fd.close(); }
  }

  const dirs = preopens.map(([dir, guestPath]): [Descriptor, string] => {
    const writable = !dir.where.mount.readOnly;
    return [new Descriptor(dir, { read: true, mutateDirectory: writable }, false), guestPath];
  });
  return {
    'wasi:filesystem/types': { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    'wasi:filesystem/preopens': { getDirectories: () => dirs },
  };
}

function hashOf(st: Filestat): { lower: bigint; upper: bigint } {
  return { lower: st.ino, upper: st.dev };
}
