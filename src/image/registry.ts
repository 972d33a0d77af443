// The OCI distribution API: manifests (verified by digest), blobs streamed into the store, and monolithic pushes.
import { createHash } from 'node:crypto';
import { ImageDigestMismatchError, ImageError, ImageProtocolError, ImageTruncatedError } from './errors.js';
import { readBody, statusError, type RegistryHttp } from './http-client.js';
import type { PullLease } from './lease.js';
import type { ImageStore, Progress } from './store.js';
import { isDigest } from './reference.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  wasmConfig: 'application/vnd.wasm.config.v0+json',
  wasmLayer: 'application/wasm',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ManifestDoc {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  doc: ManifestDoc;
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const pullScope = (repo: string): string => `repository:${repo}:pull`;
const pushScope = (repo: string): string => `repository:${repo}:pull,push`;

/** Checks a descriptor's shape before its digest is used in a URL or a file name. */
export function checkDescriptor(image: string, d: unknown, what: string): Descriptor {
  const x = d as Descriptor;
  if (!x || typeof x.mediaType !== 'string' || typeof x.digest !== 'string' || !isDigest(x.digest)
    || !Number.isSafeInteger(x.size) || x.size < 0) {
    throw new ImageProtocolError(image, `${what} is not a valid descriptor (mediaType, sha256 digest, size)`);
  }
  return x;
}

/**
 * GETs a manifest or index by tag or digest. Its bytes must hash to the digest asked for, or to the
 * Docker-Content-Digest the registry announces for a tag.
 */
export async function getManifest(http: RegistryHttp, image: string, repo: string, reference: string): Promise<FetchedManifest> {
  const what = `manifest ${repo}:${reference} from ${http.registry}`;
  const res = await http.fetch(`/v2/${repo}/manifests/${reference}`, pullScope(repo), {
    headers: { accept: [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(', ') },
  });
  if (res.statusCode !== 200) throw await statusError(image, res, what);
  const bytes = await readBody(image, res, what);
  const digest = sha256(bytes);
  const announced = res.headers['docker-content-digest'];
  const expected = isDigest(reference) ? reference : typeof announced === 'string' ? announced : undefined;
  if (expected && expected !== digest) {
    throw new ImageDigestMismatchError(image, `${what} hashes to ${digest}, not ${expected}: refused`);
  }
  let doc: ManifestDoc;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
  } catch {
    throw new ImageProtocolError(image, `${what} is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ImageProtocolError(image, `${what} is not a JSON object`);
  const header = String(res.headers['content-type'] ?? '').split(';')[0].trim();
  const mediaType = doc.mediaType ?? header;
  return { digest, mediaType, bytes, doc };
}

/**
 * Streams a blob into the store, verifying its size and digest; a connection that breaks is a truncated blob.
 * The pull's lease names the blob first, so that one already stored stays until the pull's record names it.
 */
export async function fetchBlob(http: RegistryHttp, store: ImageStore, image: string, repo: string, d: Descriptor, progress?: Progress,
  check?: (bytes: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>, lease?: PullLease): Promise<void> {
  await lease?.hold(d.digest);
  if (await store.hasBlob(d.digest)) {
    progress?.(d.size);
    return;
  }
  const what = `blob ${d.digest} of ${repo} from ${http.registry}`;
  const res = await http.fetch(`/v2/${repo}/blobs/${d.digest}`, pullScope(repo));
  if (res.statusCode !== 200) throw await statusError(image, res, what);
  let received = 0;
  async function* body(): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of res.body) {
        received += chunk.length;
        yield chunk as Uint8Array;
      }
    } catch (err) {
      if (err instanceof ImageError) throw err;
      throw new ImageTruncatedError(image, `${what}: the connection broke after ${received} of ${d.size} bytes (${(err as Error).message})`);
    }
  }
  try {
    await store.writeBlob(image, check ? check(body()) : body(), { digest: d.digest, size: d.size }, progress, lease);
  } finally {
    res.body.destroy();
  }
}

/** Uploads a blob unless the registry has it already: POST an upload session, then PUT the bytes with their digest. */
export async function pushBlob(http: RegistryHttp, image: string, repo: string, bytes: Buffer, progress?: Progress): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const scope = pushScope(repo);
  const head = await http.fetch(`/v2/${repo}/blobs/${digest}`, scope, { method: 'HEAD' });
  await head.body.dump();
  if (head.statusCode === 200) {
    progress?.(bytes.length);
    return { digest, size: bytes.length };
  }
  const start = await http.fetch(`/v2/${repo}/blobs/uploads/`, scope, { method: 'POST', headers: { 'content-length': '0' } });
  if (start.statusCode !== 202) throw await statusError(image, start, `starting an upload to ${repo}`);
  await start.body.dump();
  const location = start.headers.location;
  if (typeof location !== 'string') throw new ImageProtocolError(image, `upload to ${repo}: the registry gave no Location`);
  const url = new URL(location, http.base);
  url.searchParams.set('digest', digest);
  const put = await http.fetch(url.toString(), scope, {
    method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
  });
  if (put.statusCode !== 201) throw await statusError(image, put, `uploading blob ${digest} to ${repo}`);
  await put.body.dump();
  progress?.(bytes.length);
  return { digest, size: bytes.length };
}

/** PUTs a manifest under a tag (or its digest); resolves with the digest the registry stored. */
export async function putManifest(http: RegistryHttp, image: string, repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  const res = await http.fetch(`/v2/${repo}/manifests/${reference}`, pushScope(repo), {
    method: 'PUT', body: bytes, headers: { 'content-type': mediaType },
  });
  if (res.statusCode !== 201) throw await statusError(image, res, `putting manifest ${repo}:${reference}`);
  await res.body.dump();
  return sha256(bytes);
}
