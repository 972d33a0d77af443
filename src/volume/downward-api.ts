// downwardAPI volumes: the pod's name, namespace, uid, labels and annotations as read-only files.
import type { DownwardAPIVolumeFile, Pod, Volume } from '../spec/types.js';
import { fieldValue } from './field-ref.js';
import { DEFAULT_MODE, type KeyFile } from './key-files.js';
import { preparedFiles } from './config-map.js';
import type { PreparedVolume } from './prepared.js';

export function downwardFiles(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, mode: number): KeyFile[] {
  return (items ?? []).map((item) => ({
    path: item.path,
    data: Buffer.from(fieldValue(pod, item.fieldRef!.fieldPath), 'utf8'),
    mode: item.mode ?? mode,
  }));
}

export function prepareDownwardAPI(v: Volume, volumesDir: string, pod: Pod): PreparedVolume {
  const src = v.downwardAPI!;
  return preparedFiles(v, 'downward-api', volumesDir, downwardFiles(pod, src.items, src.defaultMode ?? DEFAULT_MODE));
}
