// The content-addressed image store under STATE_DIR/images: blobs by digest, one record per image name, atomic writes, GC.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ImageDigestMismatchError, ImageStoreError, ImageTruncatedError } from './errors.js';
import { Leases, type PullLease } from './lease.js';
import { isDigest } from './reference.js';

/** A layer of an ordinary OCI/Docker image, kept for unpacking into a root filesystem. */
export interface LayerDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

/** What the store knows of one image name: the manifest it resolved to and every blob it keeps alive. */
export interface ImageRecord {
  /** Canonical reference (`127.0.0.1:5000/hello:v1`, an https URL, ...). */
  name: string;
  /** The manifest digest for registry images (their imageID); the module digest for URLs. */
  digest: string;
  /** The WebAssembly module's bytes, for wasm images; the compiled-module cache keys on this digest. */
  moduleDigest?: string;
  /** For a `rootfs` record, the platform it was pulled for (`linux/amd64`); wasm records have none. */
  platform?: string;
  /** `wasm` for a wasm OCI artifact, `oci` for an ordinary image whose layer holds the module, `url` for a URL, `rootfs` for an image kept for the Linux backend. */
  layout: 'wasm' | 'oci' | 'url' | 'rootfs';
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  layers?: LayerDescriptor[];
  /** Every blob the image holds on to; garbage collection keeps these. */
  blobs: string[];
  /** Sum of the sizes of `blobs`. */
  size: number;
  pulledAt: string;
}

/** Bytes arriving from the network, reported as they are written. */
export type Progress = (bytes: number) => void;

const hex = (digest: string): string => digest.slice('sha256:'.length);

export class ImageStore {
  readonly root: string;
  private readonly blobDir: string;
  private readonly refDir: string;
  private readonly tmpDir: string;
  /** Blobs being written by this process: GC leaves them alone (as it does the blobs named by live leases of any process). */
  private readonly inFlight = new Set<string>();
  private readonly leases: Leases;

  constructor(stateDir: string) {
    this.root = path.join(stateDir, 'images');
    this.blobDir = path.join(this.root, 'blobs', 'sha256');
    this.refDir = path.join(this.root, 'refs');
    this.tmpDir = path.join(this.root, 'tmp');
    this.leases = new Leases(path.join(this.root, 'leases'), this.tmpDir);
  }

  /**
   * Starts a pull's lease (images/leases/pull-PID-*.json): blobs written or reused with it are kept
   * by GC in any process until it is released, once the pull's record is written or the pull failed.
   */
  lease(image: string): Promise<PullLease> {
    return this.leases.pull(image);
  }

  private async dirs(): Promise<void> {
    for (const d of [this.blobDir, this.refDir, this.tmpDir]) await fsp.mkdir(d, { recursive: true });
  }

  blobPath(digest: string): string {
    if (!isDigest(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    return path.join(this.blobDir, hex(digest));
  }

  async hasBlob(digest: string): Promise<boolean> {
    return fs.existsSync(this.blobPath(digest));
  }

  /**
   * Writes a blob from `source`, hashing as it goes, into a temp file that is renamed into place only
   * when its size and digest are right; otherwise the temp file is deleted and the error names why.
   * With `expected` undefined the digest is whatever the bytes hash to (an unpinned URL). With a
   * `lease`, the blob is named in it before it is renamed into place.
   */
  async writeBlob(image: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, expected?: { digest?: string; size?: number }, progress?: Progress,
    lease?: PullLease): Promise<string> {
    await this.dirs();
    if (expected?.digest) await lease?.hold(expected.digest);
    const tmp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    if (expected?.digest) this.inFlight.add(expected.digest);
    const out = await fsp.open(tmp, 'wx');
    try {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
        if (expected?.size !== undefined && size > expected.size) {
          throw new ImageDigestMismatchError(image, `blob ${expected.digest ?? ''} is longer than the ${expected.size} bytes its descriptor declares`);
        }
        await out.write(chunk);
        progress?.(chunk.length);
      }
      if (expected?.size !== undefined && size < expected.size) {
        throw new ImageTruncatedError(image, `blob ${expected.digest ?? ''} ended after ${size} of ${expected.size} bytes`);
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected?.digest && digest !== expected.digest) {
        throw new ImageDigestMismatchError(image, `the bytes received hash to ${digest}, not ${expected.digest} as asked: refused`);
      }
      await out.sync();
      await out.close();
      await lease?.hold(digest);
      await fsp.rename(tmp, this.blobPath(digest));
      return digest;
    } catch (err) {
      await out.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw err;
    } finally {
      if (expected?.digest) this.inFlight.delete(expected.digest);
    }
  }

  /** Stores bytes already in memory (a manifest, a config, a module taken out of a layer). */
  async putBytes(image: string, bytes: Uint8Array, digest?: string, lease?: PullLease): Promise<string> {
    return this.writeBlob(image, [bytes], { ...(digest ? { digest } : {}), size: bytes.length }, undefined, lease);
  }

  /** A blob that is not in the store (removed under a reader that had no lease on it) is an image error, not a bare ENOENT. */
  private missing(image: string, digest: string, err: unknown): unknown {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return err;
    return new ImageStoreError(image, `blob ${digest} is not in the image store (removed while in use, e.g. by wasmpod rmi); pull the image again`);
  }

  /**
   * A blob's bytes, verified against its digest before they are used. A blob that fails (disk
   * corruption, tampering) is deleted so the next pull fetches it again.
   */
  async readBlob(image: string, digest: string): Promise<Buffer> {
    const bytes = await fsp.readFile(this.blobPath(digest)).catch((err: unknown) => { throw this.missing(image, digest, err); });
    await this.check(image, digest, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    return bytes;
  }

  /** Verifies a (large) blob on disk against its digest without reading it into memory. */
  async verifyBlob(image: string, digest: string): Promise<void> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of fs.createReadStream(this.blobPath(digest))) hash.update(chunk as Buffer);
    } catch (err) {
      throw this.missing(image, digest, err);
    }
    await this.check(image, digest, `sha256:${hash.digest('hex')}`);
  }

  private async check(image: string, digest: string, actual: string): Promise<void> {
    if (actual === digest) return;
    await fsp.rm(this.blobPath(digest), { force: true });
    throw new ImageDigestMismatchError(image, `stored blob ${digest} is corrupt (its bytes hash to ${actual}); it was removed, pull again`);
  }

  private recordPath(name: string, platform?: string): string {
    return path.join(this.refDir, `${createHash('sha256').update(platform ? `${name}\0${platform}` : name).digest('hex')}.json`);
  }

  /** The record of an image name (for a platform, for rootfs records), if the store has it and every blob it names is present. */
  async getRecord(name: string, platform?: string): Promise<ImageRecord | undefined> {
    let rec: ImageRecord;
    try {
      rec = JSON.parse(await fsp.readFile(this.recordPath(name, platform), 'utf8')) as ImageRecord;
    } catch {
      return undefined;
    }
    if (rec.name !== name || rec.platform !== platform) return undefined;
    for (const b of rec.blobs) if (!(await this.hasBlob(b))) return undefined;
    return rec;
  }

  /** Writes a record atomically (temp file, then rename): readers see the old record or the new one. */
  async putRecord(rec: ImageRecord): Promise<void> {
    await this.dirs();
    const tmp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.json`);
    await fsp.writeFile(tmp, `${JSON.stringify(rec, null, 2)}\n`, { flag: 'wx' });
    await fsp.rename(tmp, this.recordPath(rec.name, rec.platform));
  }

  async listRecords(): Promise<ImageRecord[]> {
    let files: string[];
    try {
      files = await fsp.readdir(this.refDir);
    } catch {
      return [];
    }
    const out: ImageRecord[] = [];
    for (const f of files.filter((x) => x.endsWith('.json'))) {
      try {
        out.push(JSON.parse(await fsp.readFile(path.join(this.refDir, f), 'utf8')) as ImageRecord);
      } catch {
        // A record removed while listing is simply gone.
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes an image name; its blobs stay until `gc()`. Resolves false when there was no such name. */
  async removeRecord(name: string, platform?: string): Promise<boolean> {
    try {
      await fsp.rm(this.recordPath(name, platform));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Deletes every blob that no record and no live lease names, except blobs this process is writing;
   * removes the leases of dead processes and temp files left by a process that died. Returns what was removed.
   *
   * Order matters against pulls in other processes: a GC marker is written first (a pull that finds
   * a stored blob waits until no GC runs before it counts on it); the blobs are listed before leases
   * are read (a blob renamed into place was leased before), and leases before records (a pull
   * releases its lease only once its record is written).
   */
  async gc(opts: { tmpOlderThanMs?: number } = {}): Promise<{ blobs: string[]; bytes: number }> {
    await this.dirs();
    const done = await this.leases.gcMarker();
    try {
      const candidates = await fsp.readdir(this.blobDir);
      const keep = new Set<string>(this.inFlight);
      for (const l of await this.leases.live('pull', true)) for (const b of l.blobs) keep.add(b);
      for (const r of await this.listRecords()) for (const b of r.blobs) keep.add(b);
      await this.leases.live('gc', true);
      const removed: string[] = [];
      let bytes = 0;
      for (const f of candidates) {
        const digest = `sha256:${f}`;
        if (keep.has(digest)) continue;
        const p = path.join(this.blobDir, f);
        const st = await fsp.stat(p).catch(() => undefined);
        if (!st) continue;
        await fsp.rm(p, { force: true });
        bytes += st.size;
        removed.push(digest);
      }
      const cutoff = Date.now() - (opts.tmpOlderThanMs ?? 3_600_000);
      for (const f of await fsp.readdir(this.tmpDir)) {
        const p = path.join(this.tmpDir, f);
        const st = await fsp.stat(p).catch(() => undefined);
        if (st && st.mtimeMs < cutoff) await fsp.rm(p, { force: true });
      }
      return { blobs: removed, bytes };
    } finally {
      await done();
    }
  }
}
