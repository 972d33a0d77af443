// A tiny ustar writer for tests: entries with exactly the names, types and link targets a test wants (whiteouts, `..`, symlinks).
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  path: string;
  /** File contents; absent for directories and links. */
  data?: string | Buffer;
  type?: 'file' | 'dir' | 'symlink' | 'link';
  linkpath?: string;
  mode?: number;
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number): void => { h.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8'); };
  const oct = (n: number, off: number, len: number): void => put(n.toString(8).padStart(len - 1, '0') + '\0', off, len);
  if (Buffer.byteLength(e.path) > 100) throw new Error(`test tar: path too long: ${e.path}`);
  put(e.path, 0, 100);
  oct(e.mode ?? (e.type === 'dir' ? 0o755 : 0o644), 100, 8);
  oct(0, 108, 8);
  oct(0, 116, 8);
  oct(size, 124, 12);
  oct(1_700_000_000, 136, 12);
  h.fill(' ', 148, 156);
  const flag = { file: '0', link: '1', symlink: '2', dir: '5' }[e.type ?? 'file'];
  put(flag, 156, 1);
  if (e.linkpath) put(e.linkpath, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

/** A tar archive of the entries, in order. */
export function tarOf(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    parts.push(header(e, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const tgzOf = (entries: TarEntry[]): Buffer => gzipSync(tarOf(entries));
