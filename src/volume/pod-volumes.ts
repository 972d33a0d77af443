// Sets up every volume of a pod before its containers start, and removes what it made when the pod ends.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pod, Volume } from '../spec/types.js';
import { WasmpodError } from '../errors.js';
import { ConfigLookup, type ConfigSources } from './config-sources.js';
import { VolumeSetupError } from './errors.js';
import type { PreparedVolume } from './prepared.js';
import { prepareEmptyDir } from './empty-dir.js';
import { prepareHostPathVolume } from './host-path.js';
import { prepareConfigMap } from './config-map.js';
import { prepareSecret } from './secret.js';
import { prepareDownwardAPI } from './downward-api.js';
import { prepareProjected } from './projected.js';
import { podMountPaths } from './mounts.js';

export class PodVolumes {
  private removed = false;
  /** The host path of every volume mount of the pod's containers (see podMountPaths). */
  mountPaths: string[] = [];
  constructor(readonly dir: string, readonly byName: ReadonlyMap<string, PreparedVolume>, readonly lookup: ConfigLookup) {}

  /** One empty read-only directory shown where nested mounts need a parent the outer volume lacks. */
  emptyMountPoint(): string {
    makeVolumesDir(this.dir);
    const dir = path.join(this.dir, '.mount-point');
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o555 });
    return fs.realpathSync(dir);
  }

  /**
   * Deletes emptyDirs and generated files; safe to call twice. hostPath contents are never touched.
   * The directory goes asynchronously: a large emptyDir does not hold up the runtime's event loop.
   */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    for (const v of this.byName.values()) v.remove();
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

/** The pod's volumes dir. Secret files are in here: only the runtime's user may enter. */
function makeVolumesDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Volumes that keep files under the pod's volumes dir (all but hostPath, which names its own). */
const needsDir = (v: Volume): boolean => !v.hostPath;

function prepare(pod: Pod, v: Volume, dir: string, lookup: ConfigLookup): PreparedVolume {
  if (v.hostPath) return prepareHostPathVolume(v);
  if (v.emptyDir) return prepareEmptyDir(v, dir, pod.metadata.uid!);
  if (v.configMap) return prepareConfigMap(v, dir, lookup);
  if (v.secret) return prepareSecret(v, dir, lookup, pod.metadata.uid!);
  if (v.downwardAPI) return prepareDownwardAPI(v, dir, pod);
  if (v.projected) return prepareProjected(v, dir, pod, lookup);
  throw new VolumeSetupError(v.name, 'volume type is not supported'); // validation has rejected it
}

/**
 * Creates the pod's volumes under `dir` (`<stateDir>/pods/<ns>_<name>_<uid>/volumes`). On any failure
 * what was already made is removed and the error (a WasmpodError naming the volume) is thrown.
 */
export function setUpVolumes(pod: Pod, dir: string, sources: ConfigSources = {}): PodVolumes {
  // Made only when a volume keeps files there (or a nested mount needs a mount point): a pod without
  // volumes starts without touching the disk for them.
  if ((pod.spec.volumes ?? []).some(needsDir)) makeVolumesDir(dir);
  const lookup = new ConfigLookup(sources, pod.metadata.namespace ?? 'default');
  const byName = new Map<string, PreparedVolume>();
  const volumes = new PodVolumes(dir, byName, lookup);
  try {
    for (const v of pod.spec.volumes ?? []) {
      try {
        byName.set(v.name, prepare(pod, v, dir, lookup));
      } catch (err) {
        if (err instanceof WasmpodError) throw err;
        throw new VolumeSetupError(v.name, (err as Error).message);
      }
    }
    volumes.mountPaths = podMountPaths(pod, volumes);
  } catch (err) {
    void volumes.remove();
    throw err;
  }
  return volumes;
}
