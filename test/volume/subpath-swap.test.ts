// Hostile containers of one pod try to swap a subPath (or a hostPath inside another) for a symlink out of the volume: the kubelet's CVE-2017-1002101.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsopsPod, runPodCollect } from '../helpers/run-pod.js';

const UP = '../../../../../../../../../../../../../../etc';

t.test('an init container holding the whole volume tries to replace the subPath with a symlink out; the app container stays inside', async (t) => {
  const spec = fsopsPod('swap', [{ name: 'v', emptyDir: {} }], [
    { name: 'victim', args: ['write', '/m/mine', 'ok', 'ls', '/m', 'cat', '/m/passwd', 'ls', '/f'],
      volumeMounts: [{ name: 'v', mountPath: '/m', subPath: 'a/b' }, { name: 'v', mountPath: '/f', subPath: 'x' }] },
  ], [
    { name: 'attacker', volumeMounts: [{ name: 'v', mountPath: '/v' }], args: [
      'rmdir', '/v/x', 'rename', '/v/x', '/v/y', 'symlink', UP, '/v/x',
      'rmdir', '/v/a/b', 'rename', '/v/a', '/v/z', 'rename', '/v/a/b', '/v/c', 'mkdir', '/v/e', 'rename', '/v/e', '/v/x',
      'symlink', UP, '/v/l', 'rename', '/v/l', '/v/a/b', 'ls', '/v', 'ls', '/v/a'] },
  ]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['attacker'], [
    'rmdir /v/x: EBUSY', 'rename /v/x: EBUSY', 'symlink /v/x: EEXIST',
    'rmdir /v/a/b: EBUSY', 'rename /v/a: EBUSY', 'rename /v/a/b: EBUSY', 'mkdir /v/e: ok', 'rename /v/e: EBUSY',
    'symlink /v/l: ok', 'rename /v/l: EBUSY', 'ls /v: a e l x', 'ls /v/a: b', ''].join('\n'));
  t.equal(out['victim'], 'write /m/mine: ok\nls /m: mine\ncat /m/passwd: ENOENT\nls /f:\n', 'the victim sees only its volume');
  await runtime.close();
});

t.test('a hostPath subPath is pinned against the pod\'s other containers, and the host directory keeps it', async (t) => {
  const host = t.testdir({ vol: { sub: { 'f.txt': 'inside' } }, etc: { passwd: 'OUTSIDE' } });
  const spec = fsopsPod('swap-host', [{ name: 'v', hostPath: { path: path.join(host, 'vol'), type: 'Directory' } }], [
    { name: 'victim', args: ['cat', '/m/f.txt', 'cat', '/m/passwd'], volumeMounts: [{ name: 'v', mountPath: '/m', subPath: 'sub' }] },
  ], [
    { name: 'attacker', volumeMounts: [{ name: 'v', mountPath: '/v' }],
      args: ['rm', '/v/sub/f.txt', 'rename', '/v/sub', '/v/old', 'symlink', '../etc', '/v/sub'] },
  ]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['attacker'], 'rm /v/sub/f.txt: ok\nrename /v/sub: EBUSY\nsymlink /v/sub: EEXIST\n', 'files inside stay writable');
  t.equal(out['victim'], 'cat /m/f.txt: ENOENT\ncat /m/passwd: ENOENT\n');
  t.ok(fs.lstatSync(path.join(host, 'vol', 'sub')).isDirectory());
  await runtime.close();
});

t.test('a hostPath of type File is mounted as a file, and a container holding its directory cannot swap it', async (t) => {
  const host = t.testdir({ h: { 'app.conf': 'level=debug' }, etc: { passwd: 'OUTSIDE' } });
  const spec = fsopsPod('file-host', [
    { name: 'dir', hostPath: { path: path.join(host, 'h'), type: 'Directory' } },
    { name: 'conf', hostPath: { path: path.join(host, 'h', 'app.conf'), type: 'File' } },
    { name: 'made', hostPath: { path: path.join(host, 'h', 'new.conf'), type: 'FileOrCreate' } },
    { name: 'root', emptyDir: {} },
  ], [
    { name: 'victim', args: ['cat', '/etc/app.conf', 'ls', '/etc', 'cat', '/etc/new.conf', 'write', '/etc/app.conf', 'level=info', 'rm', '/etc/app.conf'],
      volumeMounts: [{ name: 'root', mountPath: '/' }, { name: 'conf', mountPath: '/etc/app.conf' }, { name: 'made', mountPath: '/etc/new.conf', readOnly: true }] },
  ], [
    { name: 'attacker', volumeMounts: [{ name: 'dir', mountPath: '/v' }],
      args: ['rm', '/v/app.conf', 'rename', '/v/app.conf', '/v/old', 'symlink', '../etc/passwd', '/v/app.conf', 'rename', '/v/new.conf', '/v/x'] },
  ]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['attacker'], 'rm /v/app.conf: EBUSY\nrename /v/app.conf: EBUSY\nsymlink /v/app.conf: EEXIST\nrename /v/new.conf: EBUSY\n');
  t.equal(out['victim'], 'level=debug\nls /etc: app.conf new.conf\n\nwrite /etc/app.conf: ok\nrm /etc/app.conf: EROFS\n', '/etc is an empty read-only parent: EROFS, as on Linux');
  t.equal(fs.readFileSync(path.join(host, 'h', 'app.conf'), 'utf8'), 'level=info', 'the write reached the host file');

  const runtime2 = (await import('../helpers/pods.js')).fastRuntime();
  const alone = fsopsPod('file-alone', [{ name: 'conf', hostPath: { path: path.join(host, 'h', 'app.conf'), type: 'File' } }],
    [{ name: 'c', args: [], volumeMounts: [{ name: 'conf', mountPath: '/app.conf' }] }]);
  await t.rejects(runtime2.runPod(alone), { code: 'ERR_HOSTPATH', message: /the hostPath is a file, so its mountPath "\/app.conf" must lie inside another volume mount/ });
  await runtime2.close();
  await runtime.close();
});
