// A minimal SPDY/3.1 server session: the framing kubectl's port-forward speaks (streams opened by the client, data, FIN, RST, PING).
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RST = { PROTOCOL_ERROR: 1, CANCEL: 5, INTERNAL_ERROR: 6 } as const;
/** The largest data frame sent; the format allows 16 MiB, smaller frames keep the other streams moving. */
const MAX_DATA = 32 * 1024;

/** One stream the client opened: its headers, the data it sends ('data', 'end'), and ways to answer. */
export class SpdyStream extends EventEmitter<{ data: [Buffer]; end: []; reset: [] }> {
  private finSent = false;

  constructor(readonly id: number, readonly headers: Map<string, string>, private readonly session: SpdySession) {
    super();
  }

  write(data: Buffer): void {
    for (let at = 0; at < data.length && !this.finSent; at += MAX_DATA) this.session.sendData(this.id, data.subarray(at, at + MAX_DATA), false);
  }

  /** Half-closes the stream from this side (a data frame with FIN). */
  end(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.session.sendData(this.id, Buffer.alloc(0), true);
  }

  reset(status: number = RST.CANCEL): void {
    this.finSent = true;
    this.session.sendControl(RST_STREAM, 0, u32(this.id, status));
  }
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/**
 * The server side of a SPDY/3.1 session on `socket`. Header blocks are zlib streams with the SPDY/3
 * dictionary, one per direction for the whole session; frames are handled one at a time, in order.
 * Flow control is not enforced (kubectl's SPDY library does not send WINDOW_UPDATE either).
 */
export class SpdySession extends EventEmitter<{ stream: [SpdyStream]; close: []; error: [Error] }> {
  private buf = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  private parse(): void {
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.queue = this.queue.then(() => this.handle(frame)).catch((err: Error) => {
        this.emit('error', err);
        this.close();
      });
    }
  }

  private async handle(f: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = f[4]!;
    const body = f.subarray(8);
    if ((f[0]! & 0x80) === 0) {
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      if (body.length) s.emit('data', Buffer.from(body));
      if (flags & FLAG_FIN) s.emit('end');
      return;
    }
    const type = f.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = await this.readHeaders(body.subarray(10));
      const s = new SpdyStream(id, headers, this);
      this.streams.set(id, s);
      // Every stream is accepted with an empty header block; kubectl waits for this reply.
      this.sendControl(SYN_REPLY, 0, Buffer.concat([u32(id), await this.writeHeaders(new Map())]));
      this.emit('stream', s);
      if (flags & FLAG_FIN) s.emit('end');
    } else if (type === RST_STREAM) {
      const s = this.streams.get(body.readUInt32BE(0) & 0x7fffffff);
      s?.emit('reset');
    } else if (type === PING) {
      this.sendControl(PING, 0, body.subarray(0, 4));
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do for port-forwarding.
  }

  private zlibRound(z: zlib.Inflate | zlib.Deflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const onData = (c: Buffer): void => { out.push(c); };
      z.on('data', onData);
      z.once('error', reject);
      z.write(input);
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        z.off('data', onData);
        z.off('error', reject);
        resolve(Buffer.concat(out));
      });
    });
  }

  private async readHeaders(block: Buffer): Promise<Map<string, string>> {
    const raw = await this.zlibRound(this.inflate, block);
    const headers = new Map<string, string>();
    let at = 4;
    const count = raw.readUInt32BE(0);
    for (let i = 0; i < count; i++) {
      const nl = raw.readUInt32BE(at);
      const name = raw.subarray(at + 4, at + 4 + nl).toString('latin1');
      at += 4 + nl;
      const vl = raw.readUInt32BE(at);
      headers.set(name.toLowerCase(), raw.subarray(at + 4, at + 4 + vl).toString('latin1'));
      at += 4 + vl;
    }
    return headers;
  }

  private writeHeaders(headers: Map<string, string>): Promise<Buffer> {
    const parts: Buffer[] = [u32(headers.size)];
    for (const [k, v] of headers) parts.push(u32(k.length), Buffer.from(k, 'latin1'), u32(v.length), Buffer.from(v, 'latin1'));
    return this.zlibRound(this.deflate, Buffer.concat(parts));
  }

  /** @internal */
  sendControl(type: number, flags: number, body: Buffer): void {
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8003, 0);
    head.writeUInt16BE(type, 2);
    head.writeUInt32BE(((flags & 0xff) << 24 | body.length) >>> 0, 4);
    if (!this.closed) this.socket.write(Buffer.concat([head, body]));
  }

  /** @internal */
  sendData(id: number, data: Buffer, fin: boolean): void {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(id & 0x7fffffff, 0);
    head.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | data.length) >>> 0, 4);
    if (!this.closed) this.socket.write(Buffer.concat([head, data]));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.emit('reset');
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.socket.destroy();
    this.emit('close');
  }
}
