// Semantic checks of a container's resources: resource names, non-negative quantities, requests within limits.

import { fieldError, type FieldError } from './errors.js';
import { Quantity } from './quantity.js';
import type { SupportLevel } from './support.js';
import { rec } from './validate-meta.js';

/**
 * What wasmpod does with each resource name: cpu and memory are enforced; ephemeral-storage is accepted
 * but not enforced (guests write only to their mounts). Huge pages and extended resources (`vendor.com/gpu`)
 * have nothing to schedule them on.
 */
export const RESOURCE_SUPPORT: Readonly<Record<string, SupportLevel>> = {
  cpu: 'supported',
  memory: 'supported',
  'ephemeral-storage': 'ignored',
};

function parsed(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return Quantity.parse(v);
  } catch {
    return undefined; // reported by the walker
  }
}

function checkNames(list: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(list)) {
    const field = `${path}[${name}]`;
    const level = RESOURCE_SUPPORT[name];
    if (level === undefined) {
      if (name.startsWith('hugepages-')) errors.push(fieldError.notSupportedYet(field, 'huge pages'));
      else if (name.includes('/')) errors.push(fieldError.notSupportedYet(field, 'extended resources'));
      else errors.push(fieldError.invalid(field, 'must be a standard resource type or fully qualified'));
      continue;
    }
    if (level === 'unsupported') {
      errors.push(fieldError.notSupportedYet(field));
      continue;
    }
    const q = parsed(value);
    if (q && q.sign() < 0) errors.push(fieldError.invalid(field, 'must be greater than or equal to 0'));
  }
  return errors;
}

export function validateResources(resources: unknown, path: string): FieldError[] {
  const r = rec(resources);
  if (!r) return [];
  const limits = rec(r['limits']) ?? {};
  const requests = rec(r['requests']) ?? {};
  const errors = [...checkNames(limits, `${path}.limits`), ...checkNames(requests, `${path}.requests`)];
  for (const name of Object.keys(RESOURCE_SUPPORT)) {
    const limit = parsed(limits[name]);
    const request = parsed(requests[name]);
    if (limit && request && request.compare(limit) > 0) {
      errors.push(fieldError.invalid(`${path}.requests[${name}]`, `must be less than or equal to ${name} limit of ${limit.toString()}`));
    }
  }
  return errors;
}
