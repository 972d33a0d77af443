// Picks the cgroup driver for this host: v2 when the unified hierarchy is mounted at the root, else v1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupDriver } from './cgroup.js';
import { CgroupV1Driver } from './v1.js';
import { CgroupV2Driver } from './v2.js';

/** The driver for the tree mounted at `root` (default /sys/fs/cgroup), as seen by this process. */
export function detectCgroups(root = '/sys/fs/cgroup', selfCgroup = fs.readFileSync('/proc/self/cgroup', 'utf8')): CgroupDriver {
  // A hybrid host (v1 controllers with a v2 tree at /sys/fs/cgroup/unified) is v1 to runc, so to us too.
  if (fs.existsSync(path.join(root, 'cgroup.controllers'))) return new CgroupV2Driver(root, selfCgroup);
  return new CgroupV1Driver(root, selfCgroup);
}
