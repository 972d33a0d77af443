// `wasmpod serve` on jemalloc: the command re-executes itself (same pid, through process.execve) with
// libjemalloc preloaded when the system has it. Under glibc's malloc a server that has run many pods keeps
// tens of MB of freed memory in the arenas its worker threads used; under jemalloc it comes back to within a
// few MB of its baseline (bench/RESULTS.md, ninth round). Node 20 has no process.execve: there
// LD_PRELOAD must be set by whoever starts the server (docs/server.md).
import * as fs from 'node:fs';

/** Where Debian, Ubuntu, Fedora and Alpine put jemalloc's shared library (the `libjemalloc2` package on Debian). */
const JEMALLOC_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2', '/usr/lib/libjemalloc.so.2',
];

/** The allocator this process runs on: `jemalloc` when its library is mapped, else `system`. */
export function currentAllocator(): 'jemalloc' | 'system' {
  try {
    return /libjemalloc\.so/.test(fs.readFileSync('/proc/self/maps', 'utf8')) ? 'jemalloc' : 'system';
  } catch {
    return 'system';
  }
}

/** The jemalloc library to preload: $WASMPOD_JEMALLOC, or the first of the usual paths that exists. */
export function jemallocPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env['WASMPOD_JEMALLOC'];
  if (given) return fs.existsSync(given) ? given : undefined;
  return JEMALLOC_PATHS.find((p) => fs.existsSync(p));
}

/**
 * jemalloc's settings for the server: a background thread returns freed pages to the system after a second
 * (without it jemalloc purges only when it is called, and a quiet server calls it too little to give its
 * peak back). A MALLOC_CONF already set is kept instead.
 */
export const JEMALLOC_CONF = 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * For `serve` on Linux: replaces this process with the same command on jemalloc, unless $WASMPOD_ALLOCATOR is
 * `system`, jemalloc is not installed, it is loaded already, or this Node has no process.execve. Returns when
 * it does not.
 */
export function execOnJemalloc(args: string[]): void {
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (args[0] !== 'serve' || process.platform !== 'linux' || typeof execve !== 'function') return;
  // `jemalloc` is set by the re-executed command: a library that did not load (a bad WASMPOD_JEMALLOC) is not retried.
  const asked = process.env['WASMPOD_ALLOCATOR'];
  if (asked === 'system' || asked === 'jemalloc' || currentAllocator() === 'jemalloc') return;
  const lib = jemallocPath();
  if (!lib) return;
  const preload = [lib, ...(process.env['LD_PRELOAD'] ? [process.env['LD_PRELOAD']] : [])].join(':');
  execve.call(process, process.execPath, [process.execPath, ...process.execArgv, process.argv[1]!, ...args],
    { ...process.env, LD_PRELOAD: preload, MALLOC_CONF: process.env['MALLOC_CONF'] ?? JEMALLOC_CONF, WASMPOD_ALLOCATOR: 'jemalloc' });
}

/**
 * What to do about a server on Linux's system allocator, unless that was asked for (WASMPOD_ALLOCATOR=system):
 * glibc's malloc keeps tens of MB after a burst of pods (bench/RESULTS.md). Undefined on jemalloc or elsewhere.
 */
export function allocatorHint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform !== 'linux' || env['WASMPOD_ALLOCATOR'] === 'system' || currentAllocator() === 'jemalloc') return undefined;
  const lib = jemallocPath(env);
  const how = lib
    ? `start it as LD_PRELOAD=${lib} MALLOC_CONF=${JEMALLOC_CONF} to run on jemalloc`
    : 'install jemalloc (Debian and Ubuntu: libjemalloc2) and it runs on it';
  return `on the system allocator the server keeps tens of MB after a burst of pods; ${how} (docs/server.md)`;
}
