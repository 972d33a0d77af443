// wasm-modules/net/wasmpod_socket.h: the BSD socket calls over WASIX, checked end to end by sockcheck.c in a pod, and natively against Linux.
import t from 'tap';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { runGuest } from '../helpers/run-guest.js';
import { MODULES } from '../helpers/pods.js';

const SOCKCHECK = path.join(MODULES, 'net/sockcheck.wasm');

t.test('sockcheck passes every check in a pod', async (t) => {
  const r = await runGuest({ module: SOCKCHECK, timeoutMs: 60_000 });
  t.equal(r.exitCode, 0, 'exit 0: no check failed');
  t.notMatch(r.stdout, /^FAIL/m);
  t.equal(r.stdout.match(/^ok /gm)?.length, 31, 'all 31 checks ran');
  t.match(r.stdout, /^ok   a second bind to the port is EADDRINUSE$/m);
  t.match(r.stdout, /^ok   recvfrom: the first datagram alone, from the sender's port$/m);
});

t.test('the same checks pass when sockcheck.c is built natively: the checks match Linux', async (t) => {
  const cc = ['cc', 'gcc', 'clang'].find((c) => { try { execFileSync(c, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } });
  if (!cc) {
    t.pass('skipped: no C compiler on this machine (the wasm check above does not need one)');
    return;
  }
  const bin = path.join(t.testdir(), 'sockcheck');
  execFileSync(cc, ['-O2', '-o', bin, path.join(MODULES, 'net/sockcheck.c')]);
  const native = execFileSync(bin, { encoding: 'utf8' });
  const wasm = await runGuest({ module: SOCKCHECK, timeoutMs: 60_000 });
  // Ports differ run to run; the verdicts and the checks must not.
  const verdicts = (s: string) => s.replace(/\d{4,5}/g, 'PORT');
  t.equal(verdicts(wasm.stdout), verdicts(native));
});
