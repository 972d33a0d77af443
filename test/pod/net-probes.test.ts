// httpGet and tcpSocket probes and httpGet lifecycle hooks over the pod network, against the C httpd guest.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Runtime } from '../../dist/src/index.js';
import { fastRuntime, until } from '../helpers/pods.js';
import { HTTPD } from '../helpers/http-guests.js';

type Pod = Awaited<ReturnType<Runtime['runPod']>>;

const rt = fastRuntime();
// A probe "second" is 50 ms; timeouts of 100 "seconds" (5 s) leave room for a loaded machine.
const fast = new Runtime({ stateDir: rt.stateDir, secondMs: 50, backoff: { baseMs: 20, maxMs: 100, resetAfterMs: 60_000 } });
t.teardown(async () => { await fast.close(); await rt.close(); });

/** A pod of one httpd serving `www` on the pre-opened port 8080 (named "http"), logging headers, with `extra` container fields. */
function webPod(name: string, www: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      volumes: [{ name: 'www', hostPath: { path: www } }],
      containers: [{
        name: 'web', image: HTTPD, args: ['-r', '/www', '-v'],
        ports: [{ name: 'http', containerPort: 8080 }],
        env: [{ name: 'WASMPOD_TERMINATION_FD', value: '' }],
        volumeMounts: [{ name: 'www', mountPath: '/www' }],
        ...extra,
      }],
    },
  };
}

/** Resolves once the pod has recorded an event with this reason. */
function untilEvent(pod: Pod, reason: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => { if (pod.events.some((e) => e.reason === reason)) { pod.off('event', check); resolve(); } };
    pod.on('event', check);
    check();
  });
}

/** The web container's stdout so far, and a wait for it to match. */
function stdout(pod: Pod): { text(): string; until(re: RegExp): Promise<void> } {
  const chunks: Buffer[] = [];
  const text = () => Buffer.concat(chunks).toString();
  pod.on('output', (e) => { if (e.container === 'web' && e.stream === 'stdout') chunks.push(e.chunk); });
  return {
    text,
    until: (re) => new Promise<void>((resolve) => {
      const check = () => { if (re.test(text())) { pod.off('output', check); resolve(); } };
      pod.on('output', check);
      check();
    }),
  };
}

t.test('a failing httpGet liveness probe restarts the container: Unhealthy, then Killing', async (t) => {
  const www = t.testdir({ healthz: 'ok' });
  const pod = await fast.runPod(webPod('live-http', www, {
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'liveness' }] },
      periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 100,
    },
  }));
  const log = stdout(pod);
  // Healthy for a while: probes succeed, nothing restarts.
  await log.until(/GET \/healthz 200 2\n(.*\n)*GET \/healthz 200 2\n/);
  t.equal(pod.status.containerStatuses![0].restartCount, 0);
  t.match(log.text(), /\n  User-Agent: kube-probe\/1\.31\n/, 'the kubelet\'s User-Agent');
  t.match(log.text(), /\n  X-Probe: liveness\n/, 'httpHeaders are sent');
  t.match(log.text(), /\n  host: 10\.\d+\.\d+\.\d+:8080\n/, 'Host is the pod IP and port, as the kubelet dials it');
  fs.rmSync(path.join(www, 'healthz'));
  const restarted = await until(pod, (s) => s.containerStatuses![0].restartCount >= 1);
  t.ok(restarted.containerStatuses![0].lastState?.terminated, 'the previous run terminated');
  const probeEvents = pod.events.filter((e) => e.reason === 'Unhealthy' || e.reason === 'Killing').map((e) => [e.reason, e.message]);
  t.match(probeEvents, [
    ['Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 404'],
    ['Killing', 'Container web failed liveness probe, will be restarted'],
  ]);
  await pod.delete();
});

t.test('an httpGet readiness probe drives Ready both ways', async (t) => {
  const www = t.testdir({});
  const ready = (s: { conditions?: { type: string; status: string }[] }) => s.conditions?.find((c) => c.type === 'Ready')?.status;
  const pod = await fast.runPod(webPod('ready-http', www, {
    readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 100 },
  }));
  const log = stdout(pod);
  await log.until(/GET \/ready 404/);
  t.equal(ready(pod.status), 'False', 'not ready while /ready is 404');
  fs.writeFileSync(path.join(www, 'ready'), 'yes');
  const s = await until(pod, (st) => ready(st) === 'True');
  t.equal(s.containerStatuses![0].ready, true);
  fs.rmSync(path.join(www, 'ready'));
  await until(pod, (st) => ready(st) === 'False');
  t.equal(pod.status.containerStatuses![0].restartCount, 0, 'readiness never restarts');
  await pod.delete();
});

t.test('tcpSocket probes: a listening port passes startup, a closed one fails liveness with connection refused', async (t) => {
  const www = t.testdir({});
  const pod = await fast.runPod(webPod('tcp-probes', www, {
    startupProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1, failureThreshold: 50, timeoutSeconds: 100 },
    livenessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 100 },
  }));
  await until(pod, (s) => s.containerStatuses![0].restartCount >= 1);
  const seen = JSON.stringify(pod.events.map((e) => [e.reason, e.message]));
  t.notOk(pod.events.some((e) => /failed startup probe/.test(e.message)), `the startup probe passed: ${seen}`);
  const unhealthy = pod.events.find((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness'));
  t.match(unhealthy?.message, /^Liveness probe failed: dial tcp 10\.\d+\.\d+\.\d+:9090: connect: connection refused$/, seen);
  t.ok(pod.events.some((e) => e.reason === 'Killing' && /failed liveness probe/.test(e.message)), seen);
  await pod.delete();
});

t.test('a probe naming a port the container does not declare fails with the kubelet\'s message', async (t) => {
  const www = t.testdir({});
  const pod = await fast.runPod(webPod('no-port', www, {
    readinessProbe: { httpGet: { path: '/', port: 'metrics' }, periodSeconds: 1, timeoutSeconds: 100 },
  }));
  await untilEvent(pod, 'Unhealthy');
  t.match(pod.events.find((e) => e.reason === 'Unhealthy')?.message, /^Readiness probe failed: couldn't find port: metrics in container web$/);
  await pod.delete();
});

t.test('httpGet postStart and preStop hooks reach the container', async (t) => {
  const www = t.testdir({});
  const pod = await fast.runPod(webPod('hooks-http', www, {
    lifecycle: {
      postStart: { httpGet: { path: '/echo/post-start', port: 'http' } },
      preStop: { httpGet: { path: '/echo/pre-stop', port: 8080 } },
    },
  }));
  const log = stdout(pod);
  await log.until(/GET \/echo\/post-start 200/);
  t.match(log.text(), /GET \/echo\/post-start 200 \d+\n(  .*\n)*  User-Agent: kube-lifecycle\/1\.31\n/);
  await pod.delete({ gracePeriodSeconds: 100 });
  const status = await pod.wait();
  t.match(log.text(), /GET \/echo\/pre-stop 200/, 'preStop ran before the stop request');
  t.equal(status.containerStatuses![0].state!.terminated!.exitCode, 0, 'then httpd stopped on its termination notice');
  t.notOk(pod.events.some((e) => /Failed(PostStart|PreStop)Hook/.test(e.reason)));
});

t.test('an httpGet hook with nothing listening fails the container\'s start (FailedPostStartHook)', async (t) => {
  const www = t.testdir({});
  const pod = await fast.runPod(webPod('hook-refused', www, {
    lifecycle: { postStart: { httpGet: { path: '/', port: 9999 } } },
  }));
  await untilEvent(pod, 'FailedPostStartHook');
  t.match(pod.events.find((e) => e.reason === 'FailedPostStartHook')?.message,
    /^PostStartHook failed: HTTP lifecycle hook \(\/\) failed - error: Get "http:\/\/10\.[\d.]+:9999\/": dial tcp 10\.[\d.]+:9999: connect: connection refused$/);
  await pod.delete();
});
