// Request bodies in and JSON responses out, with the content negotiation kubectl relies on (Tables, YAML bodies).
import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { ApiError, apiErrors } from './api-error.js';

/** The largest request body accepted, as the API server's 3 MiB limit. */
export const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw apiErrors.tooLarge(MAX_BODY);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type of the request body, without parameters (`application/json`). */
export function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/** Parses a JSON or YAML body; anything else, or a body that does not parse, is a 400/415 naming the problem. */
export function parseBody(req: IncomingMessage, body: Buffer): unknown {
  const type = contentType(req);
  const text = body.toString('utf8');
  if (text.trim() === '') throw apiErrors.badRequest('the request body is empty');
  try {
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return YAML.parse(text);
    if (type.endsWith('json')) return JSON.parse(text);
  } catch (err) {
    throw apiErrors.badRequest(`the request body is not valid ${type}: ${(err as Error).message}`);
  }
  throw apiErrors.unsupportedMediaType(type);
}

/** Whether the client asked for a meta.k8s.io Table (as `kubectl get` does) rather than the objects. */
export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': data.length, 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

/** Answers with a v1 Status for any failure; what is not an ApiError is a 500 whose message is the error's. */
export function sendError(res: ServerResponse, err: unknown): void {
  const api = err instanceof ApiError ? err : apiErrors.internal((err as Error)?.message ?? String(err));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, api.httpCode, api.toStatus());
}
