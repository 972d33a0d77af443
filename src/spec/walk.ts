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

const join = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

/** Checks `value` against `type`; a null field counts as absent, as Kubernetes decodes it. */
export function walk(value: unknown, type: FieldType, opts: WalkOptions = {}): FieldError[] {
  const errors: FieldError[] = [];

  const visit = (v: unknown, t: FieldType, path: string, pattern: string): void => {
    switch (t.kind) {
      case 'any':
        return;
      case 'object': {
        if (!isRecord(v)) return void errors.push(fieldError.type(path, describe(t)));
        for (const [name, child] of Object.entries(v)) {
          if (child === null || child === undefined) continue;
          const childPath = join(path, name);
          const ft = Object.hasOwn(t.fields, name) ? t.fields[name] : undefined;
          if (!ft) {
            errors.push(fieldError.unknownField(childPath));
            continue;
          }
          const childPattern = join(pattern, name);
          const support = opts.support?.(childPattern);
          if (support?.level === 'unsupported' && !support.accept?.(child)) {
            errors.push(fieldError.notSupportedYet(childPath, support.reason));
            continue;
          }
          visit(child, ft, childPath, childPattern);
        }
        return;
      }
      case 'array': {
        if (!Array.isArray(v)) return void errors.push(fieldError.type(path, describe(t)));
        if (isScalar(t.items)) {
          if (!v.every((item) => scalarProblem(item, t.items) === undefined)) errors.push(fieldError.type(path, describe(t)));
          return;
        }
        v.forEach((item, i) => visit(item, t.items, `${path}[${i}]`, `${pattern}[]`));
        return;
      }
      case 'map': {
        if (!isRecord(v)) return void errors.push(fieldError.type(path, describe(t)));
        for (const [key, item] of Object.entries(v)) visit(item, t.values, `${path}[${key}]`, `${pattern}[]`);
        return;
      }
      default: {
        const problem = scalarProblem(v, t);
        if (problem) errors.push({ field: path, message: problem });
      }
    }
  };

  visit(value, type, '', '');
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
