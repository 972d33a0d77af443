import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Vfs } from '../../../dist/shim/fs/vfs.js';
import { errno } from '../../helpers/wasi-errno.js';
import { tempDir } from '../../helpers/temp-dir.js';

const ENOENT = 44, ENOTDIR = 54, ELOOP = 32, EPERM = 63;


t.test('resolution stays inside the directory it starts from', async (t) => {
  const root = t.testdir({ a: { b: { 'f.txt': 'x' } }, 'top.txt': 'y' });
  const outside = tempDir('outside-', path.dirname(root));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 's');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'abs-link'));
  fs.symlinkSync('../../..', path.join(root, 'a', 'b', 'up-link'));
  fs.symlinkSync('b/f.txt', path.join(root, 'a', 'rel-link'));
  fs.symlinkSync('loop2', path.join(root, 'loop1'));
  fs.symlinkSync('loop1', path.join(root, 'loop2'));
  const vfs = new Vfs([{ mountPath: '/', hostPath: root, readOnly: false }]);
  const real = fs.realpathSync(root);

  t.equal(vfs.resolve([], 'a/b/f.txt', true).hostPath, path.join(real, 'a/b/f.txt'));
  t.equal(vfs.resolve([], 'a/rel-link', true).hostPath, path.join(real, 'a/b/f.txt'), 'relative symlink followed');
  t.equal(vfs.resolve([], 'a/rel-link', false).hostPath, path.join(real, 'a/rel-link'), 'last symlink kept without follow');
  t.equal(vfs.resolve([], 'a/b/../../top.txt', true).hostPath, path.join(real, 'top.txt'), '.. inside is fine');
  t.equal(errno(() => vfs.resolve([], '..', true)), EPERM, '.. above the root');
  t.equal(errno(() => vfs.resolve([], 'a/../../x', true)), EPERM, '.. above the root through a subdir');
  t.equal(errno(() => vfs.resolve(['a'], '../top.txt', true)), EPERM, '.. above a directory fd');
  t.equal(errno(() => vfs.resolve([], '/etc/passwd', true)), EPERM, 'absolute path');
  t.equal(errno(() => vfs.resolve([], 'abs-link', true)), EPERM, 'host symlink to an absolute path');
  t.equal(errno(() => vfs.resolve([], 'abs-link/x', false)), EPERM, 'absolute symlink in the middle');
  t.equal(errno(() => vfs.resolve([], 'a/b/up-link/etc', true)), EPERM, 'relative symlink climbing out');
  t.equal(errno(() => vfs.resolve([], 'loop1', true)), ELOOP, 'symlink loop');
  t.equal(errno(() => vfs.resolve([], 'top.txt/x', true)), ENOTDIR, 'file in the middle');
  t.equal(errno(() => vfs.resolve([], 'nope/x', true)), ENOENT, 'missing directory in the middle');
  t.equal(vfs.resolve([], 'a/b/', false).mustBeDir, true, 'trailing slash asks for a directory');
});

t.test('nested mounts: the innermost mount serves its subtree', async (t) => {
  const outer = t.testdir({ data: {}, 'o.txt': 'o' });
  const inner = tempDir('inner-', path.dirname(outer));
  fs.writeFileSync(path.join(inner, 'i.txt'), 'i');
  const vfs = new Vfs([
    { mountPath: '/', hostPath: outer, readOnly: false },
    { mountPath: '/data', hostPath: inner, readOnly: true },
  ]);
  const r = vfs.resolve([], 'data/i.txt', true);
  t.equal(r.hostPath, path.join(fs.realpathSync(inner), 'i.txt'));
  t.equal(r.mount.readOnly, true);
  t.equal(vfs.resolve(['data'], '.', true).mount.guestPath, '/data');
  t.equal(vfs.resolve([], 'o.txt', true).mount.guestPath, '/');
});

t.test('preopens: only directory mounts not inside another; pinned paths cannot be removed or renamed', async (t) => {
  const dir = t.testdir({ root: { keep: { 'f.txt': 'x' }, free: {} }, data: {}, other: {}, 'file.txt': 'f' });
  const vfs = new Vfs([
    { mountPath: '/', hostPath: path.join(dir, 'root'), readOnly: false, pinned: [path.join(fs.realpathSync(dir), 'root', 'keep')] },
    { mountPath: '/data', hostPath: path.join(dir, 'data'), readOnly: false },
    { mountPath: '/other/deep', hostPath: path.join(dir, 'other'), readOnly: true },
    { mountPath: '/file.txt', hostPath: path.join(dir, 'file.txt'), readOnly: true },
  ]);
  t.same(vfs.preopenMounts().map((m) => m.guestPath), ['/']);
  const EBUSY = 10;
  t.equal(errno(() => vfs.refuseMountPoint(vfs.resolve([], 'keep', false))), EBUSY, 'pinned');
  t.equal(errno(() => vfs.refuseMountPoint(vfs.resolve([], 'keep/f.txt', false))), undefined, 'what is inside is not');
  t.equal(errno(() => vfs.refuseMountPoint(vfs.resolve([], 'free', false))), undefined);
  t.equal(errno(() => vfs.refuseMountPoint(vfs.resolve([], 'data', false))), EBUSY, 'a mount point');
  const alone = new Vfs([{ mountPath: '/a', hostPath: path.join(dir, 'data'), readOnly: false },
    { mountPath: '/b', hostPath: path.join(dir, 'other'), readOnly: false }]);
  t.same(alone.preopenMounts().map((m) => m.guestPath), ['/a', '/b'], 'siblings each get one');
});
