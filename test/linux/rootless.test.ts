// Rootless: a runtime run as an unprivileged user runs seed 001's pod in a user namespace mapping it to root, and says its limits are not applied.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { linuxSkip, alive, eventually, nsLinks } from './helpers.js';
import { USER, UserScript, delegateCgroup, hostUids, removeDelegated, userDir, userRootfs } from './as-user.js';
import { userNamespacesUnavailable } from '../../dist/src/runtime/linux/rootless.js';

const skip = linuxSkip() || (process.getuid?.() !== 0 && 'the test switches to an unprivileged user, which needs root') || userNamespacesUnavailable();
if (skip) t.plan(0, skip);
else {
  t.test('as nobody: httpd and a wget sidecar run as root of a user namespace, without cgroup limits, and leave nothing', async (t) => {
    const dir = userDir('wasmpod-rootless-');
    const rootfs = userRootfs();
    const script = new UserScript(dir, `
      const rt = new Runtime({ stateDir: ${JSON.stringify(path.join(dir, 'state'))}, defaultRuntimeClass: 'linux', secondMs: 100 });
      const pod = await rt.runPod({ metadata: { name: 'web' }, spec: { terminationGracePeriodSeconds: 5, containers: [
        { name: 'httpd', image: ${JSON.stringify(rootfs)}, command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          resources: { limits: { memory: '64Mi', cpu: '500m' } },
          readinessProbe: { httpGet: { port: 8080, path: '/index.html' }, periodSeconds: 1 } },
        { name: 'sidecar', image: ${JSON.stringify(rootfs)}, command: ['sh', '-c',
          'while ! wget -q -O - http://localhost:8080/index.html; do sleep 0.1; done; hostname; id -u; cat /proc/self/uid_map; echo done; exec sleep 1000'] },
      ] } });
      let out = '';
      pod.on('output', (e) => { if (e.container === 'sidecar') out += e.chunk; });
      while (!(out.includes('done') && pod.status.conditions.find((c) => c.type === 'Ready').status === 'True')) await new Promise((r) => setTimeout(r, 50));
      send({ type: 'running', out, status: pod.status, events: pod.events });
      await next();
      const final = await pod.delete();
      send({ type: 'deleted', final });
      await rt.close();
    `);
    t.teardown(() => { if (script.child.exitCode === null) script.child.kill('SIGKILL'); });
    const running = await script.expect('running');
    const out = running['out'] as string;
    t.match(out, 'hello from httpd\nweb\n', 'the sidecar fetched the page over the pod\'s localhost and sees the pod name as hostname');
    t.match(out, /\n0\n\s*0\s+65534\s+1\n/, 'inside, the process is uid 0, in a user namespace mapping 0 to host uid 65534');
    const status = running['status'] as { phase: string; conditions: { type: string; status: string }[] };
    t.equal(status.phase, 'Running');
    const events = running['events'] as { type: string; reason: string; message: string }[];
    const warning = events.find((e) => e.reason === 'CgroupLimitsNotApplied');
    t.ok(warning, 'the pod\'s events say its cgroup limits are not applied');
    t.equal(warning?.type, 'Warning');
    t.match(warning?.message ?? '', /uid 65534.*not writable/, `it names the user and why: ${warning?.message}`);

    const sandboxes = path.join(dir, 'state/linux/sandboxes');
    const [id] = fs.readdirSync(sandboxes);
    const record = JSON.parse(fs.readFileSync(path.join(sandboxes, id!, 'sandbox.json'), 'utf8')) as { pausePid: number; cgroupDirs: string[]; userns: unknown };
    t.same(record.userns, USER, 'the sandbox records the mapping');
    t.same(record.cgroupDirs, [], 'no pod cgroup was made');
    const containers = path.join(sandboxes, id!, 'containers');
    const pids = Object.fromEntries(fs.readdirSync(containers).map((c) => [c.replace(/^wp[0-9a-f]+-/, '').replace(/-[0-9a-f]{8}$/, ''), Number(fs.readFileSync(path.join(containers, c, 'pid'), 'utf8'))]));
    t.same(Object.keys(pids).sort(), ['httpd', 'sidecar']);
    const pause = nsLinks(record.pausePid);
    const host = nsLinks(process.pid);
    const userns = (pid: number): string => fs.readlinkSync(`/proc/${pid}/ns/user`);
    t.not(userns(record.pausePid), userns(process.pid), 'the pause process made a user namespace');
    for (const [name, pid] of Object.entries(pids)) {
      t.same(hostUids(pid), [USER.uid, USER.uid, USER.uid, USER.uid], `on the host, ${name} (pid ${pid}) runs as uid 65534`);
      t.equal(userns(pid), userns(record.pausePid), `${name} is in the pod's user namespace`);
      for (const k of ['net', 'uts', 'ipc']) t.equal(nsLinks(pid)[k], pause[k], `${name} is in the pause process's ${k} namespace`);
      t.not(nsLinks(pid)['mnt'], host['mnt'], `${name} has its own mount namespace`);
    }
    t.same(hostUids(record.pausePid), [USER.uid, USER.uid, USER.uid, USER.uid], 'the pause process runs as uid 65534 too');

    script.tell('delete');
    const deleted = await script.expect('deleted');
    const final = deleted['final'] as { containerStatuses: { state: { terminated?: { exitCode: number } } }[] };
    t.ok(final.containerStatuses.every((c) => c.state.terminated), 'both containers ended');
    const code = await script.exited();
    t.equal(code, 0, code === 0 ? 'the runtime closed cleanly' : script.stderr);
    const all = [record.pausePid, ...Object.values(pids)];
    t.ok(await eventually(() => all.every((p) => !alive(p)), 10_000), 'every process of the pod is gone');
    t.notOk(fs.existsSync(path.join(sandboxes, id!)), 'the sandbox directory is removed');
    t.same(fs.readdirSync(path.join(dir, 'state/linux/oci')), [], 'runc holds no container state');
  });

  t.test('as nobody on a cgroup tree delegated to it: the limits are applied, and nothing warns', async (t) => {
    const dir = userDir('wasmpod-rootless-delegated-');
    const rootfs = userRootfs();
    const delegated = delegateCgroup(`wasmpod-test-${process.pid}`);
    t.teardown(() => removeDelegated(delegated));
    const script = new UserScript(dir, `
      const rt = new Runtime({ stateDir: ${JSON.stringify(path.join(dir, 'state'))}, defaultRuntimeClass: 'linux', secondMs: 100 });
      const pod = await rt.runPod({ metadata: { name: 'limited' }, spec: { terminationGracePeriodSeconds: 1, containers: [
        { name: 'c', image: ${JSON.stringify(rootfs)}, command: ['sh', '-c', 'echo up; exec sleep 1000'], resources: { limits: { memory: '64Mi', cpu: '500m' } } },
      ] } });
      while (!pod.status.containerStatuses[0].state.running) await new Promise((r) => setTimeout(r, 50));
      send({ type: 'running', events: pod.events });
      await next();
      await pod.delete();
      await rt.close();
      send({ type: 'deleted' });
    `, delegated.map((d) => path.join(d, 'cgroup.procs')));
    t.teardown(() => { if (script.child.exitCode === null) script.child.kill('SIGKILL'); });
    const running = await script.expect('running');
    const events = running['events'] as { reason: string }[];
    t.notOk(events.some((e) => e.reason === 'CgroupLimitsNotApplied'), 'no warning: the tree is delegated');
    const sandboxes = path.join(dir, 'state/linux/sandboxes');
    const [id] = fs.readdirSync(sandboxes);
    const record = JSON.parse(fs.readFileSync(path.join(sandboxes, id!, 'sandbox.json'), 'utf8')) as { pausePid: number; cgroupDirs: string[] };
    t.ok(record.cgroupDirs.length > 0 && record.cgroupDirs.every((d) => delegated.some((del) => d.startsWith(`${del}/`))), 'the pod cgroup is made below the delegated one, in every hierarchy');
    const inHierarchy = (h: string): string => record.cgroupDirs.find((d) => d.startsWith(`/sys/fs/cgroup/${h}/`))!;
    const read = (...p: string[]): string => fs.readFileSync(path.join(...p), 'utf8').trim();
    t.equal(read(inHierarchy('memory'), 'memory.limit_in_bytes'), String(64 << 20), 'the pod cgroup has the memory limit');
    t.equal(read(inHierarchy('pids'), 'pids.max'), '1024', 'and the pids limit');
    const [container] = fs.readdirSync(path.join(sandboxes, id!, 'containers'));
    t.equal(read(inHierarchy('memory'), container!, 'memory.limit_in_bytes'), String(64 << 20), 'runc gave the container its memory limit');
    t.equal(read(inHierarchy('cpu'), container!, 'cpu.cfs_quota_us'), '50000', 'and its CPU quota');
    const pid = Number(read(sandboxes, id!, 'containers', container!, 'pid'));
    t.ok(read(inHierarchy('memory'), container!, 'cgroup.procs').split('\n').map(Number).includes(pid), 'the container\'s process is in it');
    t.same(hostUids(pid), [USER.uid, USER.uid, USER.uid, USER.uid], 'and runs as the user on the host');
    script.tell('delete');
    await script.expect('deleted');
    const code = await script.exited();
    t.equal(code, 0, code === 0 ? 'the runtime closed cleanly' : script.stderr);
    t.ok(await eventually(() => !alive(pid) && !alive(record.pausePid), 10_000), 'the pod\'s processes are gone');
    t.same(record.cgroupDirs.filter((d) => fs.existsSync(d)), [], 'its cgroups are removed');
  });
}
