// A sandbox's record on disk, so that a later runtime finds (and removes) what a crashed one left running.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SandboxState {
  id: string;
  podUid: string;
  /** The runtime process that owns the sandbox: once it is gone, the sandbox is an orphan. */
  ownerPid: number;
  pausePid: number;
  /** The pod cgroup's directories, as the runtime that made them resolved them. */
  cgroupDirs: string[];
  createdAt: string;
}

const FILE = 'sandbox.json';

export function writeSandboxState(dir: string, s: SandboxState): void {
  fs.writeFileSync(path.join(dir, `${FILE}.tmp`), JSON.stringify(s));
  fs.renameSync(path.join(dir, `${FILE}.tmp`), path.join(dir, FILE));
}

/** The record of the sandbox in `dir`; undefined when it was never completed. */
export function readSandboxState(dir: string): SandboxState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
}
