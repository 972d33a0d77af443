// Re-adopting a sandbox an earlier runtime left running: which sandboxes can be, and what of them is found on disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PodStatus } from '../../spec/types.js';
import type { ContainerConfig } from '../sandbox.js';
import type { SandboxShare } from './oci-config.js';
import type { OciRuntime } from './runc.js';
import { ownerAlive, readSandboxState, type SandboxState } from './sandbox-state.js';
import { processAlive } from '../../state-dir.js';
import { bundleFiles } from './linux-container.js';
import { unmountAll } from './mounts.js';
import { isPause } from './pause.js';
import { removeTree } from './remove-tree.js';

/** The pod's last status, beside its sandbox record. */
export const STATUS_FILE = 'status.json';
/** What a bundle was made from, beside its config.json. */
const CONTAINER_FILE = 'container.json';

interface ContainerRecord {
  config: ContainerConfig;
  imageID: string;
}

/**
 * Keeps what a bundle was made from in it, and the container's config in the sandbox's `configs/` (by name):
 * a re-adopting runtime restarts a container from that, with the host paths of the volumes made for the pod.
 */
export function saveContainerRecord(bundle: string, sandboxDir: string, r: ContainerRecord): void {
  fs.writeFileSync(path.join(bundle, CONTAINER_FILE), JSON.stringify(r));
  saveConfig(sandboxDir, r.config);
}

/** Keeps a container's config in the sandbox's `configs/`, by name (written whole, then renamed). */
export function saveConfig(sandboxDir: string, config: ContainerConfig): void {
  const file = path.join(sandboxDir, 'configs', `${encodeURIComponent(config.name)}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(config));
  fs.renameSync(`${file}.tmp`, file);
}

/** The configs saved by saveContainerRecord, by container name. */
export function savedConfigs(sandboxDir: string): Map<string, ContainerConfig> {
  const dir = path.join(sandboxDir, 'configs');
  const out = new Map<string, ContainerConfig>();
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : []) {
    const c = readJson<ContainerConfig>(path.join(dir, f));
    if (c) out.set(c.name, c);
  }
  return out;
}

const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

export interface Adoptable {
  dir: string;
  state: SandboxState & { pod: NonNullable<SandboxState['pod']> };
  /** The pod's status when its runtime last saw it. */
  status?: PodStatus;
}

/**
 * The sandbox in `dir`, when a runtime may re-adopt it: no live runtime owns it (its owner died, or closed
 * leaving it running), its pause process (so its namespaces) lives, and its record holds the pod.
 */
export function readAdoptable(dir: string, pauseBinary: string): Adoptable | undefined {
  const state = readSandboxState(dir);
  if (!state?.pod || ownerAlive(state)) return undefined;
  if (!isPause(state.pausePid, pauseBinary, state.pauseStart) || !processAlive(state.pausePid)) return undefined;
  const status = readJson<PodStatus>(path.join(dir, STATUS_FILE));
  return { dir, state: state as Adoptable['state'], ...(status ? { status } : {}) };
}

/** What the containers of an adopted sandbox share, rebuilt from its record and the files it made. */
export function sandboxShare(dir: string, state: SandboxState, swapAccounting: boolean): SandboxShare {
  const f = (name: string): string => path.join(dir, name);
  return {
    pausePid: state.pausePid, sharePid: state.sharePid === true, hostNet: state.hostNet === true,
    hosts: f('hosts'), hostname: f('hostname'), resolvConf: f('resolv.conf'), shm: f('shm'), swapAccounting,
    cgroups: state.cgroupDirs.length > 0, ...(state.userns ? { userns: state.userns } : {}),
  };
}

export interface AdoptedBundle extends ContainerRecord {
  id: string;
  dir: string;
  monitorPid: number;
}

/**
 * The bundles of an adopted sandbox whose run had begun (a monitor was started: its container runs, or ended
 * while no runtime watched, its status in the exit file), the latest per container name. Bundles of runs that
 * never began, or older runs of the same container, are removed as their container's cleanup would have.
 */
export async function adoptBundles(sandboxDir: string, oci: OciRuntime): Promise<AdoptedBundle[]> {
  const root = path.join(sandboxDir, 'containers');
  const found = new Map<string, AdoptedBundle & { mtime: number }>();
  const drop: string[] = [];
  for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    const dir = path.join(root, id);
    const record = readJson<ContainerRecord>(path.join(dir, CONTAINER_FILE));
    const monitorPid = Number(readJson<number>(bundleFiles(dir).monitor) ?? 0);
    if (!record || !monitorPid) {
      drop.push(id);
      continue;
    }
    const bundle = { ...record, id, dir, monitorPid, mtime: fs.statSync(bundleFiles(dir).monitor).mtimeMs };
    const other = found.get(record.config.name);
    if (other && other.mtime > bundle.mtime) {
      drop.push(id);
    } else {
      if (other) drop.push(other.id);
      found.set(record.config.name, bundle);
    }
  }
  for (const id of drop) {
    await oci.delete(id);
    await unmountAll(path.join(root, id));
    removeTree(path.join(root, id));
  }
  return [...found.values()].map(({ mtime: _m, ...b }) => b);
}

/**
 * The volumes of an adopted pod, as the sandbox releases them: what src/volume made for it (the pod's
 * `volumes` directory, and its tmpfs directories `/dev/shm/wasmpod-UID-*`), left in place while it runs.
 */
export function adoptedVolumes(volumesDir: string, podUid: string): { remove(): Promise<void> } {
  return {
    async remove(): Promise<void> {
      for (const d of fs.existsSync('/dev/shm') ? fs.readdirSync('/dev/shm') : []) {
        if (d.startsWith(`wasmpod-${podUid}-`)) fs.rmSync(path.join('/dev/shm', d), { recursive: true, force: true });
      }
      fs.rmSync(volumesDir, { recursive: true, force: true });
    },
  };
}
