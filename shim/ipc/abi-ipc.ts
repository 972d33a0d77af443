// The `wasmpod_ipc` import module: decodes guest pointers and calls the pod IPC objects (docs/ipc.md lists every function).
import type { GuestMemory } from '../wasi/memory.js';
import { syscall, u32 } from '../wasi/context.js';
import { Errno, WasiError } from '../wasi/errno.js';
import { IpcContext, timeoutMs } from './ipc-context.js';
import { IpcKind, O_NONBLOCK, O_READ, O_WRITE } from './protocol.js';
import { AtomicOp } from './segment.js';
import { MQ_PRIO_MAX } from './layout.js';

export const IPC_MODULE = 'wasmpod_ipc';

type Ptr = number;

/** Without a namespace (a container run outside a pod), every call answers ENOSYS. */
export function ipcImports(mem: GuestMemory, ipc: IpcContext | undefined): Record<string, (...a: never[]) => unknown> {
  const need = (): IpcContext => {
    if (!ipc) throw new WasiError(Errno.NOSYS);
    return ipc;
  };
  const name = (ptr: Ptr, len: number): Uint8Array => mem.bytes(u32(ptr), u32(len));
  const openTo = (out: Ptr, kind: IpcKind, n: Uint8Array, flags: number, a: number, b: number): void => {
    mem.check(u32(out), 4);
    mem.setU32(u32(out), need().open(kind, n, flags, a, b));
  };
  const unlink = (kind: IpcKind) => syscall((ptr: Ptr, len: number) => need().unlink(kind, name(ptr, len)));

  return {
    shm_open: syscall((ptr: Ptr, len: number, flags: number, size: number, out: Ptr) =>
      openTo(out, IpcKind.SEGMENT, name(ptr, len), flags, u32(size), 0)),
    shm_size: syscall((h: number, out: Ptr) => mem.setU32(u32(out), need().get(h, IpcKind.SEGMENT).seg.size)),
    shm_unlink: unlink(IpcKind.SEGMENT),
    shm_read: syscall((h: number, off: number, buf: Ptr, len: number) => {
      const { seg } = need().get(h, IpcKind.SEGMENT, O_READ);
      mem.bytes(u32(buf), u32(len)).set(seg.range(u32(off), u32(len)));
    }),
    shm_write: syscall((h: number, off: number, buf: Ptr, len: number) => {
      const { seg } = need().get(h, IpcKind.SEGMENT, O_WRITE);
      seg.range(u32(off), u32(len)).set(mem.bytes(u32(buf), u32(len)));
    }),
    shm_atomic: syscall((h: number, op: number, off: number, a: number, b: number, out: Ptr) => {
      const { seg } = need().get(h, IpcKind.SEGMENT, op === AtomicOp.LOAD ? O_READ : O_WRITE);
      mem.check(u32(out), 4);
      mem.setU32(u32(out), seg.atomic(op as AtomicOp, u32(off), a, b));
    }),
    shm_futex_wait: syscall((h: number, off: number, expected: number, timeout: bigint) =>
      need().get(h, IpcKind.SEGMENT, O_READ).seg.futexWait(u32(off), expected, timeoutMs(timeout))),
    shm_futex_wake: syscall((h: number, off: number, count: number, out: Ptr) => {
      const { seg } = need().get(h, IpcKind.SEGMENT);
      mem.check(u32(out), 4);
      mem.setU32(u32(out), seg.futexWake(u32(off), count));
    }),
    shm_mutex_lock: syscall((h: number, off: number, timeout: bigint) => {
      const ctx = need();
      const { seg } = ctx.get(h, IpcKind.SEGMENT, O_WRITE);
      seg.word(u32(off));
      // Listed before it is tried, so a container that dies while taking it still releases it.
      const had = ctx.robust.find(seg.id, u32(off));
      const entry = had >= 0 ? had : ctx.robust.add(seg.id, u32(off));
      if (entry < 0) return Errno.NOLCK;
      const r = seg.lock(u32(off), ctx.owner, timeoutMs(timeout));
      if (r !== Errno.SUCCESS && r !== Errno.OWNERDEAD && had < 0) ctx.robust.remove(entry);
      return r;
    }),
    shm_mutex_unlock: syscall((h: number, off: number) => {
      const ctx = need();
      const { seg } = ctx.get(h, IpcKind.SEGMENT, O_WRITE);
      const r = seg.unlock(u32(off), ctx.owner);
      if (r === Errno.SUCCESS) {
        const entry = ctx.robust.find(seg.id, u32(off));
        if (entry >= 0) ctx.robust.remove(entry);
      }
      return r;
    }),
    mq_open: syscall((ptr: Ptr, len: number, flags: number, maxmsg: number, msgsize: number, out: Ptr) =>
      openTo(out, IpcKind.QUEUE, name(ptr, len), flags, maxmsg, msgsize)),
    mq_unlink: unlink(IpcKind.QUEUE),
    mq_send: syscall((h: number, buf: Ptr, len: number, prio: number, timeout: bigint) => {
      const ctx = need();
      const { q, flags } = ctx.get(h, IpcKind.QUEUE, O_WRITE);
      if (u32(prio) >= MQ_PRIO_MAX) return Errno.INVAL;
      if (u32(len) > q.msgsize) return Errno.MSGSIZE;
      return q.send(mem.bytes(u32(buf), u32(len)), prio, ctx.owner, flags & O_NONBLOCK ? 0 : timeoutMs(timeout));
    }),
    mq_receive: syscall((h: number, buf: Ptr, bufLen: number, lenOut: Ptr, prioOut: Ptr, timeout: bigint) => {
      const ctx = need();
      const { q, flags } = ctx.get(h, IpcKind.QUEUE, O_READ);
      if (u32(bufLen) < q.msgsize) return Errno.MSGSIZE;
      const dst = mem.bytes(u32(buf), u32(bufLen));
      mem.check(u32(lenOut), 4);
      if (prioOut !== 0) mem.check(u32(prioOut), 4);
      const n = q.receive(dst, ctx.owner, flags & O_NONBLOCK ? 0 : timeoutMs(timeout));
      if (n < 0) return -n;
      mem.setU32(u32(lenOut), n);
      if (prioOut !== 0) mem.setU32(u32(prioOut), q.lastPriority);
      return Errno.SUCCESS;
    }),
    mq_getattr: syscall((h: number, out: Ptr) => {
      const { q, flags } = need().get(h, IpcKind.QUEUE);
      mem.check(u32(out), 16);
      mem.setU32(u32(out), q.maxmsg);
      mem.setU32(u32(out) + 4, q.msgsize);
      mem.setU32(u32(out) + 8, q.count());
      mem.setU32(u32(out) + 12, flags);
    }),
    sem_open: syscall((ptr: Ptr, len: number, flags: number, value: number, out: Ptr) =>
      openTo(out, IpcKind.SEMAPHORE, name(ptr, len), flags, value, 0)),
    sem_unlink: unlink(IpcKind.SEMAPHORE),
    sem_wait: syscall((h: number, timeout: bigint) => {
      const { sem, flags } = need().get(h, IpcKind.SEMAPHORE, O_READ | O_WRITE);
      return sem.wait(flags & O_NONBLOCK ? 0 : timeoutMs(timeout));
    }),
    sem_post: syscall((h: number) => need().get(h, IpcKind.SEMAPHORE, O_WRITE).sem.post()),
    sem_getvalue: syscall((h: number, out: Ptr) => mem.setU32(u32(out), need().get(h, IpcKind.SEMAPHORE).sem.value())),
    close: syscall((h: number) => need().close(h)),
  };
}

/** The function names of `wasmpod_ipc`, for the admission check. */
export const IPC_FUNCTIONS: readonly string[] = Object.keys(ipcImports({} as GuestMemory, undefined));
