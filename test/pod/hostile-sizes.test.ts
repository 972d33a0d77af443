// Guest-supplied lengths and counts that drive host allocations are bounded as Linux bounds them: before the
// bounds, each of these made the worker build JS objects in proportion and exhaust its JS heap, which Node 24
// treats as fatal for the whole process (Node 20 ended the pod OOMKilled). Each pod must end Succeeded with the errno.
import t, { type Test } from 'tap';
import * as path from 'node:path';
import { MODULES, fastRuntime, podSpec } from '../helpers/pods.js';

const GUEST = path.join(MODULES, 'testing/hostile-sizes.wasm');
const rt = fastRuntime();
t.teardown(() => rt.close());

let n = 0;
/** Runs the guest with `args` (an emptyDir preopened as fd 3) and returns its output once it has Succeeded. */
async function run(t: Test, args: string[]): Promise<string> {
  const spec = podSpec(`hostile-${n++}`, [{ name: 'h', image: GUEST, args }], {
    restartPolicy: 'Never', volumes: [{ name: 'd', emptyDir: {} }],
  }) as any;
  spec.spec.containers[0].volumeMounts = [{ name: 'd', mountPath: '/d' }];
  const pod = await rt.runPod(spec);
  const s = await pod.wait();
  t.equal(s.phase, 'Succeeded', `${args.join(' ')}: the pod ends Succeeded`);
  t.equal(s.containerStatuses![0].state!.terminated!.exitCode, 0);
  return pod.logs('h');
}

t.test('a path of PATH_MAX (4096) bytes or more is ENAMETOOLONG, as Linux answers', async (t) => {
  t.match(await run(t, ['path']), /path_open of 67108864 bytes: errno 37\n/, '64 MiB of "./": ENAMETOOLONG');
  t.match(await run(t, ['path', '4096']), /path_open of 4096 bytes: errno 37\n/, '4096 bytes: ENAMETOOLONG');
  t.match(await run(t, ['path', '4095']), /path_open of 4095 bytes: errno 0\n/, '4095 bytes resolve as before');
});

t.test('poll_oneoff with more than 16385 subscriptions (two per fd and a timeout) is EINVAL, as poll(2) over RLIMIT_NOFILE', async (t) => {
  t.match(await run(t, ['poll']), /poll_oneoff of 2097152 subscriptions: errno 28, 0 events\n/, '2 Mi: EINVAL');
  t.match(await run(t, ['poll', '16385']), /poll_oneoff of 16385 subscriptions: errno 0, 16385 events\n/, '16385 are taken');
});

t.test('a guest holds at most 8192 fds (RLIMIT_NOFILE): the next open is EMFILE', async (t) => {
  const out = await run(t, ['fds']);
  // fds 0-2 are stdio and 3 the preopen: directories take 4..8191.
  t.match(out, /opened 8188 directories, the last fd 8191: errno 33\n/, 'directories: EMFILE at 8192');
  t.match(out, /creating a file with no fd free: errno 33\nthen opening it: errno 44\n/, 'EMFILE is checked before the file is created');
  t.match(out, /opened 8188 sockets, the last fd 8191: errno 33\n/, 'sockets: EMFILE at 8192');
});

t.test('the WASIX resolve of a name longer than 512 bytes is ENAMETOOLONG before the host reads it', async (t) => {
  t.match(await run(t, ['resolve']), /resolve of a name of 201326592 bytes: errno 37\n/, '192 MiB: ENAMETOOLONG');
  t.match(await run(t, ['resolve', '513']), /resolve of a name of 513 bytes: errno 37\n/);
});

t.test('the runtime is still alive', async (t) => {
  t.ok(process.pid > 0);
  t.match(await run(t, ['path', '1']), /errno 0\n/, 'a new pod runs');
});
