// A pooled worker that ran a guest cleanly makes a fresh instance of the same module (OCI's create, done ahead of
// the pod): the next container of that module starts on it, with nothing sent to the worker before its start.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HELLO, MODULES, TOOL, fastRuntime, podSpec, poolUntil, until } from '../../helpers/pods.js';
import type { Runtime } from '../../../dist/src/index.js';
import { startFunctionModule } from '../../helpers/wasm-bytes.js';

/** Runs a one-container pod to its end; its output and exit code. */
async function runOnce(rt: Runtime, name: string, image: string, args: string[] = []): Promise<{ out: string; exitCode: number }> {
  const pod = await rt.runPod(podSpec(name, [{ name: 'c', image, args }], { restartPolicy: 'Never' }));
  const chunks: Buffer[] = [];
  pod.on('output', (o: { chunk: Buffer }) => chunks.push(o.chunk));
  const s = await until(pod, (x) => x.phase === 'Succeeded' || x.phase === 'Failed');
  await new Promise((r) => setImmediate(r));
  await pod.delete();
  return { out: Buffer.concat(chunks).toString(), exitCode: s.containerStatuses![0]!.state!.terminated!.exitCode };
}

/**
 * A module whose wasm start function calls the host (sched_yield) before any run could be bound to it.
 * (types: 0 [] -> [i32], 1 [] -> []; import wasi_snapshot_preview1.sched_yield (type 0); funcs 1 (the start
 * function: call 0, drop) and 2 (_start: nothing); memory 1 page; exports memory, _start; start 1.)
 */
const START_CALLS_HOST = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x00,
  0x02, 0x26, 0x01, 0x16, ...Buffer.from('wasi_snapshot_preview1'), 0x0b, ...Buffer.from('sched_yield'), 0x00, 0x00,
  0x03, 0x03, 0x02, 0x01, 0x01,
  0x05, 0x03, 0x01, 0x00, 0x01,
  0x07, 0x13, 0x02, 0x06, ...Buffer.from('memory'), 0x02, 0x00, 0x06, ...Buffer.from('_start'), 0x00, 0x02,
  0x08, 0x01, 0x01,
  0x0a, 0x0a, 0x02, 0x05, 0x00, 0x10, 0x00, 0x1a, 0x0b, 0x02, 0x00, 0x0b,
]);

/**
 * A module whose wasm start function counts to 1.2 billion in an i32 local (no imports): each instantiation takes
 * a few hundred ms.
 */
const SLOW_START = startFunctionModule([
  0x01, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x22, 0x00, 0x41, 0x80, 0x98, 0x9a, 0xbc, 0x04, 0x49, 0x0d, 0x00, 0x0b, 0x0b,
]);

t.test('the next container of a module starts on the instance its worker made after the last run, run once', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 4 });
  t.teardown(() => rt.close());
  t.same(await runOnce(rt, 'first', TOOL, ['runs']), { out: 'runs 1\n', exitCode: 0 });
  const before = await poolUntil(rt, (s) => s.lent === 0 && s.warm === 1);
  t.equal(before.warm, 1, 'the worker back in the pool holds an instance of the module it ran');
  // Started on that instance: a fresh one, its main run once (an instance run twice would print "runs 2").
  t.same(await runOnce(rt, 'second', TOOL, ['runs']), { out: 'runs 1\n', exitCode: 0 });
  const after = await poolUntil(rt, (s) => s.lent === 0 && s.warm === 1);
  t.equal(after.prewarmed - before.prewarmed, 1, 'the second container took the warm worker');
  // Another module takes another worker, or one whose instance it drops: never the instance of another module.
  t.same(await runOnce(rt, 'other', HELLO), { out: 'hello from wasmpod\n', exitCode: 0 });
  t.same(await runOnce(rt, 'third', TOOL, ['runs']), { out: 'runs 1\n', exitCode: 0 });
});

t.test('a container given a warm instance is Running before its worker is sent anything, and its run is its own', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 4 });
  t.teardown(() => rt.close());
  await runOnce(rt, 'warm-up', TOOL, ['runs']);
  await poolUntil(rt, (s) => s.lent === 0 && s.warm === 1);
  const pod = await rt.runPod(podSpec('env', [{ name: 'c', image: TOOL, args: ['sleep', '60000'] }], { restartPolicy: 'Never' }));
  const out: string[] = [];
  pod.on('output', (o: { chunk: Buffer }) => out.push(o.chunk.toString()));
  const running = await until(pod, (s) => s.containerStatuses?.[0]?.state?.running !== undefined);
  t.ok(running.containerStatuses![0]!.started, 'started and Running in one status');
  while (!out.join('').includes('tool sleeping\n')) await new Promise((r) => setTimeout(r, 5));
  t.equal(rt.workerPool.prewarmed, 1);
  await pod.delete({ gracePeriodSeconds: 0 });
  t.equal(pod.status.containerStatuses![0]!.state!.terminated!.exitCode, 143, 'stopped as any running container');
  const s = await poolUntil(rt, (x) => x.lent === 0);
  t.equal(s.lent, 0);
});

t.test('a module whose start function calls the host runs as before, and no instance of it is held', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 4 });
  t.teardown(() => rt.close());
  const file = path.join(t.testdir({}), 'start-calls-host.wasm');
  fs.writeFileSync(file, START_CALLS_HOST);
  t.same(await runOnce(rt, 'first', file), { out: '', exitCode: 0 });
  await poolUntil(rt, (s) => s.lent === 0);
  // A worker that made an instance reports it within a millisecond of its run's end.
  await new Promise((r) => setTimeout(r, 200));
  t.equal(rt.workerPool.warm, 0, 'its start function cannot run before a run is bound: no instance is made ahead');
  t.same(await runOnce(rt, 'second', file), { out: '', exitCode: 0 });
  t.equal(rt.workerPool.prewarmed, 0);
});

t.test('a guest whose memory ended over 16 MiB is not made again ahead; one that stayed small is', async (t) => {
  const rt = fastRuntime({ minIdle: 1, maxIdle: 4 });
  t.teardown(() => rt.close());
  const alloc = path.join(MODULES, 'testing/alloc.wasm');
  t.equal((await runOnce(rt, 'big', alloc, ['24'])).exitCode, 0);
  await poolUntil(rt, (s) => s.lent === 0);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(rt.workerPool.warm, 0, 'no instance is held for a guest that held 24 MiB');
  t.equal((await runOnce(rt, 'small', alloc, ['2'])).exitCode, 0);
  const s = await poolUntil(rt, (x) => x.lent === 0 && x.warm === 1);
  t.equal(s.warm, 1, 'the same module, 2 MiB held: its instance is made ahead');
});

t.test('a worker making its next instance is given no other run until it is done', async (t) => {
  const rt = fastRuntime({ minIdle: 2, maxIdle: 4 });
  t.teardown(() => rt.close());
  const file = path.join(t.testdir({}), 'slow-start.wasm');
  fs.writeFileSync(file, SLOW_START);
  t.same(await runOnce(rt, 'slow', file), { out: '', exitCode: 0 });
  // Its worker is back, counting to 1.2 billion again for the next instance: idle, not ready.
  const back = await poolUntil(rt, (s) => s.lent === 0);
  t.ok(back.idle - back.ready >= 1 && back.warm === 0, `the worker making the instance is not ready: ${JSON.stringify(back)}`);
  // A container started meanwhile runs in another worker, without waiting for that one.
  t.same(await runOnce(rt, 'meanwhile', HELLO), { out: 'hello from wasmpod\n', exitCode: 0 });
  const meanwhile = await poolUntil(rt, (s) => s.lent === 0 && s.warm === 1);
  t.ok(meanwhile.idle - meanwhile.ready >= 1, `hello's worker holds its instance; the slow one is still making its own: ${JSON.stringify(meanwhile)}`);
  const done = await poolUntil(rt, (s) => s.lent === 0 && s.warm === 2);
  t.equal(done.ready, done.idle, 'ready once it has made it');
});
