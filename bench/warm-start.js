// Warm starts in one process: runPod → container Running → pod Succeeded for the hello pod, worker pool on vs off.
// Usage: node bench/warm-start.js [pods] [gapMs]   (default 200 pods per case, back to back; blocks of 10 alternate
// between the two runtimes so both see the same machine noise; gapMs waits between pods, 0 = back to back)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../dist/src/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pods = Number(process.argv[2] ?? 200);
const gapMs = Number(process.argv[3] ?? 0);
const hello = path.join(root, 'wasm-modules/hello/hello.wasm');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-'));
const cases = {
  'pool on (minIdle 2, maxIdle 4)': new Runtime({ stateDir, workerPool: { minIdle: 2, maxIdle: 4 } }),
  'pool off (minIdle 0)': new Runtime({ stateDir, workerPool: { minIdle: 0 } }),
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, { running: [], succeeded: [] }]));
let n = 0;

async function one(rt) {
  const t0 = performance.now();
  const pod = await rt.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `hello-${n++}` },
    spec: { restartPolicy: 'Never', containers: [{ name: 'hello', image: hello }] },
  });
  let running;
  let out = '';
  pod.on('status', (s) => { if (running === undefined && s.containerStatuses?.[0]?.state?.running) running = performance.now() - t0; });
  pod.on('output', (e) => { out += e.chunk; });
  const s = await pod.wait();
  const succeeded = performance.now() - t0;
  if (s.phase !== 'Succeeded' || out !== 'hello from wasmpod\n' || running === undefined) throw new Error(`pod failed: ${s.phase} ${JSON.stringify(out)} ${JSON.stringify(s.containerStatuses)}`);
  return { running, succeeded };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Warm-up: compile the module, fill the pool, let the JIT see the pod manager's code.
for (const rt of Object.values(cases)) for (let i = 0; i < 10; i++) await one(rt);
await sleep(300);
for (let done = 0; done < pods; done += 10) {
  for (const [name, rt] of Object.entries(cases)) {
    for (let i = 0; i < 10; i++) {
      const r = await one(rt);
      times[name].running.push(r.running);
      times[name].succeeded.push(r.succeeded);
      if (gapMs) await sleep(gapMs);
    }
  }
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const f = (x) => x.toFixed(2);
console.log(`${pods} hello pods per case, ${gapMs ? `${gapMs} ms apart` : 'back to back'}; ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| case | Running p50 ms | p90 | p99 | Succeeded p50 ms | p90 | p99 |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, { running, succeeded }] of Object.entries(times)) {
  console.log(`| ${name} | ${f(pct(running, 50))} | ${f(pct(running, 90))} | ${f(pct(running, 99))} | ${f(pct(succeeded, 50))} | ${f(pct(succeeded, 90))} | ${f(pct(succeeded, 99))} |`);
}
const pool = cases['pool on (minIdle 2, maxIdle 4)'].workerPool;
console.log(`pool: ${pool.taken} taken, ${pool.misses} of them not ready yet (taken while loading), ${pool.spawned} workers started, target ${pool.target}`);
await Promise.all(Object.values(cases).map((rt) => rt.close()));
fs.rmSync(stateDir, { recursive: true, force: true });
