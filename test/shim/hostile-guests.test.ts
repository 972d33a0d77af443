// Hostile guests: a trap, an out-of-bounds access, a stack overflow, an endless loop and a
// proc_exit from deep inside. Each must end with the right exit code, reason and message,
// and the runtime must survive it: the hello guest runs fine in the same process afterwards.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { runGuest } from '../helpers/run-guest.js';

const wasm = (path: string) =>
  fileURLToPath(new URL(`../../wasm-modules/${path}.wasm`, import.meta.url));

const hello = wasm('hello/hello');

async function runtimeSurvives(t: { hasStrict: (found: unknown, wanted: object) => boolean }) {
  const run = await runGuest({ module: hello });
  t.hasStrict(run, { exitCode: 0, reason: 'Completed', stdout: 'hello from wasmpod\n',
    stderr: '' });
}

t.test('hello runs', async t => {
  await runtimeSurvives(t);
});

t.test('a trap exits 134 with the trap message; output written before it is kept', async t => {
  const run = await runGuest({ module: wasm('wasi-tests/hostile-trap') });
  t.hasStrict(run, { exitCode: 134, reason: 'Error', stdout: 'about to trap\n' });
  t.match(run.message, /unreachable/i);
  await runtimeSurvives(t);
});

t.test('an out-of-bounds memory access traps', async t => {
  const run = await runGuest({ module: wasm('wasi-tests/hostile-oob') });
  t.hasStrict(run, { exitCode: 134, reason: 'Error' });
  t.match(run.message, /out of bounds/i);
  await runtimeSurvives(t);
});

t.test('infinite recursion overflows the stack and traps', async t => {
  const run = await runGuest({ module: wasm('wasi-tests/hostile-stack') });
  t.hasStrict(run, { exitCode: 134, reason: 'Error' });
  t.match(run.message, /stack/i);
  await runtimeSurvives(t);
});

t.test('proc_exit(3) from 5000 frames deep', async t => {
  const run = await runGuest({ module: wasm('wasi-tests/hostile-deep-exit') });
  t.hasStrict(run, { exitCode: 3, reason: 'Error', stdout: 'entering\n', stderr: '' });
  await runtimeSurvives(t);
});

t.test('an endless loop is killed when the pod is deleted', async t => {
  const started = Date.now();
  const run = await runGuest({ module: wasm('wasi-tests/hostile-loop'), timeoutMs: 1000 });
  const took = Date.now() - started;
  // Deleted, not completed: 137 (killed) or 143 (terminated) as Kubernetes reports them.
  t.ok(run.exitCode === 137 || run.exitCode === 143, `exit code ${run.exitCode} is 137 or 143`);
  t.equal(run.reason, 'Error');
  t.ok(took >= 1000, `ran until the deadline (${took} ms)`);
  t.ok(took < 20000, `stopped soon after the deadline (${took} ms)`);
  await runtimeSurvives(t);
});

t.test('a spinning guest does not hold up another guest', async t => {
  // The spinner is only stopped at its deadline, so it must still be running when hello,
  // started after it, has finished: an ordering, not a wall-clock bound.
  let spinnerEnded = false;
  const spinning = runGuest({ module: wasm('wasi-tests/hostile-loop'), timeoutMs: 15000 })
    .finally(() => { spinnerEnded = true; });
  await runtimeSurvives(t);
  t.notOk(spinnerEnded, 'hello finished while the loop was still spinning');
  const run = await spinning;
  t.not(run.exitCode, 0);
});
