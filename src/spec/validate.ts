// Validation of decoded Pods, ConfigMaps and Secrets: every problem of an object, each at its field path.

import { fieldError, sortErrors, type FieldError } from './errors.js';
import { configMap as configMapSchema, pod as podSchema, secret as secretSchema } from './schema-pod.js';
import { LINUX_SUPPORT, SUPPORT, supportOf, type SupportEntry } from './support.js';
import { validateConfigMapData, validateSecretData } from './validate-data.js';
import { validateObjectMeta, validateTypeMeta } from './validate-meta.js';
import { validatePodSpec } from './validate-spec.js';
import { isRecord, walk } from './walk.js';

function notAnObject(value: unknown): FieldError[] {
  return [fieldError.type('<root>', `an object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`)];
}

/**
 * Checks a decoded v1 Pod: field types, unknown fields, fields wasmpod does not support yet (see support.ts),
 * then the rules of the Kubernetes API server. Returns every error found; an empty list means valid.
 */
// One function per table, made once: the walk keeps what each has answered (walk.ts).
const wasmSupport = (pattern: string): SupportEntry => supportOf(pattern, SUPPORT);
const linuxSupport = (pattern: string): SupportEntry => supportOf(pattern, LINUX_SUPPORT);

export function validatePod(value: unknown): FieldError[] {
  if (!isRecord(value)) return notAnObject(value);
  const linux = isRecord(value['spec']) && value['spec']['runtimeClassName'] === 'linux';
  const support = linux ? linuxSupport : wasmSupport;
  return sortErrors([
    ...validateTypeMeta(value, 'Pod'),
    ...walk(value, podSchema, { support }),
    ...validateObjectMeta(value['metadata'], 'metadata'),
    ...validatePodSpec(value['spec'], 'spec', support),
  ]);
}

export function validateConfigMap(value: unknown): FieldError[] {
  if (!isRecord(value)) return notAnObject(value);
  return sortErrors([
    ...validateTypeMeta(value, 'ConfigMap'),
    ...walk(value, configMapSchema),
    ...validateObjectMeta(value['metadata'], 'metadata'),
    ...validateConfigMapData(value),
  ]);
}

/** Checks a decoded v1 Secret. No message carries a value of the Secret's data or stringData. */
export function validateSecret(value: unknown): FieldError[] {
  if (!isRecord(value)) return notAnObject(value);
  return sortErrors([
    ...validateTypeMeta(value, 'Secret'),
    ...walk(value, secretSchema),
    ...validateObjectMeta(value['metadata'], 'metadata'),
    ...validateSecretData(value),
  ]);
}
