// hostPath: type checks before start, and hostile guests that try every way out of their mounts.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESCAPE, fsopsPod, runPodCollect } from '../helpers/run-pod.js';
import { fastRuntime } from '../helpers/pods.js';

t.test('hostPath types are checked before anything starts; OrCreate types create', async (t) => {
  const host = t.testdir({ file: 'f', dir: {} });
  const runtime = fastRuntime();
  const pod = (name: string, hp: Record<string, unknown>) =>
    fsopsPod(name, [{ name: 'v', hostPath: hp }], [{ name: 'c', args: ['ls', '/v'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }]);
  await t.rejects(runtime.runPod(pod('a', { path: path.join(host, 'missing') })), { code: 'ERR_HOSTPATH' });
  await t.rejects(runtime.runPod(pod('b', { path: path.join(host, 'file'), type: 'Directory' })), { code: 'ERR_HOSTPATH' });
  await t.rejects(runtime.runPod(pod('c', { path: path.join(host, 'dir'), type: 'File' })), { code: 'ERR_HOSTPATH' });
  await t.rejects(runtime.runPod(pod('d', { path: path.join(host, 'sock'), type: 'Socket' })), { code: 'ERR_HOSTPATH' });
  const created = await runtime.runPod(pod('e', { path: path.join(host, 'made', 'here'), type: 'DirectoryOrCreate' }));
  await created.wait();
  t.ok(fs.statSync(path.join(host, 'made', 'here')).isDirectory());
  await runtime.close();
});

t.test('a hostile guest cannot leave its mount: .., its own symlinks, host-planted symlinks', async (t) => {
  const host = t.testdir({ 'outside.txt': 'OUTSIDE', vol: { 'inside.txt': 'inside' } });
  fs.symlinkSync(path.join(host, 'outside.txt'), path.join(host, 'vol', 'planted-abs'));
  fs.symlinkSync('../outside.txt', path.join(host, 'vol', 'planted-rel'));
  const spec = fsopsPod('hostile', [{ name: 'v', hostPath: { path: path.join(host, 'vol') } }],
    [{ name: 'c', args: ['/data'], volumeMounts: [{ name: 'v', mountPath: '/data' }] }]);
  (spec['spec'] as { containers: { image: string }[] }).containers[0]!.image = ESCAPE;
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded', out['c']);
  t.notMatch(out['c'], /escaped/);
  t.match(out['c'], /refused: dotdot/);
  t.match(out['c'], /refused: host-planted absolute symlink/);
  t.match(out['c'], /refused: host-planted relative symlink/);
  t.match(out['c'], /refused: guest symlink to \.\./);
  t.match(out['c'], /CONTAINED\n$/);
  t.notOk(fs.existsSync(path.join(host, 'created-outside.txt')));
  await runtime.close();
});

t.test('the same attacks from inside an emptyDir mounted under a subPath', async (t) => {
  const spec = fsopsPod('hostile-sub', [{ name: 'v', emptyDir: {} }],
    [{ name: 'c', args: ['/data'], volumeMounts: [{ name: 'v', mountPath: '/data', subPath: 'a/b' }] }]);
  (spec['spec'] as { containers: { image: string }[] }).containers[0]!.image = ESCAPE;
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded', out['c']);
  t.match(out['c'], /CONTAINED\n$/);
  await runtime.close();
});
