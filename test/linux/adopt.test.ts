// Re-adoption: a runtime closed with keepLinuxPods leaves its pod running, and a new runtime on the same state dir follows it on to its end.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Runtime } from '../../dist/src/index.js';
import type { ContainerStatus, PodStatus } from '../../dist/src/index.js';
import {
  alive, busyboxRootfs, containerPids, eventually, linuxSkip, memoryDir, mountsUnder, removeStateDir, sandboxes,
} from './helpers.js';
import { until } from '../helpers/pods.js';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-adopt-'));
  process.on('exit', () => removeStateDir(stateDir));
  const runtime = (): Runtime => new Runtime({
    stateDir, defaultRuntimeClass: 'linux', backoff: { baseMs: 200, maxMs: 2000, resetAfterMs: 60_000 }, secondMs: 100,
  });
  const R = busyboxRootfs();
  const byName = (s: PodStatus, name: string): ContainerStatus => s.containerStatuses!.find((c) => c.name === name)!;
  /** Each container's main process (runc's pid file), by bundle: the worker's loop forks a new sleep every tick. */
  const initPids = (dir: string): number[] => fs.readdirSync(path.join(dir, 'containers')).sort()
    .map((c) => Number(fs.readFileSync(path.join(dir, 'containers', c, 'pid'), 'utf8')));

  t.test('a pod left running by a closed runtime is re-adopted: same processes, start times, restart counts, logs; exits observed; delete cleans up', async (t) => {
    const first = runtime();
    const pod = await first.runPod({
      metadata: { name: 'kept' },
      spec: {
        restartPolicy: 'OnFailure', terminationGracePeriodSeconds: 2,
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [
          { name: 'web', image: R, command: ['httpd', '-f', '-p', '8080', '-h', '/www'], readinessProbe: { httpGet: { port: 8080, path: '/index.html' }, periodSeconds: 1 } },
          // Fails its first run (a restart to carry over), then ticks until told to stop through the shared volume.
          { name: 'worker', image: R, volumeMounts: [{ name: 'data', mountPath: '/data' }], command: ['sh', '-c',
            'if [ ! -e /data/once ]; then touch /data/once; exit 1; fi; echo started; while [ ! -e /data/stop ]; do echo tick; sleep 0.2; done; echo bye'] },
        ],
      },
    });
    const before = await until(pod, (s) => s.conditions!.find((c) => c.type === 'Ready')?.status === 'True' && byName(s, 'worker').restartCount === 1 && byName(s, 'worker').state?.running !== undefined);
    t.ok(await eventually(() => pod.logs('worker').includes('tick')), 'the worker ticks in its second run');
    const [s] = sandboxes(first);
    const pids = containerPids(s!);
    const mains = initPids(s!.dir);
    const all = [s!.pausePid, ...pids['web']!, ...mains];

    await first.close({ keepLinuxPods: true });
    t.ok(all.every(alive), 'closing the runtime with keepLinuxPods leaves every process of the pod running');
    t.equal(JSON.parse(fs.readFileSync(path.join(s!.dir, 'sandbox.json'), 'utf8')).ownerPid, 0, 'the sandbox record has no owner');
    const ticksAtClose = pod.logs('worker').split('tick').length;

    const second = runtime();
    t.teardown(() => second.close());
    const adopted = await second.adopt();
    t.equal(adopted.length, 1, 'the new runtime finds the pod');
    const again = adopted[0]!;
    t.equal(again.uid, pod.uid, 'the same pod');
    const now = again.status;
    t.equal(now.phase, 'Running');
    for (const name of ['web', 'worker']) {
      t.same(byName(now, name).state?.running?.startedAt, byName(before, name).state?.running?.startedAt, `${name} keeps its start time`);
      t.equal(byName(now, name).containerID, byName(before, name).containerID, `${name} is the same container`);
    }
    t.equal(byName(now, 'worker').restartCount, 1, 'the worker keeps its restart count');
    t.equal(byName(now, 'worker').lastState?.terminated?.exitCode, 1, 'and its last state');
    t.same(initPids(s!.dir), mains, 'the same processes');
    t.same(containerPids(sandboxes(second)[0]!)['web'], pids['web'], 'in the same cgroups');
    t.equal(sandboxes(second)[0]!.id, s!.id, 'the same sandbox');
    t.notOk(again.events.some((e) => e.reason === 'Started' || e.reason === 'Created'), 'nothing was started again');

    t.ok(await eventually(() => again.logs('worker').split('tick').length > ticksAtClose + 2, 10_000), 'the log goes on where it was left');
    t.equal(again.logs('worker').split('started').length, 2, 'without repeating what was logged before');
    await until(again, (st) => st.conditions!.find((c) => c.type === 'Ready')?.status === 'True');
    t.pass('the readiness probe runs again and passes');

    const r = await again.exec('worker', ['touch', '/data/stop']);
    t.equal(r.exitCode, 0, 'exec reaches the adopted container (and the volume survived)');
    const ended = await until(again, (st) => byName(st, 'worker').state?.terminated !== undefined);
    t.equal(byName(ended, 'worker').state!.terminated!.exitCode, 0, 'the worker\'s exit is observed');
    t.equal(byName(ended, 'worker').state!.terminated!.reason, 'Completed');
    t.match(again.logs('worker'), /bye\n$/, 'with its last output');
    t.equal(byName(ended, 'worker').restartCount, 1, 'OnFailure: a clean exit is not restarted');

    await again.delete();
    t.ok(await eventually(() => all.every((p) => !alive(p)), 10_000), 'deleting the pod kills every process, the pause process too');
    t.notOk(fs.existsSync(memoryDir(s!)), 'the pod cgroup is removed');
    t.same(s!.cgroupDirs.filter((d) => fs.existsSync(d)), [], 'in every hierarchy');
    t.same(mountsUnder(s!.dir), [], 'no mount is left');
    t.notOk(fs.existsSync(s!.dir), 'the sandbox directory is removed');
    const list = JSON.parse(execFileSync('runc', ['--root', path.join(stateDir, 'linux/oci'), 'list', '--format', 'json'], { encoding: 'utf8' }).trim() || '[]') ?? [];
    t.same(list, [], 'runc knows no container');
  });

  t.test('a caller\'s stale copy of the status (a killed server\'s store) does not change what re-adoption keeps', async (t) => {
    const first = runtime();
    const pod = await first.runPod({
      metadata: { name: 'stale' },
      spec: {
        restartPolicy: 'OnFailure', terminationGracePeriodSeconds: 1, volumes: [{ name: 'data', emptyDir: {} }],
        // Fails its first run, so that the status has moved on from what a lagging copy holds.
        containers: [{ name: 'c', image: R, volumeMounts: [{ name: 'data', mountPath: '/data' }], command: ['sh', '-c',
          'if [ ! -e /data/once ]; then touch /data/once; sleep 1; exit 1; fi; exec sleep 1000'] }],
      },
    });
    const before = await until(pod, (s) => byName(s, 'c').restartCount === 1 && byName(s, 'c').state?.running !== undefined);
    const firstRun = byName(before, 'c').lastState!.terminated!;
    await first.close({ keepLinuxPods: true });
    const second = runtime();
    t.teardown(() => second.close());
    // What a server's store holds when it was killed before writing the pod's last changes: the first run.
    const stale: PodStatus = { phase: 'Running', containerStatuses: [{ name: 'c', image: R, imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: firstRun.startedAt! } } }] };
    const again = await second.runPod(pod.pod, { resume: stale });
    t.equal(again.uid, pod.uid, 'the same pod is re-adopted');
    const now = byName(again.status, 'c');
    t.equal(now.state?.running?.startedAt, byName(before, 'c').state?.running?.startedAt, 'its start time is the one the sandbox saved');
    t.equal(now.restartCount, 1, 'and its restart count');
    t.equal(now.lastState?.terminated?.exitCode, 1, 'and its last state');
    t.equal(now.containerID, byName(before, 'c').containerID, 'the same container');
    await again.delete();
  });

  t.test('a container not created yet (its image still pulling) keeps its config with the pod\'s volumes for the runtime that re-adopts the pod', async (t) => {
    const first = runtime();
    const pod = await first.runPod({
      metadata: { name: 'pulling' },
      spec: {
        terminationGracePeriodSeconds: 1, volumes: [{ name: 'data', emptyDir: {} }],
        containers: [
          { name: 'a', image: R, command: ['sh', '-c', 'exec sleep 1000'] },
          // Nothing listens there: the pull fails and backs off, so the container is never created.
          { name: 'b', image: '127.0.0.1:9/none/app:1', volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'b' }] },
        ],
      },
    });
    await until(pod, (s) => byName(s, 'a').state?.running !== undefined && /ErrImagePull|ImagePullBackOff/.test(byName(s, 'b').state?.waiting?.reason ?? ''));
    const [s] = sandboxes(first);
    const kept = JSON.parse(fs.readFileSync(path.join(s!.dir, 'configs', 'b.json'), 'utf8'));
    t.equal(kept.mounts.length, 1, 'b\'s config is kept before b is created');
    t.match(kept.mounts[0].hostPath, /\/b$/, 'with the subPath of the pod\'s emptyDir');
    t.ok(fs.existsSync(kept.mounts[0].hostPath), 'made for the pod');
    await first.close({ keepLinuxPods: true });
    const second = runtime();
    t.teardown(() => second.close());
    const [again] = await second.adopt();
    t.equal(again?.uid, pod.uid, 'the pod is re-adopted');
    await until(again!, (st) => /ErrImagePull|ImagePullBackOff/.test(byName(st, 'b').state?.waiting?.reason ?? ''));
    t.ok(byName(again!.status, 'a').state?.running, 'a runs on, b goes on pulling');
    await again!.delete();
  });
}
