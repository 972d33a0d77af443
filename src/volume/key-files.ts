// Writes the files of a configMap, secret, downwardAPI or projected volume: relative paths, contents, file modes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigRefError } from './errors.js';

export interface KeyFile {
  /** Relative path inside the volume (validated: no "..", not absolute). */
  path: string;
  data: Buffer;
  mode: number;
}

/** Kubernetes' default mode for projected files. */
export const DEFAULT_MODE = 0o644;

/**
 * Writes `files` under `dir`. Directories are created 0755; each file gets its mode after it is
 * written. The caller mounts the volume read-only, so the guest never changes these files.
 */
export function writeKeyFiles(dir: string, files: KeyFile[]): void {
  for (const f of files) {
    const target = path.join(dir, f.path);
    if (!target.startsWith(dir + path.sep)) throw new Error(`path ${f.path} leaves the volume`);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, f.data, { mode: 0o600, flag: 'wx' });
    fs.chmodSync(target, f.mode & 0o777);
  }
}

export interface KeyItem { key: string; path: string; mode?: number }

/**
 * The files of a ConfigMap or Secret: every key (or only `items`, key to path). A missing object or key
 * is an error unless `optional`; errors name the object and key, never a value (secrets must not leak).
 */
export function projectKeys(
  kind: 'ConfigMap' | 'Secret', name: string, data: Map<string, Buffer> | undefined,
  items: KeyItem[] | undefined, mode: number, optional: boolean,
): KeyFile[] {
  if (!data) {
    if (optional) return [];
    throw new ConfigRefError(`${kind.toLowerCase()} "${name}" not found`);
  }
  if (!items || items.length === 0) return [...data].map(([key, value]) => ({ path: key, data: value, mode }));
  const out: KeyFile[] = [];
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new ConfigRefError(`${kind.toLowerCase()} "${name}" has no key "${item.key}"`);
    }
    out.push({ path: item.path, data: value, mode: item.mode ?? mode });
  }
  return out;
}
