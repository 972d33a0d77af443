// The downward API: the pod fields a guest may read through env fieldRef or a downwardAPI volume file.
import type { Pod } from '../spec/types.js';

export { isSupportedFieldPath } from '../spec/validate-volume.js';

const SUBSCRIPT = /^metadata\.(labels|annotations)\['([^']*)'\]$/;

/** `key="value"` lines sorted by key, as the kubelet writes labels and annotations files. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {}).sort().map((k) => `${k}=${JSON.stringify(map![k])}`).join('\n');
}

export function fieldValue(pod: Pod, fieldPath: string): string {
  const m = pod.metadata;
  switch (fieldPath) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'metadata.labels': return formatMap(m.labels);
    case 'metadata.annotations': return formatMap(m.annotations);
  }
  const sub = SUBSCRIPT.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]] ?? '';
  throw new Error(`unsupported fieldPath ${fieldPath}`); // validation has rejected it
}
