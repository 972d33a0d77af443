// One decoded object to a usable one: drop nulls, validate (throwing a ManifestError with every cause), apply defaults.

import {
  applyConfigMapDefaults, applyPodDefaults, applySecretDefaults, stripNulls, type DefaultsOptions,
} from './defaults.js';
import { ManifestError, type FieldError } from './errors.js';
import type { ConfigMap, Pod, Secret } from './types.js';
import { validateConfigMap, validatePod, validateSecret } from './validate.js';
import { isRecord } from './walk.js';

export interface NormalizeOptions extends DefaultsOptions {
  /** Names the input in error messages (a file name). */
  source?: string;
  /** 1-based index of the YAML document the object came from. */
  document?: number;
  /** Prepended to field paths in errors (`items[2]` for an item of a List). */
  prefix?: string;
}

export function prefixErrors(errors: FieldError[], prefix: string | undefined): FieldError[] {
  if (!prefix) return errors;
  return errors.map((e) => ({
    field: e.field === '<root>' || e.field === '' ? prefix : e.field.startsWith('[') ? prefix + e.field : `${prefix}.${e.field}`,
    message: e.message,
  }));
}

function describeObject(kind: string, value: unknown): string {
  const meta = isRecord(value) && isRecord(value['metadata']) ? value['metadata'] : {};
  if (typeof meta['name'] === 'string' && meta['name']) return `invalid ${kind} ${JSON.stringify(meta['name'])}`;
  if (typeof meta['generateName'] === 'string' && meta['generateName']) {
    return `invalid ${kind} (generateName ${JSON.stringify(meta['generateName'])})`;
  }
  return `invalid ${kind}`;
}

function check(kind: string, value: unknown, errors: FieldError[], opts: NormalizeOptions): void {
  if (errors.length === 0) return;
  throw new ManifestError({
    title: describeObject(kind, value),
    causes: prefixErrors(errors, opts.prefix),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.document !== undefined ? { document: opts.document } : {}),
  });
}

/** Validates and defaults a decoded Pod. The input is not modified. */
export function decodePod(value: unknown, opts: NormalizeOptions = {}): Pod {
  const obj = stripNulls(value);
  check('Pod', obj, validatePod(obj), opts);
  const pod = obj as Pod;
  // A manifest's status is dropped, as the API server drops it on create: status is the runtime's to write.
  delete pod.status;
  return applyPodDefaults(pod, opts);
}

/**
 * Validates and defaults a Pod given as an object (the library's `runPod(spec)`): like a Pod document of a
 * manifest, except that `apiVersion` and `kind` may both be left out. Throws a ManifestError naming every problem.
 */
export function normalizePod(spec: Pod | Record<string, unknown>, opts: NormalizeOptions = {}): Pod {
  const value: unknown = spec;
  if (isRecord(value) && value['apiVersion'] === undefined && value['kind'] === undefined) {
    return decodePod({ apiVersion: 'v1', kind: 'Pod', ...value }, opts);
  }
  return decodePod(value, opts);
}

export function decodeConfigMap(value: unknown, opts: NormalizeOptions = {}): ConfigMap {
  const obj = stripNulls(value);
  check('ConfigMap', obj, validateConfigMap(obj), opts);
  return applyConfigMapDefaults(obj as ConfigMap, opts);
}

/** Validates and defaults a decoded Secret; `stringData` is merged into `data`. Errors never show its values. */
export function decodeSecret(value: unknown, opts: NormalizeOptions = {}): Secret {
  const obj = stripNulls(value);
  check('Secret', obj, validateSecret(obj), opts);
  return applySecretDefaults(obj as Secret, opts);
}
