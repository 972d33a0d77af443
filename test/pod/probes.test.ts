// Probes: readiness drives Ready, a failing liveness probe restarts the container, a startup probe holds the others back.
import t from 'tap';
import { Runtime } from '../../dist/src/index.js';
import { TOOL, fastRuntime, podSpec, until } from '../helpers/pods.js';

const rt = fastRuntime();
t.teardown(() => rt.close());
type Pod = Awaited<ReturnType<Runtime['runPod']>>;
const reasons = (pod: Pod) => pod.events.map((e) => e.reason);

t.test('probes: readiness drives Ready, failing liveness and startup probes restart the container', async (t) => {
  // A probe "second" is 20 ms here; timeoutSeconds 1000 (20 s) leaves room for an exec to start its worker.
  const fast = new Runtime({ stateDir: rt.stateDir, secondMs: 20, backoff: { baseMs: 20, maxMs: 100, resetAfterMs: 60_000 } });
  t.teardown(() => fast.close());
  const spec = podSpec('probed', [{ name: 's', image: TOOL }]) as any;
  spec.spec.containers[0].readinessProbe = { exec: { command: ['tool', 'exit', '0'] }, periodSeconds: 1, timeoutSeconds: 1000 };
  const pod = await fast.runPod(spec);
  const ready = await until(pod, (s) => s.conditions!.some((c) => c.type === 'Ready' && c.status === 'True'));
  t.equal(ready.containerStatuses![0].ready, true);
  await pod.delete();

  const spec2 = podSpec('liveness', [{ name: 's', image: TOOL }]) as any;
  spec2.spec.containers[0].livenessProbe = { exec: { command: ['tool', 'exit', '1'] }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1000 };
  const pod2 = await fast.runPod(spec2);
  const restarted = await until(pod2, (s) => s.containerStatuses![0].restartCount >= 1);
  t.ok(restarted.containerStatuses![0].lastState!.terminated);
  t.ok(reasons(pod2).includes('Unhealthy'));
  t.ok(pod2.events.some((e) => e.reason === 'Killing' && /failed liveness probe, will be restarted/.test(e.message)));
  await pod2.delete();

  const spec3 = podSpec('startup', [{ name: 's', image: TOOL }]) as any;
  spec3.spec.containers[0].startupProbe = { exec: { command: ['tool', 'exit', '1'] }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1000 };
  spec3.spec.containers[0].readinessProbe = { exec: { command: ['tool', 'exit', '0'] }, periodSeconds: 1, timeoutSeconds: 1000 };
  const pod3 = await fast.runPod(spec3);
  const s3 = await until(pod3, (s) => s.containerStatuses![0].restartCount >= 1);
  t.equal(s3.conditions!.find((c) => c.type === 'Ready')!.status, 'False', 'readiness waits for the startup probe');
  t.ok(pod3.events.some((e) => /failed startup probe/.test(e.message)));
  await pod3.delete();
});

t.test('an exec probe still running after timeoutSeconds is killed and counts as a failure', async (t) => {
  const fast = new Runtime({ stateDir: rt.stateDir, secondMs: 20, backoff: { baseMs: 20, maxMs: 100, resetAfterMs: 60_000 } });
  t.teardown(() => fast.close());
  const spec = podSpec('probe-timeout', [{ name: 's', image: TOOL }]) as any;
  // `tool sleep` stays up for a day: each run is cut at 25 probe seconds (500 ms here).
  spec.spec.containers[0].livenessProbe = { exec: { command: ['tool', 'sleep'] }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 25 };
  const pod = await fast.runPod(spec);
  const t0 = Date.now();
  await until(pod, (s) => s.containerStatuses![0].restartCount >= 1);
  t.ok(Date.now() - t0 >= 450, 'the probe ran for its timeout before it failed');
  const unhealthy = pod.events.find((e) => e.reason === 'Unhealthy')!;
  t.equal(unhealthy.message, 'Liveness probe failed: command "tool sleep" timed out');
  t.ok(pod.events.some((e) => e.reason === 'Killing' && /failed liveness probe, will be restarted/.test(e.message)));
  await pod.delete();
});
