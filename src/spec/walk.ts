// Walks a decoded object against its schema: type errors, unknown fields and unsupported fields, all of them, with paths.

import { fieldError, type FieldError } from './errors.js';
import { isRfc3339 } from './names.js';
import { Quantity, QuantityError } from './quantity.js';
import { describe, isScalar, type FieldType } from './schema.js';
import type { SupportEntry } from './support.js';

export interface WalkOptions {
  /** The support entry of a field path pattern; absent for objects wasmpod supports whole (ConfigMap, Secret). */
  support?: (pattern: string) => SupportEntry;
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A field path pattern (`spec.containers[].name`) and its support entry, each found once per support table. */
class PatternNode {
  private children?: Map<string, PatternNode>;
  private entry?: SupportEntry;
  constructor(readonly pattern: string) {}

  /** The pattern of field `name` under this one; `[]` is the pattern of an array's items and a map's values. */
  child(name: string): PatternNode {
    const children = (this.children ??= new Map());
    let node = children.get(name);
    if (!node) {
      node = new PatternNode(name === '[]' ? `${this.pattern}[]` : this.pattern === '' ? name : `${this.pattern}.${name}`);
      children.set(name, node);
    }
    return node;
  }

  supportIn(support: (pattern: string) => SupportEntry): SupportEntry {
    return (this.entry ??= support(this.pattern));
  }
}

/**
 * The pattern tree of each support function: the walk of a pod builds no pattern and looks none up in the
 * table again (the patterns of a schema are few; a pod start walks the same ones each time).
 */
const patternTrees = new WeakMap<(pattern: string) => SupportEntry, PatternNode>();

/** A field's path, as the walk went down to it: names, array indexes and map keys. */
type Segment = string | number | { key: string };

/** `spec.containers[0].name`, `metadata.labels[app]`: how an error names its field. */
function pathOf(segments: readonly Segment[]): string {
  let path = '';
  for (const s of segments) {
    if (typeof s === 'string') path = path === '' ? s : `${path}.${s}`;
    else path += typeof s === 'number' ? `[${s}]` : `[${s.key}]`;
  }
  return path;
}

/** Checks `value` against `type`; a null field counts as absent, as Kubernetes decodes it. */
export function walk(value: unknown, type: FieldType, opts: WalkOptions = {}): FieldError[] {
  const errors: FieldError[] = [];
  const support = opts.support;
  let root: PatternNode | undefined;
  if (support) {
    root = patternTrees.get(support);
    if (!root) patternTrees.set(support, (root = new PatternNode('')));
  }
  // The path of the field being visited; a path string is made only for an error.
  const at: Segment[] = [];
  const here = (): string => pathOf(at);

  const visit = (v: unknown, t: FieldType, node: PatternNode | undefined): void => {
    switch (t.kind) {
      case 'any':
        return;
      case 'object': {
        if (!isRecord(v)) return void errors.push(fieldError.type(here(), describe(t)));
        for (const name in v) {
          if (!Object.hasOwn(v, name)) continue;
          const child = v[name];
          if (child === null || child === undefined) continue;
          const ft = Object.hasOwn(t.fields, name) ? t.fields[name] : undefined;
          at.push(name);
          if (!ft) {
            errors.push(fieldError.unknownField(here()));
          } else {
            const childNode = node?.child(name);
            const entry = childNode && support ? childNode.supportIn(support) : undefined;
            if (entry?.level === 'unsupported' && !entry.accept?.(child)) errors.push(fieldError.notSupportedYet(here(), entry.reason));
            else visit(child, ft, childNode);
          }
          at.pop();
        }
        return;
      }
      case 'array': {
        if (!Array.isArray(v)) return void errors.push(fieldError.type(here(), describe(t)));
        if (isScalar(t.items)) {
          if (!v.every((item) => scalarProblem(item, t.items) === undefined)) errors.push(fieldError.type(here(), describe(t)));
          return;
        }
        const items = node?.child('[]');
        for (let i = 0; i < v.length; i++) {
          at.push(i);
          visit(v[i], t.items, items);
          at.pop();
        }
        return;
      }
      case 'map': {
        if (!isRecord(v)) return void errors.push(fieldError.type(here(), describe(t)));
        const values = node?.child('[]');
        for (const [key, item] of Object.entries(v)) {
          at.push({ key });
          visit(item, t.values, values);
          at.pop();
        }
        return;
      }
      default: {
        const problem = scalarProblem(v, t);
        if (problem) errors.push({ field: here(), message: problem });
      }
    }
  };

  visit(value, type, root);
  return errors;
}

/** What is wrong with a scalar value, as the message of a field error; undefined when nothing is. */
function scalarProblem(v: unknown, t: FieldType): string | undefined {
  const expected = `must be ${describe(t)}`;
  switch (t.kind) {
    case 'string':
      if (typeof v !== 'string') return expected;
      if (t.enum && !t.enum.includes(v)) return fieldError.unsupportedValue('', v, t.enum).message;
      return undefined;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : expected;
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return expected;
      const ok = t.bits === 32 ? v >= -(2 ** 31) && v < 2 ** 31 : Number.isSafeInteger(v);
      return ok ? undefined : expected;
    }
    case 'intOrString':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) ? undefined : expected;
    case 'time':
      return typeof v === 'string' ? isRfc3339(v)[0] : expected;
    case 'quantity':
      if (typeof v !== 'string' && typeof v !== 'number') return expected;
      try {
        Quantity.parse(v);
        return undefined;
      } catch (err) {
        if (err instanceof QuantityError) return err.message;
        throw err;
      }
    default:
      return undefined;
  }
}
