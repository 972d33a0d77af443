// The cgroup drivers against fake cgroup trees in a temp dir: v2 (this host runs v1) and v1 alike; no root needed.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CgroupV1Driver, CgroupV2Driver, detectCgroups } from '../../dist/src/index.js';
import { alive, eventually } from './helpers.js';
import { killAndRemove } from '../../dist/src/runtime/linux/cgroups/cgroup.js';

const tree = (files: Record<string, string>): string => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-cgroupfs-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
};
const read = (p: string): string => fs.readFileSync(p, 'utf8');

t.test('v2: controllers handed down, limits written, OOM kills counted', async (t) => {
  const root = tree({ 'cgroup.controllers': 'cpuset cpu io memory pids', 'svc/cgroup.controllers': 'cpu memory pids' });
  const d = detectCgroups(root, '0::/svc/session.scope\n');
  t.equal(d.version, 2, 'a root with cgroup.controllers is the unified hierarchy');
  t.ok(d instanceof CgroupV2Driver);
  const pod = d.cgroup('wasmpod/p1');
  // runc (fs2/defaultpath.go) puts the containers' relative cgroupsPath `wasmpod/p1/CID` below the parent of its own
  // cgroup, which holds processes (a v2 inner cgroup with processes cannot enable controllers): the pod cgroup must be there too.
  t.same(pod.dirs, [path.join(root, 'svc/wasmpod/p1')], 'nested under the parent of this process\'s own cgroup, where runc puts the containers');
  t.same(new CgroupV2Driver(root, '0::/\n').cgroup('wasmpod/p1').dirs, [path.join(root, 'wasmpod/p1')], 'at the root, below the root');
  pod.create();
  t.equal(read(path.join(root, 'svc/cgroup.subtree_control')), '+memory +cpu +pids', 'the parent enables the controllers for its children');
  t.notOk(fs.existsSync(path.join(root, 'svc/session.scope/cgroup.subtree_control')), 'nothing is asked of the cgroup holding this process');
  pod.apply({ memoryBytes: 64 << 20, cpuQuotaUs: 50_000, cpuShares: 1024, pids: 100 });
  const dir = pod.dirs[0]!;
  t.equal(read(path.join(dir, 'memory.max')), String(64 << 20));
  t.equal(read(path.join(dir, 'cpu.max')), '50000 100000');
  t.equal(read(path.join(dir, 'cpu.weight')), '39', '1024 shares is weight 39, as runc converts it');
  t.equal(read(path.join(dir, 'pids.max')), '100');
  t.equal(pod.oomKills(), 0, 'no memory.events yet');
  fs.writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
  t.equal(pod.oomKills(), 1);
});

t.test('v1: one directory per hierarchy, each below this process\'s path in it', async (t) => {
  const root = tree({ 'memory/cgroup.procs': '', 'cpu/cgroup.procs': '', 'pids/cgroup.procs': '', 'memory/memory.memsw.limit_in_bytes': '' });
  const d = detectCgroups(root, '4:memory:/jail/x\n1:cpu:/\n8:pids:/\n');
  t.equal(d.version, 1);
  t.ok(d instanceof CgroupV1Driver);
  t.ok(d.swapAccounting, 'memsw present: a memory limit can also forbid swap');
  const pod = d.cgroup('wasmpod/p2');
  t.same(pod.dirs.sort(), [path.join(root, 'cpu/wasmpod/p2'), path.join(root, 'memory/jail/x/wasmpod/p2'), path.join(root, 'pids/wasmpod/p2')]);
  pod.create();
  pod.apply({ memoryBytes: 1 << 20, cpuQuotaUs: 25_000, pids: 7 });
  t.equal(read(path.join(root, 'memory/jail/x/wasmpod/p2/memory.limit_in_bytes')), String(1 << 20));
  t.equal(read(path.join(root, 'cpu/wasmpod/p2/cpu.cfs_quota_us')), '25000');
  t.equal(read(path.join(root, 'cpu/wasmpod/p2/cpu.cfs_period_us')), '100000');
  t.equal(read(path.join(root, 'pids/wasmpod/p2/pids.max')), '7');
  fs.writeFileSync(path.join(root, 'memory/jail/x/wasmpod/p2/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
  t.equal(pod.oomKills(), 3);
});

t.test('teardown kills every listed process, then removes the directories', async (t) => {
  const root = tree({ 'cgroup.controllers': 'memory' });
  const pod = new CgroupV2Driver(root, '0::/\n').cgroup('wasmpod/p3');
  pod.create();
  const child = spawn('sleep', ['100'], { stdio: 'ignore' });
  const grandchildGroup = path.join(pod.dirs[0]!, 'c1');
  fs.mkdirSync(grandchildGroup);
  pod.addProcess(child.pid!);
  fs.writeFileSync(path.join(grandchildGroup, 'cgroup.procs'), '');
  t.same(pod.pids(), [child.pid]);
  await killAndRemove(pod.dirs);
  t.ok(await eventually(() => !alive(child.pid!), 3000), 'the process is dead');
  t.notOk(fs.existsSync(pod.dirs[0]!), 'the cgroup and its child are removed');
});
