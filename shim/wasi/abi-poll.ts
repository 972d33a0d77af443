// ABI: poll_oneoff over clocks and fds; it sleeps on the container's doorbell, which every ring it reads or writes rings.
import { Errno, WasiError } from './errno.js';
import {
  Clockid, EVENT_FD_READWRITE_HANGUP, EVENT_SIZE, Eventtype, Rights, SUBCLOCK_ABSTIME, SUBSCRIPTION_SIZE,
} from './constants.js';
import { ProcExit, type WasiContext, syscall, u32 } from './context.js';
import { now } from './abi-proc.js';
import type { FdObject } from '../fd/fd-object.js';
import { MAX_FDS } from '../fd/fd-table.js';
import { killRequested, sleepOnBell } from '../ring/doorbell.js';
import { WouldBlock } from '../ring/block.js';

/**
 * The most subscriptions one poll_oneoff takes; more is EINVAL, as poll(2) answers for more fds than RLIMIT_NOFILE.
 * wasi-libc's poll() makes up to two per pollfd and one for its timeout, so a poll of every fd a guest may hold
 * (MAX_FDS) fits. The host makes objects per subscription: millions would exhaust the worker's JS heap.
 */
export const POLL_MAX_SUBSCRIPTIONS = 2 * MAX_FDS + 1;

interface Sub {
  userdata: bigint;
  type: number;
  /** Monotonic deadline of a clock subscription. */
  deadline?: bigint;
  fd?: FdObject;
  error: number;
}

interface Event { userdata: bigint; type: number; error: number; nbytes: bigint; flags: number }

function readSubs(ctx: WasiContext, inPtr: number, n: number): Sub[] {
  const { mem } = ctx;
  mem.check(inPtr, n * SUBSCRIPTION_SIZE);
  const subs: Sub[] = [];
  for (let i = 0; i < n; i++) {
    const p = inPtr + i * SUBSCRIPTION_SIZE;
    const sub: Sub = { userdata: mem.u64(p), type: mem.u8(p + 8), error: 0 };
    if (sub.type === Eventtype.CLOCK) {
      const id = mem.u32(p + 16);
      const timeout = mem.u64(p + 24);
      const flags = mem.u16(p + 40);
      try {
        const t = now(id);
        const mono = id === Clockid.MONOTONIC ? t : now(Clockid.MONOTONIC);
        sub.deadline = flags & SUBCLOCK_ABSTIME ? mono + (timeout - t) : mono + timeout;
      } catch (err) {
        if (!(err instanceof WasiError)) throw err;
        sub.error = err.errno;
      }
    } else if (sub.type === Eventtype.FD_READ || sub.type === Eventtype.FD_WRITE) {
      try {
        sub.fd = ctx.fds.get(mem.u32(p + 16));
        sub.fd.require(Rights.POLL_FD_READWRITE);
      } catch (err) {
        if (!(err instanceof WasiError)) throw err;
        sub.error = err.errno;
      }
    } else {
      throw new WasiError(Errno.INVAL);
    }
    subs.push(sub);
  }
  return subs;
}

/** The events that are ready now, without waiting. */
function ready(subs: Sub[]): Event[] {
  const out: Event[] = [];
  const t = now(Clockid.MONOTONIC);
  for (const s of subs) {
    const ev = { userdata: s.userdata, type: s.type, error: s.error, nbytes: 0n, flags: 0 };
    if (s.error) out.push(ev);
    else if (s.type === Eventtype.CLOCK) {
      if (s.deadline! <= t) out.push(ev);
    } else {
      const r = s.fd!.readiness(s.type === Eventtype.FD_WRITE);
      if (r.nbytes >= 0 || r.hangup) {
        ev.nbytes = BigInt(Math.max(0, r.nbytes));
        ev.flags = r.hangup ? EVENT_FD_READWRITE_HANGUP : 0;
        out.push(ev);
      }
    }
  }
  return out;
}

export function pollImports(ctx: WasiContext): Record<string, (...a: never[]) => unknown> {
  const { mem, bell } = ctx;
  return {
    poll_oneoff: syscall((inPtr: number, outPtr: number, n: number, neventsPtr: number) => {
      const count = u32(n);
      if (count === 0 || count > POLL_MAX_SUBSCRIPTIONS) throw new WasiError(Errno.INVAL);
      mem.check(u32(outPtr), count * EVENT_SIZE);
      mem.check(u32(neventsPtr), 4);
      const subs = readSubs(ctx, u32(inPtr), count);
      let deadline: bigint | undefined;
      for (const s of subs) if (s.deadline !== undefined && (deadline === undefined || s.deadline < deadline)) deadline = s.deadline;
      let events: Event[] = [];
      const check = (): boolean => (events = ready(subs)).length > 0;
      const finish = (): number => {
        for (;;) {
          const waitMs = deadline === undefined ? Infinity : Number(deadline - now(Clockid.MONOTONIC)) / 1e6;
          if (killRequested(bell)) throw new ProcExit(137, 'SIGKILL');
          if (sleepOnBell(bell, check, waitMs)) break;
        }
        return writeEvents(ctx, events, outPtr, neventsPtr);
      };
      try {
        return finish();
      } catch (err) {
        // In a shared worker the sleep unwinds; the wrapper goes on with the same deadline, not a new one.
        if (err instanceof WouldBlock) err.resume = finish;
        throw err;
      }
    }),
  };
}

function writeEvents(ctx: WasiContext, events: Event[], outPtr: number, neventsPtr: number): number {
  const { mem } = ctx;
  events.forEach((e, i) => {
    const p = u32(outPtr) + i * EVENT_SIZE;
    mem.bytes(p, EVENT_SIZE).fill(0);
    mem.setU64(p, e.userdata);
    mem.setU16(p + 8, e.error);
    mem.setU8(p + 10, e.type);
    mem.setU64(p + 16, e.nbytes);
    mem.setU16(p + 24, e.flags);
  });
  mem.setU32(u32(neventsPtr), events.length);
  return 0;
}
