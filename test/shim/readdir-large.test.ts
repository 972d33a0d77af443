// A guest lists a directory of 500,000 empty files through fd_readdir (wasi-libc's readdir, resuming by cookie).
// The listing the host keeps for the scan once held a Buffer, a bigint and an object per entry in the worker's JS
// heap (about 55 MB for 200,000 entries): with these 500,000 the worker exhausted its 128 MB heap and the pod
// ended OOMKilled (Node 20 and 24 here), and a worker's heap exhaustion can abort the whole process. The listing
// is now held in a few ArrayBuffers (shim/fs/readdir.ts). The guest must see every entry once, sorted, and the
// runtime must go on. The files are made by a child process, as a guest could make them, on tmpfs when there is
// one (as for an emptyDir of medium Memory): 200,000 creations on this disk took 4 to 30 s, on tmpfs under 1 s.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runGuest, testRuntime } from '../helpers/run-guest.js';

const GUEST = fileURLToPath(new URL('../../wasm-modules/testing/count-dir.wasm', import.meta.url));
const FILES = 500_000;

t.teardown(() => testRuntime().close());

t.test(`a guest lists a directory of ${FILES} files, and the runtime survives`, async (t) => {
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'readdir-large-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const big = path.join(dir, 'big');
  fs.mkdirSync(big);
  let at = Date.now();
  execFileSync(process.execPath, ['-e', `
    const fs = require('node:fs');
    for (let i = 0; i < ${FILES}; i++) fs.closeSync(fs.openSync(process.argv[1] + '/f' + i, 'w'));
  `, big]);
  t.comment(`created ${FILES} files in ${Date.now() - at} ms`);
  at = Date.now();
  const run = await runGuest({ module: GUEST, args: ['/big'], mounts: [{ hostPath: big, mountPath: '/big' }], timeoutMs: 60_000 });
  t.comment(`listed in ${Date.now() - at} ms`);
  t.hasStrict(run, {
    exitCode: 0, reason: 'Completed', stderr: '',
    stdout: `/big: ${FILES + 2} entries (${FILES} regular files, 2 directories), dots 2, sorted yes\n`,
  }, 'every entry once, with its type, sorted bytewise, "." and ".." included');

  // A subdirectory of it lists as before; the runtime still runs pods.
  fs.mkdirSync(path.join(big, 'sub'));
  fs.writeFileSync(path.join(big, 'sub', 'x'), '');
  const small = await runGuest({ module: GUEST, args: ['/big/sub'], mounts: [{ hostPath: big, mountPath: '/big' }] });
  t.equal(small.stdout, '/big/sub: 3 entries (1 regular files, 2 directories), dots 2, sorted yes\n', 'a new pod runs');
});
