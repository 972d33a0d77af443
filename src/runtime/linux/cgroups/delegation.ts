// Whether a rootless runtime may make and fill cgroups below its own: only where the tree is delegated to its user.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupDriver } from './cgroup.js';

const writable = (p: string): boolean => {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Why pod cgroups cannot be made at `relPath` (below this process's cgroup) by this user, or undefined when
 * they can. Each of their directories (one per hierarchy on v1, all of which runc joins) must be creatable:
 * its nearest existing ancestor writable, with a writable cgroup.procs to move processes into. On v2 the
 * memory, cpu and pids controllers must also be available there (delegated by the parent).
 */
export function cgroupsNotDelegated(driver: CgroupDriver, relPath = 'wasmpod'): string | undefined {
  for (const dir of driver.cgroup(relPath).dirs) {
    let d = dir;
    while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
    if (!writable(d) || !writable(path.join(d, 'cgroup.procs'))) return `${d} is not writable by uid ${process.getuid?.()}`;
    if (driver.version === 2) {
      let available: string[] = [];
      try {
        available = fs.readFileSync(path.join(d, 'cgroup.controllers'), 'utf8').split(/\s+/);
      } catch { /* none */ }
      const missing = ['memory', 'cpu', 'pids'].filter((c) => !available.includes(c));
      if (missing.length > 0) return `the ${missing.join(', ')} controller${missing.length > 1 ? 's are' : ' is'} not delegated to ${d}`;
    }
  }
  return undefined;
}
