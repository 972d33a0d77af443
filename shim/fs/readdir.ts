// Directory listings with "." and "..", inode numbers and types, as fd_readdir hands them out by cookie.
//
// A listing is kept for a whole scan (cookies index it), and a guest decides how many entries a directory of a
// writable volume has: half a million empty files made the per-entry objects of the old listing (a Buffer, a
// bigint and an object each) fill the worker's JS heap, and a worker's heap exhaustion can abort the whole
// runtime process. So a listing is held outside the V8 heap, in a few ArrayBuffers: the names in chunks of
// bytes, and per entry an offset, a length, an inode and a type in typed arrays. Its size on the JS heap does
// not depend on the number of entries, and it is bounded (MAX_DIR_ENTRIES, MAX_DIR_NAME_BYTES) as a last defence.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errno, WasiError, host } from '../wasi/errno.js';
import { Filetype } from '../wasi/constants.js';
import { filetypeOf } from './stat.js';
import type { Mount, Resolved } from './vfs.js';

/**
 * The most entries (besides "." and "..") one listing holds; a larger directory fails to list with ENOMEM.
 * Each entry costs 19 bytes of typed arrays (offset 4, length 2, inode 8, type 1, sort index 4) besides its
 * name: a full listing holds 20 MB of them (capacity 2^20; 30 MB while the arrays double, 4 MB more while
 * sorting) and at most MAX_DIR_NAME_BYTES of names, all outside the V8 heap, whose limit does not count them.
 */
export const MAX_DIR_ENTRIES = 1_000_000;
/** The most bytes of names one listing holds (64 MiB, 67 bytes a name at MAX_DIR_ENTRIES); more is ENOMEM. */
export const MAX_DIR_NAME_BYTES = 64 * 1024 * 1024;

export interface DirLimits { entries: number; nameBytes: number }
const LIMITS: DirLimits = { entries: MAX_DIR_ENTRIES, nameBytes: MAX_DIR_NAME_BYTES };

/**
 * What all the listings of one container run hold together, in bytes (names, and ENTRY_BYTES an entry): past
 * it a listing is ENOMEM too. One listing is bounded above; this bounds a guest that scans a large directory on
 * many fds at once. A listing gives its bytes back when its fd lets it go (or, dropped otherwise, when collected).
 */
export const RUN_LISTING_BYTES = 256 * 1024 * 1024;
const ENTRY_BYTES = 19;

export interface ListingBudget { held: number; readonly max: number }

/** A run's budget for its listings (each Vfs, made per run, has one). */
export function listingBudget(max = RUN_LISTING_BYTES): ListingBudget {
  return { held: 0, max };
}

interface Charge { budget: ListingBudget; bytes: number }
const uncharged = new FinalizationRegistry<Charge>((c) => { c.budget.held -= c.bytes; c.bytes = 0; });

// Names are stored in chunks; chunk k starts at offset k * CHUNK_SPAN of a virtual address space, so an entry's
// offset names its chunk (offset >>> CHUNK_BITS) and its place in it. Chunks start small (a small directory
// costs a few KiB, however many fds list it) and double up to CHUNK_SPAN; a name never straddles two chunks.
const CHUNK_BITS = 20;
const CHUNK_SPAN = 1 << CHUNK_BITS;
const FIRST_CHUNK = 4096;
const FIRST_ENTRIES = 64;

/**
 * One directory listing: entry i (0 <= i < length) has a name, an inode and a type. Entries 0 and 1 are "." and
 * "..", then the host entries sorted bytewise, then mount points that have no host entry of their name.
 */
export class DirListing {
  private chunks: Buffer[] = [Buffer.allocUnsafe(FIRST_CHUNK)];
  private used = 0; // bytes used in the last chunk
  private nameBytes = 0;
  private count = 0;
  // Per stored entry, in the order added.
  private offs = new Uint32Array(FIRST_ENTRIES);
  private lens = new Uint16Array(FIRST_ENTRIES);
  private inos = new BigUint64Array(FIRST_ENTRIES);
  private types = new Uint8Array(FIRST_ENTRIES);
  // order[i] is the stored entry shown at position i.
  private order = new Uint32Array(FIRST_ENTRIES);

  private readonly charge?: Charge;

  constructor(private readonly limits: DirLimits = LIMITS, budget?: ListingBudget) {
    if (budget) {
      this.charge = { budget, bytes: 0 };
      uncharged.register(this, this.charge, this);
    }
  }

  /** Gives the listing's bytes back to its run's budget (its data stays readable). */
  release(): void {
    const c = this.charge;
    if (!c || c.bytes === 0) return;
    c.budget.held -= c.bytes;
    c.bytes = 0;
    uncharged.unregister(this);
  }

  get length(): number { return this.count; }

  /** The name of entry i: a view of the listing's bytes, not a copy. */
  name(i: number): Buffer {
    const k = this.order[i]!;
    const off = this.offs[k]!;
    const at = off & (CHUNK_SPAN - 1);
    return this.chunks[off >>> CHUNK_BITS]!.subarray(at, at + this.lens[k]!);
  }

  ino(i: number): bigint { return this.inos[this.order[i]!]!; }
  type(i: number): Filetype { return this.types[this.order[i]!]! as Filetype; }

  /** Appends an entry (shown last until sorted). ENOMEM past the limits (the bound on entries does not count "." and ".."). */
  add(name: Uint8Array, ino: bigint, type: Filetype): void {
    const n = this.count;
    if (n - 2 >= this.limits.entries || this.nameBytes + name.length > this.limits.nameBytes) {
      throw new WasiError(Errno.NOMEM);
    }
    const c = this.charge;
    if (c) {
      const cost = name.length + ENTRY_BYTES;
      if (c.budget.held + cost > c.budget.max) throw new WasiError(Errno.NOMEM);
      c.budget.held += cost;
      c.bytes += cost;
    }
    // Host names are at most NAME_MAX (255) bytes; a mount's name is a component of a guest path.
    if (name.length > 0xffff) throw new WasiError(Errno.NAMETOOLONG);
    if (n === this.offs.length) this.grow(n * 2);
    let chunk = this.chunks[this.chunks.length - 1]!;
    if (this.used + name.length > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(Math.min(chunk.length * 2, CHUNK_SPAN), name.length));
      this.chunks.push(chunk);
      this.used = 0;
    }
    chunk.set(name, this.used);
    this.offs[n] = (this.chunks.length - 1) * CHUNK_SPAN + this.used;
    this.lens[n] = name.length;
    this.inos[n] = ino;
    this.types[n] = type;
    this.order[n] = n;
    this.used += name.length;
    this.nameBytes += name.length;
    this.count = n + 1;
  }

  /** Sorts entries [from, length) bytewise by name, through the order array: no name moves, nothing is allocated per entry. */
  sort(from: number): void {
    const n = this.count - from;
    if (n < 2) return;
    // A bottom-up merge sort (stable) between the order array and one scratch array.
    let src = this.order.subarray(from, this.count);
    let dst = new Uint32Array(n);
    for (let width = 1; width < n; width *= 2) {
      for (let lo = 0; lo < n; lo += 2 * width) {
        const mid = Math.min(lo + width, n);
        const hi = Math.min(lo + 2 * width, n);
        let a = lo;
        let b = mid;
        let o = lo;
        while (a < mid && b < hi) dst[o++] = this.compare(src[b]!, src[a]!) < 0 ? src[b++]! : src[a++]!;
        while (a < mid) dst[o++] = src[a++]!;
        while (b < hi) dst[o++] = src[b++]!;
      }
      [src, dst] = [dst, src];
    }
    if (src.buffer !== this.order.buffer) this.order.set(src, from);
  }

  /** The position of the entry named `name` among [from, length), or -1; entries [from, sortedEnd) are sorted. */
  find(name: Uint8Array, from: number, sortedEnd: number): number {
    let lo = from;
    let hi = sortedEnd;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = Buffer.compare(this.name(mid), name);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = sortedEnd; i < this.count; i++) if (this.name(i).equals(name)) return i;
    return -1;
  }

  /** Gives entry i a new inode and type (a mount point shown as its root). */
  replace(i: number, ino: bigint, type: Filetype): void {
    const k = this.order[i]!;
    this.inos[k] = ino;
    this.types[k] = type;
  }

  /** Compares the names of stored entries j and k bytewise, as Buffer.compare, without allocating. */
  private compare(j: number, k: number): number {
    const oj = this.offs[j]!;
    const ok = this.offs[k]!;
    const bj = this.chunks[oj >>> CHUNK_BITS]!;
    const bk = this.chunks[ok >>> CHUNK_BITS]!;
    const sj = oj & (CHUNK_SPAN - 1);
    const sk = ok & (CHUNK_SPAN - 1);
    const lj = this.lens[j]!;
    const lk = this.lens[k]!;
    const n = Math.min(lj, lk);
    for (let x = 0; x < n; x++) {
      const d = bj[sj + x]! - bk[sk + x]!;
      if (d !== 0) return d;
    }
    return lj - lk;
  }

  private grow(cap: number): void {
    const more = <T extends Uint32Array | Uint16Array | BigUint64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.offs = more(this.offs, (c) => new Uint32Array(c));
    this.lens = more(this.lens, (c) => new Uint16Array(c));
    this.inos = more(this.inos, (c) => new BigUint64Array(c));
    this.types = more(this.types, (c) => new Uint8Array(c));
    this.order = more(this.order, (c) => new Uint32Array(c));
  }
}

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

/**
 * Lists `where`; a mount attached directly below it shows as its root (a directory, or a file mounted
 * by subPath, with its inode) whether or not the host directory has an entry of that name, so a mount
 * point looks like any directory or file. A directory with more than `limits` allow is ENOMEM: the host
 * will not hold its listing (opendir(3) answers ENOMEM for insufficient memory; EOVERFLOW would say a value
 * does not fit the guest's types, which is not the case).
 */
export function readDirectory(where: Resolved, mounts: readonly Mount[] = [], limits: DirLimits = LIMITS, budget?: ListingBudget): DirListing {
  const dir = where.hostPath;
  const self = host(() => fs.statSync(dir, { bigint: true }));
  // ".." of a mount's root is the root itself: the guest must learn nothing of the host above it.
  const atRoot = dir === where.mount.hostRoot;
  const parent = atRoot ? self : host(() => fs.statSync(path.dirname(dir), { bigint: true }));
  const out = new DirListing(limits, budget);
  try {
    fill(out, where, dir, self.ino, parent.ino, mounts);
  } catch (err) {
    out.release();
    throw err;
  }
  return out;
}

function fill(out: DirListing, where: Resolved, dir: string, selfIno: bigint, parentIno: bigint, mounts: readonly Mount[]): void {
  out.add(DOT, selfIno, Filetype.DIRECTORY);
  out.add(DOTDOT, parentIno, Filetype.DIRECTORY);
  // The host path of an entry, as bytes: a name that is not UTF-8 is stat'ed by its own bytes.
  const prefix = Buffer.from(dir.endsWith('/') ? dir : `${dir}/`);
  let full = Buffer.allocUnsafe(prefix.length + 256);
  prefix.copy(full);
  const d = host(() => fs.opendirSync(dir, { encoding: 'buffer' as BufferEncoding, bufferSize: 256 }));
  try {
    for (;;) {
      const e = host(() => d.readSync());
      if (e === null) break;
      const name = e.name as unknown as Buffer;
      if (prefix.length + name.length > full.length) {
        full = Buffer.allocUnsafe(prefix.length + name.length);
        prefix.copy(full);
      }
      name.copy(full, prefix.length);
      let st: fs.BigIntStats | undefined;
      try {
        st = fs.lstatSync(full.subarray(0, prefix.length + name.length), { bigint: true, throwIfNoEntry: false });
      } catch {
        st = undefined;
      }
      // Removed between the listing and the stat: it is gone, so it is not listed.
      if (st) out.add(name, st.ino, filetypeOf(st));
    }
  } finally {
    d.closeSync();
  }
  out.sort(2);
  const sortedEnd = out.length;
  for (const m of mounts) {
    if (m.guest.length !== where.guest.length + 1 || !where.guest.every((c, i) => m.guest[i] === c)) continue;
    const name = Buffer.from(m.guest[m.guest.length - 1]!);
    const st = host(() => fs.statSync(m.hostRoot, { bigint: true }));
    const at = out.find(name, 2, sortedEnd);
    if (at >= 0) out.replace(at, st.ino, filetypeOf(st));
    else out.add(name, st.ino, filetypeOf(st));
  }
}
