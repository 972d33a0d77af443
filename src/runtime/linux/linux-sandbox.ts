// A pod sandbox of the Linux backend: the pause process's namespaces, the pod cgroup, pod-level files, and its containers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ContainerConfig, PodSandbox, SandboxContainer, SandboxOptions } from '../sandbox.js';
import { killAndRemove, type Cgroup, type CgroupDriver } from './cgroups/cgroup.js';
import type { OciRuntime } from './runc.js';
import { LinuxContainer } from './linux-container.js';
import { ociConfig, type SandboxShare } from './oci-config.js';
import { startPause } from './pause.js';
import { podLimits } from './pod-limits.js';
import { mountOverlayRoot, mountTmpfs, unmountAll } from './mounts.js';
import { resolveRootfs } from './rootfs.js';
import { writeSandboxState } from './sandbox-state.js';
import { dialNetns } from './netns-dial.js';
import { publishLinuxPorts, wantedPorts, type LinuxPublish } from './publish.js';
import type { Duplex } from 'node:stream';
import { linuxPlatform } from './oci-layout.js';

/** What the backend gives each sandbox. */
export interface SandboxContext {
  oci: OciRuntime;
  cgroups: CgroupDriver;
  /** Where sandbox directories go (`<state>/linux/sandboxes`). */
  dir: string;
  /** The runtime's state directory: the image store, and unpacked OCI layouts under `linux/rootfs`. */
  stateDir: string;
  pauseBinary: string;
  podPidsLimit: number;
  shmBytes: number;
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

  private constructor(
    readonly id: string,
    private readonly dir: string,
    private readonly ctx: SandboxContext,
    private readonly share: SandboxShare,
    private readonly cgroup: Cgroup,
    private readonly opts: SandboxOptions,
  ) {}

  /** Sets up the namespaces, cgroups and files of a new sandbox; on failure, undoes what it did and throws. */
  static async create(ctx: SandboxContext, podUid: string, opts: SandboxOptions): Promise<LinuxPodSandbox> {
    const id = `wp${randomBytes(6).toString('hex')}`;
    const dir = path.join(ctx.dir, id);
    const cgroup = ctx.cgroups.cgroup(podCgroupPath(id));
    const hostname = podHostname(opts, id);
    const sharePid = opts.pod?.spec.shareProcessNamespace === true;
    const hostNet = opts.pod?.spec.hostNetwork === true;
    let pausePid = 0;
    try {
      fs.mkdirSync(dir, { recursive: true });
      const record = { id, podUid, ownerPid: process.pid, pausePid: 0, cgroupDirs: cgroup.dirs, createdAt: new Date().toISOString() };
      writeSandboxState(dir, record);
      const file = (name: string, text: string): string => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
      };
      const hosts = file('hosts', `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
      const hostnameFile = file('hostname', `${hostname}\n`);
      const resolvConf = file('resolv.conf', fs.existsSync('/etc/resolv.conf') ? fs.readFileSync('/etc/resolv.conf', 'utf8') : '');
      const shm = path.join(dir, 'shm');
      await mountTmpfs(shm, ctx.shmBytes);
      cgroup.create();
      if (opts.pod) cgroup.apply(podLimits(opts.pod, ctx.podPidsLimit));
      const pauseCgroup = ctx.cgroups.cgroup(`${podCgroupPath(id)}/pause`);
      pauseCgroup.create();
      pausePid = await startPause(ctx.pauseBinary, hostname, sharePid, hostNet);
      pauseCgroup.addProcess(pausePid);
      writeSandboxState(dir, { ...record, pausePid });
      const share: SandboxShare = {
        pausePid, sharePid, hostNet, hosts, hostname: hostnameFile, resolvConf, shm, swapAccounting: ctx.cgroups.swapAccounting,
      };
      return new LinuxPodSandbox(id, dir, ctx, share, cgroup, opts);
    } catch (err) {
      // Until it is in the pod cgroup, the pause process is not reached by the cgroup teardown.
      if (pausePid) try { process.kill(pausePid, 'SIGKILL'); } catch { /* already gone */ }
      await destroySandbox(dir, cgroup.dirs);
      await releasePodResources(opts);
      throw err;
    }
  }

  async createContainer(config: ContainerConfig): Promise<SandboxContainer> {
    const { rootfs, imageID } = await resolveRootfs(config, this.ctx.stateDir);
    const name = config.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const id = `${this.id}-${name}-${randomBytes(4).toString('hex')}`;
    const dir = path.join(this.dir, 'containers', id);
    const cgroupsPath = `${podCgroupPath(this.id)}/${id}`;
    fs.mkdirSync(dir, { recursive: true });
    try {
      const merged = await mountOverlayRoot(rootfs, dir);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(ociConfig(config, merged, cgroupsPath, this.share), null, 1));
    } catch (err) {
      await unmountAll(dir);
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const c = new LinuxContainer(id, config, imageID, dir, this.ctx.oci, this.ctx.cgroups.cgroup(cgroupsPath));
    this.containers.add(c);
    return c;
  }

  /**
   * A stream into `port` of the pod's namespace. The relay process behind it is not in the pod's cgroup,
   * so the sandbox keeps it and ends it at remove() if its user has not: a probe or a client in flight
   * when the pod goes must not leave a relay (and a pending write to it) behind.
   */
  async dial(port: number): Promise<Duplex> {
    const stream = await dialNetns(this.ctx.pauseBinary, this.share.pausePid, port);
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
  }

  /** Kills whatever is left in the pod cgroup, removes the containers, mounts, cgroups and files. */
  remove(): Promise<void> {
    this.removed ??= (async () => {
      await this.unpublish?.();
      for (const r of this.relays) r.destroy();
      await Promise.all([...this.containers].map((c) => c.cleanup()));
      await destroySandbox(this.dir, this.cgroup.dirs);
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
export async function destroySandbox(dir: string, cgroupDirs: string[]): Promise<void> {
  // Killing every process of the pod cgroup ends the pause process and anything a container left behind.
  await killAndRemove(cgroupDirs);
  await unmountAll(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
