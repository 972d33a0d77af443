// The server side of `kubectl get`: meta.k8s.io/v1 Tables with the columns the API server prints for each resource.
import * as os from 'node:os';
import type { Pod, Secret, ConfigMap } from '../spec/types.js';
import { statusText } from '../cli/status-text.js';
import type { ApiObject } from './store.js';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer';
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, description: string, priority = 0, type: TableColumn['type'] = 'string', format = ''): TableColumn =>
  ({ name, type, format, description, priority });

/** Kubernetes' HumanDuration: `45s`, `3m20s`, `15m`, `5h10m`, `2d3h`, `1y30d`. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  const d = Math.floor(h / 24) % 365;
  if (h < 24 * 365 * 8) return d === 0 ? `${y}y` : `${y}y${d}d`;
  return `${y}y`;
}

const age = (time: string | undefined, now: number): string => (time ? humanDuration(now - Date.parse(time)) : '<unknown>');

function podCells(pod: Pod, now: number): unknown[] {
  const s = pod.status ?? {};
  const statuses = s.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  let restarts = 0;
  let lastRestart = 0;
  for (const c of [...(s.initContainerStatuses ?? []), ...statuses]) {
    restarts += c.restartCount;
    const t = c.lastState?.terminated?.finishedAt;
    if (t) lastRestart = Math.max(lastRestart, Date.parse(t));
  }
  let status = statusText(s, pod.spec.initContainers?.length ?? 0);
  if (pod.metadata.deletionTimestamp) status = 'Terminating';
  const restartText = restarts > 0 && lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return [
    pod.metadata.name, `${ready}/${pod.spec.containers.length}`, status, restartText, age(pod.metadata.creationTimestamp, now),
    s.podIP ?? '<none>', pod.spec.nodeName ?? os.hostname(), s.nominatedNodeName ?? '<none>', '<none>',
  ];
}

interface TableKind {
  columns: TableColumn[];
  cells(obj: ApiObject, now: number): unknown[];
}

const NAME = col('Name', 'Name must be unique within a namespace.', 0, 'string', 'name');
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

const TABLES: Record<string, TableKind> = {
  pods: {
    columns: [
      NAME, col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE, col('IP', 'The IP address assigned to the pod.', 1), col('Node', 'The node the pod runs on.', 1),
      col('Nominated Node', 'The node the pod is nominated to.', 1), col('Readiness Gates', 'The readiness gates of the pod.', 1),
    ],
    cells: (o, now) => podCells(o as unknown as Pod, now),
  },
  configmaps: {
    columns: [NAME, col('Data', 'Number of data entries.', 0, 'integer'), AGE],
    cells: (o, now) => {
      const cm = o as unknown as ConfigMap;
      return [o.metadata.name, Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(o.metadata.creationTimestamp, now)];
    },
  },
  secrets: {
    columns: [NAME, col('Type', 'The type of the secret.'), col('Data', 'Number of data entries.', 0, 'integer'), AGE],
    cells: (o, now) => {
      const s = o as unknown as Secret;
      return [o.metadata.name, s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(o.metadata.creationTimestamp, now)];
    },
  },
  namespaces: {
    columns: [NAME, col('Status', 'The status of the namespace.'), AGE],
    cells: (o, now) => [o.metadata.name, (o['status'] as { phase?: string } | undefined)?.phase ?? 'Active', age(o.metadata.creationTimestamp, now)],
  },
  events: {
    columns: [
      col('Last Seen', 'Time of the last occurrence.'), col('Type', 'Normal or Warning.'), col('Reason', 'Why the event happened.'),
      col('Object', 'The object the event is about.'), col('Subobject', 'The part of the object.', 1), col('Source', 'Who reported it.', 1),
      col('Message', 'What happened.'), col('First Seen', 'Time of the first occurrence.', 1), col('Count', 'How often it happened.', 1, 'integer'),
      col('Name', 'The event\'s name.', 1, 'string', 'name'),
    ],
    cells: (o, now) => {
      const e = o as ApiObject & { type?: string; reason?: string; message?: string; count?: number; firstTimestamp?: string; lastTimestamp?: string;
        involvedObject?: { kind?: string; name?: string; fieldPath?: string }; source?: { component?: string } };
      const obj = `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`;
      return [age(e.lastTimestamp, now), e.type ?? '', e.reason ?? '', obj, e.involvedObject?.fieldPath ?? '', e.source?.component ?? '',
        e.message ?? '', age(e.firstTimestamp, now), e.count ?? 1, o.metadata.name];
    },
  },
};

/** The rows' object, as kubectl asks by default: PartialObjectMetadata (labels for `--show-labels` and `-L`). */
function rowObject(obj: ApiObject, include: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** A Table of `items`; `includeObject` is the request's (None, Metadata by default, or Object). */
export function toTable(resource: string, items: ApiObject[], meta: Record<string, unknown>, includeObject = 'Metadata'): Record<string, unknown> {
  const kind = TABLES[resource]!;
  const now = Date.now();
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta, columnDefinitions: kind.columns,
    rows: items.map((o) => ({ cells: kind.cells(o, now), object: rowObject(o, includeObject) })),
  };
}
