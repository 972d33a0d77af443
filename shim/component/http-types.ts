// wasi:http/types for components: requests, responses and bodies over byte buffers; the wire is http-server.ts and http-client.ts.
import type { Doorbell } from '../ring/doorbell.js';
import type { NetContext } from '../net/net-context.js';
import { DISPOSE, InputStream, IoError, OutputStream, Pollable } from './io.js';
import { Fields, type Method, type Scheme } from './http-fields.js';
import { MAX_BODY } from './http-wire.js';
import { sendRequest } from './http-client.js';

export type ErrorCode = { tag: string; val?: unknown };
type Result<T> = { tag: 'ok'; val: T } | { tag: 'err'; val: ErrorCode };

/** A body being written by the guest: its bytes are kept until it is finished (responses are sent whole). */
export class BodySink {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  finished = false;
  push(b: Uint8Array): void {
    if ((this.size += b.length) > MAX_BODY) throw { tag: 'closed' };
    this.chunks.push(Uint8Array.from(b));
  }
  bytes(): Buffer { return Buffer.concat(this.chunks); }
}

export function httpInterfaces(bell: Doorbell, net: NetContext | undefined): Record<string, Record<string, unknown>> {
  const ready = (): Pollable => new Pollable(bell, () => true);

  class IncomingBody {
    private taken = false;
    constructor(private readonly data: Uint8Array) {}
    stream(): InputStream {
      if (this.taken) throw undefined;
      this.taken = true;
      let at = 0;
      return new InputStream(bell, {
        read: (max) => {
          if (at >= this.data.length) return max === 0 ? new Uint8Array(0) : null;
          const out = this.data.subarray(at, at + max);
          at += out.length;
          return out;
        },
        ready: () => true,
      });
    }
    static finish(_body: IncomingBody): FutureTrailers { return new FutureTrailers(); }
  }

  class FutureTrailers {
    private done = false;
    subscribe(): Pollable { return ready(); }
    get(): Result<Result<Fields | undefined>> | undefined {
      if (this.done) return { tag: 'err', val: { tag: 'internal-error', val: 'trailers already taken' } };
      this.done = true;
      return { tag: 'ok', val: { tag: 'ok', val: undefined } };
    }
  }

  class IncomingRequest {
    private consumed = false;
    constructor(private readonly m: Method, private readonly path: string, private readonly auth: string | undefined,
      private readonly fields: Fields, private readonly body: Uint8Array) {}
    method(): Method { return this.m; }
    pathWithQuery(): string { return this.path; }
    scheme(): Scheme { return { tag: 'HTTP' }; }
    authority(): string | undefined { return this.auth; }
    headers(): Fields { return this.fields; }
    consume(): IncomingBody {
      if (this.consumed) throw undefined;
      this.consumed = true;
      return new IncomingBody(this.body);
    }
  }

  class OutgoingBody {
    private taken = false;
    constructor(readonly sink: BodySink) {}
    write(): OutputStream {
      if (this.taken) throw undefined;
      this.taken = true;
      return new OutputStream(bell, { write: (b) => this.sink.push(b), space: () => 64 * 1024 });
    }
    static finish(body: OutgoingBody, _trailers?: Fields): void { body.sink.finished = true; }
    [DISPOSE](): void { this.sink.finished = true; }
  }

  class OutgoingResponse {
    status = 200;
    readonly sink = new BodySink();
    private bodyTaken = false;
    constructor(readonly fields: Fields) {}
    statusCode(): number { return this.status; }
    setStatusCode(code: number): void {
      if (code < 100 || code > 999) throw undefined;
      this.status = code;
    }
    headers(): Fields { return this.fields; }
    body(): OutgoingBody {
      if (this.bodyTaken) throw undefined;
      this.bodyTaken = true;
      return new OutgoingBody(this.sink);
    }
  }

  class ResponseOutparam {
    result?: Result<OutgoingResponse>;
    static set(param: ResponseOutparam, response: Result<OutgoingResponse>): void {
      if (param.result) throw new RangeError('response-outparam.set called twice');
      param.result = response;
    }
  }

  class RequestOptions {
    private t: (bigint | undefined)[] = [undefined, undefined, undefined];
    connectTimeout(): bigint | undefined { return this.t[0]; }
    setConnectTimeout(d?: bigint): void { this.t[0] = d; }
    firstByteTimeout(): bigint | undefined { return this.t[1]; }
    setFirstByteTimeout(d?: bigint): void { this.t[1] = d; }
    betweenBytesTimeout(): bigint | undefined { return this.t[2]; }
    setBetweenBytesTimeout(d?: bigint): void { this.t[2] = d; }
  }

  class OutgoingRequest {
    m: Method = { tag: 'get' };
    path?: string;
    s?: Scheme;
    auth?: string;
    readonly sink = new BodySink();
    private bodyTaken = false;
    constructor(readonly fields: Fields) {}
    method(): Method { return this.m; }
    setMethod(m: Method): void { this.m = m; }
    pathWithQuery(): string | undefined { return this.path; }
    setPathWithQuery(p?: string): void { this.path = p; }
    scheme(): Scheme | undefined { return this.s; }
    setScheme(s?: Scheme): void { this.s = s; }
    authority(): string | undefined { return this.auth; }
    setAuthority(a?: string): void { this.auth = a; }
    headers(): Fields { return this.fields; }
    body(): OutgoingBody {
      if (this.bodyTaken) throw undefined;
      this.bodyTaken = true;
      return new OutgoingBody(this.sink);
    }
    /** The request is ready to go once its body (if the guest took it) is finished. */
    ready(): boolean { return !this.bodyTaken || this.sink.finished; }
  }

  class IncomingResponse {
    private consumed = false;
    constructor(private readonly code: number, private readonly fields: Fields, private readonly data: Uint8Array) {}
    status(): number { return this.code; }
    headers(): Fields { return this.fields; }
    consume(): IncomingBody {
      if (this.consumed) throw undefined;
      this.consumed = true;
      return new IncomingBody(this.data);
    }
  }

  class FutureIncomingResponse {
    private outcome?: Result<IncomingResponse>;
    private taken = false;
    constructor(private readonly request: OutgoingRequest) {}
    subscribe(): Pollable { return new Pollable(bell, () => this.request.ready()); }
    get(): Result<Result<IncomingResponse>> | undefined {
      if (this.taken) return { tag: 'err', val: { tag: 'internal-error', val: 'response already taken' } };
      if (!this.request.ready()) return undefined;
      // The exchange happens here, blocking: the pod network is reached through the same sockets as wasi:sockets.
      this.outcome ??= exchange(this.request);
      this.taken = true;
      return { tag: 'ok', val: this.outcome };
    }
  }

  function exchange(req: OutgoingRequest): Result<IncomingResponse> {
    if (!net) return { tag: 'err', val: { tag: 'destination-IP-prohibited' } };
    const got = sendRequest(net, req.m, req.s, req.auth, req.path, req.fields.entries(), req.sink.bytes());
    if ('error' in got) return { tag: 'err', val: got.error };
    return { tag: 'ok', val: new IncomingResponse(got.status, Fields.received(got.headers), got.body) };
  }

  return {
    'wasi:http/types': {
      Fields, IncomingRequest, IncomingBody, FutureTrailers, OutgoingResponse, OutgoingBody, ResponseOutparam,
      OutgoingRequest, RequestOptions, IncomingResponse, FutureIncomingResponse,
      httpErrorCode: (err: IoError) => (err instanceof IoError ? { tag: 'internal-error', val: err.toDebugString() } : undefined),
    },
    'wasi:http/outgoing-handler': {
      handle: (request: OutgoingRequest, _options?: RequestOptions) => {
        if (!(request instanceof OutgoingRequest)) throw { tag: 'internal-error', val: 'not an outgoing-request' };
        request.fields.immutable = true;
        return new FutureIncomingResponse(request);
      },
    },
  };
}

/** The classes the server (http-server.ts) makes requests and out-params of: the same ones the component imports. */
export interface HttpClasses {
  IncomingRequest: new (m: Method, path: string, auth: string | undefined, f: Fields, body: Uint8Array) => object;
  ResponseOutparam: new () => { result?: Result<{ status: number; fields: Fields; sink: BodySink }> };
}
