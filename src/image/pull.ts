// Pulling one image into the store: an http(s) URL, or a registry reference through its index, manifest, config and layers.
import type { Dispatcher } from 'undici';
import { ImageError, ImageInsecureError, ImageNotWasmError, ImageProtocolError, ImageTruncatedError } from './errors.js';
import { isInsecure, RegistryHttp, send, statusError, type HttpOptions } from './http-client.js';
import {
  chooseManifest, isIndex, manifestParts, moduleFromLayer, parseRunConfig, requireWasmMagic, wasmArtifactLayer, type Platform,
  type RunConfig,
} from './layout.js';
import { MEDIA, fetchBlob, getManifest, type Descriptor } from './registry.js';
import type { ImageRef, RegistryRef } from './reference.js';
import type { PullLease } from './lease.js';
import type { ImageRecord, ImageStore } from './store.js';
import { rfc3339 as now } from '../spec/defaults.js';

/** Progress of one blob of a pull or a push: `done` of `total` bytes. */
export type BlobProgress = (e: { image: string; digest: string; done: number; total: number }) => void;

export interface PullContext {
  store: ImageStore;
  /** Names every blob the pull stores or reuses, until its record is written (see ImageStore.gc). */
  lease?: PullLease;
  dispatcher: Dispatcher;
  http: HttpOptions;
  platform: Platform;
  progress?: BlobProgress;
}

/** The largest module taken from a URL that does not say its length. */
const MAX_URL_BYTES = 1024 * 1024 * 1024;

/** The fields of an image config a record keeps: how to start the image. */
function runFields(run: RunConfig): Pick<ImageRecord, 'entrypoint' | 'cmd' | 'env'> {
  return { ...(run.entrypoint ? { entrypoint: run.entrypoint } : {}), ...(run.cmd ? { cmd: run.cmd } : {}), ...(run.env ? { env: run.env } : {}) };
}

/** GETs a module from an http(s) URL into the store, checked against the URL's pinned digest when it has one. */
export async function pullUrl(ref: Extract<ImageRef, { kind: 'url' }>, ctx: PullContext): Promise<ImageRecord> {
  const image = ref.name;
  if (ref.url.protocol === 'http:' && !isInsecure(ref.url.host, ctx.http)) {
    throw new ImageInsecureError(image, `plain HTTP from ${ref.url.host}, which is not an insecure registry (use https, or list the host as insecure)`);
  }
  const res = await send(image, ctx.dispatcher, ref.url.toString());
  if (res.statusCode !== 200) throw await statusError(image, res, `GET ${ref.url}`);
  const length = Number(res.headers['content-length']);
  const size = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  let received = 0;
  async function* body(): AsyncIterable<Uint8Array> {
    try {
      for await (const c of res.body) {
        received += c.length;
        if (received > MAX_URL_BYTES) throw new ImageProtocolError(image, `GET ${ref.url}: more than ${MAX_URL_BYTES} bytes`);
        yield c as Uint8Array;
      }
    } catch (err) {
      if (err instanceof ImageError) throw err;
      throw new ImageTruncatedError(image, `GET ${ref.url}: the connection broke after ${received} bytes (${(err as Error).message})`);
    }
  }
  let done = 0;
  const digest = await ctx.store.writeBlob(image, requireWasmMagic(image, body(), ref.url.toString()), {
    ...(ref.digest ? { digest: ref.digest } : {}), ...(size !== undefined ? { size } : {}),
  }, (n) => {
    done += n;
    ctx.progress?.({ image, digest: ref.digest ?? ref.url.toString(), done, total: size ?? 0 });
  }, ctx.lease).finally(() => res.body.destroy());
  return { name: image, digest, moduleDigest: digest, layout: 'url', blobs: [digest], size: done, pulledAt: now() };
}

/** Resolves a registry reference to one image manifest (through an index when there is one) and pulls what it needs. */
export async function pullRegistry(ref: RegistryRef, ctx: PullContext): Promise<ImageRecord> {
  const image = ref.name;
  const http = new RegistryHttp(ref.registry, ctx.dispatcher, ctx.http, image);
  const repo = ref.repository;
  let manifest = await getManifest(http, image, repo, ref.digest ?? ref.tag!);
  const blobs: string[] = [];
  let size = 0;
  const keep = async (bytes: Buffer, digest: string): Promise<void> => {
    await ctx.store.putBytes(image, bytes, digest, ctx.lease);
    blobs.push(digest);
    size += bytes.length;
  };
  const topDigest = manifest.digest;
  if (isIndex(manifest.mediaType)) {
    await keep(manifest.bytes, manifest.digest);
    const chosen = chooseManifest(image, manifest.doc, ctx.platform);
    manifest = await getManifest(http, image, repo, chosen.digest);
  }
  if (manifest.mediaType !== MEDIA.ociManifest && manifest.mediaType !== MEDIA.dockerManifest) {
    throw new ImageProtocolError(image, `manifest media type "${manifest.mediaType}" is not an OCI or Docker image manifest`);
  }
  await keep(manifest.bytes, manifest.digest);
  const { config, layers } = manifestParts(image, manifest.doc);
  const fetch = async (d: Descriptor, check?: (s: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>): Promise<void> => {
    let done = 0;
    await fetchBlob(http, ctx.store, image, repo, d, (n) => {
      done += n;
      ctx.progress?.({ image, digest: d.digest, done, total: d.size });
    }, check, ctx.lease);
    blobs.push(d.digest);
    size += d.size;
  };
  await fetch(config);
  const base = { name: image, digest: topDigest, pulledAt: now() };
  if (ctx.platform.architecture !== 'wasm') {
    for (const l of layers) await fetch(l);
    const run = runFields(parseRunConfig(image, await ctx.store.readBlob(image, config.digest)));
    return { ...base, ...run, platform: `${ctx.platform.os}/${ctx.platform.architecture}`, layout: 'rootfs', layers, blobs, size };
  }
  if (config.mediaType === MEDIA.wasmConfig) {
    const layer = wasmArtifactLayer(image, layers);
    await fetch(layer, (s) => requireWasmMagic(image, s, `layer ${layer.digest}`));
    return { ...base, layout: 'wasm', moduleDigest: layer.digest, blobs, size };
  }
  if (config.mediaType !== MEDIA.ociConfig && config.mediaType !== MEDIA.dockerConfig) {
    throw new ImageNotWasmError(image, `config media type "${config.mediaType}" is neither a wasm artifact (${MEDIA.wasmConfig}) nor an image config`);
  }
  const run = parseRunConfig(image, await ctx.store.readBlob(image, config.digest));
  if (layers.length !== 1) {
    const platform = run.os ? ` (${run.os}/${run.architecture})` : '';
    throw new ImageNotWasmError(image, `an image holding a wasm module has one layer; this one${platform} has ${layers.length}`);
  }
  const layer = layers[0];
  const entry = runFields(run);
  if (layer.mediaType === MEDIA.wasmLayer) {
    await fetch(layer, (s) => requireWasmMagic(image, s, `layer ${layer.digest}`));
    return { ...base, ...entry, layout: 'oci', moduleDigest: layer.digest, blobs, size };
  }
  await fetch(layer);
  const mod = await moduleFromLayer(image, ctx.store.blobPath(layer.digest), layer, run);
  const moduleDigest = await ctx.store.putBytes(image, mod.bytes, undefined, ctx.lease);
  blobs.push(moduleDigest);
  // Without an entrypoint the module's path in the layer is argv[0], as a shell would have it.
  return { ...base, ...entry, ...(run.entrypoint || run.cmd ? {} : { entrypoint: [mod.path] }), layout: 'oci', moduleDigest, blobs, size: size + mod.bytes.length };
}
