// Shared workers (JSPI, Node 24+): many containers in one thread, suspended where they would block.
import t from 'tap';
import * as path from 'node:path';
import { Runtime, SharedWorkersUnavailableError, jspiAvailable, type PodStatus } from '../../../dist/src/index.js';
import { HELLO, MODULES, SLEEP, podSpec } from '../../helpers/pods.js';
import { runPodCollect } from '../../helpers/run-pod.js';
import { netPod } from '../../helpers/net-pods.js';
import { tempDir } from '../../helpers/temp-dir.js';

const LOOP = path.join(MODULES, 'wasi-tests/hostile-loop.wasm');
const TRAP = path.join(MODULES, 'wasi-tests/hostile-trap.wasm');
const IPC_CHECK = path.join(MODULES, 'ipc/ipc-check.wasm');

function sharedRuntime(guestsPerWorker = 64): Runtime {
  return new Runtime({
    stateDir: tempDir('wasmpod-test-'),
    backoff: { baseMs: 20, maxMs: 600, resetAfterMs: 60_000 }, sharedWorkers: { guestsPerWorker },
  });
}

const sharedStats = (rt: Runtime) => (rt as any).backend.shared.stats as { workers: number; guests: number };

function runningPod(rt: Runtime, name: string, containers: { name: string; image: string; args?: string[] }[]) {
  return rt.runPod(podSpec(name, containers, { restartPolicy: 'Never', terminationGracePeriodSeconds: 0 }));
}

async function untilRunning(pod: Awaited<ReturnType<Runtime['runPod']>>): Promise<void> {
  await new Promise<void>((resolve) => {
    const check = (s: PodStatus) => { if (s.containerStatuses?.every((c) => c.state?.running)) resolve(); };
    check(pod.status);
    pod.on('status', check);
  });
}

if (!jspiAvailable()) {
  t.test('without JSPI the runtime refuses sharedWorkers with a clear error', async (t) => {
    t.throws(() => sharedRuntime(), SharedWorkersUnavailableError);
    t.throws(() => sharedRuntime(), /needs JSPI .* use Node 24 or later/);
  });
} else {
  t.test('forty idle containers share one worker; each keeps its own output, exit code and deletion', async (t) => {
    const rt = sharedRuntime();
    t.teardown(() => rt.close());
    const pods = [];
    for (let i = 0; i < 20; i++) {
      const pod = await runningPod(rt, `idle-${i}`, [{ name: 'a', image: SLEEP }, { name: 'b', image: SLEEP }]);
      await untilRunning(pod);
      pods.push(pod);
    }
    t.same(sharedStats(rt), { workers: 1, guests: 40 }, 'one thread holds the forty sleepers');
    const hello = await runPodCollect(podSpec('hello', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
    t.same(hello.out, { h: 'hello from wasmpod\n' }, 'a pod runs to completion beside them');
    t.match(hello.status.containerStatuses[0].state.terminated, { exitCode: 0, reason: 'Completed' });
    const first = await pods[0].delete();
    t.match(first.containerStatuses![0].state!.terminated, { exitCode: 143 }, 'a sleeper killed at its wait');
    t.equal(sharedStats(rt).guests, 38, 'its neighbours still run');
    const short = await runPodCollect(podSpec('short', [{ name: 's', image: SLEEP, args: ['50'] }], { restartPolicy: 'Never' }), {}, rt);
    t.same(short.out, { s: 'sleeping 50 ms\nwoke\n' }, 'a timed sleep ends on time, suspended and resumed');
    await Promise.all(pods.slice(1).map((p) => p.delete()));
    t.equal(sharedStats(rt).guests, 0);
  });

  t.test('two containers in one shared worker talk over localhost, with back-pressure, without deadlock', async (t) => {
    const rt = sharedRuntime();
    t.teardown(() => rt.close());
    const bytes = 2 * 1024 * 1024;
    const { status, out } = await runPodCollect(netPod('bp', [
      { name: 'sink', args: ['sink', '8080', '1'] },
      { name: 'blast', args: ['blast', 'localhost', '8080', String(bytes)] },
    ]), {}, rt);
    t.equal(status.phase, 'Succeeded');
    t.equal(out.sink, `listening 8080\nreceived ${bytes} ok\n`, 'every byte, in order');
    t.equal(out.blast, `sent ${bytes} verdict ok ${bytes}\n`);
    const echo = await runPodCollect(netPod('echo', [
      { name: 'srv', args: ['echo', '7000', '1'] },
      { name: 'cli', args: ['client', 'localhost', '7000', 'hello over a shared worker\n'] },
    ]), {}, rt);
    t.equal(echo.out.cli, 'reply hello over a shared worker\n[eof]\n');
    t.equal(sharedStats(rt).workers, 1);
  });

  t.test('a guest that never waits cannot be stopped at a wait: its worker is ended, its neighbours told why', async (t) => {
    const rt = sharedRuntime();
    t.teardown(() => rt.close());
    const sleeper = await runningPod(rt, 'neighbour', [{ name: 's', image: SLEEP }]);
    await untilRunning(sleeper);
    const busy = await runningPod(rt, 'busy', [{ name: 'loop', image: LOOP }]);
    await untilRunning(busy);
    const gone = await busy.delete();
    t.match(gone.containerStatuses![0].state!.terminated, { exitCode: 143 });
    const lost = await sleeper.wait();
    t.match(lost.containerStatuses![0].state!.terminated, { exitCode: 137, message: /ended with container "loop", which did not stop/ });
    const after = await runPodCollect(podSpec('after', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }), {}, rt);
    t.same(after.out, { h: 'hello from wasmpod\n' }, 'a new shared worker serves the next pod');
  });

  t.test('a trapping guest ends alone; an IPC guest gets a worker of its own', async (t) => {
    const rt = sharedRuntime();
    t.teardown(() => rt.close());
    const sleeper = await runningPod(rt, 'neighbour', [{ name: 's', image: SLEEP }]);
    await untilRunning(sleeper);
    const trap = await runPodCollect(podSpec('trap', [{ name: 't', image: TRAP }], { restartPolicy: 'Never' }), {}, rt);
    t.match(trap.status.containerStatuses[0].state.terminated, { exitCode: 134, message: /wasm trap/ });
    t.equal(sharedStats(rt).guests, 1, 'the sleeper is still there');
    const pool = rt.workerPool;
    const ipc = await runPodCollect(podSpec('ipc', [{ name: 'i', image: IPC_CHECK, args: ['errors'] }], { restartPolicy: 'Never' }), {}, rt);
    t.equal(ipc.status.phase, 'Succeeded', ipc.out.i);
    t.same(ipc.out, { i: 'ok\n' });
    t.equal(sharedStats(rt).guests, 1, 'the IPC guest did not run in the shared worker');
    t.ok(rt.workerPool.taken + rt.workerPool.misses > pool.taken + pool.misses, 'it asked the pool for a worker of its own');
    await sleeper.delete();
  });
}
