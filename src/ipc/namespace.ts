// A pod's IPC namespace: the registry of its named segments, queues and semaphores, kept in the main thread.
//
// The objects themselves are SharedArrayBuffers handed to every container that opens them; only opening,
// creating and unlinking come here, over each container's call channel (shim/call-channel.ts).
import { CallServer, type CallRequest } from '../../shim/call-channel.js';
import { Errno } from '../../shim/wasi/errno.js';
import { MAX_OWNER, ROBUST_BYTES } from '../../shim/ipc/layout.js';
import { IpcKind, IpcOp, O_ALL, O_CREAT, O_EXCL, O_READ, O_WRITE, type IpcInit } from '../../shim/ipc/protocol.js';
import { MessageQueue, createQueueBuffer, queueBytes } from '../../shim/ipc/queue.js';
import { createSemaphoreBuffer } from '../../shim/ipc/semaphore.js';
import { releaseRobustList } from '../../shim/ipc/robust-list.js';
import { Segment } from '../../shim/ipc/segment.js';

/** Per-pod limits: a guest cannot make the host allocate without bound. */
export const IPC_LIMITS = {
  objects: 1024,
  segmentBytes: 256 * 1024 * 1024,
  podBytes: 1024 * 1024 * 1024,
  maxmsg: 65536,
  msgsize: 1024 * 1024,
  queueBytes: 64 * 1024 * 1024,
};
/** mq_open's defaults when both attributes are 0 (Linux's /proc/sys/fs/mqueue defaults). */
export const QUEUE_DEFAULTS = { maxmsg: 10, msgsize: 8192 };
const NAME_MAX = 255;

export interface IpcObject {
  kind: IpcKind;
  id: number;
  sab: SharedArrayBuffer;
}

export interface IpcSession {
  /** Hand to the container's worker (transfer `init.channel.port`). */
  init: IpcInit;
  /** Call when the worker has ended: releases what it held (mutexes, half-moved messages). */
  end(): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** "/name" or "name": one path component of 1..255 bytes. */
export function checkName(bytes: Uint8Array): string | Errno {
  let s: string;
  try {
    s = utf8.decode(bytes);
  } catch {
    return Errno.INVAL;
  }
  if (s.startsWith('/')) s = s.slice(1);
  if (bytes.length > NAME_MAX + 1) return Errno.NAMETOOLONG;
  if (s.length === 0 || s.includes('/') || s.includes('\0')) return Errno.INVAL;
  return s;
}

export class IpcNamespace {
  private readonly names = new Map<string, IpcObject>();
  private count = 0;
  private nextId = 1;
  private nextOwner = 1;
  private bytes = 0;
  /** Set when the pod has ended. */
  closed = false;

  /** Opens or creates a segment of `size` bytes (rounded up to a whole word). */
  openSegment(name: string, flags: number, size: number): IpcObject | Errno {
    return this.open(IpcKind.SEGMENT, name, flags, () => {
      if (size <= 0 || size > IPC_LIMITS.segmentBytes) return Errno.INVAL;
      return new SharedArrayBuffer((size + 3) & ~3);
    });
  }

  /** Opens or creates a queue; attributes 0, 0 mean the defaults; they are ignored when it exists. */
  openQueue(name: string, flags: number, maxmsg: number, msgsize: number): IpcObject | Errno {
    return this.open(IpcKind.QUEUE, name, flags, () => {
      if (maxmsg === 0 && msgsize === 0) ({ maxmsg, msgsize } = QUEUE_DEFAULTS);
      if (maxmsg <= 0 || maxmsg > IPC_LIMITS.maxmsg || msgsize <= 0 || msgsize > IPC_LIMITS.msgsize) return Errno.INVAL;
      if (queueBytes(maxmsg, msgsize) > IPC_LIMITS.queueBytes) return Errno.INVAL;
      return createQueueBuffer(maxmsg, msgsize);
    });
  }

  openSemaphore(name: string, flags: number, value: number): IpcObject | Errno {
    return this.open(IpcKind.SEMAPHORE, name, flags, () => value < 0 ? Errno.INVAL : createSemaphoreBuffer(value));
  }

  private open(kind: IpcKind, name: string, flags: number, make: () => SharedArrayBuffer | Errno): IpcObject | Errno {
    if (this.closed) return Errno.NOENT;
    if ((flags & ~O_ALL) !== 0 || (flags & (O_READ | O_WRITE)) === 0) return Errno.INVAL;
    const key = `${kind}:${name}`;
    const found = this.names.get(key);
    if (found) return flags & O_CREAT && flags & O_EXCL ? Errno.EXIST : found;
    if (!(flags & O_CREAT)) return Errno.NOENT;
    if (this.count >= IPC_LIMITS.objects) return Errno.NFILE;
    const sab = make();
    if (typeof sab === 'number') return sab;
    if (this.bytes + sab.byteLength > IPC_LIMITS.podBytes) return Errno.NOSPC;
    this.bytes += sab.byteLength;
    const obj: IpcObject = { kind, id: this.nextId++, sab };
    this.names.set(key, obj);
    this.count++;
    return obj;
  }

  /** Removes the name; containers that have the object open keep using it. */
  unlink(kind: IpcKind, name: string): Errno {
    const key = `${kind}:${name}`;
    const obj = this.names.get(key);
    if (!obj) return Errno.NOENT;
    this.names.delete(key);
    this.count--;
    this.bytes -= obj.sab.byteLength;
    return Errno.SUCCESS;
  }

  /** Starts a container run's session: its call channel, owner id and robust list. */
  attach(): IpcSession {
    const owner = this.nextOwner;
    this.nextOwner = this.nextOwner >= MAX_OWNER ? 1 : this.nextOwner + 1;
    const opened = new Map<number, IpcObject>();
    const server = new CallServer((req) => this.serve(req, opened));
    const robust = new SharedArrayBuffer(ROBUST_BYTES);
    return {
      init: { channel: server.init, owner, robust },
      end: () => {
        server.close();
        for (const obj of opened.values()) {
          if (obj.kind === IpcKind.QUEUE) new MessageQueue(obj.sab).recover(owner);
        }
        releaseRobustList(robust, owner, (id) => {
          const obj = opened.get(id);
          return obj?.kind === IpcKind.SEGMENT ? new Segment(id, obj.sab) : undefined;
        });
      },
    };
  }

  private serve(req: CallRequest, opened: Map<number, IpcObject>): Errno {
    const name = checkName(req.payload);
    if (typeof name === 'number') return name;
    const a = req.args;
    let r: IpcObject | Errno;
    switch (req.op) {
      case IpcOp.OPEN_SEGMENT: r = this.openSegment(name, a[0], a[1] >>> 0); break;
      case IpcOp.OPEN_QUEUE: r = this.openQueue(name, a[0], a[1], a[2]); break;
      case IpcOp.OPEN_SEMAPHORE: r = this.openSemaphore(name, a[0], a[1]); break;
      case IpcOp.UNLINK: return this.unlink(a[0] as IpcKind, name);
      default: return Errno.NOSYS;
    }
    if (typeof r === 'number') return r;
    opened.set(r.id, r);
    a[0] = r.id;
    a[1] = r.sab.byteLength;
    req.attach({ id: r.id, sab: r.sab });
    return Errno.SUCCESS;
  }

  /** The pod has ended: forget every name (the buffers go when the last worker lets go of them). */
  close(): void {
    this.closed = true;
    this.names.clear();
    this.count = 0;
    this.bytes = 0;
  }
}
