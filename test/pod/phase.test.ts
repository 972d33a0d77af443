// The pod phase and conditions against the kubelet's getPhase and generate.go, case by case, sidecars included.
import t from 'tap';
import { podPhase, setPodConditions } from '../../dist/src/pod/phase.js';
import type { ContainerStatus, PodCondition } from '../../dist/src/spec/types.js';

const at = '2026-01-01T00:00:00Z';
const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name, image: 'x', imageID: '', ready: false, restartCount: 0, started: true, state: { running: { startedAt: at } }, ...extra });
const exited = (name: string, exitCode: number): ContainerStatus =>
  ({ name, image: 'x', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode, startedAt: at, finishedAt: at } } });
const waiting = (name: string, reason: string, lastExit?: number): ContainerStatus => ({
  name, image: 'x', imageID: '', ready: false, restartCount: lastExit === undefined ? 0 : 1, started: false, state: { waiting: { reason } },
  ...(lastExit === undefined ? {} : { lastState: { terminated: { exitCode: lastExit, startedAt: at, finishedAt: at } } }),
});
const sidecars = (...names: string[]) => (n: string) => names.includes(n);
const none = sidecars();

t.test('regular init containers: pending, then failed (Failed only with restartPolicy Never)', async (t) => {
  const app = [waiting('app', 'PodInitializing')];
  t.equal(podPhase({ restartPolicy: 'Always', init: [running('i')], sidecar: none, app }), 'Pending');
  t.equal(podPhase({ restartPolicy: 'Never', init: [exited('i', 1)], sidecar: none, app }), 'Failed');
  t.equal(podPhase({ restartPolicy: 'OnFailure', init: [waiting('i', 'CrashLoopBackOff', 1)], sidecar: none, app }), 'Pending',
    'a failing init container being retried keeps the pod Pending');
  t.equal(podPhase({ restartPolicy: 'Always', init: [exited('i', 0)], sidecar: none, app: [running('app')] }), 'Running');
});

t.test('app containers: Running, then Succeeded/Failed by restart policy', async (t) => {
  t.equal(podPhase({ restartPolicy: 'Always', init: [], sidecar: none, app: [waiting('a', 'ContainerCreating')] }), 'Pending');
  t.equal(podPhase({ restartPolicy: 'Always', init: [], sidecar: none, app: [waiting('a', 'CrashLoopBackOff', 2)] }), 'Running');
  t.equal(podPhase({ restartPolicy: 'Never', init: [], sidecar: none, app: [exited('a', 0), exited('b', 0)] }), 'Succeeded');
  t.equal(podPhase({ restartPolicy: 'Never', init: [], sidecar: none, app: [exited('a', 0), exited('b', 3)] }), 'Failed');
  t.equal(podPhase({ restartPolicy: 'OnFailure', init: [], sidecar: none, app: [exited('a', 0), exited('b', 3)] }), 'Running');
  t.equal(podPhase({ restartPolicy: 'Always', init: [], sidecar: none, app: [exited('a', 0)] }), 'Running');
});

t.test('sidecars: a started one counts as running; the pod is Pending only until it has initialized', async (t) => {
  const side = sidecars('proxy');
  t.equal(podPhase({ restartPolicy: 'Never', init: [running('proxy', { started: false })], sidecar: side, app: [waiting('app', 'PodInitializing')] }),
    'Pending', 'a sidecar not yet started holds the pod');
  t.equal(podPhase({ restartPolicy: 'Never', init: [running('proxy')], sidecar: side, app: [exited('app', 0)] }), 'Running',
    'app containers done, sidecar still running: Running until the sidecar is stopped');
  t.equal(podPhase({ restartPolicy: 'Never', init: [exited('proxy', 143)], sidecar: side, app: [exited('app', 0)] }), 'Succeeded',
    'a stopped sidecar does not count: its 143 does not fail the pod');
  t.equal(podPhase({ restartPolicy: 'Never', init: [waiting('proxy', 'CrashLoopBackOff', 1)], sidecar: side, app: [running('app')], initialized: true }),
    'Running', 'a sidecar restarting after the pod initialized does not make it Pending again');
  t.equal(podPhase({ restartPolicy: 'Never', init: [running('proxy', { started: false })], sidecar: side, app: [running('app')], initialized: true }), 'Running');
});

t.test('conditions carry the kubelet\'s reasons and messages, and lastTransitionTime moves only on a change', async (t) => {
  const conds: PodCondition[] = [];
  const side = sidecars('proxy');
  const input = { restartPolicy: 'Never' as const, init: [exited('setup', 0), running('proxy', { started: false })], sidecar: side, app: [waiting('app', 'PodInitializing')] };
  setPodConditions(conds, input, 'Pending');
  const get = (type: string) => conds.find((c) => c.type === type)!;
  t.match(get('Initialized'), { status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [proxy]' });
  t.match(get('ContainersReady'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [proxy app]' });
  t.match(get('Ready'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [proxy app]' });
  const before = get('Ready').lastTransitionTime;
  await new Promise((r) => setTimeout(r, 1100));
  setPodConditions(conds, input, 'Pending');
  t.equal(get('Ready').lastTransitionTime, before, 'no change, no new transition time');

  const ready = { ...input, init: [exited('setup', 0), running('proxy', { ready: true })], app: [running('app', { ready: true })] };
  setPodConditions(conds, ready, 'Running');
  t.same([get('Initialized').status, get('ContainersReady').status, get('Ready').status], ['True', 'True', 'True']);
  t.notOk(get('Ready').reason);
  t.notOk(get('Ready').message);
  t.not(get('Ready').lastTransitionTime, before, 'a change moves the transition time');

  setPodConditions(conds, { ...ready, init: [exited('setup', 0), exited('proxy', 143)], app: [exited('app', 0)] }, 'Succeeded');
  t.match(get('Initialized'), { status: 'True', reason: 'PodCompleted' });
  t.match(get('Ready'), { status: 'False', reason: 'PodCompleted' });
  setPodConditions(conds, { ...ready, app: [exited('app', 1)] }, 'Failed');
  t.match(get('ContainersReady'), { status: 'False', reason: 'PodFailed' });
  t.match(get('Initialized'), { status: 'True' }, 'an app container that ran means the pod was initialized');
});
