// A container's view of its pod's IPC namespace: its handle table, and opens that go to the main thread.
import { CALL_DATA_BYTES, CallClient } from '../call-channel.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { IpcKind, IpcOp, type IpcInit, type QueueInit } from './protocol.js';
import { MessageQueue } from './queue.js';
import { RobustList } from './robust-list.js';
import { Segment } from './segment.js';
import { Semaphore } from './semaphore.js';

export type IpcHandle =
  | { kind: IpcKind.SEGMENT; flags: number; seg: Segment }
  | { kind: IpcKind.QUEUE; flags: number; q: MessageQueue }
  | { kind: IpcKind.SEMAPHORE; flags: number; sem: Semaphore };

/** The most handles one container may hold open. */
export const MAX_HANDLES = 1024;

export class IpcContext {
  readonly owner: number;
  readonly robust: RobustList;
  private readonly client: CallClient;
  private readonly handles: (IpcHandle | undefined)[] = [undefined]; // handle 0 is never valid

  constructor(init: IpcInit) {
    this.client = new CallClient(init.channel);
    this.owner = init.owner;
    this.robust = new RobustList(init.robust);
  }

  /** Opens (or creates) a named object and returns its handle; failures are WasiErrors. */
  open(kind: IpcKind, name: Uint8Array, flags: number, a: number, b: number): number {
    if (name.length > CALL_DATA_BYTES) throw new WasiError(Errno.NAMETOOLONG);
    const slot = this.handles.indexOf(undefined, 1);
    if (slot < 0 && this.handles.length >= MAX_HANDLES) throw new WasiError(Errno.MFILE);
    const op = kind === IpcKind.SEGMENT ? IpcOp.OPEN_SEGMENT : kind === IpcKind.QUEUE ? IpcOp.OPEN_QUEUE : IpcOp.OPEN_SEMAPHORE;
    const args = this.client.args;
    args[0] = flags; args[1] = a; args[2] = b;
    const status = this.client.call(op, name);
    if (status !== 0) throw new WasiError(status as Errno);
    const obj = this.client.take<QueueInit>();
    if (!obj) throw new WasiError(Errno.IO);
    const h: IpcHandle = kind === IpcKind.SEGMENT ? { kind, flags, seg: new Segment(obj.id, obj.sab) }
      : kind === IpcKind.QUEUE ? { kind, flags, q: new MessageQueue(obj.sab) }
      : { kind, flags, sem: new Semaphore(obj.sab) };
    if (slot > 0) {
      this.handles[slot] = h;
      return slot;
    }
    return this.handles.push(h) - 1;
  }

  unlink(kind: IpcKind, name: Uint8Array): void {
    if (name.length > CALL_DATA_BYTES) throw new WasiError(Errno.NAMETOOLONG);
    this.client.args[0] = kind;
    const status = this.client.call(IpcOp.UNLINK, name);
    if (status !== 0) throw new WasiError(status as Errno);
  }

  /** The open handle of that kind, or BADF; `need` is O_READ and/or O_WRITE. */
  get<K extends IpcKind>(h: number, kind: K, need = 0): Extract<IpcHandle, { kind: K }> {
    const e = h > 0 ? this.handles[h] : undefined;
    if (!e || e.kind !== kind || (e.flags & need) !== need) throw new WasiError(Errno.BADF);
    return e as Extract<IpcHandle, { kind: K }>;
  }

  close(h: number): void {
    if (!(h > 0 && this.handles[h])) throw new WasiError(Errno.BADF);
    this.handles[h] = undefined;
  }
}

/** A guest timeout in nanoseconds as milliseconds: negative waits forever, 0 does not wait. */
export function timeoutMs(ns: bigint): number {
  if (ns < 0n) return Infinity;
  return Number(ns) / 1e6;
}
