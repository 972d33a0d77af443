// A pod sandbox of the Linux backend: the pause process's namespaces, the pod cgroup, pod-level files, and its containers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AdoptedSandbox, ContainerConfig, PodSandbox, SandboxContainer, SandboxOptions } from '../sandbox.js';
import { killAndRemove, type CgroupDriver } from './cgroups/cgroup.js';
import type { OciRuntime } from './runc.js';
import { LinuxContainer } from './linux-container.js';
import { ociConfig, type SandboxShare } from './oci-config.js';
import { killPause, startPause } from './pause.js';
import { podLimits } from './pod-limits.js';
import { mountOverlayRoot, mountTmpfs, overlayRootDirs, unmountAll } from './mounts.js';
import { LIMITS_NOT_APPLIED, checkRootfsOwner, limitsNotAppliedMessage } from './rootless.js';
import { resolveRootfs } from './rootfs.js';
import { processStart, thisOwner, writeSandboxState, type SandboxState } from './sandbox-state.js';
import type { PodStatus } from '../../spec/types.js';
import { adoptBundles, sandboxShare, saveConfig, saveContainerRecord, savedConfigs, STATUS_FILE } from './adopt.js';
import { dialNetns } from './netns-dial.js';
import { publishLinuxPorts, wantedPorts, type LinuxPublish } from './publish.js';
import type { Duplex } from 'node:stream';
import { linuxPlatform } from './oci-layout.js';
import { removeTree } from './remove-tree.js';
import { defaultSubPathHelper, stageSubPaths, type StagedMounts } from './subpath.js';

/** What the backend gives each sandbox. */
export interface SandboxContext {
  oci: OciRuntime;
  cgroups: CgroupDriver;
  /** Where sandbox directories go (`<state>/linux/sandboxes`). */
  dir: string;
  /** The runtime's state directory: the image store, and unpacked OCI layouts under `linux/rootfs`. */
  stateDir: string;
  pauseBinary: string;
  /** The subPath helper (pause/subpath.c); its committed build by default. */
  subPathHelper?: string;
  podPidsLimit: number;
  shmBytes: number;
  /** Rootless: the uid and gid the pods' user namespaces map to root. */
  userns?: { uid: number; gid: number };
  /** Why pods get no cgroups (rootless, the tree not delegated to the user); unset when they do. */
  noCgroups?: string;
}

/** The cgroup path of a sandbox (relative: below wasmpod's own cgroup, where runc puts it too). */
export const podCgroupPath = (id: string): string => `wasmpod/${id}`;

/** A hostname from the pod (spec.hostname, else its name; the node's with hostNetwork), cut to the 63 characters a hostname may have. */
function podHostname(opts: SandboxOptions, fallback: string): string {
  if (opts.pod?.spec.hostNetwork) return os.hostname();
  return (opts.pod?.spec.hostname ?? opts.pod?.metadata.name ?? fallback).slice(0, 63);
}

export class LinuxPodSandbox implements PodSandbox {
  private readonly containers = new Set<LinuxContainer>();
  private removed?: Promise<void>;
  private unpublish?: () => Promise<void>;
  private readonly relays = new Set<Duplex>();
  /** Registry images are pulled as this machine's linux image and unpacked into a root filesystem. */
  readonly imagePlatform = linuxPlatform();
  /** What the pod's events must warn of: limits that could not be applied (rootless without delegation). */
  readonly warnings: { reason: string; message: string }[] = [];

  private detached = false;

  private constructor(
    readonly id: string,
    private readonly dir: string,
    private readonly ctx: SandboxContext,
    private readonly share: SandboxShare,
    private readonly opts: SandboxOptions,
    private record: SandboxState,
  ) {
    if (ctx.noCgroups) this.warnings.push({ reason: LIMITS_NOT_APPLIED, message: limitsNotAppliedMessage(ctx.userns?.uid ?? 0, ctx.noCgroups, ctx.podPidsLimit) });
  }

  /**
   * Re-adopts a sandbox an earlier runtime left running (its record in `dir`): this process becomes its owner,
   * and each container whose run had begun is followed again; resolves with them by container name.
   */
  static async adopt(ctx: SandboxContext, dir: string, state: SandboxState, opts: SandboxOptions, status?: PodStatus): Promise<AdoptedSandbox> {
    const record = { ...state, ...thisOwner() };
    writeSandboxState(dir, record);
    const share = sandboxShare(dir, state, ctx.cgroups.swapAccounting);
    const sandbox = new LinuxPodSandbox(state.id, dir, ctx, share, opts, record);
    const containers = new Map<string, SandboxContainer>();
    for (const b of await adoptBundles(dir, ctx.oci)) {
      const cgroupsPath = `${podCgroupPath(state.id)}/${b.id}`;
      const c = new LinuxContainer(b.id, b.config, b.imageID, b.dir, ctx.oci, ctx.cgroups.cgroup(cgroupsPath), share.cgroups);
      c.adopt(b.monitorPid);
      sandbox.containers.add(c);
      containers.set(b.config.name, c);
    }
    return { sandbox, containers, configs: savedConfigs(dir), ...(status ? { status } : {}) };
  }

  /** The pod's status, kept beside the sandbox for a runtime that re-adopts it (restart counts, start times). */
  saveStatus(status: PodStatus): void {
    if (this.detached || this.removed) return;
    try {
      fs.writeFileSync(path.join(this.dir, `${STATUS_FILE}.tmp`), JSON.stringify(status));
      fs.renameSync(path.join(this.dir, `${STATUS_FILE}.tmp`), path.join(this.dir, STATUS_FILE));
    } catch {
      // The sandbox is being removed.
    }
  }

  keepConfigs(configs: ContainerConfig[]): void {
    for (const c of configs) saveConfig(this.dir, c);
  }

  /**
   * Leaves the pod running without this process (the runtime closes with `keepLinuxPods`): stops following its
   * containers and serving its host ports, and marks the record ownerless (pid 0) so that the next runtime on
   * the state dir, even in this same process, re-adopts it.
   */
  async detach(): Promise<void> {
    if (this.detached || this.removed) return;
    this.detached = true;
    for (const c of this.containers) c.detach();
    await this.unpublish?.();
    for (const r of this.relays) r.destroy();
    // The virtual network attachment is this process's; the volumes stay, the containers mount them.
    await this.opts.network?.close();
    this.record = { ...this.record, ownerPid: 0 };
    writeSandboxState(this.dir, this.record);
  }

  /** Sets up the namespaces, cgroups and files of a new sandbox; on failure, undoes what it did and throws. */
  static async create(ctx: SandboxContext, podUid: string, opts: SandboxOptions): Promise<LinuxPodSandbox> {
    const id = `wp${randomBytes(6).toString('hex')}`;
    const dir = path.join(ctx.dir, id);
    const cgroup = ctx.cgroups.cgroup(podCgroupPath(id));
    const hostname = podHostname(opts, id);
    const sharePid = opts.pod?.spec.shareProcessNamespace === true;
    const hostNet = opts.pod?.spec.hostNetwork === true;
    const useCgroups = ctx.noCgroups === undefined;
    const cgroupDirs = useCgroups ? cgroup.dirs : [];
    let pausePid = 0;
    try {
      fs.mkdirSync(dir, { recursive: true });
      const record: SandboxState = {
        id, podUid, ...thisOwner(), pausePid: 0, cgroupDirs, createdAt: new Date().toISOString(),
        sharePid, hostNet, ...(ctx.userns ? { userns: ctx.userns } : {}), ...(opts.pod ? { pod: opts.pod } : {}),
      };
      writeSandboxState(dir, record);
      const file = (name: string, text: string): string => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
      };
      const hosts = file('hosts', `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
      const hostnameFile = file('hostname', `${hostname}\n`);
      const resolvConf = file('resolv.conf', fs.existsSync('/etc/resolv.conf') ? fs.readFileSync('/etc/resolv.conf', 'utf8') : '');
      const shm = path.join(dir, 'shm');
      if (ctx.userns) {
        // A user may not mount on the host: the pod's /dev/shm is a plain directory (no size limit).
        fs.mkdirSync(shm, { recursive: true });
        fs.chmodSync(shm, 0o1777);
      } else {
        await mountTmpfs(shm, ctx.shmBytes);
      }
      const pauseCgroup = ctx.cgroups.cgroup(`${podCgroupPath(id)}/pause`);
      if (useCgroups) {
        cgroup.create();
        if (opts.pod) cgroup.apply(podLimits(opts.pod, ctx.podPidsLimit));
        pauseCgroup.create();
      }
      pausePid = await startPause(ctx.pauseBinary, hostname, sharePid, hostNet, ctx.userns !== undefined);
      if (useCgroups) pauseCgroup.addProcess(pausePid);
      const pauseStart = processStart(pausePid);
      Object.assign(record, { pausePid, ...(pauseStart ? { pauseStart } : {}) });
      writeSandboxState(dir, record);
      const share: SandboxShare = {
        pausePid, sharePid, hostNet, hosts, hostname: hostnameFile, resolvConf, shm, swapAccounting: ctx.cgroups.swapAccounting,
        cgroups: useCgroups, ...(ctx.userns ? { userns: ctx.userns } : {}),
      };
      return new LinuxPodSandbox(id, dir, ctx, share, opts, record);
    } catch (err) {
      await destroySandbox(dir, cgroupDirs, pausePid, ctx.pauseBinary);
      await releasePodResources(opts);
      throw err;
    }
  }

  async createContainer(config: ContainerConfig): Promise<SandboxContainer> {
    if (this.detached) throw new Error('the pod was left running for another runtime (detached)');
    const { rootfs, imageID } = await resolveRootfs(config, this.ctx.stateDir);
    if (this.share.userns) checkRootfsOwner(config.name, config.image, rootfs, this.share.userns.uid);
    const name = config.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const id = `${this.id}-${name}-${randomBytes(4).toString('hex')}`;
    const dir = path.join(this.dir, 'containers', id);
    const cgroupsPath = `${podCgroupPath(this.id)}/${id}`;
    fs.mkdirSync(dir, { recursive: true });
    let staged: StagedMounts | undefined;
    try {
      // Mounts below a volume root are resolved now, at each start, without following symlinks (subpath.ts).
      const userns = this.share.userns ? `/proc/${this.share.pausePid}/ns/user` : undefined;
      staged = await stageSubPaths(this.ctx.subPathHelper ?? defaultSubPathHelper(), config, dir, userns);
      const root = this.share.userns ? overlayRootDirs(rootfs, dir) : { path: await mountOverlayRoot(rootfs, dir) };
      const oci = ociConfig({ ...config, mounts: staged.mounts }, root, cgroupsPath, this.share, staged.mountNs);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(oci, null, 1));
      // The record keeps the volumes' host paths: a later run (or a re-adopting runtime) stages them again.
      saveContainerRecord(dir, this.dir, { config, imageID });
    } catch (err) {
      staged?.release();
      await unmountAll(dir);
      removeTree(dir);
      throw err;
    }
    const c = new LinuxContainer(id, config, imageID, dir, this.ctx.oci, this.ctx.cgroups.cgroup(cgroupsPath), this.share.cgroups, staged.release);
    this.containers.add(c);
    return c;
  }

  /**
   * A stream into `port` of the pod's namespace. The relay process behind it is not in the pod's cgroup,
   * so the sandbox keeps it and ends it at remove() if its user has not: a probe or a client in flight
   * when the pod goes must not leave a relay (and a pending write to it) behind.
   */
  async dial(port: number): Promise<Duplex> {
    const stream = await dialNetns(this.ctx.pauseBinary, this.share.pausePid, port, this.share.userns !== undefined);
    if (this.removed) {
      stream.destroy();
    } else {
      this.relays.add(stream);
      stream.once('close', () => this.relays.delete(stream));
    }
    return stream;
  }

  async publishPorts(extra: LinuxPublish[]): Promise<void> {
    // With hostNetwork the containers listen on the host's own ports: there is nothing to forward.
    if (this.share.hostNet) return;
    const ports = this.opts.pod ? wantedPorts(this.opts.pod, extra) : extra;
    if (ports.length > 0) this.unpublish = await publishLinuxPorts((p) => this.dial(p), ports);
    if (extra.length > 0) {
      // Kept for a runtime that re-adopts the pod: it publishes the same ports again.
      this.record = { ...this.record, publish: extra };
      writeSandboxState(this.dir, this.record);
    }
  }

  /** Kills whatever is left in the pod cgroup, removes the containers, mounts, cgroups and files. */
  remove(): Promise<void> {
    // A detached pod runs on, for the runtime that re-adopts it.
    if (this.detached) return Promise.resolve();
    this.removed ??= (async () => {
      await this.unpublish?.();
      for (const r of this.relays) r.destroy();
      await Promise.all([...this.containers].map((c) => c.cleanup()));
      await destroySandbox(this.dir, this.record.cgroupDirs, this.share.pausePid, this.ctx.pauseBinary, this.record.pauseStart);
      await releasePodResources(this.opts);
    })();
    return this.removed;
  }
}

/**
 * Releases what the Runtime handed the sandbox: its volumes, and the virtual network attachment the
 * Runtime makes for every pod (a linux pod uses its own namespace instead, but the attachment is still its).
 */
async function releasePodResources(opts: SandboxOptions): Promise<void> {
  await opts.network?.close();
  await opts.volumes?.remove();
}

/** Tears a sandbox down from what is on disk: also how orphans of a crashed runtime are removed. */
export async function destroySandbox(dir: string, cgroupDirs: string[], pausePid: number, pauseBinary: string, pauseStart?: string): Promise<void> {
  // Killing every process of the pod cgroup ends the pause process and anything a container left behind.
  // Without cgroups (rootless) the pause process is killed by pid: with it go the pod's namespaces, and with a
  // shared pid namespace every process in it; a container's own pid namespace ended with its init (runc delete).
  killPause(pausePid, pauseBinary, pauseStart);
  await killAndRemove(cgroupDirs);
  await unmountAll(dir);
  removeTree(dir);
}
