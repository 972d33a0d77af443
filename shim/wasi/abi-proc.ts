// ABI: args, environ, clocks, random, proc_exit, proc_raise, sched_yield.
import { Clockid } from './constants.js';
import { Errno, WasiError } from './errno.js';
import { ProcExit, type WasiContext, syscall, u32 } from './context.js';

const monoOrigin = process.hrtime.bigint();
// Realtime is the monotonic clock plus a fixed offset, so it has nanosecond steps and never goes backwards within a run.
const realOffset = BigInt(Date.now()) * 1_000_000n - monoOrigin;

export function now(clock: number): bigint {
  switch (clock) {
    case Clockid.REALTIME: return process.hrtime.bigint() + realOffset;
    case Clockid.MONOTONIC: return process.hrtime.bigint();
    case Clockid.PROCESS_CPUTIME:
    case Clockid.THREAD_CPUTIME: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
    default: throw new WasiError(Errno.INVAL);
  }
}

function resolution(clock: number): bigint {
  switch (clock) {
    case Clockid.REALTIME:
    case Clockid.MONOTONIC: return 1n;
    case Clockid.PROCESS_CPUTIME:
    case Clockid.THREAD_CPUTIME: return 1000n;
    default: throw new WasiError(Errno.INVAL);
  }
}

// WASI signal numbers whose default action is to be ignored, or to stop (which a worker cannot).
const IGNORED = new Set([16, 17, 22, 27]); // chld, cont, urg, winch
const STOPPING = new Set([18, 19, 20, 21]); // stop, tstp, ttin, ttou
const SIGNAL_NAMES = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
  'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGCHLD', 'SIGCONT', 'SIGSTOP',
  'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGPOLL',
  'SIGPWR', 'SIGSYS'];
// Linux signal numbers for the exit code 128+n a shell would report.
const LINUX_NUMBER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25,
  26, 27, 28, 29, 30, 31];

export function procImports(ctx: WasiContext): Record<string, (...a: never[]) => unknown> {
  const { mem } = ctx;
  const sizes = (items: Uint8Array[], countPtr: number, sizePtr: number): void => {
    mem.setU32(u32(countPtr), items.length);
    mem.setU32(u32(sizePtr), items.reduce((n, b) => n + b.length + 1, 0));
  };
  return {
    args_sizes_get: syscall((c: number, s: number) => sizes(ctx.args, c, s)),
    args_get: syscall((p: number, b: number) => mem.writeStringTable(ctx.args, u32(p), u32(b))),
    environ_sizes_get: syscall((c: number, s: number) => sizes(ctx.env, c, s)),
    environ_get: syscall((p: number, b: number) => mem.writeStringTable(ctx.env, u32(p), u32(b))),
    clock_res_get: syscall((id: number, out: number) => mem.setU64(u32(out), resolution(id))),
    clock_time_get: syscall((id: number, _precision: bigint, out: number) => {
      mem.check(u32(out), 8);
      mem.setU64(u32(out), now(id));
    }),
    random_get: syscall((buf: number, len: number) => {
      const b = mem.bytes(u32(buf), u32(len));
      // Loaded by the first call, not imported: node:crypto's modules would sit in every worker (~0.3 MiB).
      const { randomFillSync } = process.getBuiltinModule('node:crypto');
      for (let i = 0; i < b.length; i += 65536) randomFillSync(b.subarray(i, Math.min(b.length, i + 65536)));
    }),
    sched_yield: syscall(() => {
      // One worker per container: yielding the thread means briefly letting the OS run others.
      Atomics.wait(ctx.bell, 0, Atomics.load(ctx.bell, 0), 0);
    }),
    proc_exit: (code: number) => {
      throw new ProcExit(u32(code));
    },
    proc_raise: syscall((sig: number) => {
      if (sig < 0 || sig > 30) throw new WasiError(Errno.INVAL);
      if (sig === 0 || IGNORED.has(sig)) return;
      if (STOPPING.has(sig)) throw new WasiError(Errno.NOTSUP);
      throw new ProcExit(128 + LINUX_NUMBER[sig], SIGNAL_NAMES[sig]);
    }),
  };
}
