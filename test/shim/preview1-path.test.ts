// Preview1 conformance, part 3: path operations and the sandbox (path_open, directories,
// symlinks, hard links, filestat by path), libc's absolute paths on a mount at "/", and
// read-only mounts. See wasm-modules/wasi-tests/*.c for the checks each program makes.
import t from 'tap';
import { lstatSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGuest } from '../helpers/run-guest.js';

const wasm = (name: string) =>
  fileURLToPath(new URL(`../../wasm-modules/wasi-tests/${name}.wasm`, import.meta.url));

const passed = { stderr: '', exitCode: 0, reason: 'Completed', stdout: 'ok\n' } as const;

const inScratch = (dir: string, name: string, mountPath = '/sandbox', extraArgs: string[] = []) =>
  runGuest({ module: wasm(name), args: [mountPath, ...extraArgs],
    mounts: [{ hostPath: dir, mountPath }] });

// Every entry under `dir` (recursively) with its type, size, mtime and, for files, contents.
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path, { bigint: true });
    const key = prefix + name;
    if (st.isDirectory()) {
      out[key] = `dir mtime=${st.mtimeNs}`;
      Object.assign(out, snapshot(path, `${key}/`));
    } else {
      const body = st.isFile() ? readFileSync(path, 'utf8') : '';
      out[key] = `${st.isFile() ? 'file' : 'other'} size=${st.size} mtime=${st.mtimeNs} ${body}`;
    }
  }
  return out;
}

t.test('path_open: CREAT, EXCL, TRUNC, DIRECTORY, NOFOLLOW, escapes, NUL bytes', async t => {
  t.hasStrict(await inScratch(t.testdir(), 'path-open'), passed);
});

t.test('create/remove directories, unlink, rename', async t => {
  t.hasStrict(await inScratch(t.testdir(), 'path-dirs'), passed);
});

t.test('symlinks, readlink truncation, loops, links leading outside, hard links', async t => {
  // Two links made on the host point at a secret outside the mount; the guest must not
  // reach it through either.
  const root = t.testdir({ sandbox: {}, secret: { 'secret.txt': 'top secret' } });
  const sandbox = join(root, 'sandbox');
  symlinkSync(join(root, 'secret', 'secret.txt'), join(sandbox, 'host-abs'));
  symlinkSync('../secret/secret.txt', join(sandbox, 'host-rel'));
  const run = await inScratch(sandbox, 'path-symlink', '/sandbox', ['host-links']);
  t.hasStrict(run, passed);
  t.notMatch(run.stdout + run.stderr, /top secret/);
  t.equal(readFileSync(join(root, 'secret', 'secret.txt'), 'utf8'), 'top secret');
  t.same(readdirSync(root).sort(), ['sandbox', 'secret'], 'nothing created beside the mount');
});

t.test('path_filestat_get and path_filestat_set_times', async t => {
  t.hasStrict(await inScratch(t.testdir(), 'path-filestat'), passed);
});

t.test('libc absolute paths on a mount at /', async t => {
  const root = t.testdir({ root: {}, 'outside-marker': 'outside' });
  const run = await runGuest({ module: wasm('libc-paths'),
    mounts: [{ hostPath: join(root, 'root'), mountPath: '/' }] });
  t.hasStrict(run, passed);
  t.same(readdirSync(join(root, 'root')), ['notes.txt']);
  t.equal(readFileSync(join(root, 'root', 'notes.txt'), 'utf8'), 'hello, root mount\n');
  t.same(readdirSync(root).sort(), ['outside-marker', 'root']);
});

t.test('a read-only mount refuses every change with ROFS and stays unchanged', async t => {
  const dir = t.testdir({
    'existing.txt': 'read-only data',
    emptydir: {},
    sub: { 'inner.txt': 'inner' },
  });
  const before = snapshot(dir);
  const run = await runGuest({ module: wasm('readonly'), args: ['/ro'],
    mounts: [{ hostPath: dir, mountPath: '/ro', readOnly: true }] });
  t.hasStrict(run, passed);
  t.same(snapshot(dir), before, 'the host directory is untouched');
});
