// One behavioural suite run on both backends: the pod manager's rules must give the same statuses on wasm and on Linux.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Runtime } from '../../dist/src/index.js';
import { EXIT } from '../helpers/pods.js';
import { busyboxRootfs, linuxSkip, removeStateDir } from './helpers.js';
import { until } from '../helpers/pods.js';

/** A container that prints "NAME run", appends NAME to FILE when given, says "NAME exits CODE" on stderr and exits CODE. */
type Exiter = (name: string, code: number, file?: string) => Record<string, unknown>;

const wasmExiter: Exiter = (name, code, file) => ({ name, image: EXIT, args: [name, String(code), ...(file ? [file] : [])] });
const linuxExiter = (rootfs: string): Exiter => (name, code, file) => ({
  name, image: rootfs,
  command: ['sh', '-c', `echo "${name} run"; ${file ? `echo ${name} >> ${file};` : ''} echo "${name} exits ${code}" >&2; exit ${code}`],
});

const backends: [string, () => Exiter][] = [['wasm', () => wasmExiter]];
const skip = linuxSkip();
if (!skip) backends.push(['linux', () => linuxExiter(busyboxRootfs())]);
else t.comment(`linux backend cases skipped: ${skip}`);

for (const [backend, make] of backends) {
  t.test(`${backend} backend`, async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-both-'));
    const rt = new Runtime({
      stateDir,
      defaultRuntimeClass: backend as 'wasm' | 'linux',
      backoff: { baseMs: 50, maxMs: 500, resetAfterMs: 60_000 },
      secondMs: 100,
    });
    t.teardown(async () => {
      await rt.close();
      removeStateDir(stateDir);
    });
    const c = make();
    const run = (name: string, spec: Record<string, unknown>) => rt.runPod({ metadata: { name }, spec });

    t.test('exit 0 with restartPolicy Never: Succeeded, Completed', async (t) => {
      const pod = await run('ok', { restartPolicy: 'Never', containers: [c('a', 0)] });
      const s = await pod.wait();
      t.equal(s.phase, 'Succeeded');
      t.match(s.containerStatuses![0]!.state!.terminated, { exitCode: 0, reason: 'Completed' });
      const lines = pod.logLines('a');
      t.same(lines.filter((l) => l.stream === 'stdout').map((l) => l.text), ['a run']);
      t.same(lines.filter((l) => l.stream === 'stderr').map((l) => l.text), ['a exits 0']);
    });

    t.test('exit 3 with restartPolicy Never: Failed, Error, exit code 3', async (t) => {
      const s = await (await run('fail', { restartPolicy: 'Never', containers: [c('a', 3)] })).wait();
      t.equal(s.phase, 'Failed');
      t.match(s.containerStatuses![0]!.state!.terminated, { exitCode: 3, reason: 'Error' });
    });

    t.test('init containers run in order, each to success, before the app container', async (t) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-order-'));
      t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
      const mount = { volumeMounts: [{ name: 'data', mountPath: '/data' }] };
      const pod = await run('order', {
        restartPolicy: 'Never', volumes: [{ name: 'data', hostPath: { path: dir } }],
        initContainers: [{ ...c('one', 0, '/data/order'), ...mount }, { ...c('two', 0, '/data/order'), ...mount }],
        containers: [{ ...c('app', 0, '/data/order'), ...mount }],
      });
      t.equal((await pod.wait()).phase, 'Succeeded');
      t.equal(fs.readFileSync(path.join(dir, 'order'), 'utf8'), 'one\ntwo\napp\n');
    });

    t.test('a failing init container stops the pod under restartPolicy Never; the app never runs', async (t) => {
      const s = await (await run('initfail', { restartPolicy: 'Never', initContainers: [c('init', 1)], containers: [c('app', 0)] })).wait();
      t.equal(s.phase, 'Failed');
      t.match(s.initContainerStatuses![0]!.state!.terminated, { exitCode: 1, reason: 'Error' });
      t.ok(s.containerStatuses![0]!.state!.waiting, 'the app container is still waiting');
    });

    t.test('restartPolicy OnFailure restarts a failing container with back-off', async (t) => {
      const pod = await run('again', { restartPolicy: 'OnFailure', containers: [c('a', 2)] });
      const s = await until(pod, (x) => x.containerStatuses![0]!.restartCount >= 2);
      t.match(s.containerStatuses![0]!.lastState!.terminated, { exitCode: 2, reason: 'Error' });
      t.ok(pod.events.some((e) => e.reason === 'BackOff'));
      await pod.delete();
    });
  });
}
