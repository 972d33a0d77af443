// configMap volumes: a ConfigMap of the manifest as read-only files, with items, defaultMode and optional.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Volume } from '../spec/types.js';
import type { ConfigLookup } from './config-sources.js';
import { DEFAULT_MODE, type KeyFile, type KeyItem, projectKeys, writeKeyFiles } from './key-files.js';
import { type PreparedVolume, removeDir } from './prepared.js';

export function configMapFiles(src: { name?: string; items?: KeyItem[]; optional?: boolean },
  lookup: ConfigLookup, mode: number): KeyFile[] {
  const name = src.name ?? '';
  return projectKeys('ConfigMap', name, lookup.configMap(name), src.items, mode, src.optional === true);
}

/** Writes files into a fresh directory under the pod's volumes dir, mounted read-only. */
export function preparedFiles(v: Volume, kind: string, volumesDir: string, files: KeyFile[]): PreparedVolume {
  const dir = path.join(volumesDir, kind, v.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeKeyFiles(dir, files);
  return { name: v.name, hostPath: fs.realpathSync(dir), readOnly: true, remove: removeDir(dir) };
}

export function prepareConfigMap(v: Volume, volumesDir: string, lookup: ConfigLookup): PreparedVolume {
  const src = v.configMap!;
  return preparedFiles(v, 'configmap', volumesDir, configMapFiles(src, lookup, src.defaultMode ?? DEFAULT_MODE));
}
