// configMap and secret volumes: keys as read-only files, items, defaultMode, optional; a secret's value never in an error.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setUpVolumes } from '../../dist/src/volume/pod-volumes.js';
import { normalizePod } from '../../dist/src/spec/index.js';
import { fsopsPod, runPodCollect } from '../helpers/run-pod.js';
import { tempDir } from '../helpers/temp-dir.js';

const configMaps = [{
  apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name: 'web', namespace: 'default' },
  data: { 'index.html': '<h1>hello</h1>', mode: 'prod' }, binaryData: { blob: Buffer.from([0x41, 0x42]).toString('base64') },
}];
const secrets = [{
  apiVersion: 'v1' as const, kind: 'Secret' as const, metadata: { name: 'db', namespace: 'default' },
  data: { password: Buffer.from('s3cr3t-value').toString('base64') },
}];

t.test('a configMap volume shows every key as a file, read-only, with defaultMode', async (t) => {
  const spec = fsopsPod('cm', [{ name: 'cfg', configMap: { name: 'web', defaultMode: 0o440 } }], [{
    name: 'c', volumeMounts: [{ name: 'cfg', mountPath: '/etc/web' }],
    args: ['ls', '/etc/web', 'cat', '/etc/web/index.html', 'cat', '/etc/web/blob',
      'write', '/etc/web/mode', 'dev', 'rm', '/etc/web/blob', 'mkdir', '/etc/web/d'],
  }]);
  const { status, out, runtime } = await runPodCollect(spec, { configMaps });
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], [
    'ls /etc/web: blob index.html mode', '<h1>hello</h1>', 'AB',
    'write /etc/web/mode: EROFS', 'rm /etc/web/blob: EROFS', 'mkdir /etc/web/d: EROFS', ''].join('\n'));
  await runtime.close();
});

t.test('items pick keys and name their paths (with per-item modes); optional tolerates a missing object', async (t) => {
  const spec = fsopsPod('items', [
    { name: 'cfg', configMap: { name: 'web', items: [{ key: 'index.html', path: 'html/index.html', mode: 0o400 }] } },
    { name: 'none', configMap: { name: 'absent', optional: true } },
    { name: 'pw', secret: { secretName: 'db', items: [{ key: 'password', path: 'db-password' }] } },
  ], [{
    name: 'c', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'none', mountPath: '/none' }, { name: 'pw', mountPath: '/pw' }],
    args: ['ls', '/cfg', 'ls', '/cfg/html', 'ls', '/none', 'cat', '/pw/db-password'],
  }]);
  const { status, out, runtime } = await runPodCollect(spec, { configMaps, secrets });
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], ['ls /cfg: html', 'ls /cfg/html: index.html', 'ls /none:',
    's3cr3t-value', ''].join('\n'));
  await runtime.close();
});

t.test('a missing ConfigMap, Secret or key rejects the pod, naming the key and never a value', async (t) => {
  const { fastRuntime } = await import('../helpers/pods.js');
  const runtime = fastRuntime();
  const mount = [{ name: 'v', mountPath: '/v' }];
  await t.rejects(runtime.runPod(fsopsPod('a', [{ name: 'v', configMap: { name: 'absent' } }], [{ name: 'c', args: [], volumeMounts: mount }]), { configMaps }),
    { code: 'ERR_CONFIG_REF', message: 'configmap "absent" not found' });
  await t.rejects(runtime.runPod(fsopsPod('b', [{ name: 'v', secret: { secretName: 'db', items: [{ key: 'user', path: 'u' }] } }], [{ name: 'c', args: [], volumeMounts: mount }]), { secrets }),
    { code: 'ERR_CONFIG_REF', message: 'secret "db" has no key "user"' });
  const err = await runtime.runPod(fsopsPod('c', [], [{ name: 'c', args: [], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'nope' } } }] }]), { secrets })
    .catch((e: Error) => e);
  t.match(err, { code: 'ERR_CONFIG_REF', reason: 'CreateContainerConfigError' });
  t.notMatch(String((err as Error).message), /s3cr3t/);
  t.same(runtime.list(), [], 'nothing of a rejected pod runs');
  await runtime.close();
});

t.test('file modes on the host: defaultMode, per-item mode, 0644 by default (WASI shows no modes to the guest)', async (t) => {
  const pod = normalizePod(fsopsPod('modes', [
    { name: 'a', configMap: { name: 'web', defaultMode: 0o440 } },
    { name: 'b', configMap: { name: 'web', items: [{ key: 'mode', path: 'm', mode: 0o400 }] } },
    { name: 's', secret: { secretName: 'db' } },
  ], [{ name: 'c', args: [] }]) as never);
  const dir = tempDir('wasmpod-vol-');
  const volumes = setUpVolumes(pod, dir, { configMaps, secrets } as never);
  const mode = (v: string, f: string): number => fs.statSync(path.join(volumes.byName.get(v)!.hostPath, f)).mode & 0o777;
  t.equal(mode('a', 'mode'), 0o440);
  t.equal(mode('b', 'm'), 0o400);
  t.equal(mode('s', 'password'), 0o644);
  t.ok(volumes.byName.get('s')!.readOnly, 'secret volumes are mounted read-only');
  const secretDir = volumes.byName.get('s')!.hostPath;
  if (fs.existsSync('/dev/shm')) t.match(secretDir, /^\/dev\/shm\/wasmpod-/, 'a secret is kept on tmpfs, off the disk');
  t.notOk(secretDir.startsWith(dir), 'nothing of the secret under the state dir');
  await volumes.remove();
  t.notOk(fs.existsSync(dir), 'remove() deletes the generated files');
  t.notOk(fs.existsSync(secretDir), 'and the secret\'s tmpfs directory');
});

t.test('a secret value appears in no event, status, or file of the state dir outside the volume (logs included)', async (t) => {
  const spec = fsopsPod('no-leak', [{ name: 's', secret: { secretName: 'db' } }], [{
    name: 'c', volumeMounts: [{ name: 's', mountPath: '/s' }], args: ['ls', '/s', 'env', 'PASSWORD_SET', 'mkdir', '/s/x'],
    env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'PASSWORD_SET', value: 'yes' }],
    envFrom: [{ secretRef: { name: 'db' }, prefix: 'DB_' }],
  }]);
  const { status, out, runtime, pod } = await runPodCollect(spec, { secrets });
  t.equal(out['c'], 'ls /s: password\nenv PASSWORD_SET: yes\nmkdir /s/x: EROFS\n');
  t.notMatch(JSON.stringify(status), /s3cr3t/, 'status');
  t.notMatch(JSON.stringify(pod.events), /s3cr3t/, 'events');
  const leaks: string[] = [];
  const scan = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'secret') scan(p); } else if (e.isFile() && fs.readFileSync(p).includes('s3cr3t')) leaks.push(p);
    }
  };
  if (fs.existsSync(runtime.stateDir)) scan(runtime.stateDir);
  t.same(leaks, [], 'no log or state file holds the value');
  await runtime.close();
});
