// The STATUS column, as kubectl's printPod computes it: Init:N/M, Init:<reason>, the app containers' reasons.
import t from 'tap';
import { statusText } from '../../dist/src/cli/status-text.js';

const at = '2026-01-01T00:00:00Z';
const cond = (type: string, status: 'True' | 'False') => ({ type, status, lastProbeTime: null, lastTransitionTime: at });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const c = (name: string, state: any, extra: Record<string, unknown> = {}) => ({ name, image: 'x', imageID: '', ready: false, restartCount: 0, state, ...extra });
const done = (code: number, reason = code === 0 ? 'Completed' : 'Error') => ({ terminated: { exitCode: code, reason, startedAt: at, finishedAt: at } });

t.test('init progress: Init:N/M, then Init:<waiting reason> or Init:<terminated reason>', async (t) => {
  const app = [c('app', { waiting: { reason: 'PodInitializing' } })];
  const base = { phase: 'Pending' as const, conditions: [cond('Initialized', 'False')], containerStatuses: app };
  t.equal(statusText({ ...base, initContainerStatuses: [c('a', { running: { startedAt: at } }), c('b', { waiting: { reason: 'PodInitializing' } })] }, 2), 'Init:0/2');
  t.equal(statusText({ ...base, initContainerStatuses: [c('a', done(0)), c('b', { running: { startedAt: at } })] }, 2), 'Init:1/2');
  t.equal(statusText({ ...base, initContainerStatuses: [c('a', done(0)), c('b', { waiting: { reason: 'CrashLoopBackOff' } })] }, 2), 'Init:CrashLoopBackOff');
  t.equal(statusText({ ...base, phase: 'Failed', initContainerStatuses: [c('a', done(5))] }, 1), 'Init:Error');
  t.equal(statusText({ ...base, initContainerStatuses: [c('proxy', { running: { startedAt: at } }, { started: true }), c('b', { running: { startedAt: at } })] }, 2),
    'Init:1/2', 'a started sidecar counts as done');
  t.equal(statusText({ ...base, initContainerStatuses: [c('a', done(0))] }, 1), 'PodInitializing', 'init done, app being created');
});

t.test('app containers: waiting and terminated reasons, Running, NotReady, Completed', async (t) => {
  const init = [c('proxy', done(143, 'Error'))];
  t.equal(statusText({ phase: 'Running', conditions: [cond('Initialized', 'True'), cond('Ready', 'False')],
    initContainerStatuses: [c('proxy', { waiting: { reason: 'CrashLoopBackOff' } })], containerStatuses: [c('app', { running: { startedAt: at } }, { ready: true })] }, 1),
  'Init:CrashLoopBackOff', 'a running, ready app container does not overwrite a restarting sidecar\'s reason, as in kubectl');
  t.equal(statusText({ phase: 'Running', conditions: [cond('Initialized', 'True')],
    initContainerStatuses: [c('proxy', { waiting: { reason: 'CrashLoopBackOff' } })], containerStatuses: [c('app', { waiting: { reason: 'CrashLoopBackOff' } })] }, 1),
  'CrashLoopBackOff', 'once the pod is Initialized the app containers\' reasons are shown');
  t.equal(statusText({ phase: 'Running', containerStatuses: [c('a', { waiting: { reason: 'CrashLoopBackOff' } })] }, 0), 'CrashLoopBackOff');
  t.equal(statusText({ phase: 'Succeeded', conditions: [cond('Initialized', 'True')], initContainerStatuses: init, containerStatuses: [c('a', done(0))] }, 1),
    'Completed', 'a pod whose sidecar was stopped after it completed shows Completed');
  t.equal(statusText({ phase: 'Running', conditions: [cond('Ready', 'False')], containerStatuses: [c('a', done(0)), c('b', { running: { startedAt: at } }, { ready: true })] }, 0),
    'NotReady');
  t.equal(statusText({ phase: 'Running', conditions: [cond('Ready', 'True')], containerStatuses: [c('a', done(0)), c('b', { running: { startedAt: at } }, { ready: true })] }, 0),
    'Running');
  t.equal(statusText({ phase: 'Failed', reason: 'OutOfmemory', containerStatuses: [c('a', { waiting: { reason: 'ContainerCreating' } })] }, 0), 'ContainerCreating');
});
