// Helpers of the Linux backend tests: why they cannot run here, a busybox root filesystem, and host-side views of a pod.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Runtime, linuxBackendUnavailable, findOnPath } from '../../dist/src/index.js';
import { createHash } from 'node:crypto';
import * as tar from 'tar';

/** Why the Linux tests must skip here (no root, no OCI runtime, no busybox), or false when they can run. */
export function linuxSkip(): string | false {
  const why = linuxBackendUnavailable();
  if (why) return why;
  // As a user the backend runs rootless: these tests look at mounts and cgroups only root makes.
  if (process.getuid?.() !== 0) return 'the Linux tests need root (rootless mode is tested by rootless.test.ts, which switches to a user from root)';
  if (!findOnPath(['busybox'])) return 'busybox-static is not installed (the test root filesystem is built from it)';
  return false;
}

let rootfs: string | undefined;

/** A root filesystem of busybox-static with a symlink per applet and /www/index.html; built once per test file. */
export function busyboxRootfs(): string {
  if (rootfs) return rootfs;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-rootfs-'));
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'www', 'etc']) fs.mkdirSync(path.join(dir, d));
  fs.copyFileSync(findOnPath(['busybox'])!, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(path.join(dir, 'bin/busybox'), ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  fs.writeFileSync(path.join(dir, 'www/index.html'), 'hello from httpd\n');
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  rootfs = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Removes a test's state directory, unless something is still mounted under it (rm -r through a bind mount would reach the host). */
export function removeStateDir(dir: string): void {
  if (mountsUnder(dir).length === 0) fs.rmSync(dir, { recursive: true, force: true });
}

/** A runtime whose pods run on the Linux backend by default, with a fast back-off and 100 ms "seconds". */
export function linuxRuntime(): Runtime {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-linux-'));
  process.on('exit', () => removeStateDir(stateDir));
  return new Runtime({
    stateDir,
    defaultRuntimeClass: 'linux',
    backoff: { baseMs: 200, maxMs: 2000, resetAfterMs: 60_000 },
    secondMs: 100,
  });
}

export interface SandboxRecord {
  id: string;
  podUid: string;
  pausePid: number;
  cgroupDirs: string[];
  dir: string;
}

/** The sandboxes the runtime has on disk now. */
export function sandboxes(rt: Runtime): SandboxRecord[] {
  const root = path.join(rt.stateDir, 'linux/sandboxes');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((id) => {
    const f = path.join(root, id, 'sandbox.json');
    if (!fs.existsSync(f)) return [];
    return [{ ...(JSON.parse(fs.readFileSync(f, 'utf8')) as Omit<SandboxRecord, 'dir'>), dir: path.join(root, id) }];
  });
}

/** The memory-hierarchy directory of a sandbox's pod cgroup (present on v1 and v2 alike). */
export function memoryDir(s: SandboxRecord): string {
  return s.cgroupDirs.find((d) => d.includes('/memory/')) ?? s.cgroupDirs[0]!;
}

/** The host pids of each container of a sandbox, by container name, read from the pod cgroup's children. */
export function containerPids(s: SandboxRecord): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const mem = memoryDir(s);
  for (const child of fs.readdirSync(mem, { withFileTypes: true })) {
    if (!child.isDirectory() || child.name === 'pause') continue;
    const name = child.name.slice(s.id.length + 1).replace(/-[0-9a-f]{8}$/, '');
    const procs = fs.readFileSync(path.join(mem, child.name, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    out[name] = procs;
  }
  return out;
}

/** The namespace links of a process, as seed 001 compares them (`net:[4026532614]`). */
export function nsLinks(pid: number): Record<string, string> {
  return Object.fromEntries(['net', 'uts', 'ipc', 'mnt', 'pid'].map((k) => [k, fs.readlinkSync(`/proc/${pid}/ns/${k}`)]));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `pred` every 20 ms until it holds or `ms` pass; resolves with whether it held. */
export async function eventually(pred: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

/** Whether a process exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Mount points under a directory, from /proc/self/mountinfo. */
export function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dir));
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Writes an OCI image layout of one layer (the busybox root filesystem) for linux/amd64 and returns its
 * manifest digest; `tag` names the manifest in the index, as skopeo's `oci:DIR:TAG` looks it up.
 */
export function writeLayout(dir: string, rootfs: string, tag?: string): string {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer): { digest: string; size: number } => {
    const digest = sha(b);
    fs.writeFileSync(path.join(blobs, digest.slice(7)), b);
    return { digest, size: b.length };
  };
  const layerFile = path.join(dir, 'layer.tar');
  tar.create({ cwd: rootfs, file: layerFile, sync: true, portable: true }, ['.']);
  const layer = put(fs.readFileSync(layerFile));
  fs.rmSync(layerFile);
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] }, config: {} })));
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  })));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' },
      ...(tag ? { annotations: { 'org.opencontainers.image.ref.name': tag } } : {}),
    }],
  }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return manifest.digest;
}
