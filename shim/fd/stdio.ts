// Standard streams: byte rings shared with the main thread, which writes them to the container's log and feeds stdin.
import { FdObject, type Readiness } from './fd-object.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { Fdflags, Filetype, Rights, STREAM_RIGHTS } from '../wasi/constants.js';
import { type Filestat, streamFilestat } from '../fs/stat.js';
import { ByteRing, READER_CLOSED, WRITER_CLOSED } from '../ring/byte-ring.js';
import { waitsUnwind } from '../ring/block.js';

/**
 * The stdio of a container is a pipe, as in Kubernetes, not a terminal; WASI has no pipe type,
 * so the file type is UNKNOWN (and isatty() is false in the guest).
 */
abstract class Stream extends FdObject {
  readonly filetype = Filetype.UNKNOWN;
  filestat(): Filestat { return streamFilestat(Filetype.UNKNOWN); }
}

/** The read end: reads block until bytes arrive or the writer closes (EOF), unless NONBLOCK. */
export class StreamIn extends Stream {
  constructor(private readonly ring?: ByteRing) {
    super(STREAM_RIGHTS & ~Rights.FD_WRITE, 0n);
  }

  read(bufs: Uint8Array[]): number {
    this.require(Rights.FD_READ);
    const ring = this.ring;
    if (!ring) return 0;
    for (;;) {
      let n = 0;
      for (const b of bufs) {
        const got = ring.read(b);
        n += got;
        if (got < b.length) break;
      }
      if (n > 0 || ring.closedFlags() & WRITER_CLOSED) return n;
      if (this.fdflags & Fdflags.NONBLOCK) throw new WasiError(Errno.AGAIN);
      ring.waitReadable();
    }
  }

  readiness(): Readiness {
    if (!this.ring) return { nbytes: 0, hangup: true };
    const n = this.ring.available();
    if (n > 0) return { nbytes: n, hangup: false };
    return this.ring.closedFlags() & WRITER_CLOSED ? { nbytes: 0, hangup: true } : { nbytes: -1, hangup: false };
  }

  close(): void { this.ring?.close(READER_CLOSED); }
}

/** The write end: writes block while the ring is full (back-pressure from the log writer), unless NONBLOCK. */
export class StreamOut extends Stream {
  constructor(private readonly ring: ByteRing) {
    super(STREAM_RIGHTS & ~Rights.FD_READ, 0n);
  }

  write(bufs: Uint8Array[]): number {
    this.require(Rights.FD_WRITE);
    let n = 0;
    for (const b of bufs) {
      let done = 0;
      while (done < b.length) {
        if (this.ring.closedFlags() & READER_CLOSED) {
          if (n + done > 0) return n + done;
          throw new WasiError(Errno.PIPE);
        }
        const put = this.ring.write(b.subarray(done));
        done += put;
        if (put === 0) {
          if (this.fdflags & Fdflags.NONBLOCK) {
            if (n + done > 0) return n + done;
            throw new WasiError(Errno.AGAIN);
          }
          // In a shared worker the wait unwinds and the call is made again: what was written is returned first.
          if (n + done > 0 && waitsUnwind()) return n + done;
          this.ring.waitWritable();
        }
      }
      n += done;
    }
    return n;
  }

  readiness(): Readiness {
    if (this.ring.closedFlags() & READER_CLOSED) return { nbytes: 0, hangup: true };
    const n = this.ring.space();
    return n > 0 ? { nbytes: n, hangup: false } : { nbytes: -1, hangup: false };
  }

  close(): void { this.ring.close(WRITER_CLOSED); }
}
