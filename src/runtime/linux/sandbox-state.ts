// A sandbox's record on disk, so that a later runtime finds (and removes) what a crashed one left running.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pod } from '../../spec/types.js';

export interface SandboxState {
  id: string;
  podUid: string;
  /**
   * The runtime process that owns the sandbox: once it is gone, the sandbox is an orphan, re-adopted by the
   * next runtime while its pause process lives; 0 when its runtime closed leaving it running (detached).
   */
  ownerPid: number;
  /** When the owner started (field 22 of /proc/PID/stat): a pid reused by another process is not the owner. */
  ownerStart?: string;
  pausePid: number;
  /** When the pause process started (as ownerStart): a reused pid is not it. */
  pauseStart?: string;
  /** The pod cgroup's directories, as the runtime that made them resolved them. */
  cgroupDirs: string[];
  createdAt: string;
  /** How the namespaces were made (absent in records of older versions: false). */
  sharePid?: boolean;
  hostNet?: boolean;
  /** Rootless: the host uid and gid the pod's user namespace maps to root. */
  userns?: { uid: number; gid: number };
  /** The pod (normalized, with its uid): a runtime re-adopting the sandbox runs it from this. */
  pod?: Pod;
  /** Ports published besides the spec's hostPorts (`--publish`), published again on re-adoption. */
  publish?: { hostIP?: string; hostPort: number; containerPort: number }[];
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

/** When process `pid` started, in clock ticks since boot; undefined when it does not exist. */
export function processStart(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This process as a sandbox's owner. */
export function thisOwner(): Pick<SandboxState, 'ownerPid' | 'ownerStart'> {
  const start = processStart(process.pid);
  return { ownerPid: process.pid, ...(start ? { ownerStart: start } : {}) };
}

/** Whether a live runtime (this one, or another on the same state dir) owns the sandbox. */
export function ownerAlive(s: SandboxState): boolean {
  if (s.ownerPid === 0) return false;
  if (s.ownerPid === process.pid) return true;
  const start = processStart(s.ownerPid);
  return start !== undefined && (s.ownerStart === undefined || s.ownerStart === start);
}
