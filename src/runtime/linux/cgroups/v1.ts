// cgroup v1: one hierarchy per controller under the mount root, each cgroup nested under this process's own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CPU_PERIOD_US, readProcs, writeControl, type Cgroup, type CgroupDriver, type CgroupLimits } from './cgroup.js';

/** The controllers whose pod-level directory wasmpod creates and fills; runc adds the others per container. */
const POD_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'freezer'];

export class CgroupV1Driver implements CgroupDriver {
  readonly version = 1;
  readonly swapAccounting: boolean;
  /** Hierarchy mount directory (`/sys/fs/cgroup/memory`) to this process's path in it (`/x/y`). */
  private readonly own = new Map<string, string>();

  /**
   * @param root where the hierarchies are mounted (`/sys/fs/cgroup`, or a fake tree in tests)
   * @param selfCgroup the text of /proc/self/cgroup
   */
  constructor(readonly root: string, selfCgroup: string) {
    for (const line of selfCgroup.split('\n')) {
      const [, controllers, p] = line.split(':');
      // `0::/path` (controllers empty) is the v2 tree beside the controllers: it counts too, at this process's path.
      if (controllers === undefined || p === undefined) continue;
      for (const c of controllers.split(',')) {
        // The `0::` line is the v2 tree a hybrid host mounts beside the controllers, at `unified`.
        const name = c === '' ? 'unified' : c.replace(/^name=/, '');
        const mount = path.join(root, name);
        if (fs.existsSync(mount)) this.own.set(mount, p);
      }
    }
    // Comounted controllers (cpu,cpuacct) appear as one directory.
    for (const d of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const mount = path.join(root, d);
      if (!this.own.has(mount) && fs.existsSync(path.join(mount, 'cgroup.procs'))) this.own.set(mount, '/');
    }
    this.swapAccounting = fs.existsSync(path.join(root, 'memory', 'memory.memsw.limit_in_bytes'));
  }

  cgroup(relPath: string): Cgroup {
    const all = [...this.own].map(([mount, p]) => path.join(mount, p, relPath));
    return new CgroupV1(this.root, all);
  }
}

class CgroupV1 implements Cgroup {
  constructor(private readonly root: string, readonly dirs: string[]) {}

  private dir(controller: string): string | undefined {
    const prefix = path.join(this.root, controller) + path.sep;
    return this.dirs.find((d) => d.startsWith(prefix));
  }

  create(): void {
    for (const c of POD_CONTROLLERS) {
      const d = this.dir(c);
      if (d) fs.mkdirSync(d, { recursive: true });
    }
  }

  apply(l: CgroupLimits): void {
    const mem = this.dir('memory');
    if (mem && l.memoryBytes !== undefined) writeControl(mem, 'memory.limit_in_bytes', l.memoryBytes);
    const cpu = this.dir('cpu');
    if (cpu && l.cpuQuotaUs !== undefined) {
      writeControl(cpu, 'cpu.cfs_period_us', CPU_PERIOD_US);
      writeControl(cpu, 'cpu.cfs_quota_us', l.cpuQuotaUs);
    }
    if (cpu && l.cpuShares !== undefined) writeControl(cpu, 'cpu.shares', l.cpuShares);
    const pids = this.dir('pids');
    if (pids && l.pids !== undefined) writeControl(pids, 'pids.max', l.pids);
  }

  addProcess(pid: number): void {
    for (const c of POD_CONTROLLERS) {
      const d = this.dir(c);
      if (d) writeControl(d, 'cgroup.procs', pid);
    }
  }

  pids(): number[] {
    const mem = this.dir('memory') ?? this.dirs[0];
    return mem ? readProcs(path.join(mem, 'cgroup.procs')) : [];
  }

  oomKills(): number {
    const mem = this.dir('memory');
    if (!mem) return 0;
    try {
      const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(path.join(mem, 'memory.oom_control'), 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

}
