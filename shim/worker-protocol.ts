// What the main thread hands a container's worker, and what the worker reports back: the only messages per container.
import type { RingInit } from './ring/byte-ring.js';
import type { MountSpec } from './fs/vfs.js';

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
  /** The container's doorbell word (see ring/byte-ring.ts). */
  bell: SharedArrayBuffer;
}

export type WorkerReport =
  | { type: 'started' }
  | { type: 'exit'; code: number; reason: 'Completed' | 'Error'; message?: string };

/** The exit code of a container whose guest trapped: 128 + SIGABRT, as wasmtime's CLI and a crashed native process give. */
export const TRAP_EXIT_CODE = 134;
