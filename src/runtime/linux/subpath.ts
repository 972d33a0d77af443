// The guard against swapped subPaths (the kubelet's CVE-2017-1002101): at every start of a container, each of its
// mounts below a volume root is resolved again beneath that root without following a symlink, by the subPath
// helper (pause/subpath.c), which bind-mounts the inode it opened onto a staging path in the bundle; the OCI
// runtime gets that staging path as the mount's source, never a host path it would follow.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BeneathMount, ContainerConfig } from '../sandbox.js';
import type { MountSpec } from '../../../shim/fs/vfs.js';
import { MountError, SubPathRefusedError } from './errors.js';

/** The helper committed beside the pause binary for this machine's architecture (rebuild with pause/build.sh). */
export function defaultSubPathHelper(): string {
  return fileURLToPath(new URL(`../../../../src/runtime/linux/pause/subpath-${os.arch() === 'x64' ? 'x86_64' : os.arch()}`, import.meta.url));
}

export interface StagedMounts {
  /** The container's mounts, each one below a volume root with its staging path as the source. */
  mounts: MountSpec[];
  /** Rootless: the mount namespace (`/proc/PID/ns/mnt`) holding the staging mounts, which the container joins. */
  mountNs?: string;
  /** Ends the rootless helper holding that namespace: once the container has joined it, or will not run. */
  release(): void;
}

const NOTHING: Omit<StagedMounts, 'mounts'> = { release: () => undefined };

/** The container's message for a refused mount, as the kubelet words it. */
function refusal(config: ContainerConfig, b: BeneathMount | undefined, reason: string): SubPathRefusedError {
  if (!b) return new SubPathRefusedError(`container "${config.name}": ${reason}`);
  const what = b.subPath !== undefined ? `subPath "${b.subPath}" for volumeMount "${b.volume}"` : `hostPath volume "${b.volume}" (inside another volume of the pod)`;
  return new SubPathRefusedError(`failed to prepare ${what} of container "${config.name}": ${reason}; it must resolve to a directory or file inside the volume without a symbolic link`);
}

/** What the helper's failure means: exit 2 is a refusal ("INDEX\tREASON"), anything else a failure to mount. */
function helperError(config: ContainerConfig, beneath: BeneathMount[], code: number | null, stderr: string): Error {
  const m = /^(\d+)\t(.*)$/m.exec(stderr);
  if (code === 2 && m) return refusal(config, beneath[Number(m[1])], m[2]!);
  return new MountError(`container "${config.name}": cannot stage its subPath mounts (exit ${code ?? 'by signal'}): ${stderr.trim()}`);
}

/**
 * Resolves and stages the mounts of `config.beneath` under `bundle`/subpaths. As root the staging mounts are on
 * the host (unmounted with the bundle); rootless (`userns`, the pod's user namespace path) they are made in a
 * mount namespace of the pod's user namespace, held by the helper until release(): nothing is mounted on the host.
 */
export async function stageSubPaths(helper: string, config: ContainerConfig, bundle: string, userns?: string): Promise<StagedMounts> {
  const beneath = config.beneath ?? [];
  if (beneath.length === 0) return { mounts: config.mounts, ...NOTHING };
  if (!fs.existsSync(helper)) throw new MountError(`subPath helper ${helper} not found (build it with src/runtime/linux/pause/build.sh)`);
  const dir = path.join(bundle, 'subpaths');
  fs.mkdirSync(dir, { mode: 0o700 });
  const mounts = config.mounts.map((m) => ({ ...m }));
  const args: string[] = userns ? ['--userns', userns] : [];
  for (const b of beneath) {
    const target = path.join(dir, String(b.mount));
    args.push(b.root, b.rel === '' ? '.' : b.rel, target);
    mounts[b.mount] = { ...mounts[b.mount]!, hostPath: target };
  }
  const child = spawn(helper, args, { stdio: [userns ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: userns !== undefined });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (e) => { err += e.message; resolve(null); });
    child.on('close', (code) => resolve(code));
  });
  if (!userns) {
    const code = await exited;
    if (code !== 0) throw helperError(config, beneath, code, err);
    return { mounts, ...NOTHING };
  }
  // Rootless: "ready" then the end of its stdout, or an exit on failure.
  const ended = await Promise.race([new Promise<'ready'>((resolve) => child.stdout!.on('end', () => resolve('ready'))), exited]);
  if (ended !== 'ready' || !out.startsWith('ready') || child.exitCode !== null) {
    child.kill('SIGKILL');
    throw helperError(config, beneath, await exited, err);
  }
  child.stdin?.on('error', () => undefined);
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    mounts,
    mountNs: `/proc/${child.pid}/ns/mnt`,
    release: () => {
      if (released) return;
      released = true;
      child.stdin?.end();
      child.kill('SIGTERM');
    },
  };
}
