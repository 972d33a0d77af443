// Pod IPC through real guests: the errno cases, producer/consumer checksums, pod isolation, dying lock holders,
// restarts, and the embedder's queues.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PodHandle } from '../../dist/src/index.js';
import { MODULES, ROOT, fastRuntime, podSpec } from '../helpers/pods.js';

const CHECK = path.join(MODULES, 'ipc/ipc-check.wasm');
const rt = fastRuntime();
t.teardown(() => rt.close());

const never = { restartPolicy: 'Never' };
const exitCode = (pod: PodHandle, name: string) =>
  pod.status.containerStatuses!.find((c) => c.name === name)!.state!.terminated?.exitCode;

function outputOf(pod: PodHandle, container: string, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    pod.on('output', (o) => {
      if (o.container !== container) return;
      seen += o.chunk.toString();
      if (seen.includes(text)) resolve();
    });
  });
}

t.test('every errno case a guest can provoke alone', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-errors', [{ name: 'c', image: CHECK, args: ['errors'] }], never));
  const s = await pod.wait();
  t.equal(pod.logs('c'), 'ok\n');
  t.equal(s.phase, 'Succeeded');
});

t.test('examples/ipc.yaml: one million records through a queue and one million through a ring, same checksums', async (t) => {
  const { parseManifest } = await import('../../dist/src/spec/index.js');
  const file = path.join(ROOT, 'examples/ipc.yaml');
  const m = parseManifest(fs.readFileSync(file, 'utf8'), { source: file, baseDir: path.dirname(file) });
  const pod = await rt.runPod(m.pods[0] as never);
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  // Each consumer also exits non-zero at the first record lost, duplicated or out of order (ipc-demo.c verify()).
  const sum = (c: string) => /checksum ([0-9a-f]{16})/.exec(pod.logs(c))?.[1];
  t.match(pod.logs('queue-consumer'), /^received 1000000 records through queue/);
  t.match(pod.logs('queue-producer'), /^sent 1000000 records through queue/);
  t.equal(sum('queue-consumer'), sum('queue-producer'));
  t.match(pod.logs('ring-consumer'), /^received 1000000 records through ring/);
  t.match(pod.logs('ring-producer'), /^sent 1000000 records through ring/);
  t.equal(sum('ring-consumer'), sum('ring-producer'));
  t.equal(sum('queue-producer'), sum('ring-producer'), 'both paths carried the same records');
});

t.test('segments, queues and semaphores are visible to their own pod and to no other', async (t) => {
  const a = await rt.runPod(podSpec('ipc-owner', [{ name: 'c', image: CHECK, args: ['hold-segment', '/secret', '60000'] }], never));
  await outputOf(a, 'c', 'holding');
  const b = await rt.runPod(podSpec('ipc-other', [{ name: 'c', image: CHECK, args: ['open-segment', '/secret'] }], never));
  await b.wait();
  t.equal(b.logs('c'), 'errno 44\n', 'ENOENT for a guest of another pod');
  const c = await rt.runPod(podSpec('ipc-third', [{ name: 'c', image: CHECK, args: ['hold-segment', '/mine', '60000'] }], never));
  t.throws(() => c.ipc.openSegment('/secret'), { code: 'ERR_IPC_ENOENT' }, 'and for the embedder through another pod');
  t.equal(a.ipc.openSegment('/secret').size, 64, 'the owner pod has it');
  a.ipc.openQueue('/secret-q', { create: true });
  a.ipc.openSemaphore('/secret-s', { create: true });
  const d = await rt.runPod(podSpec('ipc-fourth', [{ name: 'c', image: CHECK, args: ['open-queue', '/secret-q'] }], never));
  await d.wait();
  t.equal(d.logs('c'), 'errno 44\n', 'a queue: ENOENT for a guest of another pod');
  t.throws(() => c.ipc.openQueue('/secret-q'), { code: 'ERR_IPC_ENOENT' }, 'and for the embedder through another pod');
  t.throws(() => c.ipc.openSemaphore('/secret-s'), { code: 'ERR_IPC_ENOENT' }, 'a semaphore likewise');
  await Promise.all([a.delete(), c.delete()]);
});

t.test('a container that dies holding a mutex: the next locker gets EOWNERDEAD and the lock', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-robust', [
    { name: 'dies', image: CHECK, args: ['lock-and-die', '/m'] },
    { name: 'next', image: CHECK, args: ['lock-after', '/m'] },
  ], never));
  await pod.wait();
  t.equal(exitCode(pod, 'dies'), 134, 'it trapped');
  t.equal(pod.logs('dies'), 'locked\n');
  t.equal(pod.logs('next'), 'lock errno 62\nunlock errno 0\n');
  t.equal(exitCode(pod, 'next'), 0);
});

t.test('objects live as long as the pod: container restarts see them', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-restarts', [{ name: 'c', image: CHECK, args: ['count-runs', '/runs', '3'] }],
    { restartPolicy: 'OnFailure' }));
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded');
  t.equal(s.containerStatuses![0].restartCount, 2);
  t.equal(pod.logs('c'), 'run 3\n');
});

t.test('the embedder talks to a guest through queues, no socket', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-embed', [{ name: 'c', image: CHECK, args: ['echo', '/in', '/out'] }], never));
  const ipc = pod.ipc;
  const input = ipc.openQueue('/in', { create: true, maxMessages: 8, messageSize: 128 });
  const output = ipc.openQueue('/out', { create: true, maxMessages: 8, messageSize: 256 });
  await t.rejects(input.send(Buffer.alloc(129)), { code: 'ERR_IPC_EMSGSIZE' });
  await t.rejects(output.receive(0), { code: 'ERR_IPC_EAGAIN' });
  t.throws(() => ipc.openQueue('/nope'), { code: 'ERR_IPC_ENOENT' });
  t.throws(() => ipc.openQueue('/in', { create: true, exclusive: true }), { code: 'ERR_IPC_EEXIST' });
  await input.send('hello guest', 7);
  const reply = await output.receive(10_000);
  t.equal(reply.data.toString(), 'echo: hello guest');
  t.equal(reply.priority, 7);
  const started = Date.now();
  await t.rejects(output.receive(50), { code: 'ERR_IPC_ETIMEDOUT' });
  t.ok(Date.now() - started >= 45, 'waited for the timeout');
  await pod.wait();
  t.equal(pod.logs('c'), 'echoed 11 bytes\n');
  t.throws(() => ipc.openQueue('/in'), { code: 'ERR_NOT_FOUND' }, 'gone with the pod');
});

t.test('the embedder shares segment words with guests (an exec run too), and has semaphores and unlink', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-embed-seg', [{ name: 'c', image: CHECK, args: ['hold-segment', '/shared', '60000'] }], never));
  await outputOf(pod, 'c', 'holding');
  const seg = pod.ipc.openSegment('/shared');
  t.equal(seg.size, 64, 'the guest\'s segment');
  Atomics.store(seg.i32, 0, 41);
  const r = await pod.exec('c', ['ipc-check', 'count-runs', '/shared', '42'], { timeoutMs: 10_000 });
  t.equal(r.stdout.toString(), 'run 42\n', 'an exec run of the pod read the embedder\'s 41 and added 1');
  t.equal(r.exitCode, 0);
  t.equal(seg.atomic(0, 0, 0, 0), 42, 'and the embedder sees its store');
  const sem = pod.ipc.openSemaphore('/sem', { create: true, value: 1 });
  t.ok(sem.tryWait());
  t.notOk(sem.tryWait(), 'at 0');
  t.equal(sem.post(), 0);
  t.equal(pod.ipc.openSemaphore('sem').value(), 1, '"sem" and "/sem" are one semaphore');
  pod.ipc.unlink('segment', '/shared');
  t.throws(() => pod.ipc.openSegment('/shared'), { code: 'ERR_IPC_ENOENT' }, 'unlinked');
  t.throws(() => pod.ipc.unlink('segment', '/shared'), { code: 'ERR_IPC_ENOENT' });
  Atomics.add(seg.i32, 0, 1);
  t.equal(seg.i32[0], 43, 'an open segment outlives its name');
  await pod.delete();
});

t.test('a guest asleep in mq_receive ends when its pod is deleted', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-asleep', [{ name: 'c', image: CHECK, args: ['echo', '/never', '/out'] }], never));
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  const s = await pod.delete();
  t.ok(Date.now() - started < 5000, 'deleted promptly');
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 143);
});

t.test('admission: wasmpod_ipc functions pass, unknown names in it are refused', async (t) => {
  const str = (s: string) => [s.length, ...Buffer.from(s)];
  // (module (type (func)) (import "wasmpod_ipc" "bogus" (func (type 0))))
  const imp = [1, ...str('wasmpod_ipc'), ...str('bogus'), 0x00, 0];
  const bytes = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, imp.length, ...imp]);
  const file = path.join(t.testdir(), 'bogus.wasm');
  fs.writeFileSync(file, bytes);
  await t.rejects(rt.runPod(podSpec('ipc-bogus', [{ name: 'c', image: file }], never)),
    { code: 'ERR_MODULE_IMPORT', missing: ['wasmpod_ipc.bogus (function)'] });
});
