// The Linux backend: pods as real namespaces and cgroups, each container an OCI bundle run by runc or crun.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend, PodSandbox, SandboxOptions } from '../sandbox.js';
import type { CgroupDriver } from './cgroups/cgroup.js';
import { detectCgroups } from './cgroups/detect.js';
import { LinuxBackendUnavailableError } from './errors.js';
import { LinuxPodSandbox, destroySandbox, podCgroupPath, type SandboxContext } from './linux-sandbox.js';
import { defaultPauseBinary } from './pause.js';
import { OciRuntime } from './runc.js';
import { readSandboxState } from './sandbox-state.js';
import { processAlive } from '../../state-dir.js';

export interface LinuxBackendOptions {
  /** The OCI runtime binary; default the first of runc, crun on PATH. */
  ociRuntime?: string;
  /** The pause binary; default the one built from src/runtime/linux/pause/pause.c for this architecture. */
  pauseBinary?: string;
  /** Most processes one pod may hold (the pod cgroup's pids limit), as the kubelet's podPidsLimit; default 1024. */
  podPidsLimit?: number;
  /** Size of each pod's /dev/shm tmpfs; default 64 MiB, Kubernetes' default. */
  shmBytes?: number;
  /** The cgroup tree; default the host's, detected at /sys/fs/cgroup. */
  cgroups?: CgroupDriver;
}

/** The first of `names` that is an executable file on PATH. */
export function findOnPath(names: string[], envPath = process.env['PATH'] ?? ''): string | undefined {
  for (const name of names) {
    for (const dir of envPath.split(':').filter((d) => d !== '')) {
      const p = path.join(dir, name);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch { /* next */ }
    }
  }
  return undefined;
}

/** Why this host cannot run the Linux backend, or undefined when it can. */
export function linuxBackendUnavailable(opts: LinuxBackendOptions = {}): string | undefined {
  if (process.platform !== 'linux') return `the Linux backend needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the Linux backend needs root (rootless mode is not implemented yet)';
  if (!(opts.ociRuntime ?? findOnPath(['runc', 'crun']))) return 'no OCI runtime: install runc or crun, or set ociRuntime';
  return undefined;
}

export class LinuxBackend implements Backend {
  readonly name = 'linux';
  private readonly ctx: SandboxContext;
  private swept?: Promise<string[]>;

  /** @param stateDir the runtime's state directory; the backend keeps bundles and runc state under `linux/` in it */
  constructor(stateDir: string, opts: LinuxBackendOptions = {}) {
    const why = linuxBackendUnavailable(opts);
    if (why) throw new LinuxBackendUnavailableError(why);
    const root = path.join(stateDir, 'linux');
    this.ctx = {
      oci: new OciRuntime(opts.ociRuntime ?? findOnPath(['runc', 'crun'])!, path.join(root, 'oci')),
      cgroups: opts.cgroups ?? detectCgroups(),
      dir: path.join(root, 'sandboxes'),
      stateDir,
      pauseBinary: opts.pauseBinary ?? defaultPauseBinary(),
      podPidsLimit: opts.podPidsLimit ?? 1024,
      shmBytes: opts.shmBytes ?? 64 * 1024 * 1024,
    };
    fs.mkdirSync(this.ctx.dir, { recursive: true });
  }

  async runPodSandbox(podUid: string, opts: SandboxOptions = {}): Promise<PodSandbox> {
    this.swept ??= this.removeOrphans();
    await this.swept;
    return LinuxPodSandbox.create(this.ctx, podUid, opts);
  }

  /**
   * Removes every sandbox in this state directory whose runtime process has died (it crashed or was
   * killed): its processes, runc containers, mounts, cgroups and files. Sandboxes of a runtime that
   * is still running (another `wasmpod run` on the same state directory) are left alone. Runs once
   * before the first sandbox of this backend; resolves with the ids removed.
   */
  async removeOrphans(): Promise<string[]> {
    const removed: string[] = [];
    for (const id of fs.readdirSync(this.ctx.dir)) {
      const dir = path.join(this.ctx.dir, id);
      const state = readSandboxState(dir);
      // The record is written first thing: a directory without one was never a sandbox anyone owns.
      if (state && (state.ownerPid === process.pid || processAlive(state.ownerPid))) continue;
      const containers = path.join(dir, 'containers');
      for (const c of fs.existsSync(containers) ? fs.readdirSync(containers) : []) await this.ctx.oci.delete(c);
      await destroySandbox(dir, state?.cgroupDirs ?? this.ctx.cgroups.cgroup(podCgroupPath(id)).dirs);
      removed.push(id);
    }
    return removed;
  }

  async close(): Promise<void> {
    // Sandboxes belong to pods, which the Runtime deletes before closing its backends.
  }
}
