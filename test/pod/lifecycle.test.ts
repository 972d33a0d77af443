// Lifecycle: termination notice and grace period, events, exec hooks, memory limits and admission.
import t from 'tap';
import * as path from 'node:path';
import { Runtime } from '../../dist/src/index.js';
import { MODULES, SLEEP, TOOL, fastRuntime, podSpec, until } from '../helpers/pods.js';

const GRACEFUL = path.join(MODULES, 'testing/graceful.wasm');
const ALLOC = path.join(MODULES, 'testing/alloc.wasm');
const rt = fastRuntime();
t.teardown(() => rt.close());

type Pod = Awaited<ReturnType<Runtime['runPod']>>;
const reasons = (pod: Pod) => pod.events.map((e) => e.reason);
const notice = [{ name: 'WASMPOD_TERMINATION_FD', value: '' }];

t.test('a guest that handles the termination notice cleans up within the grace period', async (t) => {
  const spec = podSpec('graceful', [{ name: 'g', image: GRACEFUL }], { terminationGracePeriodSeconds: 5 }) as any;
  spec.spec.containers[0].env = notice;
  const pod = await rt.runPod(spec);
  let out = '';
  pod.on('output', (e) => { out += e.chunk; });
  await until(pod, (s) => s.phase === 'Running');
  while (!out.includes('waiting on fd')) await new Promise((r) => setTimeout(r, 10));
  const s = await pod.delete();
  const term = s.containerStatuses![0].state!.terminated!;
  t.equal(term.exitCode, 0, 'it exited by itself');
  t.equal(term.reason, 'Completed');
  t.match(out, 'termination notice received, cleaning up');
  t.match(out, /waiting on fd 3\n/, 'the notice is the fd after the preopens (none here)');
});

t.test('a guest that arms the notice but ignores it is killed after the grace period', async (t) => {
  const spec = podSpec('stubborn', [{ name: 'g', image: GRACEFUL, args: ['ignore'] }], { terminationGracePeriodSeconds: 1 }) as any;
  spec.spec.containers[0].env = notice;
  const pod = await rt.runPod(spec);
  await until(pod, (s) => s.phase === 'Running');
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  const s = await pod.delete();
  const waited = Date.now() - t0;
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 137);
  t.ok(waited >= 900, `waited the grace period (${waited} ms)`);
  t.ok(reasons(pod).includes('Killing'));
});

t.test('a guest without a handler ends at once with 143, as SIGTERM\'s default action', async (t) => {
  const pod = await rt.runPod(podSpec('plain', [{ name: 's', image: SLEEP }], { terminationGracePeriodSeconds: 30 }));
  await until(pod, (s) => s.phase === 'Running');
  const t0 = Date.now();
  const s = await pod.delete();
  t.ok(Date.now() - t0 < 5000);
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 143);
});

t.test('events follow the kubelet: Scheduled, Pulled, Created, Started, BackOff', async (t) => {
  const pod = await rt.runPod(podSpec('evs', [{ name: 'a', args: ['a', '1'] }]));
  await until(pod, (s) => s.containerStatuses![0].state?.waiting?.reason === 'CrashLoopBackOff');
  await pod.delete();
  const r = reasons(pod);
  for (const want of ['Scheduled', 'Pulled', 'Created', 'Started', 'BackOff']) t.ok(r.includes(want), want);
  const created = pod.events.find((e) => e.reason === 'Created')!;
  t.equal(created.involvedObject.fieldPath, 'spec.containers{a}');
  t.equal(created.message, 'Created container a');
});

t.test('postStart and preStop exec hooks run the container\'s module with their argv', async (t) => {
  const dir = t.testdir();
  const order = path.join(dir, 'order');
  const spec = podSpec('hooks', [{ name: 's', image: TOOL, args: ['sleep', '300'] }], {
    restartPolicy: 'Never', volumes: [{ name: 'd', hostPath: { path: dir } }],
  }) as any;
  spec.spec.containers[0].volumeMounts = [{ name: 'd', mountPath: '/d' }];
  spec.spec.containers[0].lifecycle = {
    postStart: { exec: { command: ['tool', 'append', '/d/order', 'post-start'] } },
    preStop: { exec: { command: ['tool', 'append', '/d/order', 'pre-stop'] } },
  };
  const pod = await rt.runPod(spec);
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  const { readFileSync } = await import('node:fs');
  t.equal(readFileSync(order, 'utf8'), 'post-start\n', 'postStart ran; preStop does not run when a container ends by itself');

  spec.metadata.name = 'hooks2';
  spec.spec.containers[0].args = ['sleep'];
  const pod2 = await rt.runPod(spec);
  await until(pod2, (s) => s.phase === 'Running');
  while (!readFileSync(order, 'utf8').endsWith('post-start\npost-start\n')) await new Promise((r) => setTimeout(r, 20));
  await pod2.delete();
  t.equal(readFileSync(order, 'utf8'), 'post-start\npost-start\npre-stop\n', 'preStop runs before the container is stopped');
});

t.test('exec (what hooks, probes and wasmpod exec run) sees the container\'s env and its mounts, read-only ones included', async (t) => {
  const dir = t.testdir({ f: 'from the volume' });
  const FSOPS = path.join(MODULES, 'volumes/fsops.wasm');
  const spec = podSpec('exec-env', [{ name: 'c', image: FSOPS, args: ['follow', '1000', '/d/never', 'x'] }], {
    restartPolicy: 'Never', volumes: [{ name: 'd', hostPath: { path: dir } }],
  }) as any;
  Object.assign(spec.spec.containers[0], { env: [{ name: 'FOO', value: 'bar' }], volumeMounts: [{ name: 'd', mountPath: '/d', readOnly: true }] });
  const pod = await rt.runPod(spec);
  await until(pod, (s) => s.phase === 'Running');
  const r = await pod.exec('c', ['fsops', 'env', 'FOO', 'cat', '/d/f', 'write', '/d/g', 'x']);
  t.equal(r.exitCode, 0);
  t.equal(r.stdout.toString(), 'env FOO: bar\nfrom the volume\nwrite /d/g: EROFS\n', 'its env, its mounts, read-only as mounted');
  await pod.delete({ gracePeriodSeconds: 0 });
});

t.test('a failing postStart hook kills the container (FailedPostStartHook)', async (t) => {
  const spec = podSpec('badpost', [{ name: 's', image: TOOL }], { restartPolicy: 'Never' }) as any;
  spec.spec.containers[0].lifecycle = { postStart: { exec: { command: ['tool', 'exit', '4'] } } };
  const pod = await rt.runPod(spec);
  const s = await pod.wait();
  t.equal(s.phase, 'Failed');
  t.ok(reasons(pod).includes('FailedPostStartHook'));
});

t.test('a memory limit caps the guest: it ends OOMKilled with 137', async (t) => {
  const spec = podSpec('hog', [{ name: 'h', image: ALLOC }], { restartPolicy: 'Never' }) as any;
  spec.spec.containers[0].resources = { limits: { memory: '16Mi' } };
  const pod = await rt.runPod(spec);
  const s = await pod.wait();
  const term = s.containerStatuses![0].state!.terminated!;
  t.equal(term.reason, 'OOMKilled');
  t.equal(term.exitCode, 137);
  const ok = podSpec('fits', [{ name: 'h', image: ALLOC, args: ['4'] }], { restartPolicy: 'Never' }) as any;
  ok.spec.containers[0].resources = { limits: { memory: '16Mi' } };
  t.equal((await (await rt.runPod(ok)).wait()).phase, 'Succeeded', 'a guest under its limit runs');
});

t.test('a guest passing millions of iovecs gets EINVAL (more than IOV_MAX, 1024, as writev answers) and the runtime goes on', async (t) => {
  // Before the cap the host built a view per iovec: 8 Mi of them exhausted the worker's JS heap, which Node 24
  // treats as fatal for the whole process.
  const pod = await rt.runPod(podSpec('jsheap', [{ name: 'h', image: path.join(MODULES, 'testing/jsheap.wasm') }], { restartPolicy: 'Never' }));
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  t.match(pod.logs('h'), /fd_write returned 28, 0 bytes/, 'EINVAL, nothing written');
  const max = await rt.runPod(podSpec('jsheap-max', [{ name: 'h', image: path.join(MODULES, 'testing/jsheap.wasm'), args: ['1024'] }], { restartPolicy: 'Never' }));
  t.equal((await max.wait()).phase, 'Succeeded');
  t.match(max.logs('h'), /fd_write returned 0, 0 bytes/, '1024 iovecs are taken');
});

t.test('a pod that does not fit the node is rejected whole: Failed, OutOfmemory', async (t) => {
  const small = new Runtime({ stateDir: rt.stateDir, capacity: { memory: 64 * 1024 * 1024, cpu: 1000 } });
  t.teardown(() => small.close());
  const big = podSpec('big', [{ name: 'a', image: SLEEP }, { name: 'b', image: SLEEP }]) as any;
  big.spec.containers[0].resources = { requests: { memory: '40Mi' } };
  big.spec.containers[1].resources = { requests: { memory: '40Mi' } };
  const pod = await small.runPod(big);
  const s = await pod.wait();
  t.equal(s.phase, 'Failed');
  t.equal(s.reason, 'OutOfmemory');
  t.match(s.message, /^Pod was rejected: Node didn't have enough resource: memory, requested: 83886080, used: 0, capacity: 67108864/);
  t.notOk(s.containerStatuses!.some((c) => c.state?.running || c.state?.terminated), 'no container started');
  t.match(pod.events.map((e) => [e.type, e.reason, e.message]), [
    ['Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient memory.'],
    ['Warning', 'OutOfmemory', /didn't have enough resource: memory/],
  ]);
  const cpu = podSpec('cpu', [{ name: 'a', image: SLEEP }]) as any;
  cpu.spec.containers[0].resources = { limits: { cpu: '2' } };
  t.equal((await (await small.runPod(cpu)).wait()).reason, 'OutOfcpu', 'a limit alone counts as the request');
});
