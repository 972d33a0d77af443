// Leases on blobs of the image store: each pull names, in a file under images/leases, the blobs it stores or reuses before
// its record names them, and each GC leaves a marker there while it runs; GC in any process keeps the blobs of live leases.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { processStart } from '../runtime/linux/sandbox-state.js';
import { processAlive } from '../state-dir.js';
import { ImageStoreError } from './errors.js';

/** What a lease file holds. `start` is the owner's start time (/proc/PID/stat field 22), so a reused pid is not taken for it. */
export interface LeaseInfo {
  pid: number;
  start?: string;
  /** The image being pulled; none for a GC marker. */
  image?: string;
  created: string;
  blobs: string[];
}

const OWN_START = processStart(process.pid);
const HAVE_PROC = fs.existsSync('/proc/self/stat');
/** How often a pull looks again for a GC under way, and how long it waits for one at most. */
const GC_POLL_MS = 20;
const GC_WAIT_MS = 120_000;

/** Whether the process that wrote a lease still runs: same pid and the same start time (where /proc says). */
export function leaseOwnerAlive(l: Pick<LeaseInfo, 'pid' | 'start'>): boolean {
  if (!Number.isSafeInteger(l.pid) || l.pid <= 0) return false;
  if (l.pid === process.pid) return l.start === OWN_START;
  if (l.start !== undefined && HAVE_PROC) return processStart(l.pid) === l.start;
  return processAlive(l.pid);
}

/** The lease files of one store: `pull-*.json` for pulls, `gc-*.json` for collections under way. */
export class Leases {
  constructor(readonly dir: string, private readonly tmpDir: string) {}

  /** Writes a lease file atomically (a temp file, then a rename): a reader sees a whole lease or the previous one. */
  async write(file: string, info: LeaseInfo): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.lease`);
    await fsp.writeFile(tmp, `${JSON.stringify(info)}\n`, { flag: 'wx' });
    await fsp.rename(tmp, file);
  }

  private info(extra: Partial<LeaseInfo> = {}): LeaseInfo {
    return { pid: process.pid, ...(OWN_START ? { start: OWN_START } : {}), created: new Date().toISOString(), blobs: [], ...extra };
  }

  private fileName(kind: 'pull' | 'gc'): string {
    return path.join(this.dir, `${kind}-${process.pid}-${randomBytes(8).toString('hex')}.json`);
  }

  /** Starts a pull's lease, naming no blob yet. */
  async pull(image: string): Promise<PullLease> {
    const file = this.fileName('pull');
    const info = this.info({ image });
    await this.write(file, info);
    return new PullLease(this, file, info);
  }

  /** Marks a GC under way until the returned function is called: pulls wait for it before they count on a blob being there. */
  async gcMarker(): Promise<() => Promise<void>> {
    const file = this.fileName('gc');
    await this.write(file, this.info());
    return () => fsp.rm(file, { force: true });
  }

  /** The lease files of `kind` whose owners live; with `removeStale`, those of dead owners are deleted. */
  async live(kind: 'pull' | 'gc', removeStale = false): Promise<LeaseInfo[]> {
    let files: string[];
    try {
      files = (await fsp.readdir(this.dir)).filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json'));
    } catch {
      return [];
    }
    const out: LeaseInfo[] = [];
    for (const f of files) {
      const p = path.join(this.dir, f);
      let info: LeaseInfo;
      try {
        info = JSON.parse(await fsp.readFile(p, 'utf8')) as LeaseInfo;
      } catch (err) {
        // Gone meanwhile (its pull ended), or not a lease at all (never written by wasmpod: written files are renamed whole).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && removeStale) await fsp.rm(p, { force: true });
        continue;
      }
      if (leaseOwnerAlive(info)) out.push({ ...info, blobs: Array.isArray(info.blobs) ? info.blobs : [] });
      else if (removeStale) await fsp.rm(p, { force: true });
    }
    return out;
  }

  /** Resolves once no live process is collecting garbage in the store. */
  async gcIdle(image: string): Promise<void> {
    const deadline = Date.now() + GC_WAIT_MS;
    for (;;) {
      const gcs = await this.live('gc');
      if (gcs.length === 0) return;
      if (Date.now() > deadline) {
        throw new ImageStoreError(image, `a garbage collection of the image store (process ${gcs[0].pid}) has run for ${GC_WAIT_MS / 1000} s; the pull gave up waiting for it`);
      }
      await new Promise((r) => setTimeout(r, GC_POLL_MS));
    }
  }
}

/**
 * A pull's hold on blobs: `hold(digest)` names the blob in the lease file before the pull stores it or
 * counts on finding it stored, and returns once no GC that could have missed the lease is still running.
 * `release()` (when the record is written, or the pull failed) deletes the file.
 */
export class PullLease {
  private readonly held = new Map<string, Promise<void>>();
  private writing: Promise<void> = Promise.resolve();
  private released = false;

  constructor(private readonly leases: Leases, readonly file: string, private readonly info: LeaseInfo) {}

  hold(digest: string): Promise<void> {
    let p = this.held.get(digest);
    if (!p) {
      if (!this.info.blobs.includes(digest)) this.info.blobs.push(digest);
      const info = { ...this.info, blobs: [...this.info.blobs] };
      // Writes go one after another; each holds every blob named so far.
      const written = this.writing.then(() => (this.released ? undefined : this.leases.write(this.file, info)));
      this.writing = written.catch(() => undefined);
      p = written.then(() => this.leases.gcIdle(this.info.image ?? ''));
      this.held.set(digest, p);
      p.catch(() => this.held.delete(digest));
    }
    return p;
  }

  /** The blobs held. */
  get blobs(): readonly string[] {
    return this.info.blobs;
  }

  async release(): Promise<void> {
    this.released = true;
    await this.writing;
    await fsp.rm(this.file, { force: true });
  }
}
