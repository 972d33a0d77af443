// The pool of pre-warmed workers: pods run from it, it refills, grows and shrinks, limits it cannot meet bypass it, close() ends it.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Runtime, type WorkerPoolOptions, type WorkerPoolStats } from '../../../dist/src/index.js';
import { WorkerPool } from '../../../dist/src/runtime/wasm/worker-pool.js';
import { EXIT, HELLO, MODULES, ROOT, podSpec } from '../../helpers/pods.js';
import { runPodCollect } from '../../helpers/run-pod.js';

const ALLOC = path.join(MODULES, 'testing/alloc.wasm');
const TRAP = path.join(MODULES, 'wasi-tests/hostile-trap.wasm');

function pooledRuntime(workerPool: WorkerPoolOptions): Runtime {
  return new Runtime({
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-test-')),
    backoff: { baseMs: 20, maxMs: 600, resetAfterMs: 60_000 }, workerPool,
  });
}

/** Waits (polling, no timing assertion) until the pool's counters satisfy `pred`. */
async function poolUntil(rt: Runtime, pred: (s: WorkerPoolStats) => boolean): Promise<WorkerPoolStats> {
  for (;;) {
    const s = rt.workerPool;
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('a pod runs from the pool: output and exit codes as from a fresh worker, and the pool refills', async (t) => {
  const rt = pooledRuntime({ minIdle: 2 });
  t.teardown(() => rt.close());
  t.equal(rt.workerPool.spawned, 0, 'no worker starts before the first pod');
  const first = await runPodCollect(podSpec('first', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  t.equal(first.status.phase, 'Succeeded');
  const before = await poolUntil(rt, (s) => s.ready === 2);
  const run = await runPodCollect(podSpec('pooled', [
    { name: 'ok', image: EXIT, args: ['ok', '0'] },
    { name: 'bad', image: EXIT, args: ['bad', '3'] },
  ], { restartPolicy: 'Never' }), {}, rt);
  t.equal(rt.workerPool.taken, before.taken + 2, 'both containers ran in pooled workers');
  t.equal(run.status.phase, 'Failed');
  const term = Object.fromEntries(run.status.containerStatuses.map((c: any) => [c.name, c.state.terminated]));
  t.match(term.ok, { exitCode: 0, reason: 'Completed' });
  t.match(term.bad, { exitCode: 3, reason: 'Error' });
  t.same(run.out, { ok: 'ok run\n', bad: 'bad run\n' });
  const after = await poolUntil(rt, (s) => s.ready === 2);
  t.ok(after.spawned >= before.spawned + 2, 'each take started a replacement');
  t.equal(after.idle, 2);
});

t.test('the pool grows when takes find it empty and shrinks to its minimum after the idle timeout', async (t) => {
  const rt = pooledRuntime({ minIdle: 1, maxIdle: 3, idleTimeoutMs: 50 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  await poolUntil(rt, (s) => s.ready === 1);
  // Three containers start together: one takes the only ready worker, two find none.
  const run = await runPodCollect(podSpec('burst', [
    { name: 'a', args: ['a'] }, { name: 'b', args: ['b'] }, { name: 'c', args: ['c'] },
  ], { restartPolicy: 'Never' }), {}, rt);
  t.equal(run.status.phase, 'Succeeded');
  t.same(run.out, { a: 'a run\n', b: 'b run\n', c: 'c run\n' });
  const grown = rt.workerPool;
  t.ok(grown.misses >= 2, 'two takes found no ready worker');
  t.equal(grown.grown, 2, 'the target grew to maxIdle');
  const shrunk = await poolUntil(rt, (s) => s.retired > 0 && s.target === 1 && s.idle === 1);
  t.equal(shrunk.retired, 2, 'the two extra idle workers were ended');
});

t.test('a memory-limited container in a pooled worker is still OOMKilled, and one under its limit runs', async (t) => {
  const rt = pooledRuntime({ minIdle: 2 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const before = await poolUntil(rt, (s) => s.ready === 2);
  const hog = podSpec('hog', [{ name: 'h', image: ALLOC }], { restartPolicy: 'Never' }) as any;
  hog.spec.containers[0].resources = { limits: { memory: '16Mi' } };
  const s = (await runPodCollect(hog, {}, rt)).status;
  t.equal(rt.workerPool.taken, before.taken + 1, 'it ran in a pooled worker (worker limits do not depend on the memory limit)');
  t.match(s.containerStatuses[0].state.terminated, { reason: 'OOMKilled', exitCode: 137 });
  const fits = podSpec('fits', [{ name: 'h', image: ALLOC, args: ['4'] }], { restartPolicy: 'Never' }) as any;
  fits.spec.containers[0].resources = { limits: { memory: '16Mi' } };
  t.equal((await runPodCollect(fits, {}, rt)).status.phase, 'Succeeded');
});

t.test('a take whose worker limits differ from the pool\'s gets nothing: the container starts a fresh worker', async (t) => {
  const pool = new WorkerPool({ maxOldGenerationSizeMb: 64 }, { minIdle: 1 });
  t.teardown(() => pool.close());
  const start = {} as never;
  t.equal(pool.take(start, [], { maxOldGenerationSizeMb: 128 }), undefined);
  t.match(pool.stats, { spawned: 0, taken: 0, misses: 0 }, 'no worker was started or taken for it');
  const off = new WorkerPool({ maxOldGenerationSizeMb: 64 }, { minIdle: 0 });
  off.start();
  t.equal(off.take(start, [], { maxOldGenerationSizeMb: 64 }), undefined, 'minIdle 0 turns the pool off');
  t.equal(off.stats.spawned, 0);
});

t.test('a guest that traps in a pooled worker ends only its container; the pool goes on serving', async (t) => {
  const rt = pooledRuntime({ minIdle: 2 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const before = await poolUntil(rt, (s) => s.ready === 2);
  const run = await runPodCollect(podSpec('trapping', [
    { name: 'trap', image: TRAP }, { name: 'ok', image: HELLO },
  ], { restartPolicy: 'Never' }), {}, rt);
  t.equal(rt.workerPool.taken, before.taken + 2);
  const term = Object.fromEntries(run.status.containerStatuses.map((c: any) => [c.name, c.state.terminated]));
  t.match(term.trap, { exitCode: 134, reason: 'Error', message: /wasm trap/ });
  t.match(term.ok, { exitCode: 0, reason: 'Completed' });
  t.same(run.out, { trap: 'about to trap\n', ok: 'hello from wasmpod\n' });
  const again = await runPodCollect(podSpec('after', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  t.equal(again.status.phase, 'Succeeded');
  t.same(again.out, { h: 'hello from wasmpod\n' });
});

t.test('close() ends the idle workers', async (t) => {
  const rt = pooledRuntime({ minIdle: 3 });
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  await poolUntil(rt, (s) => s.idle === 3);
  await rt.close();
  t.equal(rt.workerPool.idle, 0);
});

/** Runs a script in a child node process; resolves with its exit code, or 'hung' if it has not exited after `guardMs`. */
function runChild(code: string, guardMs = 60_000): Promise<{ exit: number | string; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    const guard = setTimeout(() => { child.kill('SIGKILL'); resolve({ exit: 'hung', out }); }, guardMs);
    child.on('exit', (c) => { clearTimeout(guard); resolve({ exit: c ?? 'signal', out }); });
  });
}

const childScript = (close: boolean) => `
import { Runtime } from ${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))};
import * as fs from 'node:fs'; import * as os from 'node:os'; import * as path from 'node:path';
const rt = new Runtime({ stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-test-')), workerPool: { minIdle: 2, idleTimeoutMs: 600000 } });
const pod = await rt.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'child' },
  spec: { restartPolicy: 'Never', containers: [{ name: 'h', image: ${JSON.stringify(HELLO)} }] } });
pod.on('output', (e) => process.stdout.write(e.chunk));
const s = await pod.wait();
while (rt.workerPool.ready < 2) await new Promise((r) => setTimeout(r, 5));
${close ? 'await rt.close();' : ''}
console.log(s.phase, rt.workerPool.idle);
`;

t.test('an embedding process that closes its runtime exits on its own', async (t) => {
  const { exit, out } = await runChild(childScript(true));
  t.equal(exit, 0);
  t.equal(out, 'hello from wasmpod\nSucceeded 0\n');
});

t.test('idle pool workers do not keep the process alive even without close()', async (t) => {
  const { exit, out } = await runChild(childScript(false));
  t.equal(exit, 0);
  t.equal(out, 'hello from wasmpod\nSucceeded 2\n');
});
