// The public API of the wasmpod library.
export { Runtime, PodAlreadyExistsError, type RuntimeOptions, type RunPodOptions } from './runtime.js';
export { PodHandle, type OutputEvent, type LogOptions } from './pod/pod-handle.js';
export type { LogLine } from './logs/log-store.js';
export type { BackoffOptions } from './pod/backoff.js';
export * from './errors.js';
export { PodIpc, PodQueue, type OpenOptions } from './ipc/pod-ipc.js';
export { IpcError } from './ipc/errors.js';
export { VolumeSetupError, ConfigRefError, SubPathError } from './volume/errors.js';
export type { ConfigSources } from './volume/config-sources.js';
export * from './spec/index.js';
export { TRAP_EXIT_CODE } from '../shim/worker-protocol.js';
export type { PodEvent } from './pod/events.js';
export type { Capacity } from './pod/admission.js';
export type { WorkerPoolOptions, WorkerPoolStats } from './runtime/wasm/worker-pool.js';
export * from './image/index.js';
export * from './net/index.js';
export * from './runtime/linux/index.js';
export { ApiServer, type ServeOptions } from './server/server.js';
