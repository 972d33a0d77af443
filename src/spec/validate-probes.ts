// Kubernetes' rules for probes and lifecycle handlers: one handler each, sane timings, threshold 1 where required.
import { fieldError, type FieldError } from './errors.js';
import { rec } from './validate-meta.js';

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

function oneHandler(h: Record<string, unknown>, p: string, allowed: string[]): FieldError[] {
  const set = HANDLERS.filter((k) => h[k] != null);
  if (set.length === 0) return [fieldError.required(p, `must specify a handler type (one of ${allowed.join(', ')})`)];
  if (set.length > 1) return [fieldError.forbidden(`${p}.${set[1]}`, 'may not specify more than 1 handler type')];
  const exec = rec(h['exec']);
  if (exec && !(Array.isArray(exec['command']) && exec['command'].length > 0)) return [fieldError.required(`${p}.exec.command`)];
  return [];
}

export function validateProbe(value: unknown, p: string, kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe'): FieldError[] {
  const probe = rec(value);
  if (!probe) return [];
  const errors = oneHandler(probe, p, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  const atLeast = (field: string, min: number): void => {
    const v = probe[field];
    if (typeof v === 'number' && v < min) errors.push(fieldError.invalid(`${p}.${field}`, `must be greater than or equal to ${min}`));
  };
  atLeast('initialDelaySeconds', 0);
  atLeast('timeoutSeconds', 1);
  atLeast('periodSeconds', 1);
  atLeast('successThreshold', 1);
  atLeast('failureThreshold', 1);
  if (kind !== 'readinessProbe' && typeof probe['successThreshold'] === 'number' && probe['successThreshold'] !== 1) {
    errors.push(fieldError.invalid(`${p}.successThreshold`, 'must be 1'));
  }
  return errors;
}

export function validateLifecycle(value: unknown, p: string): FieldError[] {
  const lc = rec(value);
  if (!lc) return [];
  const errors: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = rec(lc[hook]);
    if (!h) continue;
    errors.push(...oneHandler(h, `${p}.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    const sleep = rec(h['sleep']);
    if (sleep && typeof sleep['seconds'] === 'number' && sleep['seconds'] < 0) {
      errors.push(fieldError.invalid(`${p}.${hook}.sleep.seconds`, 'must be greater than or equal to 0'));
    }
  }
  return errors;
}
