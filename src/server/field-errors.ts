// The spec layer's field errors as the API server words them: each cause gets Kubernetes' reason (field.ErrorType)
// and body (`Invalid value: "Bad_Name": a lowercase RFC 1123 ...`), with the offending value read from the request.
import type { FieldError } from '../spec/errors.js';

/** One entry of a Status' `details.causes`. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** The prefix each error type's body starts with, as field.ErrorType's String() spells it. */
const PREFIXES: readonly [string, string][] = [
  ['Required value', 'FieldValueRequired'],
  ['Duplicate value', 'FieldValueDuplicate'],
  ['Not found', 'FieldValueNotFound'],
  ['Forbidden', 'FieldValueForbidden'],
  ['Unsupported value', 'FieldValueNotSupported'],
  ['Too long', 'FieldValueTooLong'],
  ['Too many', 'FieldValueTooMany'],
  ['Invalid value', 'FieldValueInvalid'],
];

type Segment = string | number;

/** `spec.containers[0].env[2].name` or `data[key.name]` as property names and array indices. */
function segments(field: string): Segment[] {
  return [...field.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)].map(([, bracket, plain]) =>
    bracket !== undefined ? (/^\d+$/.test(bracket) ? Number(bracket) : bracket) : plain!);
}

function valueAt(root: unknown, path: Segment[]): unknown {
  let v = root;
  for (const s of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

/** Removes the field at `field` (a spec-layer path) from `root`, as a decoder drops a field it does not know. */
export function dropField(root: unknown, field: string): void {
  const path = segments(field);
  const parent = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof parent === 'object' && parent !== null && last !== undefined) delete (parent as Record<string | number, unknown>)[last];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A bad value as the API server prints it: strings quoted, numbers and booleans bare, a missing one as "null". */
export function formatValue(value: unknown): string {
  // JSON's own spelling is the API server's for what a request body holds: "quoted", 70000, true.
  if (value === undefined || value === null) return '"null"';
  return JSON.stringify(value);
}

/**
 * What an Invalid error is about. A map entry (`data[key]`, `binaryData[key]`) is reported by its key, as the API
 * server reports config keys (and so a Secret's values never appear); a label value is reported at the labels
 * field, as ValidateLabels does; a `key "x": ...` message (label and annotation keys) names its own value.
 */
function invalidBody(e: FieldError, body: unknown): { field: string; value: unknown; detail: string } {
  const keyed = /^key ("(?:[^"\\]|\\.)*"): ([\s\S]*)$/.exec(e.message);
  if (keyed) return { field: e.field, value: JSON.parse(keyed[1]!) as string, detail: keyed[2]! };
  const path = segments(e.field);
  const last = path[path.length - 1];
  const parent = valueAt(body, path.slice(0, -1));
  if (typeof last === 'string' && e.field.endsWith(`[${last}]`) && isMap(parent)) {
    const parentField = e.field.slice(0, -(last.length + 2));
    if (parentField.endsWith('labels')) return { field: parentField, value: parent[last], detail: e.message };
    return { field: e.field, value: last, detail: e.message };
  }
  return { field: e.field, value: valueAt(body, path), detail: e.message };
}

/**
 * A spec-layer error as a Status cause. The spec layer words most errors as Kubernetes does already (`Required
 * value`, `Unsupported value: ...`, `Duplicate value: ...`, `Forbidden: ...`); what it words as a bare detail is a
 * FieldValueInvalid, which gets the `Invalid value: <value>: ` the API server puts before the detail.
 */
export function toCause(e: FieldError, body: unknown): StatusCause {
  const at = (field: string): { field?: string } => (field && field !== '<root>' ? { field } : {});
  for (const [prefix, reason] of PREFIXES) {
    if (e.message === prefix || e.message.startsWith(`${prefix}:`)) return { reason, message: e.message, ...at(e.field) };
  }
  // wasmpod's own: a field Kubernetes accepts but wasmpod cannot honour is forbidden here.
  if (e.message.startsWith('not supported yet')) return { reason: 'FieldValueForbidden', message: `Forbidden: ${e.message}`, ...at(e.field) };
  // Unknown fields keep their wording (a real server drops them, or with fieldValidation=Strict refuses the body).
  if (e.message.startsWith('unknown field')) return { reason: 'FieldValueInvalid', message: e.message, ...at(e.field) };
  const { field, value, detail } = invalidBody(e, body);
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${formatValue(value)}: ${detail}`, ...at(field) };
}

/** The Status message's list: `field: body` each, duplicates once, in brackets when there are several (an Aggregate's Error()). */
export function summarize(causes: StatusCause[]): string {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const c of causes) {
    const line = c.field ? `${c.field}: ${c.message}` : c.message;
    if (seen.has(line)) continue;
    seen.add(line);
    list.push(line);
  }
  return list.length === 1 ? list[0]! : `[${list.join(', ')}]`;
}
