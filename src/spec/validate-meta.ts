// Semantic checks of ObjectMeta (names, namespace, labels, annotations) and the accessors the validators share.

import { fieldError, quote, type FieldError } from './errors.js';
import { isDns1123Label, isDns1123Subdomain, isDns1123SubdomainPrefix, isQualifiedName, isValidLabelValue } from './names.js';
import { isRecord } from './walk.js';

// The walker has already reported every value of the wrong type; these read a value only when its type is right.
export const rec = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
export const stringEntries = (v: unknown): [string, string][] =>
  Object.entries(rec(v) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export interface MetaOptions {
  /** Validates metadata.name; a DNS-1123 subdomain for Pods, ConfigMaps and Secrets. */
  nameFn?: (name: string) => string[];
}

export function validateObjectMeta(meta: unknown, path: string, opts: MetaOptions = {}): FieldError[] {
  const errors: FieldError[] = [];
  const m = rec(meta) ?? {};
  const nameFn = opts.nameFn ?? isDns1123Subdomain;
  const name = text(m['name']);
  const generateName = text(m['generateName']);
  if (name) {
    for (const msg of nameFn(name)) errors.push(fieldError.invalid(`${path}.name`, msg));
  } else if (!generateName) {
    errors.push(fieldError.required(`${path}.name`, 'name or generateName is required'));
  }
  if (generateName && !name) {
    for (const msg of isDns1123SubdomainPrefix(generateName)) errors.push(fieldError.invalid(`${path}.generateName`, msg));
  }
  const namespace = text(m['namespace']);
  if (namespace) for (const msg of isDns1123Label(namespace)) errors.push(fieldError.invalid(`${path}.namespace`, msg));
  errors.push(...validateLabels(m['labels'], `${path}.labels`));
  errors.push(...validateAnnotations(m['annotations'], `${path}.annotations`));
  return errors;
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of stringEntries(labels)) {
    for (const msg of isQualifiedName(key)) errors.push(fieldError.invalid(path, `key ${quote(key)}: ${msg}`));
    for (const msg of isValidLabelValue(value)) errors.push(fieldError.invalid(`${path}[${key}]`, msg));
  }
  return errors;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of stringEntries(annotations)) {
    for (const msg of isQualifiedName(key.toLowerCase())) errors.push(fieldError.invalid(path, `key ${quote(key)}: ${msg}`));
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_ANNOTATIONS_BYTES) errors.push({ field: path, message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes` });
  return errors;
}

/** `apiVersion: v1` and the expected kind: the only version of these kinds wasmpod reads. */
export function validateTypeMeta(obj: Record<string, unknown>, kind: string): FieldError[] {
  const errors: FieldError[] = [];
  const apiVersion = obj['apiVersion'];
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') errors.push(fieldError.required('apiVersion'));
  else if (typeof apiVersion === 'string' && apiVersion !== 'v1') errors.push(fieldError.unsupportedValue('apiVersion', apiVersion, ['v1']));
  const k = obj['kind'];
  if (k === undefined || k === null || k === '') errors.push(fieldError.required('kind'));
  else if (typeof k === 'string' && k !== kind) errors.push(fieldError.unsupportedValue('kind', k, [kind]));
  return errors;
}
