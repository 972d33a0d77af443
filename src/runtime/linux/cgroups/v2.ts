// cgroup v2: one unified hierarchy; controllers are enabled for children through cgroup.subtree_control.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CPU_PERIOD_US, readProcs, writeControl, type Cgroup, type CgroupDriver, type CgroupLimits } from './cgroup.js';

const CONTROLLERS = ['memory', 'cpu', 'pids'];

export class CgroupV2Driver implements CgroupDriver {
  readonly version = 2;
  readonly swapAccounting = true;
  private readonly own: string;

  /**
   * @param root the unified mount (`/sys/fs/cgroup`, or a fake tree in tests)
   * @param selfCgroup the text of /proc/self/cgroup (its `0::/path` line; cgroups go below that path's parent, as runc's)
   */
  constructor(readonly root: string, selfCgroup: string) {
    const line = selfCgroup.split('\n').find((l) => l.startsWith('0::'));
    // runc puts a relative cgroupsPath below the *parent* of its own cgroup on v2 (fs2/defaultpath.go: the own
    // cgroup most probably holds processes, so no controller could be enabled for its children): pod cgroups go
    // there too, or the containers' cgroups would not be below their pod's.
    this.own = path.posix.dirname(line ? line.slice(3) || '/' : '/');
  }

  cgroup(relPath: string): Cgroup {
    return new CgroupV2(path.join(this.root, this.own), relPath);
  }
}

class CgroupV2 implements Cgroup {
  readonly dirs: string[];
  constructor(private readonly base: string, private readonly rel: string) {
    this.dirs = [path.join(base, rel)];
  }

  private get dir(): string {
    return this.dirs[0]!;
  }

  create(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    // Each ancestor below our own cgroup must hand the controllers down; v2 forbids processes in an
    // inner node with controllers enabled, which is why the pause process lives in its own leaf.
    const parts = this.rel.split('/').filter((p) => p !== '');
    let d = this.base;
    for (const p of parts) {
      const available = readWords(path.join(d, 'cgroup.controllers'));
      const enable = CONTROLLERS.filter((c) => available.includes(c));
      if (enable.length > 0) writeControl(d, 'cgroup.subtree_control', enable.map((c) => `+${c}`).join(' '));
      d = path.join(d, p);
    }
  }

  apply(l: CgroupLimits): void {
    if (l.memoryBytes !== undefined) writeControl(this.dir, 'memory.max', l.memoryBytes);
    if (l.cpuQuotaUs !== undefined) writeControl(this.dir, 'cpu.max', `${l.cpuQuotaUs} ${CPU_PERIOD_US}`);
    // The v1 shares range 2..262144 maps onto the v2 weights 1..10000, as runc and the kubelet map it.
    if (l.cpuShares !== undefined) writeControl(this.dir, 'cpu.weight', 1 + Math.floor(((l.cpuShares - 2) * 9999) / 262142));
    if (l.pids !== undefined) writeControl(this.dir, 'pids.max', l.pids);
  }

  addProcess(pid: number): void {
    writeControl(this.dir, 'cgroup.procs', pid);
  }

  pids(): number[] {
    return readProcs(path.join(this.dir, 'cgroup.procs'));
  }

  oomKills(): number {
    try {
      const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(path.join(this.dir, 'memory.events'), 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split(/\s+/).filter((w) => w !== '');
  } catch {
    return [];
  }
}
