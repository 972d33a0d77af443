// File metadata in WASI's shape, converted from node:fs BigIntStats, and timestamp updates that keep nanoseconds.
import * as fs from 'node:fs';
import { Errno, WasiError, host } from '../wasi/errno.js';
import { Filetype, Fstflags } from '../wasi/constants.js';

export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: Filetype;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

export function filetypeOf(st: fs.Stats | fs.BigIntStats | fs.Dirent): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

export function toFilestat(st: fs.BigIntStats): Filestat {
  return {
    dev: st.dev, ino: st.ino, filetype: filetypeOf(st), nlink: st.nlink, size: st.size,
    atim: st.atimeNs, mtim: st.mtimeNs, ctim: st.ctimeNs,
  };
}

/** A stat for objects that have no host file (stdio, pipes). */
export function streamFilestat(filetype: Filetype): Filestat {
  return { dev: 0n, ino: 0n, filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The new (atime, mtime) a set_times call asks for, from the current values and the fstflags.
 * Asking for a time and "now" for the same stamp is EINVAL (witx).
 */
export function requestedTimes(cur: Filestat, atim: bigint, mtim: bigint, flags: number): [bigint, bigint] {
  if ((flags & Fstflags.ATIM && flags & Fstflags.ATIM_NOW) || (flags & Fstflags.MTIM && flags & Fstflags.MTIM_NOW)) {
    throw new WasiError(Errno.INVAL);
  }
  if (flags & ~0xf) throw new WasiError(Errno.INVAL);
  const now = nowNs();
  const a = flags & Fstflags.ATIM_NOW ? now : flags & Fstflags.ATIM ? atim : cur.atim;
  const m = flags & Fstflags.MTIM_NOW ? now : flags & Fstflags.MTIM ? mtim : cur.mtim;
  return [a, m];
}

const toSeconds = (ns: bigint): number => Number(ns) / 1e9;

/**
 * Sets a file's times. node:fs goes through a double of seconds and libuv keeps only microseconds,
 * so when the result differs from what was asked, GNU touch (utimensat with nanoseconds) sets it exactly.
 */
export function setHostTimes(path: string, a: bigint, m: bigint, follow: boolean): void {
  host(() => (follow ? fs.utimesSync : fs.lutimesSync)(path, toSeconds(a), toSeconds(m)));
  const st = host(() => (follow ? fs.statSync : fs.lstatSync)(path, { bigint: true }));
  if (st.atimeNs === a && st.mtimeNs === m) return;
  if (process.platform !== 'linux') return;
  const stamp = (ns: bigint): string => `@${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
  const noDeref = follow ? [] : ['-h'];
  // Loaded here, not imported: node:child_process brings net, stream and dgram into every worker (~0.2 MiB).
  const { execFileSync } = process.getBuiltinModule('node:child_process');
  try {
    execFileSync('touch', [...noDeref, '-c', '-a', '-d', stamp(a), '--', path], { stdio: 'ignore' });
    execFileSync('touch', [...noDeref, '-c', '-m', '-d', stamp(m), '--', path], { stdio: 'ignore' });
  } catch {
    // Without touch the microsecond value set above stands.
  }
}
