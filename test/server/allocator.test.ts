// `wasmpod serve` runs on jemalloc where the system has it: re-executed in place (same pid) on a Node with
// process.execve, or preloaded by whoever starts it; WASMPOD_ALLOCATOR=system keeps glibc's malloc.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jemallocPath } from '../../dist/src/cli/allocator.js';
import { spawnServe } from '../helpers/server.js';

const lib = jemallocPath();
const canExec = typeof (process as unknown as { execve?: unknown }).execve === 'function';

/** Starts `wasmpod serve` with `env` added; resolves once it listens, with what it said and the process. */
async function serve(t: { teardown(f: () => void): void }, env: Record<string, string>) {
  const { child, stateDir, stderr: err } = await spawnServe(t, { env, listenMs: 30_000 });
  const maps = fs.readFileSync(`/proc/${child.pid}/maps`, 'utf8');
  return { child, err, maps, lock: fs.readFileSync(path.join(stateDir, 'serve.lock'), 'utf8') };
}

t.test('serve re-executes itself on jemalloc, keeping its pid', { skip: !lib ? 'libjemalloc is not installed' : !canExec ? `Node ${process.version} has no process.execve` : false }, async (t) => {
  const { child, err, maps, lock } = await serve(t, { WASMPOD_ALLOCATOR: '' });
  t.match(err, 'wasmpod serve: memory allocator: jemalloc\n');
  t.match(maps, /libjemalloc\.so/, 'jemalloc is mapped in the server');
  t.equal(lock, `${child.pid}\n`, 'the server is the process that was started (the lock holds its pid)');
  // Its jemalloc gives freed pages back from a background thread (JEMALLOC_CONF), even while the server is quiet.
  const threads = fs.readdirSync(`/proc/${child.pid}/task`).map((tid) => fs.readFileSync(`/proc/${child.pid}/task/${tid}/comm`, 'utf8').trim());
  t.ok(threads.includes('jemalloc_bg_thd'), `a jemalloc background thread runs (threads: ${threads.join(', ')})`);
  child.kill('SIGKILL');
  const [, signal] = await new Promise<[number | null, string | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  t.equal(signal, 'SIGKILL', 'killing that pid kills the server');
});

t.test('WASMPOD_ALLOCATOR=system keeps the system malloc', { skip: process.platform !== 'linux' ? 'Linux only' : false }, async (t) => {
  const { err, maps } = await serve(t, { WASMPOD_ALLOCATOR: 'system' });
  t.match(err, 'wasmpod serve: memory allocator: system\n');
  t.notMatch(err, 'system allocator', 'asked for: no advice');
  t.notMatch(maps, /libjemalloc\.so/);
});

t.test('a server left on the system malloc says how to run it on jemalloc', { skip: process.platform !== 'linux' ? 'Linux only' : lib && canExec ? 'this Node re-executes the server on jemalloc' : false }, async (t) => {
  const { err } = await serve(t, { WASMPOD_ALLOCATOR: '' });
  t.match(err, 'wasmpod serve: memory allocator: system\n');
  const how = lib ? `start it as LD_PRELOAD=${lib} MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0 to run on jemalloc`
    : 'install jemalloc (Debian and Ubuntu: libjemalloc2)';
  t.match(err, `wasmpod serve: on the system allocator the server keeps tens of MB after a burst of pods; ${how}`);
});

t.test('a server started with jemalloc preloaded says so (Node 20: LD_PRELOAD)', { skip: !lib ? 'libjemalloc is not installed' : false }, async (t) => {
  const { err, maps } = await serve(t, { LD_PRELOAD: lib!, WASMPOD_ALLOCATOR: 'system' });
  t.match(err, 'wasmpod serve: memory allocator: jemalloc\n');
  t.match(maps, /libjemalloc\.so/);
});
