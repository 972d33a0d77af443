import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiServer } from '../../dist/src/server/server.js';
import { ROOT, until } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');

t.test('one wasmpod serve per state dir; a stale lock after a crash is taken over', async (t) => {
  const dir = tempDir('wasmpod-lock-');
  // --no-socket: the socket's own check would refuse the second server anyway; the lock must do it alone.
  const first = spawn(process.execPath, [BIN, 'serve', '--no-socket', '--listen', '127.0.0.1:0', '--state-dir', dir]);
  t.teardown(() => { first.kill('SIGKILL'); });
  let err = '';
  first.stderr.on('data', (c: Buffer) => { err += c; });
  await until('the first server to listen', () => err.includes('listening on https://'), 30_000);
  t.equal(fs.readFileSync(path.join(dir, 'serve.lock'), 'utf8'), `${first.pid}\n`, 'the lock holds its pid');

  const second = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'serve', '--no-socket', '--state-dir', dir], { timeout: 30_000 }, (e, _out, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stderr }));
  });
  t.equal(second.code, 1);
  t.equal(second.stderr, `wasmpod: another wasmpod serve (pid ${first.pid}) is using the state dir ${dir}; stop it first, or pass another --state-dir\n`);
  await t.rejects(ApiServer.start({ stateDir: dir, socket: false }), { code: 'ERR_STATE_DIR_LOCKED', pid: first.pid, stateDir: dir });

  // A crash leaves the lock behind; its pid is gone, so the next server takes it over.
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  t.ok(fs.existsSync(path.join(dir, 'serve.lock')), 'the crashed server left its lock');
  const next = await ApiServer.start({ stateDir: dir, socket: false });
  t.equal(fs.readFileSync(path.join(dir, 'serve.lock'), 'utf8'), `${process.pid}\n`);
  // A second server in the same process is refused too.
  await t.rejects(ApiServer.start({ stateDir: dir, socket: false }), { code: 'ERR_STATE_DIR_LOCKED', pid: process.pid });
  await next.close();
  t.notOk(fs.existsSync(path.join(dir, 'serve.lock')), 'close releases the lock');
  const again = await ApiServer.start({ stateDir: dir, socket: false });
  await again.close();
});
