// The downward API and env: pod metadata as files and variables; configMapKeyRef, secretKeyRef and envFrom.
import t from 'tap';
import { fsopsPod, runPodCollect } from '../helpers/run-pod.js';

const meta = { labels: { app: 'web', tier: 'front' }, annotations: { 'example.com/build': '42' } };
const configMaps = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { LEVEL: 'debug', 'bad key': 'x', MODE: 'cm' } }];
const secrets = [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { TOKEN: Buffer.from('tok').toString('base64') } }];

t.test('a downwardAPI volume holds name, namespace, uid, labels and annotations', async (t) => {
  const spec = fsopsPod('downward', [{
    name: 'info', downwardAPI: { items: [
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } },
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'meta/build', fieldRef: { fieldPath: "metadata.annotations['example.com/build']" } },
      { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
      { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
    ] },
  }], [{ name: 'c', volumeMounts: [{ name: 'info', mountPath: '/etc/podinfo' }],
    args: ['cat', '/etc/podinfo/name', 'cat', '/etc/podinfo/ns', 'cat', '/etc/podinfo/labels', 'cat', '/etc/podinfo/meta/build',
      'cat', '/etc/podinfo/uid', 'cat', '/etc/podinfo/annotations', 'write', '/etc/podinfo/name', 'x'] }], [], meta);
  const { status, out, runtime, pod } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.match(pod.uid, /^[0-9a-f-]{36}$/);
  t.equal(out['c'], `downward\ndefault\napp="web"\ntier="front"\n42\n${pod.uid}\nexample.com/build="42"\nwrite /etc/podinfo/name: EROFS\n`);
  await runtime.close();
});

t.test('env: fieldRef, configMapKeyRef, secretKeyRef, optional refs, envFrom with prefix; env wins over envFrom', async (t) => {
  const spec = fsopsPod('env', [], [{
    name: 'c',
    envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'absent', optional: true } }],
    env: [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'LEVEL' } } },
      { name: 'MISSING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope', optional: true } } },
      { name: 'TOKEN', value: 'from-env' },
    ],
    args: ['env', 'POD', 'env', 'APP', 'env', 'LEVEL', 'env', 'CFG_LEVEL', 'env', 'CFG_MODE', 'env', 'MISSING', 'env', 'TOKEN'],
  }], [], meta);
  const { status, out, runtime } = await runPodCollect(spec, { configMaps, secrets });
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], 'env POD: env\nenv APP: web\nenv LEVEL: debug\nenv CFG_LEVEL: debug\nenv CFG_MODE: cm\nenv MISSING: (unset)\nenv TOKEN: from-env\n');
  await runtime.close();
});

t.test('projected: configMap, secret and downwardAPI in one read-only directory', async (t) => {
  const spec = fsopsPod('projected', [{
    name: 'all', projected: { defaultMode: 0o444, sources: [
      { configMap: { name: 'settings', items: [{ key: 'LEVEL', path: 'level' }] } },
      { secret: { name: 'creds' } },
      { downwardAPI: { items: [{ path: 'pod', fieldRef: { fieldPath: 'metadata.name' } }] } },
    ] },
  }], [{ name: 'c', volumeMounts: [{ name: 'all', mountPath: '/p' }],
    args: ['ls', '/p', 'cat', '/p/level', 'cat', '/p/TOKEN', 'cat', '/p/pod', 'write', '/p/x', 'y'] }]);
  const { status, out, runtime } = await runPodCollect(spec, { configMaps, secrets });
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], 'ls /p: TOKEN level pod\ndebug\ntok\nprojected\nwrite /p/x: EROFS\n');
  await runtime.close();
});
