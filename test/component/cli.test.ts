// WASI 0.2 components in real pods: a preview1 C program wrapped with the preview1 adapter runs on wasmpod's own wasi:cli/io/clocks/random/filesystem.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODULES, fastRuntime } from '../helpers/pods.js';
import { runPodCollect } from '../helpers/run-pod.js';
import { runGuest } from '../helpers/run-guest.js';

const CLI = path.join(MODULES, 'component/cli.component.wasm');
const ESCAPE = path.join(MODULES, 'component/escape.component.wasm');

function pod(name: string, containers: Record<string, unknown>[], volumes: unknown[] = []): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', volumes, containers } };
}


t.test('stdout and stderr reach the logs; args, env, clocks and random work; exit status', async (t) => {
  const runtime = fastRuntime();
  const p = await runtime.runPod(pod('hello', [
    { name: 'c', image: CLI, args: ['hello', '0'], env: [{ name: 'GREETING', value: 'from the pod spec' }] },
  ]));
  const chunks: Record<string, Buffer[]> = { stdout: [], stderr: [] };
  p.on('output', (e: { stream: 'stdout' | 'stderr'; chunk: Buffer }) => chunks[e.stream]!.push(e.chunk));
  const status = await p.wait();
  const out = Buffer.concat(chunks['stdout']!).toString();
  t.equal(status.phase, 'Succeeded', out);
  t.match(out, /^hello from a component\n/);
  t.match(out, /argv\[1\]=hello\nargv\[2\]=0\n/);
  t.match(out, /GREETING=from the pod spec\n/);
  t.match(out, /slept: yes\nrandom: yes\nwall clock: yes\n/);
  t.equal(Buffer.concat(chunks['stderr']!).toString(), 'to stderr\n');
  t.equal((status.containerStatuses?.[0]?.state as { terminated?: { exitCode: number; reason: string } } | undefined)?.terminated?.exitCode, 0);
  t.equal((status.containerStatuses?.[0]?.state as { terminated?: { exitCode: number; reason: string } } | undefined)?.terminated?.reason, 'Completed');
  await runtime.close();
});

t.test('a non-zero exit through the adapter is exit code 1 (wasi:cli/exit carries only ok or err)', async (t) => {
  const { status, runtime } = await runPodCollect(pod('fail', [{ name: 'c', image: CLI, args: ['hello', '7'] }]));
  t.equal(status.phase, 'Failed');
  t.equal(status.containerStatuses[0].state.terminated.exitCode, 1);
  t.equal(status.containerStatuses[0].state.terminated.reason, 'Error');
  await runtime.close();
});

t.test('a trapping component is a clean container error, and the runtime goes on', async (t) => {
  const runtime = fastRuntime();
  const { status } = await runPodCollect(pod('trap', [{ name: 'c', image: CLI, args: ['trap'] }]), {}, runtime);
  const term = status.containerStatuses[0].state.terminated;
  t.equal(term.exitCode, 134);
  t.match(term.message, /^wasm trap: .*unreachable/);
  const again = await runPodCollect(pod('after', [{ name: 'c', image: CLI, args: ['hello'] }]), {}, runtime);
  t.equal(again.status.phase, 'Succeeded');
  await runtime.close();
});

t.test('files in a hostPath and an emptyDir; escapes refused; readOnly honoured', async (t) => {
  const host = t.testdir({ 'outside.txt': 'OUTSIDE', vol: { 'host.txt': 'abc\n' }, ro: { 'keep.txt': 'k' } });
  fs.symlinkSync(path.dirname(host), path.join(host, 'vol', 'planted'));
  const { status, out, runtime } = await runPodCollect(pod('files', [
    {
      name: 'c', image: CLI, args: ['files', '/data', '/ro'],
      volumeMounts: [{ name: 'v', mountPath: '/data' }, { name: 'r', mountPath: '/ro', readOnly: true }],
    },
    { name: 'e', image: CLI, args: ['files', '/scratch'], volumeMounts: [{ name: 's', mountPath: '/scratch' }] },
  ], [
    { name: 'v', hostPath: { path: path.join(host, 'vol') } },
    { name: 'r', hostPath: { path: path.join(host, 'ro') } },
    { name: 's', emptyDir: {} },
  ]));
  t.equal(status.phase, 'Succeeded', JSON.stringify(out));
  const c = out['c']!;
  t.match(c, /read back: written through wasi:filesystem\n/);
  t.match(c, /entry: host\.txt\n/);
  t.match(c, /entry: sub\n/);
  t.match(c, /host\.txt size: 4\n/);
  t.match(c, /refused: dotdot \(Operation not permitted\)/);
  t.match(c, /refused: host-planted symlink/);
  t.match(c, /refused: write to readOnly mount \(Read-only file system\)/);
  t.notMatch(c, /escaped/);
  t.match(c, /DONE\n$/);
  t.equal(fs.readFileSync(path.join(host, 'vol', 'made-by-component.txt'), 'utf8'), 'written through wasi:filesystem\n');
  t.notOk(fs.existsSync(path.join(host, 'ro', 'new.txt')));
  t.match(out['e'], /read back: written through wasi:filesystem\n[^]*DONE\n$/);
  await runtime.close();
});

t.test('the volumes escape guest, as a component, stays contained', async (t) => {
  const host = t.testdir({ 'outside.txt': 'OUTSIDE', vol: { 'inside.txt': 'inside' } });
  fs.symlinkSync(path.join(host, 'outside.txt'), path.join(host, 'vol', 'planted-abs'));
  fs.symlinkSync('../outside.txt', path.join(host, 'vol', 'planted-rel'));
  const { status, out, runtime } = await runPodCollect(pod('hostile', [
    { name: 'c', image: ESCAPE, args: ['/data'], volumeMounts: [{ name: 'v', mountPath: '/data' }] },
  ], [{ name: 'v', hostPath: { path: path.join(host, 'vol') } }]));
  t.equal(status.phase, 'Succeeded', out['c']);
  t.notMatch(out['c'], /escaped/);
  t.match(out['c'], /refused: dotdot/);
  t.match(out['c'], /CONTAINED\n$/);
  t.notOk(fs.existsSync(path.join(host, 'created-outside.txt')));
  await runtime.close();
});

t.test('stdin reaches the component through wasi:cli/stdin', async (t) => {
  const input = 'line one\nline two\n'.repeat(2000);
  const r = await runGuest({ module: CLI, args: ['cat'], stdin: input });
  t.equal(r.exitCode, 0);
  t.equal(r.stdout, input);
});

t.test('exec runs the component again with other arguments', async (t) => {
  const runtime = fastRuntime();
  const p = await runtime.runPod(pod('exec', [{ name: 'c', image: CLI, args: ['cat'], stdin: true }]));
  const r = await p.exec('c', ['cli', 'hello', '0'], { timeoutMs: 60_000 });
  t.equal(r.exitCode, 0);
  t.match(r.stdout.toString(), /^hello from a component\nargv\[0\]=cli\nargv\[1\]=hello\n/);
  await p.delete();
  await runtime.close();
});

t.test('a memory limit caps the component\'s memories: running out is OOMKilled, not a crash', async (t) => {
  const { status, out, runtime } = await runPodCollect(pod('eat', [
    { name: 'c', image: CLI, args: ['eat'], resources: { limits: { memory: '32Mi' } } },
  ]));
  const term = (status.containerStatuses?.[0]?.state as { terminated?: { reason: string; exitCode: number } }).terminated;
  // Out of memory, the guest's malloc fails, and the adapter traps when it next needs memory itself.
  t.equal(term?.reason, 'OOMKilled', out['c']);
  t.equal(term?.exitCode, 137);
  await runtime.close();
});
