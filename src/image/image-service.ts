// The image service: pull policies, one pull per image at a time, listing, removal with GC, and pushing modules as wasm artifacts.
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Dispatcher } from 'undici';
import { ImageError, ImageNeverPullError, ImageNotWasmError, ImageReferenceError, ImageStoreError } from './errors.js';
import { makeDispatcher, RegistryHttp, type HttpOptions } from './http-client.js';
import { WASM_PLATFORM, type Platform } from './layout.js';
import { pullRegistry, pullUrl, type BlobProgress } from './pull.js';
import { defaultPullPolicy, parseImageRef, repositoryName, type ImageRef, type PullPolicy } from './reference.js';
import { MEDIA, pushBlob, putManifest } from './registry.js';
import { ImageStore, type ImageRecord } from './store.js';

export interface ImageServiceOptions extends HttpOptions {
  /** The runtime's state dir; the store is its `images/` folder. */
  stateDir: string;
}

export interface EnsureOptions {
  /** The container's imagePullPolicy; default: Kubernetes' defaulting by tag (see defaultPullPolicy). */
  policy?: PullPolicy;
  /** Default wasi/wasm; the Linux backend asks for its own platform and gets the layers (`layout: 'rootfs'`). */
  platform?: Platform;
  progress?: BlobProgress;
  /** Called when the image is about to be fetched from the network (the kubelet's Pulling event). */
  onPull?: () => void;
}

/** An image ready to run: where its module is in the store, the digest it must have, and how to start it. */
export interface ResolvedImage {
  ref: ImageRef;
  record: ImageRecord;
  /** What a container status reports: `host/repo@sha256:<manifest>` for registry images, `sha256:<module>` for URLs. */
  imageID: string;
  /** Whether it came from the network just now (false: already present on the machine). */
  pulled: boolean;
}

/** The store key of a platform: none for wasm, `os/architecture` for the Linux backend's root filesystems. */
const platformKey = (p?: Platform): string | undefined => (p && p.architecture !== 'wasm' ? `${p.os}/${p.architecture}` : undefined);

export class ImageService {
  readonly store: ImageStore;
  /** Made on the first request (see makeDispatcher). */
  private dispatcher?: Promise<Dispatcher>;
  /** Pulls under way, by image name and platform: a second caller waits for the first pull. */
  private readonly pulling = new Map<string, Promise<ImageRecord>>();

  constructor(private readonly opts: ImageServiceOptions) {
    this.store = new ImageStore(opts.stateDir);
  }

  private http(): Promise<Dispatcher> {
    return (this.dispatcher ??= makeDispatcher(this.opts));
  }

  /** Whether an image string names something the service fetches (a URL or a registry reference), not a local file. */
  static isRemote(image: string): boolean {
    return parseImageRef(image).kind !== 'file';
  }

  /**
   * Makes a remote image present as its pull policy says: `Never` uses only the store, `IfNotPresent`
   * pulls when the store lacks it, `Always` asks the registry every time (blobs already stored are not
   * fetched again).
   */
  async ensure(image: string, opts: EnsureOptions = {}): Promise<ResolvedImage> {
    const ref = parseImageRef(image);
    if (ref.kind === 'file') throw new ImageReferenceError(image, 'a local file is not pulled; it is read where it is');
    const policy = opts.policy ?? defaultPullPolicy(ref);
    const present = policy === 'Always' ? undefined : await this.store.getRecord(ref.name, platformKey(opts.platform));
    if (present) return this.resolved(ref, present, false);
    if (policy === 'Never') {
      throw new ImageNeverPullError(image, `Container image "${image}" is not present with pull policy of Never`);
    }
    opts.onPull?.();
    return this.resolved(ref, await this.pull(ref, opts), true);
  }

  private resolved(ref: ImageRef, record: ImageRecord, pulled: boolean): ResolvedImage {
    const imageID = ref.kind === 'registry' ? `${repositoryName(ref)}@${record.digest}` : record.digest;
    return { ref, record, imageID, pulled };
  }

  /** Pulls now, sharing a pull already under way for the same name and platform. */
  private pull(ref: ImageRef, opts: EnsureOptions): Promise<ImageRecord> {
    const platform = opts.platform ?? WASM_PLATFORM;
    const key = `${ref.name}\0${platform.os}/${platform.architecture}`;
    let p = this.pulling.get(key);
    if (!p) {
      p = this.pullLeased(ref, platform, opts).finally(() => this.pulling.delete(key));
      this.pulling.set(key, p);
    }
    return p;
  }

  /**
   * One pull under a lease: the blobs it stores or finds stored are named in it, so that GC in another
   * process (`wasmpod rmi`) keeps them until the record names them; the lease goes when the pull ends.
   */
  private async pullLeased(ref: ImageRef, platform: Platform, opts: EnsureOptions): Promise<ImageRecord> {
    const lease = await this.store.lease(ref.name);
    try {
      const ctx = { store: this.store, lease, dispatcher: await this.http(), http: this.opts, platform, progress: opts.progress };
      const rec = ref.kind === 'url' ? await pullUrl(ref, ctx) : await pullRegistry(ref as Extract<ImageRef, { kind: 'registry' }>, ctx);
      for (const b of rec.blobs) {
        if (!(await this.store.hasBlob(b))) throw new ImageStoreError(ref.name, `blob ${b} left the image store during the pull (removed by another process?); pull again`);
      }
      await this.store.putRecord(rec);
      return rec;
    } catch (err) {
      if (err instanceof ImageError || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new ImageStoreError(ref.name, `a file of the image store went missing during the pull (${(err as Error).message}); pull again`);
    } finally {
      await lease.release();
    }
  }

  async list(): Promise<ImageRecord[]> {
    return this.store.listRecords();
  }

  /**
   * Removes images by name (`host/repo:tag`, normalized as pulls are) or by digest (every name that
   * resolved to it), then deletes the blobs nothing references any more. Returns the names removed.
   */
  async remove(images: string[]): Promise<{ removed: string[]; freedBytes: number }> {
    const removed: string[] = [];
    const records = await this.store.listRecords();
    for (const image of images) {
      const name = /^sha256:[0-9a-f]+$/.test(image) ? undefined : parseImageRef(image).name;
      const matching = records.filter((r) => (name ? r.name === name : r.digest.startsWith(image) || r.moduleDigest?.startsWith(image)));
      const gone: string[] = [];
      for (const r of matching) if (await this.store.removeRecord(r.name, r.platform)) gone.push(r.name);
      if (gone.length === 0) throw new ImageReferenceError(image, 'no such image in the store');
      removed.push(...gone);
    }
    const { bytes } = await this.store.gc();
    return { removed, freedBytes: bytes };
  }

  /**
   * Publishes a module as a wasm OCI artifact: config `application/vnd.wasm.config.v0+json`, one
   * `application/wasm` layer, an OCI image manifest under the reference's tag. Returns the manifest digest.
   */
  async push(file: string, image: string, progress?: BlobProgress): Promise<{ digest: string; ref: string; size: number }> {
    const ref = parseImageRef(image);
    if (ref.kind !== 'registry') throw new ImageReferenceError(image, 'push needs a registry reference (host[:port]/repo[:tag])');
    if (ref.digest) throw new ImageReferenceError(image, 'push takes a tag, not a digest: the manifest\'s digest is known only once it is made, and push prints it');
    const bytes = await fsp.readFile(file);
    if (bytes.length < 4 || bytes.readUInt32BE(0) !== 0x0061736d) {
      throw new ImageNotWasmError(image, `${file} is not a WebAssembly module (no \\0asm magic number)`);
    }
    const http = new RegistryHttp(ref.registry, await this.http(), this.opts, ref.name);
    const report = (digest: string, total: number) => (n: number) => progress?.({ image: ref.name, digest, done: n, total });
    const layerDigest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const config = Buffer.from(JSON.stringify({ architecture: 'wasm', os: 'wasip1', layerDigests: [layerDigest] }));
    const c = await pushBlob(http, ref.name, ref.repository, config);
    const l = await pushBlob(http, ref.name, ref.repository, bytes, report(layerDigest, bytes.length));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.wasmConfig, digest: c.digest, size: c.size },
      layers: [{ mediaType: MEDIA.wasmLayer, digest: l.digest, size: l.size, annotations: { 'org.opencontainers.image.title': path.basename(file) } }],
    }));
    const digest = await putManifest(http, ref.name, ref.repository, ref.tag!, manifest, MEDIA.ociManifest);
    return { digest, ref: ref.name, size: config.length + bytes.length + manifest.length };
  }

  /** Ends the service's connections; pulls still under way (for pods already deleted) fail and leave nothing behind. */
  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    if (d) await (await d).destroy();
  }
}
