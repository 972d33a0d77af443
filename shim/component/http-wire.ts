// HTTP/1.1 on the wire for wasi:http: parsing a request or response out of bytes received so far, and writing one.

export interface WireMessage {
  /** Request: method, target. Response: status code. */
  method: string;
  target: string;
  status: number;
  headers: [string, Uint8Array][];
  body: Uint8Array;
  keepAlive: boolean;
}

export class WireError extends Error {}

/** The largest head, and body, accepted in either direction. */
export const MAX_HEAD = 64 * 1024;
export const MAX_BODY = 16 * 1024 * 1024;

const CRLF2 = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerValue(headers: [string, Uint8Array][], name: string): string | undefined {
  const h = headers.find(([n]) => n === name);
  return h && Buffer.from(h[1]).toString('latin1').trim();
}

/** Decodes a chunked body starting at `at`; undefined until it is complete. */
function dechunk(buf: Buffer, at: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let size = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const n = parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(n) || n < 0) throw new WireError('bad chunk size');
    if ((size += n) > MAX_BODY) throw new WireError('body too large');
    if (n === 0) {
      // Trailers, if any, end with an empty line; they are read and dropped.
      const end = buf.indexOf(CRLF2, eol);
      if (buf.subarray(eol, eol + 4).equals(CRLF2)) return { body: Buffer.concat(parts), end: eol + 4 };
      if (end < 0) return undefined;
      return { body: Buffer.concat(parts), end: end + 4 };
    }
    if (buf.length < eol + 2 + n + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + n));
    at = eol + 2 + n + 2;
  }
}

/**
 * One message from the start of `buf`: undefined while incomplete. A response without a length ends at EOF
 * (`eof`). Returns the message and how many bytes it took.
 */
export function parseMessage(buf: Buffer, response: boolean, eof: boolean, headRequest = false): { msg: WireMessage; used: number } | undefined {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd < 0) {
    if (buf.length > MAX_HEAD) throw new WireError('header section too large');
    if (eof && buf.length > 0) throw new WireError('incomplete message');
    return undefined;
  }
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const first = lines.shift()!.split(' ');
  const msg: WireMessage = { method: '', target: '', status: 0, headers: [], body: new Uint8Array(0), keepAlive: true };
  let version: string;
  if (response) {
    version = first[0]!;
    msg.status = Number(first[1]);
    if (!/^HTTP\/1\.[01]$/.test(version) || !(msg.status >= 100 && msg.status <= 999)) throw new WireError('bad status line');
  } else {
    if (first.length !== 3 || !TOKEN.test(first[0]!) || !/^HTTP\/1\.[01]$/.test(first[2]!)) throw new WireError('bad request line');
    [msg.method, msg.target, version] = first as [string, string, string];
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw new WireError('bad header line');
    msg.headers.push([name, Buffer.from(line.slice(colon + 1).trim(), 'latin1')]);
  }
  const connection = headerValue(msg.headers, 'connection')?.toLowerCase();
  msg.keepAlive = version === 'HTTP/1.1' ? connection !== 'close' : connection === 'keep-alive';
  const start = headEnd + 4;
  const noBody = response && (headRequest || msg.status === 204 || msg.status === 304 || msg.status < 200);
  if (noBody) return { msg, used: start };
  if (headerValue(msg.headers, 'transfer-encoding')?.toLowerCase().includes('chunked')) {
    const got = dechunk(buf, start);
    if (!got) return undefined;
    msg.body = got.body;
    return { msg, used: got.end };
  }
  const lengthText = headerValue(msg.headers, 'content-length');
  if (lengthText !== undefined) {
    const length = Number(lengthText);
    if (!/^\d+$/.test(lengthText) || length > MAX_BODY) throw new WireError('bad content-length');
    if (buf.length < start + length) {
      if (eof) throw new WireError('incomplete body');
      return undefined;
    }
    msg.body = buf.subarray(start, start + length);
    return { msg, used: start + length };
  }
  if (!response) return { msg, used: start };
  // A response with neither: the body runs to the end of the connection.
  if (!eof) {
    if (buf.length - start > MAX_BODY) throw new WireError('body too large');
    return undefined;
  }
  msg.keepAlive = false;
  msg.body = buf.subarray(start);
  return { msg, used: buf.length };
}

/** Headers the wire layer writes itself: a guest's own are dropped. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

export function serializeHead(startLine: string, headers: [string, Uint8Array][], bodyLength: number, close: boolean, extra: [string, string][] = []): Buffer {
  let head = `${startLine}\r\n`;
  for (const [name, value] of headers) {
    if (HOP_BY_HOP.has(name)) continue;
    head += `${name}: ${Buffer.from(value).toString('latin1')}\r\n`;
  }
  for (const [name, value] of extra) head += `${name}: ${value}\r\n`;
  head += `content-length: ${bodyLength}\r\n`;
  if (close) head += 'connection: close\r\n';
  return Buffer.from(`${head}\r\n`, 'latin1');
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  413: 'Content Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`;
}
