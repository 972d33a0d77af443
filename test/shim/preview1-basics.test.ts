// Preview1 conformance, part 1: args/environ, clocks, random, sched, stdio, poll, proc_exit,
// proc_raise, sockets and the shared error paths (BADF, FAULT). Each C program in
// wasm-modules/wasi-tests checks one area against the spec and prints "ok" when all passed;
// a failed check prints its line, expected and got values on stderr (shown in the diff).
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { runGuest, testRuntime } from '../helpers/run-guest.js';

const wasm = (name: string) =>
  fileURLToPath(new URL(`../../wasm-modules/wasi-tests/${name}.wasm`, import.meta.url));

// What a program whose checks all passed leaves behind; stderr first so a failure shows it.
const passed = { stderr: '', exitCode: 0, reason: 'Completed', stdout: 'ok\n' } as const;

t.test('args_get and environ_get return exactly the given argv and environment', async t => {
  const run = await runGuest({
    module: wasm('args-environ'),
    args: ['alpha', '', 'with space', 'ünïcödé', 'a=b'],
    env: { HOME: '/home/guest', EMPTY: '', WITH_EQ: 'x=y=z', UNICODE: 'ü' },
  });
  t.hasStrict(run, passed);
});

t.test('command replaces argv[0]; args follow it', async t => {
  // args-environ checks that argv[0] ends with "args-environ.wasm" and that argv[1..] are its five strings.
  const run = await runGuest({
    module: wasm('args-environ'),
    command: ['/bin/args-environ.wasm', 'alpha'],
    args: ['', 'with space', 'ünïcödé', 'a=b'],
    env: { HOME: '/home/guest', EMPTY: '', WITH_EQ: 'x=y=z', UNICODE: 'ü' },
  });
  t.hasStrict(run, passed);
});

t.test('clock_res_get and clock_time_get', async t => {
  t.hasStrict(await runGuest({ module: wasm('clock') }), passed);
});

t.test('random_get fills exactly the buffer, also 1 MiB at once', async t => {
  t.hasStrict(await runGuest({ module: wasm('random') }), passed);
});

t.test('sched_yield', async t => {
  t.hasStrict(await runGuest({ module: wasm('sched') }), passed);
});

t.test('stdin arrives byte for byte, stdout and stderr leave byte for byte', async t => {
  const length = 70001;
  const stdin = Buffer.alloc(length);
  for (let i = 0; i < length; i++) stdin[i] = i % 251;
  const ascii = Buffer.from(Array.from({ length: 128 }, (_, i) => i));
  const big = Buffer.alloc(100000);
  for (let i = 0; i < big.length; i++) big[i] = i % 100 === 99 ? 0x0a : 0x61 + (i % 26);

  const run = await runGuest({ module: wasm('stdio'), args: [String(length)], stdin });
  t.equal(run.stderr, Buffer.concat([Buffer.from('err:'), ascii, Buffer.from('\n')]).toString());
  t.equal(run.exitCode, 0);
  t.equal(run.reason, 'Completed');
  const want = Buffer.concat([ascii, Buffer.from('é😀\n'), big, Buffer.from('ok\n')]).toString();
  t.equal(run.stdout.length, want.length, 'stdout length');
  t.ok(run.stdout === want, 'stdout is byte for byte what the guest wrote');
});

t.test('poll_oneoff: clocks wait, stdio and files are ready, bad input is refused', async t => {
  const run = await runGuest({ module: wasm('poll'), args: ['/sandbox'],
    mounts: [{ hostPath: t.testdir(), mountPath: '/sandbox' }] });
  t.hasStrict(run, passed);
});

t.test('poll_oneoff on stdin: empty and open, then data, then EOF', async t => {
  // The guest prints "waiting" once a poll of empty stdin gave only its clock; the data is written only
  // then, and stdin is closed only after the guest has read it ("got ping").
  const pod = await testRuntime().runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'poll-stdin-' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'guest', image: wasm('poll-stdin'), stdin: true }] },
  });
  const out: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  pod.on('output', (e) => {
    out[e.stream] += e.chunk.toString('utf8');
    if (e.stream !== 'stdout') return;
    if (e.chunk.includes('waiting\n')) void pod.writeStdin('guest', 'ping\n');
    if (e.chunk.includes('got ping\n')) pod.closeStdin('guest');
  });
  const timer = setTimeout(() => void pod.delete(), 60_000);
  const status = await pod.wait();
  clearTimeout(timer);
  const term = status.containerStatuses![0].state!.terminated!;
  t.equal(out.stderr, '');
  t.equal(out.stdout, 'waiting\ngot ping\nok\n');
  t.equal(term.exitCode, 0);
});

t.test('proc_raise: ignored signals return, stops are NOTSUP, fatal ones end the container', async t => {
  // [witx signal number, exit code (128 + the Linux number), name]
  const fatal: [number, number, string][] = [[15, 143, 'SIGTERM'], [9, 137, 'SIGKILL'], [6, 134, 'SIGABRT'],
    [10, 138, 'SIGUSR1'], [30, 159, 'SIGSYS']];
  for (const [sig, exitCode, name] of fatal) {
    const run = await runGuest({ module: wasm('proc-raise'), args: [String(sig)] });
    t.hasStrict(run, { stderr: '', stdout: 'ok\n', exitCode, reason: 'Error', message: `terminated by ${name}` }, name);
  }
  // An ignored signal returns SUCCESS and the guest goes on.
  const run = await runGuest({ module: wasm('proc-raise'), args: ['16'] });
  t.hasStrict(run, { stderr: '', stdout: 'ok\nreturned 0\n', exitCode: 99, reason: 'Error' }, 'SIGCHLD is ignored');
});

t.test('proc_exit', async t => {
  t.test('a non-zero code is the container exit code; nothing after it runs', async t => {
    const run = await runGuest({ module: wasm('proc-exit'), args: ['42'] });
    t.hasStrict(run, { exitCode: 42, reason: 'Error', stdout: 'before exit\n',
      stderr: 'on stderr\n' });
  });
  t.test('code 0 completes', async t => {
    const run = await runGuest({ module: wasm('proc-exit'), args: ['0'] });
    t.hasStrict(run, { exitCode: 0, reason: 'Completed', stdout: 'before exit\n',
      stderr: 'on stderr\n' });
  });
  t.test('code 1', async t => {
    const run = await runGuest({ module: wasm('proc-exit'), args: ['1'] });
    t.hasStrict(run, { exitCode: 1, reason: 'Error', stdout: 'before exit\n' });
  });
});

t.test('sock_* on files, directories and stdio give NOTSOCK; on closed fds BADF', async t => {
  const run = await runGuest({ module: wasm('sock'),
    mounts: [{ hostPath: t.testdir(), mountPath: '/sandbox' }] });
  t.hasStrict(run, passed);
});

t.test('every fd-taking function gives BADF; out-of-bounds pointers give FAULT', async t => {
  // stdout must be exactly "ok\n": a refused fd_write must not have written anything.
  const run = await runGuest({ module: wasm('errors'),
    mounts: [{ hostPath: t.testdir(), mountPath: '/sandbox' }] });
  t.hasStrict(run, passed);
});
