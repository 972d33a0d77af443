import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SLEEP, TOOL, fastRuntime, podSpec, until } from '../helpers/pods.js';

const rt = fastRuntime();
/** A log's lines, sorted: stdout's and stderr's interleave in the order they were read. */
const lines = (log: string): string[] => log.split('\n').filter((l) => l !== '').sort();
t.teardown(() => rt.close());

t.test('a pod whose containers exit 0 Succeeds, with Kubernetes container states and conditions', async (t) => {
  const pod = await rt.runPod(podSpec('ok', [{ name: 'a', args: ['a', '0'] }, { name: 'b', args: ['b', '0'] }], { restartPolicy: 'Never' }));
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  for (const c of s.containerStatuses!) {
    t.equal(c.state!.terminated!.exitCode, 0);
    t.equal(c.state!.terminated!.reason, 'Completed');
    t.ok(c.state!.terminated!.startedAt && c.state!.terminated!.finishedAt);
    t.match(c.imageID, /^sha256:[0-9a-f]{64}$/);
    t.equal(c.restartCount, 0);
  }
  const cond = Object.fromEntries(s.conditions!.map((c) => [c.type, c]));
  t.equal(cond.PodScheduled.status, 'True');
  t.equal(cond.Initialized.status, 'True');
  t.equal(cond.Ready.status, 'False');
  t.equal(cond.Ready.reason, 'PodCompleted');
  // Its stdout and stderr lines, each whole: the two streams are read as they come, as a kubelet reads a
  // container's two pipes, so their order relative to each other is not kept (a CRI log's neither).
  t.same(lines(pod.logs('a')), ['a exits 0', 'a run']);
});

t.test('a started container that has written nothing has an empty log, made on disk when its run ends', async (t) => {
  // A runtime of its own: a worker killed in the middle of a read is not given back to the pool.
  const own = fastRuntime();
  t.teardown(() => own.close());
  const pod = await own.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'silent' },
    // `tool cat` with stdin open and empty: Running, and silent until its stdin brings something.
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 's', image: TOOL, args: ['cat'], stdin: true }] } });
  await until(pod, (s) => s.containerStatuses?.[0].state?.running !== undefined);
  t.equal(pod.logs('s'), '', 'running and silent: an empty log, not an error');
  t.throws(() => pod.logs('s', { previous: true }), /previous terminated container "s" in pod "silent" not found/);
  await pod.delete();
  t.ok(fs.existsSync(path.join(pod.logDir, 's', '0.log')), 'the ended run has its log file');
  t.equal(pod.logs('s'), '');
});

t.test('restartPolicy Never: a failing container fails the pod with its exit code', async (t) => {
  const pod = await rt.runPod(podSpec('never', [{ name: 'a', args: ['a', '3'] }], { restartPolicy: 'Never' }));
  const s = await pod.wait();
  t.equal(s.phase, 'Failed');
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 3);
  t.equal(s.containerStatuses![0].state!.terminated!.reason, 'Error');
});

t.test('restartPolicy Always restarts with back-off, showing CrashLoopBackOff and lastState', async (t) => {
  const pod = await rt.runPod(podSpec('crashloop', [{ name: 'a', args: ['a', '2'] }]));
  const s = await until(pod, (s) => (s.containerStatuses?.[0].restartCount ?? 0) >= 2 &&
    s.containerStatuses![0].state?.waiting?.reason === 'CrashLoopBackOff');
  const c = s.containerStatuses![0];
  t.equal(c.lastState!.terminated!.exitCode, 2);
  t.match(c.state!.waiting!.message, /^back-off \d+ms restarting failed container=a pod=crashloop_default\(/);
  t.equal(s.phase, 'Running', 'a crash-looping pod with restartPolicy Always is Running, as in Kubernetes');
  t.same(lines(pod.logs('a', { previous: true })), ['a exits 2', 'a run']);
  const final = await pod.delete();
  t.equal(final.phase, 'Failed');
  const fc = final.containerStatuses![0];
  // Deleted most likely while it waits out a back-off (its runs last a few ms, the waits 40 ms and more), else
  // during a run: either way it ends Terminated, with its last run's code (2) or the stop's (143, 137).
  t.equal(fc.state?.waiting, undefined, 'a deleted pod\'s container is not shown waiting to restart');
  t.ok([2, 143, 137].includes(fc.state?.terminated?.exitCode ?? -1), `it ends Terminated by its last run (${fc.state?.terminated?.exitCode})`);
  t.equal(fc.lastState?.terminated?.exitCode, 2, 'the run before that is its last state');
});

t.test('restartPolicy OnFailure restarts a failing container but not a succeeding one', async (t) => {
  const pod = await rt.runPod(podSpec('onfailure', [{ name: 'bad', args: ['bad', '1'] }, { name: 'good', args: ['good', '0'] }],
    { restartPolicy: 'OnFailure' }));
  // Once `good` has run (a worker it waits for may start later than `bad`'s restarts) and `bad` has restarted twice.
  const s = await until(pod, (s) => (s.containerStatuses?.[0].restartCount ?? 0) >= 2 && s.containerStatuses?.[1].state?.terminated !== undefined);
  t.equal(s.phase, 'Running', 'a pod restarting a failed container is Running');
  const good = s.containerStatuses![1];
  t.equal(good.restartCount, 0);
  t.equal(good.state!.terminated!.reason, 'Completed');
  await pod.delete();
  const ok = await rt.runPod(podSpec('onfailure-ok', [{ name: 'good', args: ['good', '0'] }], { restartPolicy: 'OnFailure' }));
  t.equal((await ok.wait()).phase, 'Succeeded');
});

t.test('init containers run one at a time in order before the app containers', async (t) => {
  const dir = t.testdir();
  const order = path.join(dir, 'order');
  const vol = { volumes: [{ name: 'd', hostPath: { path: dir } }], restartPolicy: 'Never' };
  const mount = (c: Record<string, unknown>) => ({ ...c, volumeMounts: [{ name: 'd', mountPath: '/d' }] });
  const spec = podSpec('inits', [{ name: 'app', args: ['app', '0', '/d/order'] }], vol,
    [{ name: 'first', args: ['first', '0', '/d/order'] }, { name: 'second', args: ['second', '0', '/d/order'] }]) as any;
  spec.spec.containers = spec.spec.containers.map(mount);
  spec.spec.initContainers = spec.spec.initContainers.map(mount);
  const seen: string[] = [];
  const pod = await rt.runPod(spec);
  pod.on('status', (s) => seen.push(s.containerStatuses![0].state?.waiting?.reason ?? ''));
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  t.equal(fs.readFileSync(order, 'utf8'), 'first\nsecond\napp\n');
  t.ok(seen.includes('PodInitializing'), 'app containers wait with PodInitializing');
  t.equal(s.initContainerStatuses!.length, 2);
});

t.test('a failing init container with restartPolicy Never fails the pod; app containers never run', async (t) => {
  const pod = await rt.runPod(podSpec('initfail', [{ name: 'app', args: ['app', '0'] }], { restartPolicy: 'Never' },
    [{ name: 'init', args: ['init', '5'] }]));
  const s = await pod.wait();
  t.equal(s.phase, 'Failed');
  t.equal(s.initContainerStatuses![0].state!.terminated!.exitCode, 5);
  t.notOk(s.containerStatuses![0].state!.terminated, 'the app container did not run');
  t.equal(s.conditions!.find((c) => c.type === 'Initialized')!.status, 'False');
});

t.test('delete ends running containers and the pod reaches a terminal phase', async (t) => {
  const pod = await rt.runPod(podSpec('sleeper', [{ name: 's', image: SLEEP }]));
  await until(pod, (s) => s.phase === 'Running');
  const s = await pod.delete();
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 143);
  t.equal(s.phase, 'Failed');
  t.equal(rt.list().length, 0);
});

t.test('activeDeadlineSeconds fails the pod with DeadlineExceeded', async (t) => {
  const pod = await rt.runPod(podSpec('deadline', [{ name: 's', image: SLEEP }], { activeDeadlineSeconds: 1 }));
  const s = await pod.wait();
  t.equal(s.phase, 'Failed');
  t.equal(s.reason, 'DeadlineExceeded');
});

t.test('a sidecar starts before the app containers, runs beside them, and is stopped after them', async (t) => {
  const pod = await rt.runPod(podSpec('sidecar', [{ name: 'app', args: ['app', '0'] }], { restartPolicy: 'Never' },
    [{ name: 'proxy', image: SLEEP, restartPolicy: 'Always' }]));
  const seen: string[] = [];
  pod.on('status', (s) => {
    const side = s.initContainerStatuses![0];
    const app = s.containerStatuses![0];
    if (app.state?.terminated && side.state?.running) seen.push('app done while sidecar running');
  });
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded', 'the pod completes though its sidecar was still running');
  t.ok(seen.length > 0, 'the sidecar ran beside the app container');
  t.equal(s.initContainerStatuses![0].state!.terminated!.exitCode, 143, 'the sidecar was stopped after the app');
  t.equal(s.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
});
