// What the main thread and a container's worker exchange about the pod IPC namespace: op codes, flags, object inits.
import type { CallChannelInit } from '../call-channel.js';

/** Control calls on the call channel (args and results in the channel's ARGS words). */
export const enum IpcOp {
  /** args [flags, size] → results [id, size]; attaches a SegmentInit */
  OPEN_SEGMENT = 1,
  /** args [flags, maxmsg, msgsize] → results [id]; attaches a QueueInit */
  OPEN_QUEUE = 2,
  /** args [flags, value] → results [id]; attaches a SemaphoreInit */
  OPEN_SEMAPHORE = 3,
  /** args [kind] */
  UNLINK = 4,
}

export const enum IpcKind { SEGMENT = 1, QUEUE = 2, SEMAPHORE = 3 }

/** Open flags, as the guest passes them (wasmpod_ipc.h WASMPOD_IPC_*). */
export const O_CREAT = 1;
export const O_EXCL = 2;
export const O_READ = 4;
export const O_WRITE = 8;
export const O_NONBLOCK = 16;
export const O_ALL = O_CREAT | O_EXCL | O_READ | O_WRITE | O_NONBLOCK;

export interface SegmentInit { id: number; sab: SharedArrayBuffer }
export interface QueueInit { id: number; sab: SharedArrayBuffer }
export interface SemaphoreInit { id: number; sab: SharedArrayBuffer }

/** The part of WorkerStart that gives a container its pod's IPC namespace. */
export interface IpcInit {
  channel: CallChannelInit;
  /** This container run's owner id: tags queue slots and mutex words it holds. */
  owner: number;
  /** Its robust list (layout.ts): the mutexes it holds, released by the main thread when it dies. */
  robust: SharedArrayBuffer;
}
