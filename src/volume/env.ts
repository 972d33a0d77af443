// A container's environment: envFrom, then env with value or valueFrom (fieldRef, configMapKeyRef, secretKeyRef).
import type { Container, KeySelector, Pod } from '../spec/types.js';
import type { ConfigLookup } from './config-sources.js';
import { ConfigRefError } from './errors.js';
import { fieldValue } from './field-ref.js';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function keyRef(kind: 'configmap' | 'secret', sel: KeySelector, data: Map<string, Buffer> | undefined): string | undefined {
  const name = sel.name ?? '';
  if (!data) {
    if (sel.optional) return undefined;
    throw new ConfigRefError(`${kind} "${name}" not found`);
  }
  const v = data.get(sel.key);
  if (v === undefined) {
    if (sel.optional) return undefined;
    throw new ConfigRefError(`couldn't find key ${sel.key} in ${kind} "${name}"`);
  }
  return v.toString('utf8');
}

/**
 * As the kubelet builds it: envFrom sources in order (keys that are not valid variable names are
 * skipped), then env entries, a later name replacing an earlier one. Throws ConfigRefError (the
 * kubelet's CreateContainerConfigError) for a missing non-optional reference.
 */
export function containerEnv(pod: Pod, c: Container, lookup: ConfigLookup): string[] {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    if (!ref) continue;
    const data = from.configMapRef ? lookup.configMap(ref.name ?? '') : lookup.secret(ref.name ?? '');
    if (!data) {
      if (ref.optional) continue;
      throw new ConfigRefError(`${kind} "${ref.name ?? ''}" not found`);
    }
    for (const [k, v] of data) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, v.toString('utf8'));
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    let value: string | undefined = e.value ?? '';
    if (from?.fieldRef) value = fieldValue(pod, from.fieldRef.fieldPath);
    else if (from?.configMapKeyRef) value = keyRef('configmap', from.configMapKeyRef, lookup.configMap(from.configMapKeyRef.name ?? ''));
    else if (from?.secretKeyRef) value = keyRef('secret', from.secretKeyRef, lookup.secret(from.secretKeyRef.name ?? ''));
    if (value !== undefined) env.set(e.name, value);
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}
