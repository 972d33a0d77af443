// Cold start of an idle two-container wasm pod on a fresh Runtime (nothing compiled, no worker waiting), split
// into runPod (admission, compile, sandbox) and the rest (workers started, guests running), beside the time a
// bare worker thread takes to come up on this machine, and the time one loading the shim's bundle takes.
// Usage: node bench/cold-start.js [rounds]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Runtime } from '../dist/src/index.js';
import { benchPod } from '../dist/src/bench/fixtures.js';
import { allRunning } from '../dist/src/bench/env.js';
import { WORKER_URL } from '../dist/src/runtime/wasm/worker-pool.js';

const ROUNDS = Number(process.argv[2] ?? 10);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-cold-'));
const p50 = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function workerUp(url, data) {
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const w = new Worker(url, { execArgv: [], workerData: data });
    w.once('error', reject);
    const done = () => { const ms = performance.now() - t0; w.terminate().then(() => resolve(ms)); };
    if (data.standby) w.on('message', (m) => { if (m.type === 'ready') done(); });
    else w.once('online', done);
  });
  return performance.now() - t0;
}

const empty = path.join(tmp, 'empty.mjs');
fs.writeFileSync(empty, '');
const rows = { bare: [], shim: [], runPod: [], running: [] };
for (let i = 0; i < ROUNDS; i++) {
  rows.bare.push(await workerUp(empty, {}));
  rows.shim.push(await workerUp(WORKER_URL, { standby: true }));
  const rt = new Runtime({ stateDir: fs.mkdtempSync(path.join(tmp, 'state-')), workerPool: { minIdle: 2, maxIdle: 8 } });
  const t0 = performance.now();
  const pod = await rt.runPod(benchPod('idle', 'wasm', `cold-${i}`));
  rows.runPod.push(performance.now() - t0);
  await allRunning(pod);
  rows.running.push(performance.now() - t0);
  await pod.delete({ gracePeriodSeconds: 0 });
  await rt.close();
}
console.log(`${new Date().toISOString()} ${os.cpus().length} x ${os.cpus()[0].model}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; worker entry ${path.basename(WORKER_URL.pathname)}`);
console.log(`p50 of ${ROUNDS}: bare worker online ${p50(rows.bare).toFixed(1)} ms; worker with the shim ready ${p50(rows.shim).toFixed(1)} ms; ` +
  `cold pod: runPod ${p50(rows.runPod).toFixed(1)} ms, all Running ${p50(rows.running).toFixed(1)} ms (min ${Math.min(...rows.running).toFixed(1)})`);
fs.rmSync(tmp, { recursive: true, force: true });
