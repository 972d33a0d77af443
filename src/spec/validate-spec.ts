// Semantic checks of a PodSpec: restart policy, durations, hostname, volumes, then every container.

import * as path from 'node:path';
import { fieldError, type FieldError } from './errors.js';
import { isDns1123Label } from './names.js';
import { VOLUME_SOURCES } from './schema-volume.js';
import type { SupportEntry } from './support.js';
import { validateContainer, type PodScope } from './validate-container.js';
import { validateVolumeSource } from './validate-volume.js';
import { int, list, rec, text } from './validate-meta.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const MAX_INT32 = 2 ** 31 - 1;

export function validatePodSpec(value: unknown, p: string, support: (pattern: string) => SupportEntry): FieldError[] {
  const spec = rec(value);
  if (!spec) return value === undefined || value === null ? [fieldError.required(p)] : [];
  const errors: FieldError[] = [];

  const restartPolicy = text(spec['restartPolicy']);
  if (restartPolicy !== undefined && !RESTART_POLICIES.includes(restartPolicy)) {
    errors.push(fieldError.unsupportedValue(`${p}.restartPolicy`, restartPolicy, RESTART_POLICIES));
  }
  const grace = int(spec['terminationGracePeriodSeconds']);
  if (grace !== undefined && grace < 0) {
    errors.push(fieldError.invalid(`${p}.terminationGracePeriodSeconds`, 'must be greater than or equal to 0'));
  }
  const deadline = int(spec['activeDeadlineSeconds']);
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    errors.push(fieldError.invalid(`${p}.activeDeadlineSeconds`, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  const hostname = text(spec['hostname']);
  if (hostname) for (const msg of isDns1123Label(hostname)) errors.push(fieldError.invalid(`${p}.hostname`, msg));

  const volumes = validateVolumes(spec['volumes'], `${p}.volumes`, errors);
  const scope: PodScope = { volumes, containerNames: new Set(), hostPorts: new Set(), support, hostNetwork: spec['hostNetwork'] === true };
  list(spec['initContainers']).forEach((c, i) => errors.push(...validateContainer(c, `${p}.initContainers[${i}]`, 'init', scope)));
  const containers = spec['containers'];
  if (containers === undefined || containers === null || (Array.isArray(containers) && containers.length === 0)) {
    errors.push(fieldError.required(`${p}.containers`));
  }
  list(containers).forEach((c, i) => errors.push(...validateContainer(c, `${p}.containers[${i}]`, 'app', scope)));
  return errors;
}

/** Checks the volumes and returns the names that volumeMounts may refer to. */
function validateVolumes(value: unknown, p: string, errors: FieldError[]): Set<string> {
  const names = new Set<string>();
  list(value).forEach((item, i) => {
    const v = rec(item);
    if (!v) return;
    const at = `${p}[${i}]`;
    const name = v['name'];
    if (name === undefined || name === null || name === '') errors.push(fieldError.required(`${at}.name`));
    else if (typeof name === 'string') {
      for (const msg of isDns1123Label(name)) errors.push(fieldError.invalid(`${at}.name`, msg));
      if (names.has(name)) errors.push(fieldError.duplicate(`${at}.name`, name));
      names.add(name);
    }
    const sources = Object.keys(VOLUME_SOURCES).filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) errors.push(fieldError.required(at, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errors.push(fieldError.forbidden(`${at}.${extra}`, 'may not specify more than 1 volume type'));
    errors.push(...validateVolumeSource(v, at));
    const hostPath = rec(v['hostPath']);
    if (hostPath) {
      const hp = hostPath['path'];
      if (hp === undefined || hp === null || hp === '') errors.push(fieldError.required(`${at}.hostPath.path`));
      else if (typeof hp === 'string') {
        if (!path.isAbsolute(hp)) errors.push(fieldError.invalid(`${at}.hostPath.path`, 'must be an absolute path'));
        if (hp.split(/[\\/]/).includes('..')) errors.push(fieldError.invalid(`${at}.hostPath.path`, "must not contain '..'"));
      }
    }
  });
  return names;
}
