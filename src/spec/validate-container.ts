// Semantic checks of one container (init or app): name, image, restart policy, ports, env, volume mounts, resources.

import { validateLifecycle, validateProbe } from './validate-probes.js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fieldError, type FieldError } from './errors.js';
import { isDns1123Label, isEnvVarName, isValidIP, isValidPortName, isValidPortNum } from './names.js';
import type { SupportEntry } from './support.js';
import { int, list, rec, text } from './validate-meta.js';
import { validateResources } from './validate-resources.js';
import { validateEnvSources, validateSubPath } from './validate-volume.js';

export interface PodScope {
  /** Names of the pod's volumes that volumeMounts may refer to. */
  volumes: Set<string>;
  /** Container names seen so far, init containers first. */
  containerNames: Set<string>;
  /** `hostIP:hostPort/protocol` of the app containers' ports seen so far. */
  hostPorts: Set<string>;
  /** spec.hostNetwork: a container's port is the host's, so a hostPort must be the containerPort. */
  hostNetwork?: boolean;
  support: (pattern: string) => SupportEntry;
}

// Kubernetes forbids these on init containers that are not sidecars, as nothing would ever act on them.
const SIDECAR_ONLY = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'];

export function validateContainer(value: unknown, p: string, kind: 'init' | 'app', scope: PodScope): FieldError[] {
  const c = rec(value);
  if (!c) return [];
  const errors: FieldError[] = [];
  const pattern = kind === 'init' ? 'spec.initContainers[]' : 'spec.containers[]';

  const name = c['name'];
  if (name === undefined || name === null || name === '') errors.push(fieldError.required(`${p}.name`));
  else if (typeof name === 'string') {
    for (const msg of isDns1123Label(name)) errors.push(fieldError.invalid(`${p}.name`, msg));
    if (scope.containerNames.has(name)) errors.push(fieldError.duplicate(`${p}.name`, name));
    scope.containerNames.add(name);
  }

  const image = c['image'];
  if (image === undefined || image === null || image === '') errors.push(fieldError.required(`${p}.image`));
  else if (typeof image === 'string') {
    if (image.trim() !== image) errors.push(fieldError.invalid(`${p}.image`, 'must not have leading or trailing whitespace'));
    const bad = fileUrlProblem(image);
    if (bad) errors.push(fieldError.invalid(`${p}.image`, bad));
  }

  const restartPolicy = text(c['restartPolicy']);
  if (restartPolicy !== undefined) {
    if (kind === 'app') errors.push(fieldError.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    else if (restartPolicy !== 'Always') errors.push(fieldError.unsupportedValue(`${p}.restartPolicy`, restartPolicy, ['Always']));
  }
  if (kind === 'init' && restartPolicy !== 'Always') {
    for (const field of SIDECAR_ONLY) {
      if (c[field] == null || scope.support(`${pattern}.${field}`).level === 'unsupported') continue;
      errors.push(fieldError.forbidden(`${p}.${field}`, 'may not be set for init containers without restartPolicy=Always'));
    }
  }

  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    errors.push(...validateProbe(c[probe], `${p}.${probe}`, probe));
  }
  errors.push(...validateLifecycle(c['lifecycle'], `${p}.lifecycle`));
  errors.push(...validatePorts(c['ports'], `${p}.ports`, kind, scope));
  list(c['env']).forEach((e, i) => {
    const name = rec(e)?.['name'];
    if (name === undefined || name === null || name === '') errors.push(fieldError.required(`${p}.env[${i}].name`));
    else if (typeof name === 'string') for (const msg of isEnvVarName(name)) errors.push(fieldError.invalid(`${p}.env[${i}].name`, msg));
  });
  errors.push(...validateEnvSources(c, p));
  errors.push(...validateMounts(c['volumeMounts'], `${p}.volumeMounts`, scope));
  errors.push(...validateResources(c['resources'], `${p}.resources`));
  return errors;
}

function fileUrlProblem(image: string): string | undefined {
  if (!/^file:/i.test(image)) return undefined;
  try {
    fileURLToPath(image);
    return undefined;
  } catch (err) {
    return `must be a valid file: URL (${(err as Error).message})`;
  }
}

function validatePorts(ports: unknown, p: string, kind: 'init' | 'app', scope: PodScope): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  list(ports).forEach((value, i) => {
    const port = rec(value);
    if (!port) return;
    const at = `${p}[${i}]`;
    const name = text(port['name']);
    if (name) {
      for (const msg of isValidPortName(name)) errors.push(fieldError.invalid(`${at}.name`, msg));
      if (names.has(name)) errors.push(fieldError.duplicate(`${at}.name`, name));
      names.add(name);
    }
    const containerPort = port['containerPort'];
    if (containerPort === undefined || containerPort === null || containerPort === 0) {
      errors.push(fieldError.required(`${at}.containerPort`));
    } else if (int(containerPort) !== undefined) {
      for (const msg of isValidPortNum(containerPort as number)) errors.push(fieldError.invalid(`${at}.containerPort`, msg));
    }
    const hostPort = int(port['hostPort']);
    if (hostPort !== undefined && hostPort !== 0) {
      for (const msg of isValidPortNum(hostPort)) errors.push(fieldError.invalid(`${at}.hostPort`, msg));
      const hostIP = text(port['hostIP']) ?? '';
      const key = `${hostIP ? `${hostIP}:` : ''}${hostPort}/${text(port['protocol']) ?? 'TCP'}`;
      if (kind === 'app' && scope.hostPorts.has(key)) errors.push(fieldError.duplicate(`${at}.hostPort`, key));
      if (kind === 'app') scope.hostPorts.add(key);
      if (scope.hostNetwork && int(containerPort) !== undefined && hostPort !== containerPort) {
        errors.push(fieldError.invalid(`${at}.hostPort`, 'must match `containerPort` when `hostNetwork` is true'));
      }
    }
    const hostIP = text(port['hostIP']);
    if (hostIP) for (const msg of isValidIP(hostIP)) errors.push(fieldError.invalid(`${at}.hostIP`, msg));
  });
  return errors;
}

function validateMounts(mounts: unknown, p: string, scope: PodScope): FieldError[] {
  const errors: FieldError[] = [];
  const mountPaths = new Set<string>();
  list(mounts).forEach((value, i) => {
    const mount = rec(value);
    if (!mount) return;
    const at = `${p}[${i}]`;
    const name = mount['name'];
    if (name === undefined || name === null || name === '') errors.push(fieldError.required(`${at}.name`));
    else if (typeof name === 'string' && !scope.volumes.has(name)) errors.push(fieldError.notFound(`${at}.name`, name));
    errors.push(...validateSubPath(mount['subPath'], `${at}.subPath`));
    const mountPath = mount['mountPath'];
    if (mountPath === undefined || mountPath === null || mountPath === '') errors.push(fieldError.required(`${at}.mountPath`));
    else if (typeof mountPath === 'string') {
      if (!path.posix.isAbsolute(mountPath)) errors.push(fieldError.invalid(`${at}.mountPath`, 'must be an absolute path'));
      const normal = path.posix.normalize(mountPath).replace(/(.)\/$/, '$1');
      if (mountPaths.has(normal)) errors.push(fieldError.invalid(`${at}.mountPath`, 'must be unique'));
      mountPaths.add(normal);
    }
  });
  return errors;
}
