// Warm start of a two-container pod, the issue 9 target: runPod → both containers Running, then delete.
// Usage: node bench/pod-start.js [pods] [gapMs] [minIdle]   (default 200 pods, 20 ms apart, pool minIdle 4);
// SHARED_WORKERS=N runs the containers in shared workers instead (Node 24 or later).
// Each pod holds two idle containers (wasm-modules/testing/sleep.wasm); "Running" is the first status
// with both containers running, timed from just before runPod; "deleted" is pod.delete() resolving.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../dist/src/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pods = Number(process.argv[2] ?? 200);
const gapMs = Number(process.argv[3] ?? 20);
const minIdle = Number(process.argv[4] ?? 4);
const sleepWasm = path.join(root, 'wasm-modules/testing/sleep.wasm');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-'));
// SHARED_WORKERS=N: the containers run in shared workers of N guests each (Node 24+) instead of the pool.
const shared = process.env.SHARED_WORKERS ? { sharedWorkers: { guestsPerWorker: Number(process.env.SHARED_WORKERS) } } : {};
const rt = new Runtime({ stateDir, workerPool: { minIdle, maxIdle: Math.max(minIdle, 8) }, ...shared });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let n = 0;

async function one() {
  const t0 = performance.now();
  const pod = await rt.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `idle-${n++}` },
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [
      { name: 'a', image: sleepWasm }, { name: 'b', image: sleepWasm }] },
  });
  const returned = performance.now() - t0;
  const running = await new Promise((resolve) => {
    pod.on('status', (s) => {
      if (s.containerStatuses?.every((c) => c.state?.running)) resolve(performance.now() - t0);
    });
  });
  const t1 = performance.now();
  await pod.delete();
  return { returned, running, deleted: performance.now() - t1 };
}

for (let i = 0; i < 20; i++) await one();
await sleep(200);
const r = { returned: [], running: [], deleted: [] };
for (let i = 0; i < pods; i++) {
  const x = await one();
  for (const k of Object.keys(r)) r[k].push(x[k]);
  if (gapMs) await sleep(gapMs);
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
console.log(`${pods} two-container pods, ${gapMs} ms apart, pool minIdle ${minIdle}; Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| measure | p50 ms | p90 | p99 |');
console.log('|---|---|---|---|');
for (const [k, xs] of Object.entries(r)) console.log(`| ${k} | ${pct(xs, 50).toFixed(3)} | ${pct(xs, 90).toFixed(3)} | ${pct(xs, 99).toFixed(3)} |`);
console.log('pool', JSON.stringify(rt.workerPool));
await rt.close();
fs.rmSync(stateDir, { recursive: true, force: true });
