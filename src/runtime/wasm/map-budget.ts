// Whether this process can start one more worker thread: each holds some 45 memory mappings (V8 maps each
// 256 KiB page of its heap on its own), and the kernel allows a process vm.max_map_count of them (65,530 by
// default). A process past it is ended by V8's out-of-memory handler; Node 20 even hangs in that handler.
import * as fs from 'node:fs';
import type { ExitInfo } from '../sandbox.js';

/** What a worker thread is counted as, in mappings: an idle one holds ~45, a busy one's heap grows more pages. */
export const MAPS_PER_WORKER = 64;
/** How long a refusal stands before the mappings are counted again. */
export const REFUSAL_MS = 1000;

/**
 * Counts mappings without reading them until it must: it adds MAPS_PER_WORKER for each worker it admits, and
 * reads the real count (a read of /proc/self/maps, ~1 ms per 1,000 mappings) only when that estimate reaches
 * the limit less a reserve. The reserve is left for the main thread, the workers' heaps as they grow, and
 * workers still starting when the count was read.
 */
export class MapBudget {
  private counted: number | undefined;
  private admitted = 0;
  /** The last refusal and when: repeated for REFUSAL_MS without reading again (a read near the limit costs ~60 ms). */
  private refused?: { at: number; message: string };
  readonly reserve: number;

  /** `limit`: the kernel's (Infinity where there is none to read); `count`: the process's mappings now. */
  constructor(readonly limit: number, private readonly count: () => number, private readonly now: () => number = Date.now) {
    this.reserve = Math.max(2048, Math.floor(limit / 16));
  }

  private get room(): number {
    return this.limit - this.reserve;
  }

  /** Counts one more worker in; or, when the process has no room for it, says why and what to do. */
  admit(): string | undefined {
    if (this.limit === Infinity) return undefined;
    if (this.counted !== undefined && this.counted + (this.admitted + 1) * MAPS_PER_WORKER <= this.room) {
      this.admitted++;
      return undefined;
    }
    if (this.refused && this.now() - this.refused.at < REFUSAL_MS) return this.refused.message;
    this.refused = undefined;
    this.counted = this.count();
    this.admitted = 0;
    if (this.counted + MAPS_PER_WORKER > this.room) {
      this.refused = { at: this.now(), message: this.refusal() };
      return this.refused.message;
    }
    this.admitted = 1;
    return undefined;
  }

  private refusal(): string {
    return `cannot start a worker thread: this process holds ${this.counted} memory mappings and the kernel allows ` +
      `${this.limit} (vm.max_map_count); each worker holds some 45, and ${this.reserve} are kept for the running ones. ` +
      'Raise the limit (sysctl -w vm.max_map_count=262144), run fewer containers per process, or run them in ' +
      'shared workers (sharedWorkers, Node 24 or later: some 2 mappings per container)';
  }
}

/**
 * The kernel's limit (Infinity where there is none to read), or WASMPOD_MAX_MAP_COUNT when that is lower: a
 * process that must leave mappings to something else of its own plans by less (docs/library.md).
 */
export function mapLimit(env = process.env['WASMPOD_MAX_MAP_COUNT'], file = '/proc/sys/vm/max_map_count'): number {
  let limit = Infinity;
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(n) && n > 0) limit = n;
  } catch {
    // Not Linux: no such limit to plan by.
  }
  const asked = Number(env);
  return env !== undefined && env !== '' && Number.isInteger(asked) && asked > 0 ? Math.min(asked, limit) : limit;
}

function countMaps(): number {
  const text = fs.readFileSync('/proc/self/maps');
  let n = 0;
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) n++;
  return n;
}

let budget: MapBudget | undefined;

/** The process's budget (made at its first worker): one for every Runtime in it, as the limit is the process's. */
export function processMaps(): MapBudget {
  return (budget ??= new MapBudget(mapLimit(), countMaps));
}

/**
 * Counts a container's own worker in; or, when the process has no room for it, the exit its container ends
 * with at once, as one whose process runc failed to start (StartError, 128), saying why.
 */
export function admitWorker(): ExitInfo | undefined {
  const refused = processMaps().admit();
  return refused === undefined ? undefined : { exitCode: 128, reason: 'StartError', message: refused };
}
