// HTTP for image pulls through undici: TLS with extra CAs, redirects, the 401 challenge and bearer-token flow, and clear errors.
import type { Dispatcher } from 'undici';
import { basicHeader, defaultAuthFiles, findCredentials, parseChallenge, type Credentials } from './auth.js';
import {
  ImageAuthFileError, ImageDeniedError, ImageError, ImageInsecureError, ImageNetworkError, ImageNotFoundRemoteError, ImageProtocolError,
  ImageUnauthorizedError,
} from './errors.js';

export interface HttpOptions {
  /** Extra PEM CA certificates trusted for https (a private registry's CA, a self-signed server). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Registries (`host[:port]`) reached over plain HTTP; loopback hosts always are. */
  insecureRegistries?: string[];
  /** Auth files searched for credentials (default: see defaultAuthFiles). */
  authFiles?: string[];
  /** Milliseconds without a byte before a request fails (default 30000). */
  timeoutMs?: number;
}

export type Response = Dispatcher.ResponseData;

/** The largest manifest, index or token response read into memory (the distribution registry's own limit is 4 MiB). */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** Loopback registries are insecure by default, as docker and podman treat them. */
export function isInsecure(host: string, opts: HttpOptions): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || /^127\./.test(name) || name === '[::1]' || (opts.insecureRegistries ?? []).includes(host);
}

/** undici, loaded on the first request: importing it costs ~150 ms, which a pod of local modules should not pay. */
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = (): Promise<typeof import('undici')> => (undici ??= import('undici'));

/** Builds the undici dispatcher every image request goes through: extra CAs, timeouts, up to 5 redirects. */
export async function makeDispatcher(opts: HttpOptions): Promise<Dispatcher> {
  const { Agent, interceptors } = await loadUndici();
  const timeout = opts.timeoutMs ?? 30_000;
  return new Agent({ connect: opts.ca ? { ca: opts.ca } : {}, headersTimeout: timeout, bodyTimeout: timeout })
    .compose(interceptors.redirect({ maxRedirections: 5 }));
}

/** Sends one request; a failure to connect or a broken connection becomes an ImageNetworkError naming the URL. */
export async function send(image: string, dispatcher: Dispatcher, url: string, init: {
  method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: Buffer;
} = {}): Promise<Response> {
  try {
    const { request } = await loadUndici();
    return await request(url, { dispatcher, method: init.method ?? 'GET', headers: init.headers, body: init.body });
  } catch (err) {
    const e = err as Error & { code?: string; cause?: Error & { code?: string } };
    const why = e.cause?.code ?? e.code ?? '';
    const what = `${init.method ?? 'GET'} ${url}`;
    if (why === 'ERR_SSL_WRONG_VERSION_NUMBER') {
      // OpenSSL's own text is several lines of library internals; this is what it means.
      const host = new URL(url).host;
      throw new ImageNetworkError(image, `${what}: the server does not answer in TLS (${why}); if ${host} is a plain-HTTP registry, mark it insecure (--insecure-registry ${host}, or the images.insecureRegistries option)`);
    }
    throw new ImageNetworkError(image, `${what}: ${e.cause?.message ?? e.message}${why ? ` (${why})` : ''}`);
  }
}

/** Reads a whole (small) body, refusing one past MAX_DOCUMENT_BYTES. */
export async function readBody(image: string, res: Response, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res.body) {
      n += c.length;
      if (n > MAX_DOCUMENT_BYTES) {
        res.body.destroy();
        throw new ImageProtocolError(image, `${what} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
      }
      chunks.push(c as Buffer);
    }
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageNetworkError(image, `${what}: the connection broke: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks);
}

/** The error for a response that is not what was asked; reads the OCI error body for its message. */
export async function statusError(image: string, res: Response, what: string): Promise<ImageError> {
  const text = (await readBody(image, res, what).catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 2000);
  let detail = '';
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    detail = text.trim().split('\n')[0] ?? '';
  }
  const msg = `${what}: HTTP ${res.statusCode}${detail ? ` (${detail})` : ''}`;
  if (res.statusCode === 401) return new ImageUnauthorizedError(image, `${msg}: not authorized; log in (auth.json or ~/.docker/config.json) with an account that may pull it`);
  if (res.statusCode === 403) return new ImageDeniedError(image, `${msg}: access denied`);
  if (res.statusCode === 404) return new ImageNotFoundRemoteError(image, `${msg}: not found`);
  return new ImageProtocolError(image, msg);
}

/**
 * One registry as the distribution API speaks to it: a base URL, credentials from the auth files,
 * and bearer tokens per scope, fetched when the registry answers 401 with a challenge.
 */
export class RegistryHttp {
  readonly base: string;
  private readonly creds: Credentials | undefined;
  private readonly tokens = new Map<string, string>();

  constructor(readonly registry: string, private readonly dispatcher: Dispatcher, private readonly opts: HttpOptions, private readonly image: string) {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    this.base = `${isInsecure(registry, opts) ? 'http' : 'https'}://${host}`;
    try {
      this.creds = findCredentials(registry, opts.authFiles ?? defaultAuthFiles());
    } catch (err) {
      throw new ImageAuthFileError(image, (err as Error).message);
    }
  }

  /** A request under /v2/ (or to an absolute upload URL); answers a 401 challenge once, with a token or basic auth. */
  async fetch(pathOrUrl: string, scope: string, init: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.base}${pathOrUrl}`;
    if (url.startsWith('http:') && !isInsecure(new URL(url).host, this.opts)) {
      throw new ImageInsecureError(this.image, `${url}: plain HTTP to a registry not marked insecure`);
    }
    const headers = { ...init.headers };
    const token = this.tokens.get(scope);
    if (token) headers.authorization = token;
    let res = await send(this.image, this.dispatcher, url, { ...init, headers });
    if (res.statusCode !== 401) return res;
    const auth = await this.answer(res, scope);
    if (!auth) return res;
    this.tokens.set(scope, auth);
    res = await send(this.image, this.dispatcher, url, { ...init, headers: { ...headers, authorization: auth } });
    return res;
  }

  /** The Authorization header that answers a 401's challenge, or undefined to let the 401 stand. */
  private async answer(res: Response, scope: string): Promise<string | undefined> {
    const header = res.headers['www-authenticate'];
    const challenge = parseChallenge(Array.isArray(header) ? header[0] : header ?? '');
    if (challenge?.scheme === 'basic') {
      // Without credentials the 401 stands, its body left unread for the error's detail.
      if (!this.creds) return undefined;
      await res.body.dump();
      return basicHeader(this.creds);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) return undefined;
    await res.body.dump();
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', scope);
    const tokenRes = await send(this.image, this.dispatcher, realm.toString(), {
      headers: this.creds ? { authorization: basicHeader(this.creds) } : {},
    });
    if (tokenRes.statusCode !== 200) throw await statusError(this.image, tokenRes, `token from ${realm.origin}${realm.pathname}`);
    let body: { token?: string; access_token?: string };
    try {
      body = JSON.parse((await readBody(this.image, tokenRes, 'token response')).toString('utf8'));
    } catch {
      throw new ImageProtocolError(this.image, `token from ${realm.origin}${realm.pathname}: the answer is not JSON`);
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new ImageProtocolError(this.image, `token from ${realm.origin}${realm.pathname}: the answer has no token`);
    return `Bearer ${token}`;
  }
}
