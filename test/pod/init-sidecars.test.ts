// Init containers retried by the pod's restart policy, and sidecars: started in order, restarted, stopped last in reverse order.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PodStatus } from '../../dist/src/index.js';
import { SLEEP, TOOL, fastRuntime, podSpec, until } from '../helpers/pods.js';

const rt = fastRuntime();
t.teardown(() => rt.close());

const init = (s: PodStatus, name: string) => s.initContainerStatuses!.find((c) => c.name === name)!;
const cond = (s: PodStatus, type: string) => s.conditions!.find((c) => c.type === type)!;

t.test('a failing init container is retried (restartPolicy OnFailure) with back-off; the app waits until it succeeds', async (t) => {
  const dir = t.testdir();
  // exit.wasm exits 99 while it cannot append to /d/later/order (the directory is missing), 0 once it can.
  const spec = podSpec('init-retry', [{ name: 'app', args: ['app', '0'] }], {
    restartPolicy: 'OnFailure', volumes: [{ name: 'd', hostPath: { path: dir } }],
  }, [{ name: 'setup', args: ['setup', '0', '/d/later/order'] }]) as any;
  spec.spec.initContainers[0].volumeMounts = [{ name: 'd', mountPath: '/d' }];
  const pod = await rt.runPod(spec);
  const looping = await until(pod, (s) => init(s, 'setup').restartCount >= 2 && init(s, 'setup').state?.waiting?.reason === 'CrashLoopBackOff');
  t.equal(init(looping, 'setup').lastState!.terminated!.exitCode, 99);
  t.equal(looping.phase, 'Pending', 'a pod whose init container is being retried is Pending');
  t.equal(looping.containerStatuses![0].state!.waiting!.reason, 'PodInitializing', 'the app container has not started');
  t.match(cond(looping, 'Initialized'), { status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [setup]' });
  fs.mkdirSync(path.join(dir, 'later'));
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  t.equal(init(s, 'setup').state!.terminated!.exitCode, 0);
  t.ok(init(s, 'setup').restartCount >= 2);
  t.equal(fs.readFileSync(path.join(dir, 'later/order'), 'utf8'), 'setup\n');
  t.equal(cond(s, 'Initialized').status, 'True');
});

t.test('restartPolicy Always retries a failing init container too: the pod stays Pending', async (t) => {
  const pod = await rt.runPod(podSpec('init-always', [{ name: 'app', image: SLEEP }], {}, [{ name: 'bad', args: ['bad', '3'] }]));
  const s = await until(pod, (s) => init(s, 'bad').restartCount >= 2);
  t.equal(s.phase, 'Pending');
  t.notOk(s.containerStatuses![0].state!.running, 'the app container never started');
  const final = await pod.delete();
  t.equal(final.phase, 'Failed');
});

t.test('sidecars start in order before the app, are restarted when they exit, and are stopped after the app in reverse order', async (t) => {
  const spec = podSpec('sidecars', [{ name: 'app', image: TOOL, args: ['sleep', '1500'] }], { restartPolicy: 'Never' }, [
    { name: 'first', image: SLEEP, restartPolicy: 'Always' },
    { name: 'flaky', args: ['flaky', '1'], restartPolicy: 'Always' },
    { name: 'last', image: SLEEP, restartPolicy: 'Always' },
  ]);
  const pod = await rt.runPod(spec);
  const started: string[] = [];
  const stopped: string[] = [];
  const phases = new Set<string>();
  pod.on('status', (s) => {
    for (const c of [...s.initContainerStatuses!, ...s.containerStatuses!]) {
      if (c.state?.running && !started.includes(c.name)) started.push(c.name);
      if (c.name !== 'flaky' && c.state?.terminated && !stopped.includes(c.name)) stopped.push(c.name);
    }
    if (s.containerStatuses![0].state?.running) phases.add(s.phase!);
  });
  const s = await pod.wait();
  t.same(started.filter((n) => n !== 'flaky').slice(0, 3), ['first', 'last', 'app'], 'sidecars in order, then the app');
  t.ok(started.indexOf('flaky') < started.indexOf('last'), 'the flaky sidecar started before the next one');
  t.ok(init(s, 'flaky').restartCount >= 2, `the exiting sidecar was restarted (${init(s, 'flaky').restartCount} times)`);
  t.same([...phases], ['Running'], 'a crash-looping sidecar does not take the pod out of Running');
  t.same(stopped, ['app', 'last', 'first'], 'the app ended first; then the sidecars were stopped, last first');
  t.equal(s.phase, 'Succeeded', 'the app completed: the pod Succeeded, though its sidecars were running and one kept failing');
  t.equal(init(s, 'first').state!.terminated!.exitCode, 143);
});

t.test('a pod whose app container fails reaches Failed though its sidecar was running', async (t) => {
  const pod = await rt.runPod(podSpec('sidecar-fail', [{ name: 'app', args: ['app', '4'] }], { restartPolicy: 'Never' },
    [{ name: 'proxy', image: SLEEP, restartPolicy: 'Always' }]));
  const s = await pod.wait();
  t.equal(s.phase, 'Failed');
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 4);
  t.equal(init(s, 'proxy').state!.terminated!.exitCode, 143);
  t.match(cond(s, 'Ready'), { status: 'False', reason: 'PodFailed' });
});

t.test('a sidecar that never starts (its startup probe fails) holds the init containers after it and the app back', async (t) => {
  const { Runtime } = await import('../../dist/src/index.js');
  const fast = new Runtime({ stateDir: rt.stateDir, secondMs: 20, backoff: { baseMs: 20, maxMs: 100, resetAfterMs: 60_000 } });
  t.teardown(() => fast.close());
  const spec = podSpec('sidecar-unstarted', [{ name: 'app', args: ['app', '0'] }], { restartPolicy: 'Never' },
    [{ name: 'proxy', image: TOOL, restartPolicy: 'Always' }, { name: 'after', args: ['after', '0'] }]) as any;
  spec.spec.initContainers[0].startupProbe = { exec: { command: ['tool', 'exit', '1'] }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1000 };
  const pod = await fast.runPod(spec);
  const s = await until(pod, (s) => init(s, 'proxy').restartCount >= 2);
  t.equal(s.phase, 'Pending');
  t.match(init(s, 'after').state, { waiting: { reason: 'PodInitializing' } }, 'the next init container did not start');
  t.match(s.containerStatuses![0].state, { waiting: { reason: 'PodInitializing' } }, 'nor did the app');
  t.match(cond(s, 'Initialized'), { status: 'False', message: 'containers with incomplete status: [proxy after]' });
  t.ok(pod.events.some((e) => /failed startup probe, will be restarted/.test(e.message)));
  await pod.delete();
});
