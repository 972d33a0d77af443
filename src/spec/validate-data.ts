// Semantic checks of ConfigMap and Secret data: key names, base64, sizes, the keys each Secret type requires.
// A Secret's values never appear in a message: errors name the key only.

import { fieldError, type FieldError } from './errors.js';
import { isConfigMapKey } from './names.js';
import { rec, stringEntries, text } from './validate-meta.js';

const MAX_SIZE = 1024 * 1024;

/** Where a base64 string stops being valid, as Go's decoder reports it; undefined when it is valid. */
export function base64Problem(value: string): string | undefined {
  const s = value.replace(/[\r\n]/g, '');
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  const pad = s.indexOf('=');
  if (pad >= 0 && !/^={1,2}$/.test(s.slice(pad))) return `illegal base64 data at input byte ${pad}`;
  if (s.length % 4 !== 0) return `illegal base64 data at input byte ${s.length - (s.length % 4)}`;
  return undefined;
}

function checkKeys(map: unknown, p: string, errors: FieldError[]): void {
  for (const key of Object.keys(rec(map) ?? {})) {
    for (const msg of isConfigMapKey(key)) errors.push(fieldError.invalid(`${p}[${key}]`, msg));
  }
}

function checkBase64(map: unknown, p: string, errors: FieldError[]): number {
  let size = 0;
  for (const [key, value] of stringEntries(map)) {
    const problem = base64Problem(value);
    if (problem) errors.push(fieldError.invalid(`${p}[${key}]`, problem));
    else size += Buffer.byteLength(value, 'base64');
  }
  return size;
}

export function validateConfigMapData(cm: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  checkKeys(cm['data'], 'data', errors);
  checkKeys(cm['binaryData'], 'binaryData', errors);
  const binary = rec(cm['binaryData']) ?? {};
  let size = checkBase64(binary, 'binaryData', errors);
  for (const [key, value] of stringEntries(cm['data'])) {
    if (Object.hasOwn(binary, key)) errors.push(fieldError.invalid(`data[${key}]`, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_SIZE) errors.push({ field: 'data', message: `Too long: must have at most ${MAX_SIZE} bytes` });
  return errors;
}

/** The keys each built-in Secret type must carry (one of them, for basic-auth). */
const REQUIRED_KEYS: Readonly<Record<string, { all?: string[]; anyOf?: string[] }>> = {
  'kubernetes.io/dockercfg': { all: ['.dockercfg'] },
  'kubernetes.io/dockerconfigjson': { all: ['.dockerconfigjson'] },
  'kubernetes.io/basic-auth': { anyOf: ['username', 'password'] },
  'kubernetes.io/ssh-auth': { all: ['ssh-privatekey'] },
  'kubernetes.io/tls': { all: ['tls.crt', 'tls.key'] },
};

export function validateSecretData(secret: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  checkKeys(secret['data'], 'data', errors);
  checkKeys(secret['stringData'], 'stringData', errors);
  const sizes = new Map<string, number>();
  for (const [key, value] of stringEntries(secret['data'])) {
    if (!base64Problem(value)) sizes.set(key, Buffer.byteLength(value, 'base64'));
  }
  checkBase64(secret['data'], 'data', errors);
  for (const [key, value] of stringEntries(secret['stringData'])) sizes.set(key, Buffer.byteLength(value));
  const total = [...sizes].reduce((n, [key, size]) => n + key.length + size, 0);
  if (total > MAX_SIZE) errors.push({ field: 'data', message: `Too long: must have at most ${MAX_SIZE} bytes` });

  const type = text(secret['type']);
  const rule = type ? REQUIRED_KEYS[type] : undefined;
  const has = (k: string): boolean => sizes.has(k);
  for (const key of rule?.all ?? []) if (!has(key)) errors.push(fieldError.required(`data[${key}]`));
  if (rule?.anyOf && !rule.anyOf.some(has)) for (const key of rule.anyOf) errors.push(fieldError.required(`data[${key}]`));
  if (type === 'kubernetes.io/service-account-token') {
    const annotations = rec(rec(secret['metadata'])?.['annotations']) ?? {};
    const key = 'kubernetes.io/service-account.name';
    if (!text(annotations[key])) errors.push(fieldError.required(`metadata.annotations[${key}]`));
  }
  return errors;
}
