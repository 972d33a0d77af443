import t from 'tap';
import * as vm from 'node:vm';
import { IdleMemory, gcFunctionOf } from '../../src/server/idle-memory.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('gc() is taken without leaving a gc global behind', async (t) => {
  const gc = gcFunctionOf();
  t.type(gc, 'function');
  t.equal(gcFunctionOf(), gc, 'taken once');
  t.doesNotThrow(() => gc!());
  t.equal(vm.runInNewContext('typeof gc'), 'undefined', 'contexts made later get no gc');
});

t.test('memory is given back once per burst, after the quiet period', async (t) => {
  let released = 0;
  const idle = new IdleMemory({ quietMs: 500, spacingMs: 20, onRelease: () => released++ });
  // A burst: activity every 30 ms (less than quietMs, even on a loaded machine) keeps putting the release off.
  for (let i = 0; i < 6; i++) {
    idle.activity();
    await sleep(30);
  }
  t.equal(released, 0, 'not while pods start and end');
  await sleep(1000);
  t.equal(released, 1, 'once the burst is over');
  await sleep(800);
  t.equal(released, 1, 'a quiet server is not collected again');
  idle.activity();
  await sleep(1000);
  t.equal(released, 2, 'the next burst is');
  t.equal(idle.releases, 2);
  idle.activity();
  idle.close();
  idle.activity();
  await sleep(1000);
  t.equal(released, 2, 'nothing after close');
});

t.test('quietMs 0 never collects', async (t) => {
  let released = 0;
  const idle = new IdleMemory({ quietMs: 0, spacingMs: 0, onRelease: () => released++ });
  idle.activity();
  await sleep(100);
  t.equal(released, 0);
});

t.test('a server gone quiet ends the worker pool\'s extra idle workers before it collects', async (t) => {
  const { ApiServer } = await import('../../dist/src/server/server.js');
  const { HELLO } = await import('../helpers/pods.js');
  const server = await ApiServer.start({ stateDir: t.testdir(), socket: false, idleGcMs: 1500, workerPool: { minIdle: 1, maxIdle: 6 } });
  t.teardown(() => server.close());
  const rt = server.runtime;
  // A burst of four containers at once: the pool keeps their workers when they come back (up to maxIdle 6).
  const pod = await rt.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'burst' }, spec: {
    restartPolicy: 'Never', containers: ['a', 'b', 'c', 'd'].map((name) => ({ name, image: HELLO })) } });
  await pod.wait();
  const idleMemory = (server as any).pods.idleMemory as { activity(): void; releases: number };
  idleMemory.activity();
  while (rt.workerPool.reused < 4) await sleep(10);
  t.ok(rt.workerPool.idle > 1, `the pool holds ${rt.workerPool.idle} idle workers after the burst`);
  while (idleMemory.releases === 0) await sleep(50);
  t.equal(rt.workerPool.idle, 1, 'back to minIdle once quiet');
  t.ok(rt.workerPool.retired >= 1);
});

t.test('a server gives memory back again once its watch history has let go of a burst\'s changes', async (t) => {
  const { ApiServer } = await import('../../dist/src/server/server.js');
  const server = await ApiServer.start({ stateDir: t.testdir(), socket: false, idleGcMs: 50, watchHistoryMs: 300 });
  t.teardown(() => server.close());
  const idleMemory = (server as any).pods.idleMemory as { releases: number };
  // Config maps start and end no pod: the only thing that can start a release here is the history draining.
  for (let i = 0; i < 20; i++) {
    server.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' }, data: { k: 'v'.repeat(1000) } });
  }
  await sleep(200);
  t.equal(idleMemory.releases, 0, 'nothing is released while the history still holds the changes');
  const end = Date.now() + 15_000;
  while (idleMemory.releases === 0 && Date.now() < end) await sleep(50);
  t.equal(idleMemory.releases, 1, 'released once the history drained (two GCs, the second memory-reducing)');
  await sleep(500);
  t.equal(idleMemory.releases, 1, 'and not again while nothing changes');
});

t.test('a server\'s pool keeps the workers of a burst larger than the library\'s default (8), for the next one', async (t) => {
  const { ApiServer } = await import('../../dist/src/server/server.js');
  const { HELLO } = await import('../helpers/pods.js');
  // The server's own pool sizing (no workerPool option): up to 64 idle workers.
  const server = await ApiServer.start({ stateDir: t.testdir(), socket: false, idleGcMs: 0 });
  t.teardown(() => server.close());
  const rt = server.runtime;
  const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
  const burst = async (name: string): Promise<void> => {
    const pod = await rt.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: {
      restartPolicy: 'Never', containers: names.map((n) => ({ name: n, image: HELLO })) } });
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded', `${name} succeeded`);
  };
  await burst('first');
  // Back in the pool, and each has made its fresh instance of the module (a busy machine takes a while for that).
  while (rt.workerPool.reused < 12 || rt.workerPool.warm < 12) await sleep(10);
  t.ok(rt.workerPool.idle >= 12, `the pool kept all 12 workers of the burst (${rt.workerPool.idle} idle)`);
  const { misses, prewarmed } = rt.workerPool;
  await burst('second');
  // (The pool still starts its minIdle spare workers while the 12 are lent: what minIdle is for.)
  t.equal(rt.workerPool.misses, misses, 'no container of the next burst of 12 waits for a worker to start');
  t.equal(rt.workerPool.prewarmed - prewarmed, 12, 'each starts on a kept worker, on its warm instance');
});

t.test('the release gives the freed pages back to the system (Node 24 keeps them pooled after a plain GC)', async (t) => {
  // A child process of its own, so that nothing else of the test runner's memory moves its RSS.
  const { execFileSync } = await import('node:child_process');
  // The built module (npm test builds before it runs the tests), in a plain node without the test runner's loaders.
  const url = new URL('../../dist/src/server/idle-memory.js', import.meta.url).href;
  const script = `
    import { IdleMemory } from ${JSON.stringify(url)};
    const mb = () => process.memoryUsage().rss / 1048576;
    let junk = [];
    for (let i = 0; i < 3_000_000; i++) junk.push({ i, s: 'x' + i });
    const peak = mb();
    junk = null;
    // The release's timers do not hold the process: this one does, until the release is done.
    const alive = setInterval(() => undefined, 1000);
    await new Promise((resolve) => {
      const idle = new IdleMemory({ quietMs: 10, spacingMs: 10, onRelease: resolve });
      idle.activity();
    });
    clearInterval(alive);
    console.log(JSON.stringify({ peak, after: mb() }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const { peak, after } = JSON.parse(out.trim().split('\n').pop()!) as { peak: number; after: number };
  t.ok(peak - after > 150, `RSS ${peak.toFixed(0)} MiB at the peak, ${after.toFixed(0)} MiB after the release (Node ${process.version})`);
});
