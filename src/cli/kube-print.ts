// How the CLI verbs print objects for `-o json|yaml`: as kubectl does (keys sorted, YAML 1.1 quoting, lists not indented).
import YAML from 'yaml';

/** A copy with every object's keys in order, as Go's encoding of a map gives them (kubectl prints what it decoded into maps). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

/**
 * One value as kubectl prints it: JSON with 4 spaces, or YAML as go-yaml v2 writes it (sequences at their key's
 * indent; strings that YAML 1.1 would read as something else, like timestamps, "yes" or "on", quoted).
 */
export function formatValue(value: unknown, output: 'json' | 'yaml', sorted = true): string {
  const v = sorted ? sortKeys(value) : value;
  return output === 'json' ? `${JSON.stringify(v, null, 4)}\n` : YAML.stringify(v, { version: '1.1', indentSeq: false, sortMapEntries: sorted });
}

/**
 * The objects a verb got back: one alone, several as a v1 List. `get` prints the server's list (`metadata.resourceVersion: ""`);
 * `apply` builds its own, whose JSON has kind first and empty metadata.
 */
export function formatObjects(items: unknown[], single: boolean, output: 'json' | 'yaml', list: 'get' | 'apply' = 'get'): string {
  if (single) return formatValue(items[0], output);
  if (list === 'get') return formatValue({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, output);
  if (output === 'yaml') return formatValue({ apiVersion: 'v1', items, kind: 'List', metadata: {} }, output);
  return formatValue({ kind: 'List', apiVersion: 'v1', metadata: {}, items: items.map(sortKeys) }, output, false);
}
