// Gives memory back once a burst of pods is over. Under load the main isolate's young generation grows to
// its maximum (2 × 16 MiB semi-spaces on 64-bit Node 20) and every page of it gets touched; V8 shrinks it
// only in a full GC that runs while the allocation rate is low, and a quiet server runs no full GC, so
// the 32 MiB stayed resident after the load (bench/RESULTS.md, 2026-12-07). Here, once no pod has started
// or ended for a while, two full GCs run a few seconds apart: the second sees a quiet allocation rate and
// V8 shrinks the young generation back to 1 MiB and frees the old generation's empty pages.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

type GcFunction = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * The collection that gives memory back to the system. Since V8 13 (Node 24) the pages a GC frees are kept
 * in a pool for the isolate to reuse, not unmapped: a plain full GC leaves them resident (a script that let
 * go of a 360 MiB heap still had 317 MiB of RSS after two; Node 20 was back to 68 MiB). Only a memory-reducing
 * collection, which `gc()` runs when asked for its last-resort flavor, flushes the pool (61 MiB).
 */
const RELEASING_GC = Number(process.versions.v8.split('.')[0]) >= 13
  ? { type: 'major', execution: 'sync', flavor: 'last-resort' } as const
  : undefined;

let gcFunction: GcFunction | null | undefined;

/**
 * V8's `gc()`: the global one when node runs with --expose-gc, else taken from a fresh context made while
 * the flag is set for a moment (and unset at once, so no other context or worker gets a `gc` global).
 * Null when the flag cannot be set.
 */
export function gcFunctionOf(): GcFunction | null {
  if (gcFunction !== undefined) return gcFunction;
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return (gcFunction = global as GcFunction);
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    gcFunction = typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    gcFunction = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return gcFunction;
}

export interface IdleMemoryOptions {
  /** How long no pod may start or end before memory is given back, in ms; 0 never gives it back. */
  quietMs: number;
  /** The pause between the two full GCs, in ms (default 5 000: V8 judges the allocation rate over 5 s). */
  spacingMs?: number;
  /** Called after the second GC (tests). */
  onRelease?: () => void;
  /** Called once the quiet period is over, before the first GC: let go of what is kept for the next burst. */
  onQuiet?: () => void;
}

/** Runs two spaced full GCs once no pod has started or ended for `quietMs`; once per burst of activity. */
export class IdleMemory {
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** How many times memory was given back (tests, diagnostics). */
  releases = 0;

  constructor(private readonly opts: IdleMemoryOptions) {}

  /** A pod started or ended, or the watch history let go of what it held: (re)starts the quiet period. */
  activity(): void {
    if (this.closed || this.opts.quietMs <= 0) return;
    this.arm(this.opts.quietMs, () => this.first());
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number, fn: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
    this.timer.unref();
  }

  private first(): void {
    this.opts.onQuiet?.();
    const gc = gcFunctionOf();
    if (!gc) return;
    gc();
    this.arm(this.opts.spacingMs ?? 5_000, () => this.second(gc));
  }

  /** The last step of a burst: nothing is armed after it, so a quiet server is not collected again and again. */
  private second(gc: GcFunction): void {
    gc(RELEASING_GC);
    this.timer = undefined;
    this.releases++;
    this.opts.onRelease?.();
  }
}
