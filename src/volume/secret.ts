// secret volumes: a Secret of the manifest as read-only files (values decoded, never logged), with items, defaultMode, optional.
import type { Volume } from '../spec/types.js';
import type { ConfigLookup } from './config-sources.js';
import { DEFAULT_MODE, type KeyFile, type KeyItem, projectKeys } from './key-files.js';
import { preparedFiles } from './config-map.js';
import type { PreparedVolume } from './prepared.js';

export function secretFiles(name: string, src: { items?: KeyItem[]; optional?: boolean }, lookup: ConfigLookup, mode: number): KeyFile[] {
  return projectKeys('Secret', name, lookup.secret(name), src.items, mode, src.optional === true);
}

export function prepareSecret(v: Volume, volumesDir: string, lookup: ConfigLookup, podUid: string): PreparedVolume {
  const src = v.secret!;
  return preparedFiles(v, 'secret', volumesDir, secretFiles(src.secretName ?? '', src, lookup, src.defaultMode ?? DEFAULT_MODE), podUid);
}
