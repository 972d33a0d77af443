// The Linux backend on real namespaces and cgroups through runc: seed 001's pod, namespace sharing, deletion without orphans.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  alive, busyboxRootfs, containerPids, eventually, linuxRuntime, linuxSkip, memoryDir, mountsUnder, nsLinks, sandboxes,
} from './helpers.js';
import { until } from '../helpers/pods.js';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  const rt = linuxRuntime();
  t.teardown(() => rt.close());
  const R = busyboxRootfs();

  t.test('seed 001: httpd and a wget sidecar talk over localhost; net, uts, ipc shared, mnt and pid not', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'web' },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [
          { name: 'httpd', image: R, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] },
          { name: 'sidecar', image: R, command: ['sh', '-c', 'while ! wget -q -O - http://localhost:8080/index.html; do sleep 0.1; done; hostname; exec sleep 1000'] },
        ],
      },
    });
    let out = '';
    pod.on('output', (e) => { if (e.container === 'sidecar' && e.stream === 'stdout') out += e.chunk; });
    await until(pod, (s) => s.phase === 'Running');
    t.ok(await eventually(() => out.includes('hello from httpd\nweb\n')), 'the sidecar fetched the page over localhost and sees the pod name as hostname');
    const [s] = sandboxes(rt);
    const pids = containerPids(s!);
    t.same(Object.keys(pids).sort(), ['httpd', 'sidecar'], 'one cgroup per container under the pod cgroup');
    const a = nsLinks(pids['httpd']![0]!);
    const b = nsLinks(pids['sidecar']![0]!);
    const pause = nsLinks(s!.pausePid);
    const host = nsLinks(process.pid);
    for (const k of ['net', 'uts', 'ipc']) {
      t.equal(a[k], pause[k], `httpd is in the pause process's ${k} namespace`);
      t.equal(b[k], pause[k], `the sidecar is in the pause process's ${k} namespace`);
      t.not(a[k], host[k], `the pod's ${k} namespace is not the host's`);
    }
    for (const k of ['mnt', 'pid']) {
      t.not(a[k], b[k], `each container has its own ${k} namespace`);
      t.not(a[k], host[k], `a container's ${k} namespace is not the host's`);
    }
    const status = pod.status.containerStatuses!;
    t.match(status[0]!.containerID, /^runc:\/\/wp[0-9a-f]+-httpd-/, 'container IDs name the OCI runtime');
    t.match(pod.logs('sidecar'), 'hello from httpd', 'the sidecar\'s output is in its CRI log file');
    const t0 = Date.now();
    const final = await pod.delete();
    // busybox httpd runs as pid 1 of its namespace without a SIGTERM handler, so the kernel ignores SIGTERM: SIGKILL after the grace period.
    t.equal(final.containerStatuses![0]!.state!.terminated!.exitCode, 137);
    t.ok(Date.now() - t0 >= 450, `SIGKILL came only after the 5 s (500 ms here) grace period (${Date.now() - t0} ms)`);
  });

  t.test('shareProcessNamespace: the containers share the pause process\'s pid namespace and see each other', async (t) => {
    const pod = await rt.runPod({
      metadata: { name: 'shared-pid' },
      spec: {
        shareProcessNamespace: true, restartPolicy: 'Never',
        containers: [
          { name: 'a', image: R, command: ['sleep', '1000'] },
          { name: 'b', image: R, command: ['sh', '-c', 'sleep 0.5; ps -o pid,args; readlink /proc/1/exe'] },
        ],
      },
    });
    let out = '';
    pod.on('output', (e) => { if (e.container === 'b') out += e.chunk; });
    await until(pod, (s) => s.containerStatuses![1]!.state!.terminated !== undefined);
    t.match(out, /sleep 1000/, 'b sees a\'s process');
    t.match(out, /\/pause-/, 'pid 1 of the pod is the pause process');
    const [s] = sandboxes(rt).filter((x) => nsLinks(x.pausePid).pid !== nsLinks(process.pid).pid);
    const pids = containerPids(s!);
    t.equal(nsLinks(pids['a']![0]!).pid, nsLinks(s!.pausePid).pid, 'a is in the pod\'s pid namespace');
    await pod.delete();
  });

  t.test('deleting a pod leaves no process, cgroup, mount, runc container or file behind', async (t) => {
    const before = sandboxes(rt).map((s) => s.id);
    const pod = await rt.runPod({
      metadata: { name: 'forker' },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'f', image: R, command: ['sh', '-c', 'sleep 1000 & sleep 1000 & (sleep 1000 &) ; echo forked; wait'] }],
      },
    });
    let out = '';
    pod.on('output', (e) => { out += e.chunk; });
    t.ok(await eventually(() => out.includes('forked')));
    const s = sandboxes(rt).find((x) => !before.includes(x.id))!;
    const pids = [s.pausePid, ...containerPids(s)['f']!];
    t.ok(pids.length >= 5, `the pod holds ${pids.length} processes (pause, sh, three sleeps)`);
    t.ok(mountsUnder(s.dir).length >= 2, 'the pod has mounts (shm, the container root filesystem)');
    await pod.delete();
    t.ok(await eventually(() => pids.every((p) => !alive(p)), 5000), 'every process is gone, the pause process too');
    t.notOk(fs.existsSync(memoryDir(s)), 'the pod cgroup is removed');
    t.same(s.cgroupDirs.filter((d) => fs.existsSync(d)), [], 'in every hierarchy');
    t.same(mountsUnder(s.dir), [], 'no mount is left');
    t.notOk(fs.existsSync(s.dir), 'the sandbox directory is removed');
    const list = JSON.parse(execFileSync('runc', ['--root', path.join(rt.stateDir, 'linux/oci'), 'list', '--format', 'json'], { encoding: 'utf8' }).trim() || '[]') ?? [];
    t.same(list, [], 'runc knows no container');
  });
}
