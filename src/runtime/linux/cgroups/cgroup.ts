// The pod cgroup seen through either cgroup version: limits, membership, OOM counters and teardown.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Limits applied to a pod's cgroup (and, through the OCI config, to each container's). */
export interface CgroupLimits {
  memoryBytes?: number;
  /** CPU time per 100 ms period, in microseconds (a limit of 500m is 50000). */
  cpuQuotaUs?: number;
  /** Relative CPU weight from requests, in v1 shares (1024 per CPU). */
  cpuShares?: number;
  pids?: number;
}

export const CPU_PERIOD_US = 100_000;

/** One cgroup (a pod's or a container's) in every hierarchy the host mounts. */
export interface Cgroup {
  /** The directories that make up this cgroup, one per hierarchy (v1) or a single one (v2). */
  readonly dirs: string[];
  create(): void;
  apply(limits: CgroupLimits): void;
  addProcess(pid: number): void;
  /** Every process in this cgroup and its children. */
  pids(): number[];
  /** How many times the kernel OOM-killed a process in this cgroup (0 when unknown). */
  oomKills(): number;
}

/** A host's cgroup tree: v1 (a mount per controller) or v2 (one unified mount). */
export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Whether memory+swap can be limited, so a memory limit also forbids swapping. */
  readonly swapAccounting: boolean;
  /** The cgroup at `relPath` where runc puts a relative cgroupsPath: below this process's own cgroup (v1), below its parent (v2). */
  cgroup(relPath: string): Cgroup;
}

/** Reads a cgroup.procs file; a missing file (a group already gone) reads as empty. */
export function readProcs(file: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l !== '').map(Number);
}

/** Every directory of a subtree, deepest first, so that children are removed before their parents. */
export function subtree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...subtree(path.join(dir, e.name)));
  }
  out.push(dir);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Kills every process listed in the subtrees of `dirs` until none is left (a process may fork while
 * it is being killed), then removes the directories. Throws when processes survive 5 s of SIGKILLs.
 */
export async function killAndRemove(dirs: string[]): Promise<void> {
  const trees = dirs.map(subtree);
  // cgroup.kill (v2, Linux 5.14) ends a whole subtree at once; elsewhere each pid is killed below.
  for (const d of dirs) {
    if (fs.existsSync(path.join(d, 'cgroup.kill')) && isCgroupFs(d)) {
      try { fs.writeFileSync(path.join(d, 'cgroup.kill'), '1'); } catch { /* killed one by one below */ }
    }
  }
  for (let round = 0; ; round++) {
    // A dead pid leaves cgroup.procs with its process; checking /proc too keeps a fake tree from looping.
    const pids = new Set(trees.flat().flatMap((d) => readProcs(path.join(d, 'cgroup.procs'))).filter((p) => fs.existsSync(`/proc/${p}`)));
    if (pids.size === 0) break;
    if (round > 500) throw new Error(`processes ${[...pids].join(', ')} survive in ${dirs.join(', ')}`);
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await sleep(10);
  }
  for (const d of trees.flat()) await removeDir(d);
}

/** rmdir of a cgroup; the kernel may report EBUSY for a moment after its last process died. */
async function removeDir(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // A fake cgroupfs (a plain directory) holds the files we wrote: remove them too.
      if (code === 'ENOTEMPTY' && !isCgroupFs(dir)) return void fs.rmSync(dir, { recursive: true, force: true });
      if (code !== 'EBUSY' || i > 100) throw err;
      await sleep(20);
    }
  }
}

function isCgroupFs(dir: string): boolean {
  try {
    const t = fs.statfsSync(dir).type;
    return t === 0x27e0eb || t === 0x63677270;
  } catch {
    return false;
  }
}

/** Writes one control file, naming the file in the error. */
export function writeControl(dir: string, file: string, value: string | number): void {
  try {
    fs.writeFileSync(path.join(dir, file), String(value));
  } catch (err) {
    throw new Error(`cannot write ${value} to ${path.join(dir, file)}: ${(err as Error).message}`);
  }
}
