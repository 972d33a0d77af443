// A process near the kernel's limit of memory mappings starts no more worker threads: the container ends with
// StartError saying why, instead of V8's out-of-memory handler ending (on Node 20, hanging) the whole process.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { MAPS_PER_WORKER, MapBudget, REFUSAL_MS, mapLimit } from '../../../dist/src/runtime/wasm/map-budget.js';
import { ROOT, SLEEP } from '../../helpers/pods.js';
import { tempDir } from '../../helpers/temp-dir.js';

t.test('the budget adds an estimate per worker and reads the real count only near the limit', async (t) => {
  let maps = 5000;
  let reads = 0;
  let clock = 0;
  const budget = new MapBudget(10_000, () => { reads++; return maps; }, () => clock);
  t.equal(budget.reserve, 2048, 'at least 2,048 mappings are kept back');
  const room = 10_000 - 2048;
  const fit = Math.floor((room - maps) / MAPS_PER_WORKER);
  for (let i = 0; i < fit; i++) t.equal(budget.admit(), undefined);
  t.equal(reads, 1, `${fit} workers admitted on one read`);
  // The real count is lower than the estimate (workers hold fewer than MAPS_PER_WORKER, some have ended): read again.
  maps = 5000 + fit * 20;
  t.equal(budget.admit(), undefined, 'admitted after a read that finds room');
  t.equal(reads, 2);
  maps = room - MAPS_PER_WORKER + 1;
  let refused: string | undefined;
  for (let i = 0; i < 100 && refused === undefined; i++) refused = budget.admit();
  t.match(refused, /cannot start a worker thread: this process holds \d+ memory mappings and the kernel allows 10000 \(vm\.max_map_count\)/);
  t.match(refused, /sysctl -w vm\.max_map_count=262144/);
  t.match(refused, /shared workers/);
  maps = 3000;
  const readsAtRefusal = reads;
  t.equal(budget.admit(), refused, 'within a second of a refusal, the same refusal');
  t.equal(reads, readsAtRefusal, 'without reading the mappings again');
  clock += REFUSAL_MS;
  t.equal(budget.admit(), undefined, 'room again once mappings are given back');
  const none = new MapBudget(Infinity, () => { throw new Error('never read'); });
  t.equal(none.admit(), undefined, 'no limit (not Linux): nothing is read');
});

t.test('the limit is the kernel\'s, or WASMPOD_MAX_MAP_COUNT when lower', async (t) => {
  const dir = tempDir('wasmpod-maps-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'max_map_count');
  fs.writeFileSync(file, '65530\n');
  t.equal(mapLimit(undefined, file), 65530);
  t.equal(mapLimit('4000', file), 4000);
  t.equal(mapLimit('100000', file), 65530, 'never above the kernel\'s');
  t.equal(mapLimit('lots', file), 65530, 'a value that is not a count is ignored');
  t.equal(mapLimit(undefined, path.join(dir, 'none')), Infinity, 'no such file: no limit');
  t.equal(mapLimit('4000', path.join(dir, 'none')), 4000);
});

// A child process whose budget ends a few workers above what it holds once its runtime has started: it starts
// idle pods until one's container ends with StartError, deletes them, and starts one more, which runs.
const childScript = `
import * as fs from 'node:fs';
const { Runtime } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))});
const rt = new Runtime({ stateDir: ${JSON.stringify(tempDir('wasmpod-test-'))}, workerPool: { minIdle: 2, maxIdle: 2 } });
const spec = (name) => ({ metadata: { name }, spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
  containers: [{ name: 'idle', image: ${JSON.stringify(SLEEP)} }] } });
const maps = () => fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').length - 1;
const first = await rt.runPod(spec('first'));
const state = async (pod) => {
  for (;;) {
    const c = pod.status.containerStatuses?.[0]?.state;
    if (c?.running || c?.terminated) return c;
    await new Promise((r) => setTimeout(r, 5));
  }
};
await state(first);
// The limit is read at the first worker, which the first pod has started: it is set before, from what one worker holds.
process.stdout.write(JSON.stringify({ mapsAtFirst: maps() }) + '\\n');
const pods = [first];
let refused;
for (let i = 0; i < 40 && !refused; i++) {
  const pod = await rt.runPod(spec('p' + i));
  pods.push(pod);
  const s = await state(pod);
  if (s.terminated) refused = s.terminated;
}
process.stdout.write(JSON.stringify({ pods: pods.length, refused }) + '\\n');
await Promise.all(pods.map((p) => p.delete()));
// A refusal stands for a second (REFUSAL_MS) before the mappings are counted again.
await new Promise((r) => setTimeout(r, 1100));
// More pods than the pool keeps idle: new workers are admitted again.
const after = await Promise.all([0, 1, 2, 3].map((i) => rt.runPod(spec('after' + i))));
const again = await Promise.all(after.map(state));
process.stdout.write(JSON.stringify({ after: again }) + '\\n');
await Promise.all(after.map((p) => p.delete()));
await rt.close();
`;

t.test('a runtime near the limit ends a container with StartError, keeps running, and starts pods again once room is back', {
  skip: fs.existsSync('/proc/self/maps') ? false : 'no /proc/self/maps here',
}, async (t) => {
  // What a process holds after starting a runtime and a worker (read in a child like the one below), plus room
  // for a dozen workers over the reserve.
  const probe = await runChild(childScript, { WASMPOD_MAX_MAP_COUNT: '1000000000' }, 1);
  const base = (JSON.parse(probe.split('\n')[0]!) as { mapsAtFirst: number }).mapsAtFirst;
  const out = await runChild(childScript, { WASMPOD_MAX_MAP_COUNT: String(base + 2048 + 12 * MAPS_PER_WORKER) });
  const [, run, end] = out.trim().split('\n').map((l) => JSON.parse(l));
  t.ok(run.refused, `a container was refused, after ${run.pods - 1} pods`);
  t.ok(run.pods > 2 && run.pods < 40, `${run.pods} pods started before one was refused`);
  t.match(run.refused, { exitCode: 128, reason: 'StartError', message: /cannot start a worker thread: .*vm\.max_map_count/ });
  t.ok(end.after.every((s: { running?: unknown }) => s.running), 'after the pods are deleted, four new pods run');
});

/** Runs the child script with `env`; resolves with its stdout (`lines`: stop once that many lines are out). */
function runChild(code: string, env: Record<string, string>, lines?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child hung; its output: ${out}`)); }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c;
      if (lines !== undefined && out.split('\n').length > lines) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (code === 0 || (lines !== undefined && signal === 'SIGKILL')) resolve(out);
      else reject(new Error(`child exited with ${code ?? signal}; its output: ${out}`));
    });
  });
}
