// The pod manager's rules on the Linux backend: limits and OOMKilled, restart back-off, init order, volumes, SIGTERM, exec.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxRootfs, containerPids, eventually, linuxRuntime, linuxSkip, memoryDir, sandboxes } from './helpers.js';
import { until } from '../helpers/pods.js';
import { tempDir } from '../helpers/temp-dir.js';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  const rt = linuxRuntime();
  t.teardown(() => rt.close());
  const R = busyboxRootfs();

  t.test('a container past its memory limit is OOMKilled; the limits are in its cgroup and the pod\'s', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'hog' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          // tail keeps the whole newline-free input in memory.
          { name: 'hog', image: R, command: ['sh', '-c', 'sleep 0.3; head -c 200000000 /dev/zero | tail'], resources: { limits: { memory: '32Mi', cpu: '500m' } } },
        ],
      },
    });
    await eventually(() => sandboxes(rt).some((s) => containerPids(s)['hog'] !== undefined), 5000);
    const s = sandboxes(rt).find((x) => containerPids(x)['hog'] !== undefined)!;
    const mem = memoryDir(s);
    t.equal(fs.readFileSync(path.join(mem, 'memory.limit_in_bytes'), 'utf8').trim(), String(32 * 1024 * 1024), 'the pod cgroup has the sum of the limits');
    const child = fs.readdirSync(mem).find((d) => d.includes('-hog-'))!;
    // runc writes the limits just after it has put the process in the cgroup.
    const limit = (): string => fs.readFileSync(path.join(mem, child, 'memory.limit_in_bytes'), 'utf8').trim();
    await eventually(() => limit() === String(32 * 1024 * 1024), 2000);
    t.equal(limit(), String(32 * 1024 * 1024), 'the container cgroup has its limit');
    const cpu = s.cgroupDirs.find((d) => /\/cpu(,cpuacct)?\//.test(d))!;
    t.equal(fs.readFileSync(path.join(cpu, child, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000', '500m is 50 ms per 100 ms');
    const final = await pod.wait();
    const term = final.containerStatuses![0]!.state!.terminated!;
    t.equal(term.reason, 'OOMKilled');
    t.equal(term.exitCode, 137);
    t.equal(final.phase, 'Failed');
  });

  t.test('a failing container restarts with back-off and shows CrashLoopBackOff', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'crasher' },
      spec: { containers: [{ name: 'c', image: R, command: ['sh', '-c', 'echo run; exit 3'] }] },
    });
    // Each back-off as announced (the waiting message) and as waited: from entering CrashLoopBackOff to the next run.
    const waits: { delay: string; from: number; ran?: number }[] = [];
    const watch = (x: typeof pod.status): void => {
      const c = x.containerStatuses![0]!;
      const w = c.state!.waiting;
      const last = waits.at(-1);
      if (w?.reason === 'CrashLoopBackOff' && (!last || last.ran !== undefined)) waits.push({ delay: /back-off (\S+)/.exec(w.message ?? '')?.[1] ?? '?', from: Date.now() });
      else if (!w && last && last.ran === undefined) last.ran = Date.now();
    };
    pod.on('status', watch);
    // Runs 1 and 2 (the first crash restarts at once), then back-offs of 200, 400 and 800 ms before runs 3, 4 and 5.
    const s = await until(pod, (x) => (x.containerStatuses![0]!.restartCount ?? 0) >= 4);
    pod.off('status', watch);
    t.equal(s.containerStatuses![0]!.lastState!.terminated!.exitCode, 3, 'the last run exited 3');
    t.ok(pod.events.some((e) => e.reason === 'BackOff'), 'a BackOff event was recorded');
    t.same(waits.slice(0, 3).map((w) => w.delay), ['200ms', '400ms', '800ms'], 'the back-off doubles from the base');
    for (const w of waits.slice(0, 3)) {
      t.ok(w.ran !== undefined && w.ran - w.from >= Number.parseInt(w.delay, 10) - 50, `the container waited out its ${w.delay} back-off (${w.ran! - w.from} ms)`);
    }
    const waiting = await until(pod, (x) => x.containerStatuses![0]!.state!.waiting?.reason === 'CrashLoopBackOff');
    t.match(waiting.containerStatuses![0]!.state!.waiting!.message, /back-off \d/);
    t.match(pod.logs('c', { previous: true }), 'run', 'the previous run\'s log is kept');
    await pod.delete();
  });

  t.test('init containers run one at a time, in order, before the app; volumes are bind mounts, readOnly honoured', async (t) => {
    const host = tempDir('wasmpod-hostpath-');
    fs.writeFileSync(path.join(host, 'greeting'), 'from the host\n');
    const pod = await rt.runPod({
      metadata: { name: 'ordered' },
      spec: {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }, { name: 'host', hostPath: { path: host, type: 'Directory' } }],
        initContainers: [
          { name: 'first', image: R, command: ['sh', '-c', 'sleep 0.3; echo first >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
          { name: 'second', image: R, command: ['sh', '-c', 'echo second >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        ],
        containers: [{
          name: 'app', image: R, workingDir: '/work',
          command: ['sh', '-c', 'echo app >> order; cat order; cat /host/greeting; echo x > /host/new && echo wrote || echo read-only; pwd'],
          volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'host', mountPath: '/host', readOnly: true }],
        }],
      },
    });
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded');
    const lines = (stream: string): string[] => pod.logLines('app').filter((l) => l.stream === stream).map((l) => l.text);
    t.same(lines('stdout'), ['first', 'second', 'app', 'from the host', 'read-only', '/work']);
    t.same(lines('stderr'), ['sh: can\'t create /host/new: Read-only file system']);
    t.notOk(fs.existsSync(path.join(host, 'new')), 'the read-only hostPath was not written');
  });

  t.test('deletion sends SIGTERM: a process that handles it exits by itself within the grace period', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'graceful' },
      spec: {
        terminationGracePeriodSeconds: 100, // 10 s at 100 ms per second
        containers: [{ name: 'g', image: R, command: ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done'] }],
      },
    });
    let out = '';
    pod.on('output', (e) => { out += e.chunk; });
    t.ok(await eventually(() => out.includes('ready')));
    const t0 = Date.now();
    const s = await pod.delete();
    t.ok(Date.now() - t0 < 8000, 'it did not wait for the grace period to run out');
    t.equal(s.containerStatuses![0]!.state!.terminated!.exitCode, 0);
    t.match(out, 'got TERM');
  });

  t.test('exec runs in the container (env, cwd, filesystem); exec probes and hooks use it', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'probed' },
      spec: {
        containers: [{
          name: 'p', image: R, command: ['sh', '-c', 'sleep 0.5; touch /tmp/ready; exec sleep 1000'], env: [{ name: 'GREETING', value: 'hi' }],
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
          lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /tmp/hook'] } } },
        }],
      },
    });
    const ready = await until(pod, (s) => s.containerStatuses![0]!.ready === true);
    t.equal(ready.conditions!.find((c) => c.type === 'Ready')!.status, 'True', 'the exec readiness probe passed');
    const r = await pod.exec('p', ['sh', '-c', 'echo $GREETING; cat /tmp/hook; exit 4']);
    t.equal(r.stdout.toString(), 'hi\nstarted\n');
    t.equal(r.exitCode, 4);
    const slow = await pod.exec('p', ['sleep', '100'], { timeoutMs: 300 });
    t.ok(slow.timedOut, 'an exec past its timeout is killed');
    await pod.delete();
  });

  t.test('stdin: true pipes what the embedder writes, written before or after the start, to the process', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'reader' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'r', image: R, stdin: true, command: ['sh', '-c', 'while read line; do echo "got $line"; done; echo eof'] }] },
    });
    await pod.writeStdin('r', 'one\n');
    await until(pod, (s) => s.phase === 'Running');
    await pod.writeStdin('r', 'two\n');
    pod.closeStdin('r');
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded');
    t.equal(pod.logs('r'), 'got one\ngot two\neof\n');
  });

  t.test('an image that is not a directory is rejected before anything runs', async (t) => {
    await t.rejects(rt.runPod({ metadata: { name: 'noimg' }, spec: { containers: [{ name: 'c', image: '/nonexistent/rootfs', command: ['sh'] }] } }),
      { code: 'ERR_ROOTFS', message: /container "c": image \/nonexistent\/rootfs: cannot be read: ENOENT/ });
    t.equal(sandboxes(rt).filter((s) => fs.existsSync(s.dir)).length, 0, 'no sandbox is left');
  });
}
