// Pre-warmed container workers: started ahead of time with the shim loaded, reused after a guest that ended cleanly.
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import type { WorkerReport, WorkerStandby, WorkerStart } from '../../../shim/worker-protocol.js';
import { shimUrl } from './shim-url.js';
import { processMaps } from './map-budget.js';

export const WORKER_URL = shimUrl('worker.js');

export interface WorkerPoolOptions {
  /** Idle workers kept ready (default 2); 0 disables the pool: every container starts its own worker. */
  minIdle?: number;
  /**
   * The most idle workers the pool holds (default max(8, minIdle)): it grows to this when takes find it
   * empty, and workers coming back from clean runs are kept up to it. Pods that run `n` containers at once
   * spawn no worker in the steady state when maxIdle >= n + minIdle.
   */
  maxIdle?: number;
  /** With no take for this long, idle workers above `minIdle` are ended (default 30000 ms). */
  idleTimeoutMs?: number;
}

/** Counters for tests and benchmarks. */
export interface WorkerPoolStats {
  idle: number;
  ready: number;
  /** Workers taken and not back: running a guest, or holding one made ahead of its start. */
  lent: number;
  target: number;
  spawned: number;
  taken: number;
  /** Takes that found no ready worker. */
  misses: number;
  /** Times a miss raised the target. */
  grown: number;
  /** Idle workers ended by the idle timeout (or trim) above minIdle. */
  retired: number;
  /** Idle workers that had run guests, replaced by fresh ones when the pool went quiet (see trim). */
  recycled: number;
  /** Workers taken back after their guest ended cleanly, to run another. */
  reused: number;
  /** Idle workers holding a fresh instance of the module they last ran (see takeWarm). */
  warm: number;
  /** Takes that found a worker holding an instance of their module: nothing to instantiate before the start. */
  prewarmed: number;
}

interface Standby {
  worker: Worker;
  ready: boolean;
  /** It has run guests: its isolate keeps the heap they grew until it is collected, which an idle worker is not. */
  used?: boolean;
  /** The module it last ran: it says `warm` once it has tried to make a fresh instance of it. */
  ranModule?: WebAssembly.Module;
  /** The module it holds a fresh instance of. */
  warm?: WebAssembly.Module;
  /** Removes the pool's listeners: called when the worker is taken or has died. */
  detach(): void;
}

/**
 * Workers waiting for a WorkerStart message. A taken worker belongs to one container run; when its guest
 * ends cleanly (it returned or called proc_exit: it was between shim calls, and the run's state lived in
 * objects of that run only) the worker comes back with `give`, warm, and runs the next guest. A worker whose
 * guest trapped, was killed, or ran out of memory is never reused. Idle workers are unref'd: they never
 * keep the embedding process alive.
 */
export class WorkerPool {
  readonly minIdle: number;
  readonly maxIdle: number;
  readonly idleTimeoutMs: number;
  private readonly idle: Standby[] = [];
  /** Workers running a guest, with when they were taken. */
  private readonly lent = new Map<Worker, number>();
  private target: number;
  private started = false;
  private closed = false;
  private lastTake = Date.now();
  private shrinkTimer?: NodeJS.Timeout;
  /** Set once a worker has been ready: misses before that are the cold start, not demand outrunning the pool. */
  private warmed = false;
  /** Takes whose worker is still loading the shim: refills wait for them (see take). */
  private coldTakes = 0;
  private readonly counts = { spawned: 0, taken: 0, misses: 0, grown: 0, retired: 0, recycled: 0, reused: 0, prewarmed: 0 };

  constructor(readonly resourceLimits: ResourceLimits, opts: WorkerPoolOptions = {}) {
    this.minIdle = Math.max(0, Math.floor(opts.minIdle ?? 2));
    this.maxIdle = Math.max(this.minIdle, Math.floor(opts.maxIdle ?? Math.max(8, this.minIdle)));
    this.idleTimeoutMs = Math.max(0, opts.idleTimeoutMs ?? 30_000);
    this.target = this.minIdle;
  }

  get enabled(): boolean {
    return this.minIdle > 0 && !this.closed;
  }

  get stats(): WorkerPoolStats {
    return {
      idle: this.idle.length, ready: this.idle.filter((s) => s.ready).length, lent: this.lent.size, target: this.target,
      warm: this.idle.filter((s) => s.warm).length, ...this.counts,
    };
  }

  /** Starts filling the pool (idempotent); done lazily so that a Runtime that runs no wasm pod starts no worker. */
  start(): void {
    if (this.started || !this.enabled) return;
    this.started = true;
    this.refill();
  }

  /**
   * A worker for one container run, already sent `start` (a new one when none is idle: it runs the start once
   * loaded); undefined when the pool is off, closed, or its workers' resource limits are not `limits`
   * (those are fixed when a worker is created).
   * The worker is ref'd again: a running container keeps the process alive, as a fresh worker does.
   */
  take(start: WorkerStart, transferList: TransferListItem[], limits: ResourceLimits): Worker | undefined {
    if (!this.enabled || !sameLimits(limits, this.resourceLimits)) return undefined;
    this.start();
    this.lastTake = Date.now();
    // None idle and none can be started (the process is near its limit of memory mappings): the caller's own
    // start of a worker fails, saying why.
    if (this.idle.length === 0 && processMaps().admit() !== undefined) return undefined;
    // A ready worker first (one that holds no instance for another container's module before one that does);
    // else the oldest one still loading the shim, which is ahead of a fresh one.
    let at = this.idle.findIndex((s) => s.ready && !s.warm);
    if (at < 0) at = this.idle.findIndex((s) => s.ready);
    const [standby] = this.idle.splice(at >= 0 ? at : 0, 1);
    if (!standby?.ready) {
      this.counts.misses++;
      // Demand outran the pool: grow it for the next burst.
      if (this.warmed && this.target < this.maxIdle) {
        this.target++;
        this.counts.grown++;
      }
    }
    // None idle: a new pooled worker, taken at once (it runs the start once loaded, and can come back after).
    const taken = standby ?? this.watch(this.create());
    const worker = this.lend(taken);
    worker.postMessage(start, transferList);
    if (!standby?.ready) {
      // A cold take (a fresh Runtime, or a burst): the workers started to refill the pool would compete for the
      // CPU with the one this container waits for, so the refill waits until it has loaded and reported.
      this.coldTakes++;
      const loaded = (): void => {
        worker.off('message', loaded);
        worker.off('exit', loaded);
        if (--this.coldTakes === 0) this.refill();
      };
      worker.on('message', loaded);
      worker.on('exit', loaded);
    }
    if (this.coldTakes === 0) this.refill();
    return worker;
  }

  /**
   * An idle worker that holds a fresh instance of `module` (it ran a guest of it last), sent nothing yet: the
   * container sends its run, `warm`, at its start. Undefined when none does.
   */
  takeWarm(module: WebAssembly.Module, limits: ResourceLimits): Worker | undefined {
    if (!this.enabled || !sameLimits(limits, this.resourceLimits)) return undefined;
    const at = this.idle.findIndex((s) => s.warm === module);
    if (at < 0) return undefined;
    this.lastTake = Date.now();
    const [standby] = this.idle.splice(at, 1);
    this.counts.prewarmed++;
    const worker = this.lend(standby!);
    this.refill();
    return worker;
  }

  /** A standby taken out of the pool for a run: the pool no longer listens to it, and it keeps the process alive. */
  private lend(standby: Standby): Worker {
    standby.detach();
    this.counts.taken++;
    standby.worker.ref();
    this.lent.set(standby.worker, Date.now());
    return standby.worker;
  }

  /**
   * Takes back a worker whose guest ended cleanly (its report said `reusable`), the shim loaded. Ended instead
   * when the pool is off or closed; a full pool ends its newest. `ran`: the module of the guest it ran, of which
   * it then makes a fresh instance for a next container of it; it is ready once it has said whether it did.
   * Without `ran` (a run never sent to it) it is ready at once.
   */
  give(worker: Worker, ran?: WebAssembly.Module): void {
    this.lent.delete(worker);
    if (!this.enabled) {
      void worker.terminate();
      return;
    }
    if (this.idle.length >= this.maxIdle) {
      // Full: the warm worker stays and the newest idle one (the least ready: the shim's code not yet run) goes.
      const newest = this.idle.pop()!;
      newest.detach();
      void newest.worker.terminate();
    }
    this.counts.reused++;
    this.warmed = true;
    const standby = this.watch(worker);
    // Back from a run, it makes the next instance of that module first, and is ready once it says so.
    standby.ready = ran === undefined;
    standby.used = true;
    if (ran) standby.ranModule = ran;
    // The ready worker goes first in line; one still loading the shim stays behind it.
    this.idle.unshift(standby);
    this.scheduleShrink();
  }

  /**
   * Ends the idle workers above minIdle now, as the idle timeout would, and replaces the ones left that have run
   * guests with fresh ones: a quiet pool (a server gone quiet after a burst) gives back both the extra workers and
   * the heap the guests grew in the others (an idle isolate is not collected), about 11 MiB and a few MiB each.
   */
  trim(): void {
    this.target = this.minIdle;
    const extra = this.idle.splice(this.minIdle);
    this.counts.retired += extra.length;
    const used = this.idle.filter((s) => s.used);
    this.idle.splice(0, this.idle.length, ...this.idle.filter((s) => !s.used));
    this.counts.recycled += used.length;
    [...extra, ...used].forEach((s) => { s.detach(); void s.worker.terminate(); });
    if (used.length > 0) this.refill();
  }

  /** Ends every idle worker; later takes return undefined. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.shrinkTimer);
    const all = this.idle.splice(0);
    all.forEach((s) => s.detach());
    await Promise.all(all.map((s) => s.worker.terminate()));
  }

  /** Starts workers, asynchronously, until the pool holds its target. */
  /**
   * Starts workers, asynchronously, until the pool holds its target. Workers lent less than RETURN_WINDOW_MS
   * ago count toward maxIdle: most come back within it (short-lived pods), so replacing them would only
   * start workers to end them on their return.
   */
  private refill(): void {
    const now = Date.now();
    let returning = 0;
    for (const at of this.lent.values()) if (now - at < RETURN_WINDOW_MS) returning++;
    while (this.enabled && this.idle.length < this.target && this.idle.length + returning < this.maxIdle) {
      if (processMaps().admit() !== undefined) break;
      this.idle.push(this.watch(this.create()));
    }
    this.scheduleShrink();
  }

  /** A new worker, which the process's budget has counted in (map-budget.ts). */
  private create(): Worker {
    const workerData: WorkerStandby = { standby: true };
    this.counts.spawned++;
    const worker = new Worker(WORKER_URL, { execArgv: [], workerData, resourceLimits: this.resourceLimits });
    worker.once('exit', () => this.lent.delete(worker));
    return worker;
  }

  /** An idle worker's entry: ready once it reports so; dropped from the pool if it dies while idle. */
  private watch(worker: Worker): Standby {
    const standby: Standby = {
      worker,
      ready: false,
      detach: () => {
        worker.off('message', onMessage);
        worker.off('error', onGone);
        worker.off('exit', onGone);
      },
    };
    const onMessage = (m: WorkerReport): void => {
      if (m.type === 'warm' && m.held) standby.warm = standby.ranModule;
      if (m.type !== 'ready' && m.type !== 'warm') return;
      standby.ready = true;
      this.warmed = true;
    };
    // An idle worker that fails to load is dropped, not replaced at once (a broken shim would respawn forever);
    // the next take refills the pool.
    const onGone = (): void => {
      standby.detach();
      const i = this.idle.indexOf(standby);
      if (i >= 0) this.idle.splice(i, 1);
      void worker.terminate();
    };
    worker.on('message', onMessage);
    worker.on('error', onGone);
    worker.on('exit', onGone);
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return standby;
  }

  /** With no take for idleTimeoutMs, the pool shrinks back to minIdle. */
  private scheduleShrink(): void {
    if (this.shrinkTimer || this.idle.length <= this.minIdle || !this.enabled) return;
    const wait = Math.max(0, this.lastTake + this.idleTimeoutMs - Date.now());
    this.shrinkTimer = setTimeout(() => {
      this.shrinkTimer = undefined;
      // The newest go first: the oldest have had the most time to load.
      if (Date.now() - this.lastTake >= this.idleTimeoutMs) this.trim();
      this.scheduleShrink();
    }, wait);
    this.shrinkTimer.unref();
  }
}

/** A worker lent this recently is expected back (see refill). */
const RETURN_WINDOW_MS = 1000;

function sameLimits(a: ResourceLimits, b: ResourceLimits): boolean {
  const keys = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;
  return keys.every((k) => a[k] === b[k]);
}
