// The pool of pre-warmed workers: pods run from it, it refills, grows and shrinks, limits it cannot meet bypass it, close() ends it.
import t from 'tap';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Runtime } from '../../../dist/src/index.js';
import { WorkerPool } from '../../../dist/src/runtime/wasm/worker-pool.js';
import { EXIT, HELLO, MODULES, ROOT, SLEEP, fastRuntime, podSpec, poolUntil } from '../../helpers/pods.js';
import { runPodCollect } from '../../helpers/run-pod.js';
import { tempDir } from '../../helpers/temp-dir.js';

const ALLOC = path.join(MODULES, 'testing/alloc.wasm');
const TRAP = path.join(MODULES, 'wasi-tests/hostile-trap.wasm');
const LOOP = path.join(MODULES, 'wasi-tests/hostile-loop.wasm');

t.test('a pod runs from the pool: output and exit codes as from a fresh worker, and the pool refills', async (t) => {
  const rt = fastRuntime({ minIdle: 2 });
  t.teardown(() => rt.close());
  t.equal(rt.workerPool.spawned, 0, 'no worker starts before the first pod');
  const first = await runPodCollect(podSpec('first', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  t.equal(first.status.phase, 'Succeeded');
  const before = await poolUntil(rt, (s) => s.ready >= 2);
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
  const after = await poolUntil(rt, (s) => s.ready >= 2);
  t.equal(after.reused, before.reused + 2, 'both workers came back to the pool after a clean exit (0 and 3 alike)');
  t.ok(after.idle <= 8, 'the pool holds no more than maxIdle');
});

const PRESTAT = path.join(MODULES, 'wasi-tests/prestat.wasm');

t.test('a reused worker runs the next guest with nothing of the last run: its fds, mounts, args and env are its own', async (t) => {
  // maxIdle 2: the first pod's worker comes back beside the replacement its take started; the second pod takes it.
  const rt = fastRuntime({ minIdle: 1, maxIdle: 2 });
  t.teardown(() => rt.close());
  const dir = t.testdir({ first: {}, second: {} });
  const mounted = (name: string, mounts: string[]) => {
    const spec = podSpec(name, [{ name: 'p', image: PRESTAT, args: mounts.map((m) => `/${m}`) }], { restartPolicy: 'Never' }) as any;
    spec.spec.volumes = mounts.map((m) => ({ name: m, hostPath: { path: path.join(dir, m) } }));
    spec.spec.containers[0].volumeMounts = mounts.map((m) => ({ name: m, mountPath: `/${m}` }));
    return spec;
  };
  const first = await runPodCollect(mounted('two-mounts', ['first', 'second']), {}, rt);
  t.same(first.out, { p: 'ok\n' });
  const before = await poolUntil(rt, (s) => s.ready === 2 && s.reused === 1);
  // prestat checks that the fd after its last preopen is EBADF: fd 4 was the first run's second mount.
  const second = await runPodCollect(mounted('one-mount', ['first']), {}, rt);
  t.equal(second.status.phase, 'Succeeded');
  t.same(second.out, { p: 'ok\n' });
  const after = await poolUntil(rt, (s) => s.reused === 2);
  t.equal(after.spawned, before.spawned, 'the second pod ran in the first pod\'s worker');
  const third = await runPodCollect(podSpec('args', [{ name: 'e', args: ['third', '0'] }], { restartPolicy: 'Never' }), {}, rt);
  t.same(third.out, { e: 'third run\n' });
  t.equal(rt.workerPool.spawned, before.spawned);
});

/** Runs a pod of one container until it is Running, deletes it, and returns its final status. */
async function deleteWhenRunning(rt: Runtime, name: string, image: string): Promise<any> {
  const pod = await rt.runPod(podSpec(name, [{ name: 'c', image }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 0 }));
  await new Promise((r) => pod.on('status', (s: any) => { if (s.containerStatuses[0].state.running) r(undefined); }));
  await pod.delete();
  return pod.wait();
}

t.test('a guest killed while asleep unwinds and its worker is reused; a busy one has its worker ended', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 2 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const base = await poolUntil(rt, (s) => s.ready >= 1 && s.reused === 1);
  const asleep = await deleteWhenRunning(rt, 'asleep', SLEEP);
  t.match(asleep.containerStatuses[0].state.terminated, { exitCode: 143, reason: 'Error' });
  const afterSleep = await poolUntil(rt, (s) => s.reused === base.reused + 1);
  t.pass('the sleeper\'s worker came back to the pool');
  const busy = await deleteWhenRunning(rt, 'busy', LOOP);
  t.match(busy.containerStatuses[0].state.terminated, { exitCode: 143 });
  t.equal(rt.workerPool.reused, afterSleep.reused, 'the busy guest\'s worker did not come back');
  const after = await runPodCollect(podSpec('after', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  t.same(after.out, { h: 'hello from wasmpod\n' }, 'the pool goes on serving');
});

t.test('a worker is not reused after a trap or a guest that held a large memory', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 2 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const base = await poolUntil(rt, (s) => s.ready >= 1 && s.reused === 1);
  await runPodCollect(podSpec('trap', [{ name: 't', image: TRAP }], { restartPolicy: 'Never' }), {}, rt);
  await runPodCollect(podSpec('big', [{ name: 'b', image: ALLOC, args: ['80'] }], { restartPolicy: 'Never' }), {}, rt);
  t.equal(rt.workerPool.reused, base.reused, 'neither worker came back');
  const after = await runPodCollect(podSpec('after', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  t.same(after.out, { h: 'hello from wasmpod\n' }, 'the pool goes on serving');
});

t.test('the pool grows when takes find it empty and shrinks to its minimum after the idle timeout', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 3, idleTimeoutMs: 50 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const base = await poolUntil(rt, (s) => s.ready >= 1);
  // Four containers start together: at most two ready workers, so two takes at least find none.
  const run = await runPodCollect(podSpec('burst', [
    { name: 'a', args: ['a'] }, { name: 'b', args: ['b'] }, { name: 'c', args: ['c'] }, { name: 'd', args: ['d'] },
  ], { restartPolicy: 'Never' }), {}, rt);
  t.equal(run.status.phase, 'Succeeded');
  t.same(run.out, { a: 'a run\n', b: 'b run\n', c: 'c run\n', d: 'd run\n' });
  const grown = rt.workerPool;
  t.ok(grown.misses - base.misses >= 2, 'two takes found no ready worker');
  t.ok(grown.grown - base.grown >= 1, 'the target grew');
  // Counters only: the idle timeout (50 ms) may have shrunk the pool already.
  const shrunk = await poolUntil(rt, (s) => s.retired > base.retired && s.target === 1 && s.idle === 1);
  t.ok(shrunk.retired > base.retired, 'the extra idle workers were ended');
});

t.test('a quiet pool replaces its idle workers that have run guests with fresh ones, and still serves', async (t) => {
  const rt = fastRuntime({ minIdle: 2, maxIdle: 4 });
  t.teardown(() => rt.close());
  for (let i = 0; i < 3; i++) {
    const run = await runPodCollect(podSpec(`p${i}`, [{ name: 'a', args: ['a'] }, { name: 'b', args: ['b'] }], { restartPolicy: 'Never' }), {}, rt);
    t.equal(run.status.phase, 'Succeeded');
  }
  const before = await poolUntil(rt, (s) => s.lent === 0 && s.ready >= 2);
  t.ok(before.reused >= 6, 'the pods ran in reused workers');
  rt.trimIdleWorkers();
  const after = rt.workerPool;
  t.equal(after.retired - before.retired, before.idle - 2, 'the idle workers above minIdle were ended');
  t.equal(after.recycled - before.recycled, 2, 'the two left had run guests: replaced');
  t.equal(after.spawned - before.spawned, 2, 'by two fresh workers');
  const fresh = await poolUntil(rt, (s) => s.ready === 2);
  rt.trimIdleWorkers();
  t.equal(rt.workerPool.recycled, fresh.recycled, 'fresh workers are not replaced again');
  const run = await runPodCollect(podSpec('after', [{ name: 'a', args: ['a'] }], { restartPolicy: 'Never' }), {}, rt);
  t.same(run.out, { a: 'a run\n' });
});

t.test('a memory-limited container in a pooled worker is still OOMKilled, and one under its limit runs', async (t) => {
  const rt = fastRuntime({ minIdle: 2 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const before = await poolUntil(rt, (s) => s.ready >= 2);
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
  const rt = fastRuntime({ minIdle: 2 });
  t.teardown(() => rt.close());
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  const before = await poolUntil(rt, (s) => s.ready >= 2);
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
  const rt = fastRuntime({ minIdle: 3 });
  await runPodCollect(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
  await poolUntil(rt, (s) => s.idle >= 3);
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
const rt = new Runtime({ stateDir: ${JSON.stringify(tempDir('wasmpod-test-'))}, workerPool: { minIdle: 2, idleTimeoutMs: 600000 } });
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
  t.match(out, /^hello from wasmpod\nSucceeded [2-8]\n$/);
});
