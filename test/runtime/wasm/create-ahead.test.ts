// A pod's containers are made ahead of their start (OCI's create, then start): their workers instantiate while the
// pod's worker is set up, and a pod deleted before they start gives the workers back without running the guests.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HELLO, SLEEP, fastRuntime, podSpec, poolUntil, until } from '../../helpers/pods.js';
import { startFunctionModule } from '../../helpers/wasm-bytes.js';
import { WasmBackend } from '../../../dist/src/runtime/wasm/wasm-backend.js';
import type { WasmContainer } from '../../../dist/src/runtime/wasm/wasm-container.js';
import type { ContainerConfig } from '../../../dist/src/runtime/sandbox.js';
import { GATE_READY } from '../../../dist/shim/worker-protocol.js';

/** A module whose wasm start function never returns (a loop with a branch back to its start): its instantiation never ends. */
const START_LOOP = startFunctionModule([0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b]);

t.test('containers made ahead run as before: both Running, output delivered, workers back in the pool after', async (t) => {
  const rt = fastRuntime({ minIdle: 2, maxIdle: 4 });
  t.teardown(() => rt.close());
  const pod = await rt.runPod(podSpec('ahead', [{ name: 'a', image: SLEEP }, { name: 'b', image: HELLO }], { restartPolicy: 'Never' }));
  const out: string[] = [];
  pod.on('output', (o: { container: string; chunk: Buffer }) => out.push(`${o.container}:${o.chunk.toString()}`));
  const s0 = await until(pod, (s) => s.containerStatuses?.find((c) => c.name === 'b')?.state?.terminated?.reason === 'Completed'
    && s.containerStatuses.find((c) => c.name === 'a')?.state?.running !== undefined);
  t.equal(s0.containerStatuses!.find((c) => c.name === 'b')!.state!.terminated!.exitCode, 0);
  await new Promise((r) => setImmediate(r));
  t.match(out.join(''), /b:hello from wasmpod/);
  await pod.delete();
  const s = await poolUntil(rt, (x) => x.lent === 0);
  t.equal(s.lent, 0, 'no worker is left lent');
});

t.test('a pod deleted before its containers start gives their workers back, and their guests never run', async (t) => {
  const rt = fastRuntime({ minIdle: 2, maxIdle: 4 });
  t.teardown(() => rt.close());
  // Warm the pool so that the takes below are of ready workers.
  const warm = await rt.runPod(podSpec('warm', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }));
  await until(warm, (s) => s.phase === 'Succeeded');
  await warm.delete();
  await poolUntil(rt, (x) => x.lent === 0 && x.ready >= 2);
  const reusedBefore = rt.workerPool.reused;
  const pod = await rt.runPod(podSpec('gone', [{ name: 'a', image: HELLO }, { name: 'b', image: HELLO }], { restartPolicy: 'Never' }));
  const out: Buffer[] = [];
  pod.on('output', (o: { chunk: Buffer }) => out.push(o.chunk));
  t.equal(rt.workerPool.lent, 2, 'both containers hold a worker, instantiating or waiting for their start');
  await pod.delete();
  const s = await poolUntil(rt, (x) => x.lent === 0);
  t.equal(s.reused - reusedBefore, 2, 'both workers came back to the pool, reusable');
  t.same(out, [], 'nothing ran');
  t.notOk(pod.status.containerStatuses?.some((c) => c.state?.running || c.state?.terminated), 'no container ever started');
});

t.test('a guest whose instantiation never ends is ended with its pod, whether or not it was started', async (t) => {
  const rt = fastRuntime({ minIdle: 2, maxIdle: 4 });
  t.teardown(() => rt.close());
  const file = path.join(t.testdir({}), 'start-loop.wasm');
  fs.writeFileSync(file, START_LOOP);
  // Deleted before its start: the cancel cannot reach it (it is still instantiating), so its worker is ended.
  const early = await rt.runPod(podSpec('early', [{ name: 'l', image: file }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 0 }));
  await early.delete();
  // Started (the loop has let it go), never Running: deleted as any other container.
  const late = await rt.runPod(podSpec('late', [{ name: 'l', image: file }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 0 }));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(late.status.containerStatuses?.[0]?.state?.running, 'its start function still runs: not Running');
  await late.delete();
  const s = await poolUntil(rt, (x) => x.lent === 0);
  t.equal(s.lent, 0);
  // The pool still serves.
  const after = await rt.runPod(podSpec('after', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }));
  await until(after, (x) => x.phase === 'Succeeded');
  await after.delete();
});

t.test('a container found instantiated at its gate is Running as its start returns; one still instantiating waits for its worker', async (t) => {
  const backend = new WasmBackend({ minIdle: 2, maxIdle: 4 });
  t.teardown(() => backend.close());
  const sandbox = await backend.runPodSandbox('gate-test');
  t.teardown(() => sandbox.remove());
  const config = (name: string, image: string): ContainerConfig => ({ name, image, argv: [name], env: [], mounts: [], stdin: false });
  const ready = (await sandbox.createContainer(config('ready', HELLO))) as WasmContainer;
  sandbox.createAhead!([ready]);
  // The worker sets its gate word to GATE_READY once the guest is instantiated.
  const gate = (ready as unknown as { ahead: { gate: Int32Array } }).ahead.gate;
  while (Atomics.load(gate, 0) !== GATE_READY) await new Promise((r) => setTimeout(r, 2));
  let started = 0;
  const out: Buffer[] = [];
  const exit = ready.start({ onStarted: () => { started++; }, onOutput: (_s, chunk) => out.push(chunk) });
  t.equal(started, 1, 'started by the start itself, not by a message from the worker');
  t.same(await exit, { exitCode: 0, reason: 'Completed' });
  t.equal(started, 1, 'the worker did not report a second start');
  t.equal(Buffer.concat(out).toString(), 'hello from wasmpod\n', 'the guest ran once, its output whole');

  const file = path.join(t.testdir({}), 'start-loop.wasm');
  fs.writeFileSync(file, START_LOOP);
  const looping = (await sandbox.createContainer(config('looping', file))) as WasmContainer;
  sandbox.createAhead!([looping]);
  let loopStarted = 0;
  const loopExit = looping.start({ onStarted: () => { loopStarted++; }, onOutput: () => undefined });
  await new Promise((r) => setTimeout(r, 50));
  t.equal(loopStarted, 0, 'a guest still in its instantiation is not started by the start');
  await looping.kill({ exitCode: 137, reason: 'Error', signal: 'SIGKILL' });
  t.equal((await loopExit).exitCode, 137);
  t.equal(loopStarted, 0);
});
