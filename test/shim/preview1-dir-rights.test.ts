// Preview1 conformance: path_open of a directory keeps the rights that apply to it, drops the
// file-only ones and refuses only writing (ISDIR). See wasm-modules/wasi-tests/dir-open-rights.c.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runGuest } from '../helpers/run-guest.js';

const wasm = fileURLToPath(new URL('../../wasm-modules/wasi-tests/dir-open-rights.wasm', import.meta.url));

t.test('reopening a preopen with its own rights works; write rights answer ISDIR', async t => {
  const dir = t.testdir();
  const run = await runGuest({ module: wasm, args: ['/sandbox'], mounts: [{ hostPath: dir, mountPath: '/sandbox' }] });
  t.hasStrict(run, { stderr: '', exitCode: 0, reason: 'Completed', stdout: 'ok\n' });
  t.same(readdirSync(dir), [], 'the guest removed what it created');
});

t.test('the same checks pass with the directory mounted at /', async t => {
  const dir = t.testdir();
  const run = await runGuest({ module: wasm, args: ['/'], mounts: [{ hostPath: dir, mountPath: '/' }] });
  t.hasStrict(run, { stderr: '', exitCode: 0, reason: 'Completed', stdout: 'ok\n' });
});
