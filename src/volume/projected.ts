// projected volumes: configMap, secret and downwardAPI sources combined into one read-only directory.
import type { Pod, Volume } from '../spec/types.js';
import type { ConfigLookup } from './config-sources.js';
import { DEFAULT_MODE, type KeyFile } from './key-files.js';
import { configMapFiles, preparedFiles } from './config-map.js';
import { secretFiles } from './secret.js';
import { downwardFiles } from './downward-api.js';
import type { PreparedVolume } from './prepared.js';

export function prepareProjected(v: Volume, volumesDir: string, pod: Pod, lookup: ConfigLookup): PreparedVolume {
  const src = v.projected!;
  const mode = src.defaultMode ?? DEFAULT_MODE;
  const files: KeyFile[] = [];
  for (const s of src.sources ?? []) {
    if (s.configMap) files.push(...configMapFiles(s.configMap, lookup, mode));
    if (s.secret) files.push(...secretFiles(s.secret.name ?? '', s.secret, lookup, mode));
    if (s.downwardAPI) files.push(...downwardFiles(pod, s.downwardAPI.items, mode));
  }
  return preparedFiles(v, 'projected', volumesDir, files, pod.metadata.uid!);
}
