// 10,000 connections opened and closed between two containers leave no fds, workers or memory behind.
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import t from 'tap';
import { runPodCollect } from '../helpers/run-pod.js';
import { fastRuntime } from '../helpers/pods.js';
import { netPod } from '../helpers/net-pods.js';
import { liveRingCount } from '../../dist/shim/ring/byte-ring.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const count = (dir: string): number => fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;

async function snapshot(): Promise<{ fds: number; threads: number; resources: string[]; bytes: number; rings: number }> {
  // Finalizers run on a later turn of the event loop: collect, let them run, collect again.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return {
    rings: liveRingCount(),
    fds: count('/proc/self/fd'),
    // Each container's worker is an OS thread of this process (Linux lists them here; elsewhere both are 0).
    threads: count('/proc/self/task'),
    resources: process.getActiveResourcesInfo().filter((r) => r !== 'Timeout').sort(),
    bytes: m.heapUsed + m.external + m.arrayBuffers,
  };
}

/** A snapshot once the pool's thread count has stopped moving (workers coming back to a full pool are ended asynchronously). */
async function settled(): Promise<Awaited<ReturnType<typeof snapshot>>> {
  let last = await snapshot();
  for (let still = 0, i = 0; still < 3 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const next = await snapshot();
    still = next.threads === last.threads && next.fds === last.fds ? still + 1 : 0;
    last = next;
  }
  return last;
}

t.test('10,000 connections leave nothing behind', async (t) => {
  // A pool that holds two idle workers at most: before and after, the same workers' threads and fds are counted.
  const runtime = fastRuntime({ minIdle: 2, maxIdle: 2 });
  t.teardown(() => runtime.close());
  // A first small pod warms the module cache and the worker machinery, which stay by design.
  await runPodCollect(netPod('warm', [
    { name: 'server', args: ['echo', '7000', '10'] },
    { name: 'client', args: ['many', 'localhost', '7000', '10'] },
  ]), {}, runtime);
  const before = await settled();
  const n = 10_000;
  const started = performance.now();
  const { status, out } = await runPodCollect(netPod('many', [
    { name: 'server', args: ['echo', '7000', String(n)] },
    { name: 'client', args: ['many', 'localhost', '7000', String(n)] },
  ]), {}, runtime);
  const ms = performance.now() - started;
  t.equal(status.phase, 'Succeeded');
  t.equal(out.client, `done ${n}\n`);
  t.comment(`${n} connections in ${Math.round(ms)} ms (${Math.round(n / (ms / 1000))} per second, two workers on a shared machine)`);
  const after = await settled();
  // Not more than before (one of the warm-up pod's files may still have been closing when `before` was taken).
  t.ok(after.fds <= before.fds, `no file descriptors left open (${before.fds} before, ${after.fds} after)`);
  t.ok(after.threads <= before.threads, `no worker threads left running (${before.threads} before, ${after.threads} after)`);
  t.same(after.resources, before.resources, 'no sockets, servers or other handles left behind');
  const grown = after.bytes - before.bytes;
  t.comment(`memory before ${before.bytes} after ${after.bytes} (grew ${grown} bytes)`);
  // Each connection had 256 KiB of rings: kept, 10,000 of them would be 2.5 GB.
  t.ok(grown < 32 * 1024 * 1024, `memory grew ${Math.round(grown / 1024)} KiB`);
  // The rings themselves (growable SharedArrayBuffers, which memoryUsage() does not count) are let go too.
  t.comment(`rings reachable before ${before.rings}, after ${after.rings} (20,000 were made)`);
  t.ok(after.rings - before.rings < 100, `${after.rings - before.rings} more rings still reachable`);
});

t.test('a guest that hoards connections gets ENOBUFS at the limit, and the runtime carries on', async (t) => {
  const { status, out } = await runPodCollect(netPod('hoard', [{ name: 'c', args: ['hoard', '7000', '5000'] }]));
  t.equal(status.phase, 'Succeeded');
  // Both ends of each connection are this container's: 4096 ends are 2048 connections.
  t.equal(out.c, 'listening 7000\nheld 2048 then errno=42\n');
});
