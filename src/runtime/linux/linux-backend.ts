// The Linux backend: pods as real namespaces and cgroups, each container an OCI bundle run by runc or crun.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdoptablePod, AdoptedSandbox, Backend, PodSandbox, SandboxOptions } from '../sandbox.js';
import { readAdoptable, type Adoptable } from './adopt.js';
import type { CgroupDriver } from './cgroups/cgroup.js';
import { detectCgroups } from './cgroups/detect.js';
import { LinuxBackendUnavailableError } from './errors.js';
import { LinuxPodSandbox, destroySandbox, podCgroupPath, type SandboxContext } from './linux-sandbox.js';
import { defaultPauseBinary } from './pause.js';
import { OciRuntime } from './runc.js';
import { ownerAlive, readSandboxState } from './sandbox-state.js';
import { rootlessUser, userNamespacesUnavailable } from './rootless.js';
import { cgroupsNotDelegated } from './cgroups/delegation.js';

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
  // Not root: rootless mode, pods in a user namespace mapping this user to root.
  if (rootlessUser()) {
    const why = userNamespacesUnavailable();
    if (why) return why;
  }
  if (opts.ociRuntime !== undefined) {
    try {
      fs.accessSync(opts.ociRuntime, fs.constants.X_OK);
      if (!fs.statSync(opts.ociRuntime).isFile()) throw new Error('not a file');
    } catch {
      return `the configured OCI runtime (ociRuntime) ${opts.ociRuntime} is not an executable file`;
    }
    return undefined;
  }
  if (!findOnPath(['runc', 'crun'])) return 'no OCI runtime: install runc or crun, or set ociRuntime';
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
    const cgroups = opts.cgroups ?? detectCgroups();
    const userns = rootlessUser();
    // As root every cgroup tree is ours; a user gets cgroups only where the tree is delegated to it.
    const noCgroups = userns ? cgroupsNotDelegated(cgroups) : undefined;
    this.ctx = {
      oci: new OciRuntime(opts.ociRuntime ?? findOnPath(['runc', 'crun'])!, path.join(root, 'oci')),
      cgroups,
      ...(userns ? { userns } : {}),
      ...(noCgroups ? { noCgroups } : {}),
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

  /** The sandboxes of this state directory that no live runtime owns and that still run: re-adoptable. */
  private findAdoptable(): Adoptable[] {
    return fs.readdirSync(this.ctx.dir).flatMap((id) => readAdoptable(path.join(this.ctx.dir, id), this.ctx.pauseBinary) ?? []);
  }

  adoptable(): AdoptablePod[] {
    return this.findAdoptable().map((a) => ({
      pod: a.state.pod, ...(a.status ? { status: a.status } : {}), ...(a.state.publish ? { publish: a.state.publish } : {}),
    }));
  }

  async adoptPodSandbox(podUid: string, opts: SandboxOptions): Promise<AdoptedSandbox | undefined> {
    const found = this.findAdoptable().find((a) => a.state.podUid === podUid);
    return found ? LinuxPodSandbox.adopt(this.ctx, found.dir, found.state, opts, found.status) : undefined;
  }

  /**
   * Removes every sandbox in this state directory that is really dead: no live runtime owns it, and it is not
   * re-adoptable (its pause process, and so its namespaces, is gone, or its record lacks the pod): its processes,
   * runc containers, mounts, cgroups and files. Sandboxes of a runtime that is still running (another
   * `wasmpod run` on the same state directory), and running ones a runtime may re-adopt, are left alone.
   * Runs once before the first sandbox of this backend; resolves with the ids removed.
   */
  async removeOrphans(): Promise<string[]> {
    const removed: string[] = [];
    for (const id of fs.readdirSync(this.ctx.dir)) {
      const dir = path.join(this.ctx.dir, id);
      const state = readSandboxState(dir);
      // The record is written first thing: a directory without one was never a sandbox anyone owns.
      if (state && ownerAlive(state)) continue;
      if (readAdoptable(dir, this.ctx.pauseBinary)) continue;
      const containers = path.join(dir, 'containers');
      for (const c of fs.existsSync(containers) ? fs.readdirSync(containers) : []) await this.ctx.oci.delete(c);
      await destroySandbox(dir, state?.cgroupDirs ?? this.ctx.cgroups.cgroup(podCgroupPath(id)).dirs, state?.pausePid ?? 0, this.ctx.pauseBinary, state?.pauseStart);
      removed.push(id);
    }
    return removed;
  }

  async close(): Promise<void> {
    // Sandboxes belong to pods, which the Runtime deletes before closing its backends.
  }
}
