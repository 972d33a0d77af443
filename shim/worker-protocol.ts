// What the main thread hands a container's worker, and what the worker reports back: the only messages per container.
import type { RingInit } from './ring/byte-ring.js';
import type { MountSpec } from './fs/vfs.js';
import type { TerminationInit } from './fd/termination.js';
import type { IpcInit } from './ipc/protocol.js';
import type { NetInit } from './net/protocol.js';
import type { ComponentStart } from './component/protocol.js';

export interface WorkerStart {
  /** The compiled module, shared with every worker that runs the same digest. */
  module: WebAssembly.Module;
  argv: string[];
  /** "NAME=value" strings, exactly the guest's environment. */
  env: string[];
  mounts: MountSpec[];
  stdout: RingInit;
  stderr: RingInit;
  /** Absent when the container has no stdin: reads return EOF at once. */
  stdin?: RingInit;
  /** The termination notice, when the container asked for it (see fd/termination.ts). */
  termination?: TerminationInit;
  /** The pod's IPC namespace (see ipc/protocol.ts); absent outside a pod. */
  ipc?: IpcInit;
  /** The pod's network (see net/protocol.ts); absent outside a pod. */
  net?: NetInit;
  /** The container's doorbell word (see ring/byte-ring.ts). */
  bell: SharedArrayBuffer;
  /** Set when the image is a WASI 0.2 component (see component/run.ts); `module` is then its main core module. */
  component?: ComponentStart;
  /**
   * Set when the run was created ahead of its start (OCI's create, then start): the worker builds the context and
   * instantiates, sets word 0 from GATE_WAIT to GATE_READY, then waits for GATE_GO (it runs the guest) or
   * GATE_CANCEL (it reports a clean exit without running it). A start that finds GATE_READY counts the run as
   * started itself (as runc's start does once its container is created), so the worker then reports no
   * `started`; one that finds GATE_WAIT (the guest still instantiating) leaves that report to the worker.
   */
  gate?: SharedArrayBuffer;
  /**
   * Run the instance of `module` this pooled worker made after its last run (it reported `warm`). The host sent
   * this at the container's start and counted the run started then, as runc's start does once the container it
   * created is let go: the worker reports no `started`.
   */
  warm?: boolean;
}

export const GATE_WAIT = 0;
export const GATE_GO = 1;
export const GATE_CANCEL = 2;
export const GATE_READY = 3;

/** The workerData of a pooled worker: it loads the shim, reports 'ready', then runs each WorkerStart message it gets. */
export interface WorkerStandby {
  standby: true;
}

export type WorkerReport =
  | { type: 'ready' }
  | { type: 'started' }
  /**
   * A pooled worker is done after a clean run: `held`, it made a fresh instance of the module it ran, for a next
   * run sent `warm`.
   */
  | { type: 'warm'; held: boolean }
  /** `reusable`: the guest ended cleanly (returned, proc_exit, or never started): the worker may run another. */
  | { type: 'exit'; code: number; reason: 'Completed' | 'Error'; message?: string; memoryBytes?: number; reusable?: boolean };

/** What the host sends a shared worker (shared-worker.ts): run a guest, or kill one it runs. */
export type SharedRequest =
  | { type: 'run'; runId: number; start: WorkerStart }
  | { type: 'kill'; runId: number };

/** What a shared worker reports, per guest (runId 0: the worker itself, once, when it is ready). */
export interface SharedReport {
  runId: number;
  report: WorkerReport;
}

/** The exit code of a container whose guest trapped: 128 + SIGABRT, as wasmtime's CLI and a crashed native process give. */
export const TRAP_EXIT_CODE = 134;
