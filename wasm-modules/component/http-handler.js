// A wasi:http/incoming-handler in JavaScript (built with jco componentize). wasmpod serves it on the containerPort.
//   GET  /proxy/HOST:PORT/PATH   fetches http://HOST:PORT/PATH through wasi:http/outgoing-handler, answers what came back
//   GET  /fail                   throws: the request gets a 500, the next one a fresh instance
//   POST /anything               echoes the request body
//   any other                    "hello from a wasi:http component: METHOD PATH"
import { Fields, OutgoingBody, OutgoingRequest, OutgoingResponse, ResponseOutparam, IncomingBody } from 'wasi:http/types@0.2.12';
import { handle as send } from 'wasi:http/outgoing-handler@0.2.12';

const enc = new TextEncoder();
const dec = new TextDecoder();
// Module state lives as long as the instance: with one instance per request, this is 1 in every answer.
let served = 0;

function readAll(body) {
  const stream = body.stream();
  const parts = [];
  for (;;) {
    try {
      parts.push(...stream.blockingRead(65536n));
    } catch (e) {
      break; // closed: the end of the body
    }
  }
  return Uint8Array.from(parts);
}

function respond(out, status, bytes, type = 'text/plain') {
  const headers = Fields.fromList([
    ['content-type', enc.encode(type)],
    ['x-served-by', enc.encode('wasi-http-component')],
    ['x-instance-requests', enc.encode(String(served))],
  ]);
  const resp = new OutgoingResponse(headers);
  resp.setStatusCode(status);
  const body = resp.body();
  ResponseOutparam.set(out, { tag: 'ok', val: resp });
  const stream = body.write();
  for (let at = 0; at < bytes.length; at += 4096) stream.blockingWriteAndFlush(bytes.subarray(at, at + 4096));
  OutgoingBody.finish(body, undefined);
}

function proxy(target) {
  const slash = target.indexOf('/');
  const authority = slash < 0 ? target : target.slice(0, slash);
  const req = new OutgoingRequest(new Fields());
  req.setScheme({ tag: 'HTTP' });
  req.setAuthority(authority);
  req.setPathWithQuery(slash < 0 ? '/' : target.slice(slash));
  const future = send(req, undefined);
  future.subscribe().block();
  const got = future.get();
  if (!got || got.tag !== 'ok' || got.val.tag !== 'ok') return `proxy error: ${JSON.stringify(got && got.val && got.val.val)}`;
  const res = got.val.val;
  const text = dec.decode(readAll(res.consume()));
  return `upstream said ${res.status()}: ${text}`;
}

export const incomingHandler = {
  handle(request, out) {
    served++;
    const m = request.method();
    const method = m.tag === 'other' ? m.val : m.tag.toUpperCase();
    const path = request.pathWithQuery() || '/';
    if (path === '/fail') throw new Error('this handler fails on purpose');
    if (path.startsWith('/proxy/')) {
      respond(out, 200, enc.encode(`${proxy(path.slice('/proxy/'.length))}\n`));
      return;
    }
    if (method === 'POST' || method === 'PUT') {
      respond(out, 200, readAll(request.consume()), 'application/octet-stream');
      return;
    }
    respond(out, 200, enc.encode(`hello from a wasi:http component: ${method} ${path}\n`));
  },
};
