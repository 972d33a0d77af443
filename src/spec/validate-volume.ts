// Semantic checks of volume sources (emptyDir, configMap, secret, downwardAPI, projected), subPath, env valueFrom and envFrom.

import * as path from 'node:path';
import { fieldError, type FieldError } from './errors.js';
import { isConfigMapKey, isEnvVarName } from './names.js';
import { parseQuantity } from './quantity.js';
import { int, list, rec, text } from './validate-meta.js';

const SUBSCRIPT = /^metadata\.(labels|annotations)\['([^']*)'\]$/;

/** The downward API field paths wasmpod answers: env may name one label or annotation, a file may hold them all. */
export function isSupportedFieldPath(fieldPath: string, forEnv: boolean): boolean {
  if (['metadata.name', 'metadata.namespace', 'metadata.uid'].includes(fieldPath) || SUBSCRIPT.test(fieldPath)) return true;
  return !forEnv && (fieldPath === 'metadata.labels' || fieldPath === 'metadata.annotations');
}

/** A path inside a volume: relative, without "..", as Kubernetes' validateLocalDescendingPath. */
export function localPathProblem(p: string): string | undefined {
  if (path.posix.isAbsolute(p)) return 'must be a relative path';
  if (p.split('/').includes('..')) return "must not contain '..'";
  return undefined;
}

function checkMode(value: unknown, at: string, errors: FieldError[]): void {
  const mode = int(value);
  if (mode !== undefined && (mode < 0 || mode > 0o777)) {
    errors.push(fieldError.invalid(at, 'must be a number between 0 and 0777 (octal), both inclusive'));
  }
}

function checkPath(value: unknown, at: string, errors: FieldError[]): void {
  const p = text(value);
  if (!p) return void errors.push(fieldError.required(at));
  const problem = localPathProblem(p);
  if (problem) errors.push(fieldError.invalid(at, problem));
}

function checkFieldRef(value: unknown, at: string, forEnv: boolean, errors: FieldError[]): void {
  const fieldPath = text(rec(value)?.['fieldPath']);
  if (!fieldPath) return void errors.push(fieldError.required(`${at}.fieldPath`));
  if (!isSupportedFieldPath(fieldPath, forEnv)) {
    const allowed = ['metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['<KEY>']", "metadata.annotations['<KEY>']",
      ...(forEnv ? [] : ['metadata.labels', 'metadata.annotations'])];
    errors.push(fieldError.unsupportedValue(`${at}.fieldPath`, fieldPath, allowed));
  }
}

function checkItems(value: unknown, at: string, errors: FieldError[]): void {
  list(value).forEach((item, i) => {
    const it = rec(item);
    if (!it) return;
    const key = text(it['key']);
    if (!key) errors.push(fieldError.required(`${at}[${i}].key`));
    else for (const msg of isConfigMapKey(key)) errors.push(fieldError.invalid(`${at}[${i}].key`, msg));
    checkPath(it['path'], `${at}[${i}].path`, errors);
    checkMode(it['mode'], `${at}[${i}].mode`, errors);
  });
}

function checkDownwardItems(value: unknown, at: string, errors: FieldError[]): void {
  list(value).forEach((item, i) => {
    const it = rec(item);
    if (!it) return;
    checkPath(it['path'], `${at}[${i}].path`, errors);
    if (it['fieldRef'] == null) errors.push(fieldError.required(`${at}[${i}].fieldRef`));
    else checkFieldRef(it['fieldRef'], `${at}[${i}].fieldRef`, false, errors);
    checkMode(it['mode'], `${at}[${i}].mode`, errors);
  });
}

/** Checks the source of one volume (`at` is `spec.volumes[i]`). */
export function validateVolumeSource(v: Record<string, unknown>, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const emptyDir = rec(v['emptyDir']);
  if (emptyDir) {
    const medium = emptyDir['medium'];
    if (medium !== undefined && medium !== '' && medium !== 'Memory') errors.push(fieldError.unsupportedValue(`${at}.emptyDir.medium`, medium, ['', 'Memory']));
    const size = emptyDir['sizeLimit'];
    if (size !== undefined && size !== null) {
      try {
        if (parseQuantity(size as string).sign() < 0) errors.push(fieldError.invalid(`${at}.emptyDir.sizeLimit`, 'must be greater than or equal to 0'));
      } catch (err) {
        errors.push(fieldError.invalid(`${at}.emptyDir.sizeLimit`, (err as Error).message));
      }
    }
  }
  const configMap = rec(v['configMap']);
  if (configMap) {
    if (!text(configMap['name'])) errors.push(fieldError.required(`${at}.configMap.name`));
    checkItems(configMap['items'], `${at}.configMap.items`, errors);
    checkMode(configMap['defaultMode'], `${at}.configMap.defaultMode`, errors);
  }
  const secret = rec(v['secret']);
  if (secret) {
    if (!text(secret['secretName'])) errors.push(fieldError.required(`${at}.secret.secretName`));
    checkItems(secret['items'], `${at}.secret.items`, errors);
    checkMode(secret['defaultMode'], `${at}.secret.defaultMode`, errors);
  }
  const downward = rec(v['downwardAPI']);
  if (downward) {
    checkDownwardItems(downward['items'], `${at}.downwardAPI.items`, errors);
    checkMode(downward['defaultMode'], `${at}.downwardAPI.defaultMode`, errors);
  }
  const projected = rec(v['projected']);
  if (projected) {
    checkMode(projected['defaultMode'], `${at}.projected.defaultMode`, errors);
    list(projected['sources']).forEach((s, i) => {
      const src = rec(s);
      if (!src) return;
      const p = `${at}.projected.sources[${i}]`;
      const kinds = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'].filter((k) => src[k] != null);
      if (kinds.length === 0) errors.push(fieldError.required(p, 'must specify exactly one projection'));
      for (const extra of kinds.slice(1)) errors.push(fieldError.forbidden(`${p}.${extra}`, 'may not specify more than 1 volume type per source'));
      for (const k of ['configMap', 'secret'] as const) {
        const ref = rec(src[k]);
        if (!ref) continue;
        if (!text(ref['name'])) errors.push(fieldError.required(`${p}.${k}.name`));
        checkItems(ref['items'], `${p}.${k}.items`, errors);
      }
      const dapi = rec(src['downwardAPI']);
      if (dapi) checkDownwardItems(dapi['items'], `${p}.downwardAPI.items`, errors);
    });
  }
  return errors;
}

export function validateSubPath(value: unknown, at: string): FieldError[] {
  const p = text(value);
  const problem = p ? localPathProblem(p) : undefined;
  return problem ? [fieldError.invalid(at, problem)] : [];
}

/** env[i] (value or valueFrom with one source) and envFrom[i] (one source with a name, a valid prefix). */
export function validateEnvSources(c: Record<string, unknown>, p: string): FieldError[] {
  const errors: FieldError[] = [];
  list(c['env']).forEach((e, i) => {
    const from = rec(rec(e)?.['valueFrom']);
    if (!from) return;
    const at = `${p}.env[${i}]`;
    if (text(rec(e)?.['value'])) errors.push(fieldError.invalid(`${at}.valueFrom`, 'may not be specified when `value` is not empty'));
    const kinds = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((k) => from[k] != null);
    if (kinds.length !== 1) errors.push(fieldError.invalid(`${at}.valueFrom`, 'may not have more than one field specified at a time'));
    if (from['fieldRef'] != null) checkFieldRef(from['fieldRef'], `${at}.valueFrom.fieldRef`, true, errors);
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = rec(from[k]);
      if (!ref) continue;
      if (!text(ref['name'])) errors.push(fieldError.required(`${at}.valueFrom.${k}.name`));
      const key = text(ref['key']);
      if (!key) errors.push(fieldError.required(`${at}.valueFrom.${k}.key`));
      else for (const msg of isConfigMapKey(key)) errors.push(fieldError.invalid(`${at}.valueFrom.${k}.key`, msg));
    }
  });
  list(c['envFrom']).forEach((e, i) => {
    const from = rec(e);
    if (!from) return;
    const at = `${p}.envFrom[${i}]`;
    const prefix = text(from['prefix']);
    if (prefix) for (const msg of isEnvVarName(prefix)) errors.push(fieldError.invalid(`${at}.prefix`, msg));
    const kinds = ['configMapRef', 'secretRef'].filter((k) => from[k] != null);
    if (kinds.length !== 1) errors.push(fieldError.invalid(at, 'must specify exactly one of configMapRef or secretRef'));
    for (const k of kinds) if (!text(rec(from[k])?.['name'])) errors.push(fieldError.required(`${at}.${k}.name`));
  });
  return errors;
}
