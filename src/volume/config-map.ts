// configMap volumes: a ConfigMap of the manifest as read-only files, with items, defaultMode and optional.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Volume } from '../spec/types.js';
import type { ConfigLookup } from './config-sources.js';
import { DEFAULT_MODE, type KeyFile, type KeyItem, projectKeys, writeKeyFiles } from './key-files.js';
import { type PreparedVolume, removeDir } from './prepared.js';
import { memoryDir } from './empty-dir.js';

export function configMapFiles(src: { name?: string; items?: KeyItem[]; optional?: boolean },
  lookup: ConfigLookup, mode: number): KeyFile[] {
  const name = src.name ?? '';
  return projectKeys('ConfigMap', name, lookup.configMap(name), src.items, mode, src.optional === true);
}

/**
 * Writes files into a fresh directory, mounted read-only: under the pod's volumes dir, or on tmpfs when
 * `memoryOf` names the pod (secret and projected volumes, which the kubelet keeps off the disk too).
 */
export function preparedFiles(v: Volume, kind: string, volumesDir: string, files: KeyFile[], memoryOf?: string): PreparedVolume {
  let dir = memoryOf === undefined ? undefined : memoryDir(memoryOf, v.name);
  if (!dir) {
    dir = path.join(volumesDir, kind, v.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  writeKeyFiles(dir, files);
  fs.chmodSync(dir, 0o755);
  return { name: v.name, hostPath: fs.realpathSync(dir), readOnly: true, remove: removeDir(dir) };
}

export function prepareConfigMap(v: Volume, volumesDir: string, lookup: ConfigLookup): PreparedVolume {
  const src = v.configMap!;
  return preparedFiles(v, 'configmap', volumesDir, configMapFiles(src, lookup, src.defaultMode ?? DEFAULT_MODE));
}
