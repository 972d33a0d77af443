// The module cache: a file is read, hashed and compiled once; a changed or corrupted file is seen at once.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModuleCache } from '../../../dist/src/runtime/wasm/module-cache.js';
import { MODULES } from '../../helpers/pods.js';

const HELLO = path.join(MODULES, 'hello/hello.wasm');
const EXIT = path.join(MODULES, 'testing/exit.wasm');

t.test('an unchanged file loads to the same module without being read again; a replaced one is read anew', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'app.wasm');
  fs.copyFileSync(HELLO, file);
  const cache = new ModuleCache();
  const first = await cache.load('c', file);
  const again = await cache.load('c', file);
  t.equal(again, first, 'the second load answered from the file stamp');
  t.equal(again.module, first.module);
  // Replaced with other bytes (a new inode, size and times): the new module and its digest.
  fs.copyFileSync(EXIT, path.join(dir, 'next.wasm'));
  fs.renameSync(path.join(dir, 'next.wasm'), file);
  const replaced = await cache.load('c', file);
  t.not(replaced.digest, first.digest);
  t.ok(WebAssembly.Module.exports(replaced.module).length > 0);
  t.equal(cache.size, 2, 'two distinct modules compiled');
});

t.test('a file rewritten in place is read again: its ctime changed even if size and mtime were restored', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'app.wasm');
  fs.copyFileSync(HELLO, file);
  const cache = new ModuleCache();
  const first = await cache.load('c', file);
  const st = fs.statSync(file);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff; // the last byte of a custom or code section: still a file of the same size
  fs.writeFileSync(file, bytes);
  fs.utimesSync(file, st.atime, st.mtime);
  const second = await cache.load('c', file).catch((e: Error) => e);
  if (second instanceof Error) {
    t.pass(`the changed bytes were read and refused: ${second.message}`);
  } else {
    t.not(second.digest, first.digest, 'the changed bytes were hashed again');
  }
});

t.test('a stored module whose bytes no longer match its digest is refused, even after a good load', async (t) => {
  const dir = t.testdir();
  const blob = path.join(dir, 'blob');
  fs.copyFileSync(HELLO, blob);
  const cache = new ModuleCache();
  const good = await cache.load('c', 'registry.example/app:1', undefined, { path: blob, digest: (await new ModuleCache().load('c', HELLO)).digest });
  fs.copyFileSync(EXIT, blob);
  await t.rejects(cache.load('c', 'registry.example/app:1', undefined, { path: blob, digest: good.digest }), /is corrupt/);
});
