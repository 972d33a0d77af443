// The core/v1 resources the server serves: names, kinds, verbs, how a body is validated and which fields selectors may use.
import { decodeConfigMap, decodePod, decodeSecret, ManifestError, rfc3339, type FieldError } from '../spec/index.js';
import { stripNulls } from '../spec/defaults.js';
import { isDns1123Label } from '../spec/names.js';
import { validateObjectMeta } from '../spec/validate-meta.js';
import { apiErrors } from './api-error.js';
import { dropField } from './field-errors.js';
import { withPodDefaults } from './pod-defaults.js';
import type { FieldSet } from './selectors.js';
import type { ApiObject } from './store.js';
import { randomUUID } from 'node:crypto';

/** The request's `fieldValidation`: what a field the schema does not know does to a create, update or patch. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeContext {
  /** Folder relative image paths resolve against (the server's working directory). */
  baseDir: string;
  /** Unknown fields are refused (400), dropped with a warning (the API server's default), or dropped silently. */
  fieldValidation?: FieldValidation;
  /** Takes each warning for the response's `Warning` headers. */
  warn?: (message: string) => void;
}

export interface ResourceDef {
  /** The plural name in URLs (`pods`). */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  subresources: string[];
  /** Validates a create or update body and applies defaults; throws a 422 ApiError naming every bad field. */
  decode(body: ApiObject, ctx: DecodeContext): ApiObject;
  /** Field selector values beyond metadata.name and metadata.namespace. */
  fields(obj: ApiObject): FieldSet;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function invalid(kind: string, body: ApiObject, err: unknown): never {
  if (err instanceof ManifestError) throw apiErrors.invalid(kind, body.metadata?.name ?? body.metadata?.generateName ?? '', err.causes, body);
  throw err;
}

const isUnknownField = (e: FieldError): boolean => e.message.startsWith('unknown field');

/**
 * Fills the API defaults in (before validation, as the API server's decoding does), then validates (and the spec
 * layer defaults). Fields the schema does not know are handled as the API server's decoder does, by the request's
 * fieldValidation: Strict refuses the body (400, every unknown field named), Warn (the default) and Ignore drop
 * them, Warn with a warning each, and the rest of the body is then validated without them.
 */
function decodeWith<T>(kind: string, fn: (v: unknown) => T, defaults: (body: ApiObject) => ApiObject = (b) => b) {
  return (raw: ApiObject, ctx: DecodeContext): ApiObject => {
    const body = defaults(stripNulls(raw));
    try {
      return fn(body) as unknown as ApiObject;
    } catch (err) {
      const unknown = err instanceof ManifestError ? err.causes.filter(isUnknownField) : [];
      if (unknown.length === 0) invalid(kind, body, err);
      const fields = unknown.map((e) => `unknown field ${JSON.stringify(e.field)}`);
      if (ctx.fieldValidation === 'Strict') {
        throw apiErrors.badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: strict decoding error: ${fields.join(', ')}`);
      }
      for (const e of unknown) dropField(body, e.field);
      if (ctx.fieldValidation !== 'Ignore') for (const f of fields) ctx.warn?.(f);
    }
    try {
      return fn(body) as unknown as ApiObject;
    } catch (err) {
      invalid(kind, body, err);
    }
  };
}

function decodeNamespace(body: ApiObject): ApiObject {
  const errors: FieldError[] = validateObjectMeta(body.metadata, 'metadata', { nameFn: isDns1123Label });
  if (errors.length) throw apiErrors.invalid('Namespace', body.metadata?.name ?? '', errors, body);
  const meta = { ...body.metadata };
  meta.uid ??= randomUUID();
  meta.creationTimestamp ??= rfc3339(new Date());
  delete meta.namespace;
  meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name! };
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

function decodeEvent(body: ApiObject): ApiObject {
  const errors: FieldError[] = validateObjectMeta(body.metadata, 'metadata');
  if (typeof body['involvedObject'] !== 'object' || body['involvedObject'] === null) errors.push({ field: 'involvedObject', message: 'Required value' });
  if (errors.length) throw apiErrors.invalid('Event', body.metadata?.name ?? '', errors, body);
  const meta = { ...body.metadata };
  meta.uid ??= randomUUID();
  meta.creationTimestamp ??= rfc3339(new Date());
  return { ...body, metadata: meta };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));

export const RESOURCES: ResourceDef[] = [
  {
    name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: VERBS,
    subresources: ['status', 'log', 'exec', 'portforward'],
    decode: (body, ctx) => decodeWith('Pod', (v) => decodePod(v, { baseDir: ctx.baseDir }), (b) => withPodDefaults(b, ctx.baseDir))(body, ctx),
    fields: (o) => {
      const spec = o['spec'] as { nodeName?: string; restartPolicy?: string; schedulerName?: string; serviceAccountName?: string } | undefined;
      const status = o['status'] as { phase?: string; podIP?: string } | undefined;
      return {
        'status.phase': str(status?.phase), 'status.podIP': str(status?.podIP), 'spec.nodeName': str(spec?.nodeName),
        'spec.restartPolicy': str(spec?.restartPolicy), 'spec.schedulerName': str(spec?.schedulerName),
        'spec.serviceAccountName': str(spec?.serviceAccountName),
      };
    },
  },
  {
    name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], verbs: VERBS,
    subresources: [], decode: (body, ctx) => decodeWith('ConfigMap', decodeConfigMap)(body, ctx), fields: () => ({}),
  },
  {
    name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true, shortNames: [], verbs: VERBS,
    subresources: [], decode: (body, ctx) => decodeWith('Secret', decodeSecret)(body, ctx), fields: (o) => ({ type: str(o['type']) }),
  },
  {
    name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status'],
    decode: decodeNamespace, fields: (o) => ({ 'status.phase': str((o['status'] as { phase?: string } | undefined)?.phase) }),
  },
  {
    name: 'events', singularName: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], verbs: VERBS, subresources: [],
    decode: decodeEvent,
    fields: (o) => {
      const io = (o['involvedObject'] ?? {}) as Record<string, unknown>;
      const source = (o['source'] ?? {}) as Record<string, unknown>;
      const f: FieldSet = { reason: str(o['reason']), type: str(o['type']), source: str(source['component']),
        reportingComponent: str(o['reportingComponent']) };
      for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) f[`involvedObject.${k}`] = str(io[k]);
      return f;
    },
  },
];

/** The field selector names a resource supports. */
export function fieldNames(def: ResourceDef): string[] {
  const sample = def.fields({ apiVersion: 'v1', kind: def.kind, metadata: {} });
  return ['metadata.name', ...(def.namespaced ? ['metadata.namespace'] : []), ...Object.keys(sample)];
}

/** The values an object offers to field selectors. */
export function fieldSet(def: ResourceDef, obj: ApiObject): FieldSet {
  return { 'metadata.name': obj.metadata.name ?? '', 'metadata.namespace': obj.metadata.namespace ?? '', ...def.fields(obj) };
}

export const byName = new Map(RESOURCES.map((r) => [r.name, r]));
