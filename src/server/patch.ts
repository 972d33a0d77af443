// The three PATCH formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the common cases of strategic merge patch.
import { ApiError, apiErrors } from './api-error.js';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** A JSON pointer (RFC 6901) as its unescaped tokens. */
function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw apiErrors.badRequest(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path === '' ? [] : path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], op: string): { parent: Record<string, Json> | Json[]; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (next === undefined) throw apiErrors.badRequest(`${op}: path /${tokens.join('/')} does not exist`);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw apiErrors.badRequest(`${op}: path /${tokens.join('/')} does not exist`);
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function index(arr: Json[], key: string, op: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i === arr.length)) throw apiErrors.badRequest(`${op}: array index ${key} out of range`);
  return i;
}

function getAt(doc: Json, tokens: string[], op: string): Json {
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, op);
  const v = Array.isArray(parent) ? parent[index(parent, key, op, false)] : parent[key];
  if (v === undefined) throw apiErrors.badRequest(`${op}: path /${tokens.join('/')} does not exist`);
  return v;
}

function removeAt(doc: Json, tokens: string[], op: string): Json {
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) return parent.splice(index(parent, key, op, false), 1)[0];
  if (!(key in parent)) throw apiErrors.badRequest(`${op}: path /${tokens.join('/')} does not exist`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: Json, tokens: string[], value: Json, op: string): Json {
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) parent.splice(index(parent, key, op, true), 0, value);
  else parent[key] = value;
  return doc;
}

/** RFC 6902: add, remove, replace, move, copy, test, in order; a failed `test` or a bad path fails the whole patch. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw apiErrors.badRequest('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  ops.forEach((raw, i) => {
    if (!isObject(raw)) throw apiErrors.badRequest(`JSON patch operation ${i} is not an object`);
    const op = String(raw['op']);
    const path = pointer(raw['path']);
    switch (op) {
      case 'add': doc = addAt(doc, path, structuredClone(raw['value']), op); break;
      case 'remove': removeAt(doc, path, op); break;
      case 'replace':
        if (path.length === 0) { doc = structuredClone(raw['value']); break; }
        removeAt(doc, path, op);
        doc = addAt(doc, path, structuredClone(raw['value']), op);
        break;
      case 'move': case 'copy': {
        const from = pointer(raw['from']);
        const v = op === 'move' ? removeAt(doc, from, op) : structuredClone(getAt(doc, from, op));
        doc = addAt(doc, path, v, op);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path, op)) !== JSON.stringify(raw['value'])) {
          throw new ApiError(422, 'Invalid', `JSON patch operation ${i}: test failed: the value at ${String(raw['path'])} is not ${JSON.stringify(raw['value'])}`);
        }
        break;
      default: throw apiErrors.badRequest(`JSON patch operation ${i}: unsupported op ${JSON.stringify(op)}`);
    }
  });
  return doc;
}

/** The merge keys of the lists in core/v1 objects that strategic merge patch merges element by element. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  ports: 'containerPort', volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name',
  hostAliases: 'ip', conditions: 'type', ownerReferences: 'uid', topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name', schedulingGates: 'name', podIPs: 'ip', hostIPs: 'ip',
};
/** Lists of scalars merged as sets. */
const MERGED_SETS = new Set(['finalizers']);

function mergeList(field: string, target: Json[], patch: Json[]): Json[] {
  const key = MERGE_KEYS[field];
  if (MERGED_SETS.has(field)) return [...target, ...patch.filter((v) => !target.includes(v))];
  if (!key) return patch.filter((v) => !(isObject(v) && v['$patch'] !== undefined)).map((v) => structuredClone(v));
  if (patch.some((v) => isObject(v) && v['$patch'] === 'replace')) {
    return patch.filter((v) => !(isObject(v) && v['$patch'] === 'replace')).map((v) => structuredClone(v));
  }
  const out = target.map((v) => structuredClone(v));
  for (const item of patch) {
    if (!isObject(item)) throw apiErrors.badRequest(`strategic merge patch: ${field} must be a list of objects`);
    const at = out.findIndex((v) => isObject(v) && v[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMerge(out[at], item);
    else out.push(strategicMerge({}, item));
  }
  return out;
}

/**
 * Strategic merge patch as kubectl sends it for core/v1 objects: maps merge, null deletes, lists with a merge
 * key (containers by name, ports by containerPort...) merge element by element, other lists are replaced;
 * the directives `$patch` (replace, delete), `$retainKeys` and `$deleteFromPrimitiveList/` are honoured and
 * `$setElementOrder/` is accepted.
 */
export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _drop, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(v) ? v : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((x) => !drop.includes(x));
      continue;
    }
    if (v === null || (isObject(v) && v['$patch'] === 'delete')) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(k, Array.isArray(out[k]) ? (out[k] as Json[]) : [], v);
    else out[k] = strategicMerge(out[k], v);
  }
  if (Array.isArray(patch['$retainKeys'])) {
    const keep = patch['$retainKeys'] as Json[];
    for (const k of Object.keys(out)) if (!keep.includes(k)) delete out[k];
  }
  return out;
}

/** Applies a PATCH body of the given media type to a copy of `target`. */
export function applyPatch(type: string, target: Json, patch: Json): Json {
  switch (type) {
    case 'application/merge-patch+json': return mergePatch(target, patch);
    case 'application/json-patch+json': return jsonPatch(target, patch);
    case 'application/strategic-merge-patch+json': return strategicMerge(target, patch);
    default: throw apiErrors.unsupportedMediaType(type);
  }
}
