// Follows a container's output file as it grows and hands each new chunk to the log hooks.
import * as fs from 'node:fs';

const POLL_MS = 100;
const CHUNK = 64 * 1024;

/**
 * The container writes its stdout and stderr to plain files (they survive a restart of wasmpod, where
 * a pipe would break); a tail reads what was added, woken by inotify and, as a fallback, a short poll.
 */
export class FileTail {
  private offset: number;
  private readonly fd: number;
  private readonly watcher?: fs.FSWatcher;
  private readonly timer: NodeJS.Timeout;
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  /**
   * @param from the offset to follow from (what an earlier runtime already delivered, when re-adopting)
   * @param offsetFile where the delivered offset is kept after each delivery, for a runtime that re-adopts the container
   */
  constructor(file: string, private readonly onChunk: (chunk: Buffer) => void, from = 0, private readonly offsetFile?: string) {
    this.fd = fs.openSync(file, 'r');
    this.offset = from;
    try {
      this.watcher = fs.watch(file, () => this.pump());
    } catch {
      // No inotify: the poll alone delivers the output.
    }
    this.timer = setInterval(() => this.pump(), POLL_MS);
  }

  /** Delivers everything written so far. */
  pump(): void {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(this.fd, this.buf, 0, CHUNK, this.offset);
      } catch {
        return;
      }
      if (n <= 0) return;
      this.offset += n;
      this.onChunk(Buffer.from(this.buf.subarray(0, n)));
      if (this.offsetFile) {
        try { fs.writeFileSync(this.offsetFile, String(this.offset)); } catch { /* the bundle is going away */ }
      }
    }
  }

  /** The offset a tail of `file` left in `offsetFile` (0 when none did). */
  static savedOffset(offsetFile: string): number {
    try {
      return Number(fs.readFileSync(offsetFile, 'utf8')) || 0;
    } catch {
      return 0;
    }
  }

  /** Delivers the rest and stops following. */
  close(): void {
    this.pump();
    clearInterval(this.timer);
    this.watcher?.close();
    fs.closeSync(this.fd);
  }
}
