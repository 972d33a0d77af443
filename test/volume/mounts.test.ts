// volumeMounts: subPath (created, never escaping), nested mounts listed like directories, readOnly on every write path.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsopsPod, runPodCollect } from '../helpers/run-pod.js';
import { fastRuntime } from '../helpers/pods.js';

t.test('subPath mounts a directory inside the volume, created when missing', async (t) => {
  const spec = fsopsPod('subpath', [{ name: 'shared', emptyDir: {} }], [
    { name: 'reader', args: ['ls', '/all', 'ls', '/all/site', 'cat', '/all/site/index.html'], volumeMounts: [{ name: 'shared', mountPath: '/all' }] },
  ], [
    { name: 'writer', args: ['write', '/html/index.html', 'hi', 'ls', '/html'], volumeMounts: [{ name: 'shared', mountPath: '/html', subPath: 'site' }] },
  ]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['writer'], 'write /html/index.html: ok\nls /html: index.html\n');
  t.equal(out['reader'], 'ls /all: site\nls /all/site: index.html\nhi\n');
  await runtime.close();
});

t.test('a subPath that is a symlink out of the volume is refused; so is one through a symlinked parent', async (t) => {
  const host = t.testdir({ vol: { inside: {} }, secret: { 'key.txt': 'OUTSIDE' } });
  fs.symlinkSync(path.join(host, 'secret'), path.join(host, 'vol', 'out'));
  fs.symlinkSync('../secret', path.join(host, 'vol', 'rel'));
  const runtime = fastRuntime();
  for (const subPath of ['out', 'rel', 'rel/deeper', 'out/new']) {
    const spec = fsopsPod(`escape-${subPath.replace('/', '-')}`, [{ name: 'v', hostPath: { path: path.join(host, 'vol'), type: 'Directory' } }],
      [{ name: 'c', args: ['ls', '/m'], volumeMounts: [{ name: 'v', mountPath: '/m', subPath }] }]);
    await t.rejects(runtime.runPod(spec), { code: 'ERR_SUBPATH' }, subPath);
  }
  t.notOk(fs.existsSync(path.join(host, 'secret', 'deeper')), 'nothing was created outside');
  t.notOk(fs.existsSync(path.join(host, 'secret', 'new')), 'nothing was created outside');
  await runtime.close();
});

t.test('nested mounts: /data inside / shows in listings of / even if the host dir has no data entry; it cannot be removed', async (t) => {
  const host = t.testdir({ root: { 'a.txt': 'root' }, data: { 'b.txt': 'data' } });
  const spec = fsopsPod('nested', [
    { name: 'root', hostPath: { path: path.join(host, 'root') } },
    { name: 'data', hostPath: { path: path.join(host, 'data') } },
  ], [{ name: 'c', volumeMounts: [{ name: 'root', mountPath: '/' }, { name: 'data', mountPath: '/data' }],
    args: ['ls', '/', 'ls', '/data', 'cat', '/data/b.txt', 'rmdir', '/data', 'write', '/data/c.txt', 'new'] }]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], 'ls /: a.txt data\nls /data: b.txt\ndata\nrmdir /data: EBUSY\nwrite /data/c.txt: ok\n');
  t.equal(fs.readFileSync(path.join(host, 'data', 'c.txt'), 'utf8'), 'new', 'the write went to the inner volume');
  t.notOk(fs.existsSync(path.join(host, 'root', 'data')), 'the outer host dir is untouched');
  await runtime.close();
});

t.test('readOnly mounts refuse every write path with EROFS', async (t) => {
  const host = t.testdir({ ro: { 'f.txt': 'x', d: {} } });
  const spec = fsopsPod('ro', [{ name: 'v', hostPath: { path: path.join(host, 'ro') } }], [{
    name: 'c', volumeMounts: [{ name: 'v', mountPath: '/ro', readOnly: true }],
    args: ['write', '/ro/f.txt', 'y', 'write', '/ro/new.txt', 'y', 'append', '/ro/f.txt', 'y', '1', 'rm', '/ro/f.txt',
      'mkdir', '/ro/e', 'rmdir', '/ro/d', 'symlink', 'f.txt', '/ro/l', 'rename', '/ro/f.txt', '/ro/g.txt',
      'link', '/ro/f.txt', '/ro/h.txt', 'truncate', '/ro/f.txt', '0', 'touch', '/ro/f.txt', 'cat', '/ro/f.txt'],
  }]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], ['write /ro/f.txt: EROFS', 'write /ro/new.txt: EROFS', 'append /ro/f.txt: EROFS', 'rm /ro/f.txt: EROFS',
    'mkdir /ro/e: EROFS', 'rmdir /ro/d: EROFS', 'symlink /ro/l: EROFS', 'rename /ro/f.txt: EROFS', 'link /ro/h.txt: EROFS',
    'truncate /ro/f.txt: EROFS', 'touch /ro/f.txt: EROFS', 'x', ''].join('\n'));
  t.equal(fs.readFileSync(path.join(host, 'ro', 'f.txt'), 'utf8'), 'x');
  await runtime.close();
});

t.test('a subPath naming a file mounts that file; missing parents between nested mounts are shown, read-only', async (t) => {
  const host = t.testdir({ root: { 'a.txt': 'root' } });
  const configMaps = [{ apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name: 'web', namespace: 'default' }, data: { 'index.html': '<h1>hi</h1>' } }];
  const spec = fsopsPod('file-mount', [
    { name: 'root', hostPath: { path: path.join(host, 'root') } },
    { name: 'web', configMap: { name: 'web' } },
  ], [{ name: 'c', volumeMounts: [{ name: 'root', mountPath: '/' }, { name: 'web', mountPath: '/srv/www/index.html', subPath: 'index.html' },
    { name: 'web', mountPath: '/page.html', subPath: 'index.html' }],
  args: ['cat', '/srv/www/index.html', 'ls', '/', 'ls', '/srv', 'ls', '/srv/www', 'write', '/srv/www/other', 'x',
    'write', '/srv/www/index.html', 'x', 'rm', '/srv/www/index.html', 'rm', '/page.html', 'cat', '/page.html', 'write', '/b.txt', 'outer'] }]);
  const { status, out, runtime } = await runPodCollect(spec, { configMaps });
  t.equal(status.phase, 'Succeeded');
  // As on Linux: unlinking in a read-only directory is EROFS; a mount point in a writable one is EBUSY.
  t.equal(out['c'], ['<h1>hi</h1>', 'ls /: a.txt page.html srv', 'ls /srv: www', 'ls /srv/www: index.html', 'write /srv/www/other: EROFS',
    'write /srv/www/index.html: EROFS', 'rm /srv/www/index.html: EROFS', 'rm /page.html: EBUSY', '<h1>hi</h1>', 'write /b.txt: ok', ''].join('\n'));
  t.same(fs.readdirSync(path.join(host, 'root')).sort(), ['a.txt', 'b.txt'], 'no mount point was made in the outer host dir');

  const alone = fsopsPod('file-alone', [{ name: 'web', configMap: { name: 'web' } }],
    [{ name: 'c', args: [], volumeMounts: [{ name: 'web', mountPath: '/index.html', subPath: 'index.html' }] }]);
  await t.rejects(runtime.runPod(alone, { configMaps }), { code: 'ERR_SUBPATH', message: /names a file, so its mountPath "\/index.html" must lie inside another volume mount/ });
  await runtime.close();
});

t.test('a nested mount point behaves as a directory: .. and relative links cross it as they cross a directory', async (t) => {
  const host = t.testdir({ root: { 'a.txt': 'root', dir: { 'x.txt': 'x' } }, data: { 'b.txt': 'data' } });
  const spec = fsopsPod('nested-dotdot', [
    { name: 'root', hostPath: { path: path.join(host, 'root') } },
    { name: 'data', hostPath: { path: path.join(host, 'data') } },
  ], [{ name: 'c', volumeMounts: [{ name: 'root', mountPath: '/' }, { name: 'data', mountPath: '/data' }],
    args: ['cat', '/data/../a.txt', 'cat', '/dir/../a.txt', 'symlink', '../a.txt', '/data/up', 'cat', '/data/up',
      'symlink', '../dir/x.txt', '/dir/up', 'cat', '/dir/up', 'symlink', 'data/b.txt', '/down', 'cat', '/down',
      'cat', '/data/../../a.txt'] }]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['c'], ['root', 'root', 'symlink /data/up: ok', 'root', 'symlink /dir/up: ok', 'x', 'symlink /down: ok', 'data',
    'cat /data/../../a.txt: EPERM', ''].join('\n'), 'only climbing above the root of all mounts is refused');
  await runtime.close();
});
