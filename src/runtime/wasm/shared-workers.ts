// Shared workers (Node 24+, JSPI): many containers' guests in one thread, suspended where they would block.
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import type { SharedReport, SharedRequest, WorkerReport, WorkerStart } from '../../../shim/worker-protocol.js';
import { shimUrl } from './shim-url.js';
import { WasmpodError } from '../../errors.js';

export const SHARED_WORKER_URL = shimUrl('shared-worker.js');

export interface SharedWorkersOptions {
  /** The most guests one shared worker runs at once (default 64); more start another worker. */
  guestsPerWorker?: number;
}

export class SharedWorkersUnavailableError extends WasmpodError {
  readonly code = 'ERR_SHARED_WORKERS_UNAVAILABLE';
}

/** Whether this Node has JSPI (WebAssembly.Suspending and WebAssembly.promising): Node 24 and later. */
export function jspiAvailable(): boolean {
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  return typeof wasm['Suspending'] === 'function' && typeof wasm['promising'] === 'function';
}

/** What a container hears of its guest in a shared worker. */
export interface SharedRunEvents {
  started(): void;
  exit(report: Extract<WorkerReport, { type: 'exit' }>): void;
  /** The worker died (or was ended) with the guest in it. */
  lost(message: string): void;
}

/** One guest's run: it can be asked to stop (it unwinds at its next wait), or its whole worker ended. */
export interface SharedRun {
  kill(): void;
  /** Ends the worker and every guest in it: for a guest that does not stop (it never waits). */
  endWorker(reason: string): Promise<void>;
}

interface Host {
  worker: Worker;
  runs: Map<number, SharedRunEvents>;
  /** Why the host ended it, told to the guests that die with it. */
  endedBecause?: string;
}

/**
 * The shared workers of a runtime. A guest goes to the first worker with room, else to a new one. A
 * worker with no guest is unref'd (it never keeps the process alive) and kept, one at most, for the next.
 */
export class SharedWorkers {
  readonly guestsPerWorker: number;
  private readonly hosts: Host[] = [];
  private nextRun = 1;
  private closed = false;

  constructor(readonly resourceLimits: ResourceLimits, opts: SharedWorkersOptions = {}) {
    if (!jspiAvailable()) {
      throw new SharedWorkersUnavailableError(`sharedWorkers needs JSPI (WebAssembly.Suspending), which Node ${process.version} lacks: use Node 24 or later`);
    }
    this.guestsPerWorker = Math.max(1, Math.floor(opts.guestsPerWorker ?? 64));
  }

  /** Counters for tests and benchmarks. */
  get stats(): { workers: number; guests: number } {
    return { workers: this.hosts.length, guests: this.hosts.reduce((n, h) => n + h.runs.size, 0) };
  }

  run(start: WorkerStart, transferList: TransferListItem[], events: SharedRunEvents): SharedRun {
    if (this.closed) throw new Error('the runtime is closed');
    const host = this.hosts.find((h) => h.runs.size < this.guestsPerWorker && !h.endedBecause) ?? this.spawn();
    const runId = this.nextRun++;
    host.runs.set(runId, events);
    host.worker.ref();
    const request: SharedRequest = { type: 'run', runId, start };
    host.worker.postMessage(request, transferList);
    return {
      kill: () => {
        if (host.runs.has(runId)) host.worker.postMessage({ type: 'kill', runId } satisfies SharedRequest);
      },
      endWorker: async (reason: string) => {
        if (!host.runs.has(runId)) return;
        host.endedBecause ??= reason;
        await host.worker.terminate();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.hosts.map((h) => h.worker.terminate()));
  }

  private spawn(): Host {
    const worker = new Worker(SHARED_WORKER_URL, { execArgv: [], resourceLimits: this.resourceLimits });
    const host: Host = { worker, runs: new Map() };
    this.hosts.push(host);
    let failure: string | undefined;
    worker.on('message', (m: SharedReport) => {
      const events = host.runs.get(m.runId);
      if (!events) return;
      if (m.report.type === 'started') events.started();
      else if (m.report.type === 'exit') {
        host.runs.delete(m.runId);
        events.exit(m.report);
        this.idle(host);
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      failure ??= err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the shared worker exceeded its JS heap budget' : `the shared worker failed: ${err.message}`;
    });
    worker.on('exit', () => {
      const i = this.hosts.indexOf(host);
      if (i >= 0) this.hosts.splice(i, 1);
      const message = host.endedBecause ?? failure ?? 'the shared worker ended';
      const runs = [...host.runs.values()];
      host.runs.clear();
      for (const r of runs) r.lost(message);
    });
    return host;
  }

  /** A worker left without guests stops holding the process; beyond one such, it is ended. */
  private idle(host: Host): void {
    if (host.runs.size > 0) return;
    host.worker.unref();
    const empty = this.hosts.filter((h) => h.runs.size === 0);
    if (empty.length > 1) {
      // Marked first: no new guest is placed in a worker on its way out.
      host.endedBecause = 'retired';
      void host.worker.terminate();
    }
  }
}
