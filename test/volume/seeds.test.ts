// The seeds' examples (seed 003): a shared volume between two containers, and a log-collector sidecar; concurrent appenders.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsopsPod, runPodCollect } from '../helpers/run-pod.js';

t.test('debian writes index.html into a shared hostPath volume, nginx reads it (seed 003)', async (t) => {
  const host = t.testdir({ data: {} });
  const spec = fsopsPod('two-containers', [{ name: 'shared-data', hostPath: { path: path.join(host, 'data') } }], [
    { name: 'nginx-container', args: ['follow', '1', '/usr/share/nginx/html/index.html', 'served: '],
      volumeMounts: [{ name: 'shared-data', mountPath: '/usr/share/nginx/html' }] },
    { name: 'debian-container', args: ['write', '/pod-data/index.html', 'Hello from the debian container\n'],
      volumeMounts: [{ name: 'shared-data', mountPath: '/pod-data' }] },
  ]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['nginx-container'], 'served: Hello from the debian container\n');
  await runtime.close();
});

t.test('a log-collector sidecar follows the app\'s log file in an emptyDir and forwards each line (seed 003)', async (t) => {
  const spec = fsopsPod('log-collector', [{ name: 'logs', emptyDir: {} }], [
    // As examples/log-collector.yaml: the app starts serving after 50 ms, by when the collector polls its notice.
    { name: 'app', args: ['sleep', '50', 'append', '/var/log/app.log', 'request served', '3'], volumeMounts: [{ name: 'logs', mountPath: '/var/log' }] },
  ], [
    // Declares the termination notice, as examples/log-collector.yaml does: without it a sidecar stopped before its
    // first poll (the app is done in a few ms) forwards nothing, which is the kubelet's behaviour too.
    { name: 'collector', args: ['follow', '3', '/logs/app.log', '[app] '], volumeMounts: [{ name: 'logs', mountPath: '/logs' }],
      env: [{ name: 'WASMPOD_TERMINATION_FD', value: '' }] },
  ]);
  (spec['spec'] as { initContainers: Record<string, unknown>[] }).initContainers[0]!['restartPolicy'] = 'Always';
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['collector'], '[app] request served\n[app] request served\n[app] request served\n');
  await runtime.close();
});

t.test('two containers appending to the same file lose no writes', async (t) => {
  const host = t.testdir({ v: {} });
  const n = 1000;
  const spec = fsopsPod('appenders', [{ name: 'v', hostPath: { path: path.join(host, 'v') } }], ['a', 'b', 'c'].map((name) => (
    { name, args: ['append', '/v/log', `from-${name}`, String(n)], volumeMounts: [{ name: 'v', mountPath: '/v' }] })));
  const { status, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  const lines = fs.readFileSync(path.join(host, 'v', 'log'), 'utf8').trim().split('\n');
  for (const name of ['a', 'b', 'c']) t.equal(lines.filter((l) => l === `from-${name}`).length, n, name);
  t.equal(lines.length, 3 * n, 'no line lost or torn');
  await runtime.close();
});
