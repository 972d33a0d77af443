// Defaults applied to a valid object, as the API server applies them on create, plus image path resolution.

import { randomInt, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigMap, Container, ObjectMeta, Pod, ResourceList, Secret } from './types.js';

export interface DefaultsOptions {
  /** The folder relative image paths resolve against (the manifest's folder); default: the working directory. */
  baseDir?: string;
  /** The creation time to record; default: now. */
  now?: Date;
}

// Kubernetes' alphabet for generated names: no vowels (no words), no look-alikes (0/o, 1/l, 3/e).
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATE_NAME_PREFIX = 63 - 5;

let cachedSecond = NaN;
let cachedText = '';

/**
 * RFC 3339 with seconds precision, as metav1.Time is serialized; `date` (a Date or epoch milliseconds)
 * defaults to now. The text of the last second asked for is kept: a pod's start stamps a few times in one.
 */
export function rfc3339(date: Date | number = Date.now()): string {
  const second = Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000);
  if (second !== cachedSecond) {
    cachedText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    cachedSecond = second;
  }
  return cachedText;
}

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATE_NAME_PREFIX) + suffix;
}

/**
 * Where a container's module is. A local path (`./app.wasm`, `../x/app.wasm`, `build/app.wasm`) resolves against
 * baseDir; a `file:` URL becomes its path; an absolute path stays. Anything else (`https://...`, `oci://...`,
 * `ghcr.io/org/app:1.0`, `app.wasm@sha256:...` pins) is left for the image layer to interpret. A bare name is a
 * local path only when it ends in `.wasm` or `.wat` and its first component is not a registry host.
 */
export function resolveImage(image: string, baseDir: string = process.cwd()): string {
  // An absolute path first: neither a file: URL nor a URL with a scheme is one.
  if (path.isAbsolute(image)) return image;
  if (/^file:/i.test(image)) return fileURLToPath(image);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(image)) return image;
  if (/^[a-zA-Z]:[\\/]/.test(image)) return image;
  return isLocalPath(image) ? path.resolve(baseDir, image) : image;
}

function isLocalPath(image: string): boolean {
  if (/^\.\.?([\\/]|$)/.test(image)) return true;
  if (!/\.(wasm|wat)$/i.test(image)) return false;
  const slash = image.search(/[\\/]/);
  if (slash < 0) return true;
  const first = image.slice(0, slash);
  return !(first.includes('.') || first.includes(':') || first === 'localhost');
}

/** A copy without null fields: Kubernetes decodes `field: null` (and `field:` in YAML) as an absent field. */
export function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripNulls(v)) as T;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = stripNulls(v);
  return out as T;
}

export function applyMetaDefaults(meta: ObjectMeta, opts: DefaultsOptions = {}): ObjectMeta {
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  if (!meta.namespace) meta.namespace = 'default';
  if (!meta.uid) meta.uid = randomUUID();
  if (!meta.creationTimestamp) meta.creationTimestamp = rfc3339(opts.now ?? new Date());
  return meta;
}

function quantitiesAsStrings(list: ResourceList | undefined): void {
  for (const [k, v] of Object.entries(list ?? {})) list![k] = String(v);
}

function applyContainerDefaults(c: Container, opts: DefaultsOptions): void {
  if (typeof c.image === 'string') c.image = resolveImage(c.image, opts.baseDir);
  for (const port of c.ports ?? []) port.protocol ??= 'TCP';
  quantitiesAsStrings(c.resources?.limits);
  quantitiesAsStrings(c.resources?.requests);
}

/** Fills in what Kubernetes would on create. Mutates and returns `pod`, which must have passed validatePod. */
export function applyPodDefaults(pod: Pod, opts: DefaultsOptions = {}): Pod {
  pod.metadata ??= {};
  applyMetaDefaults(pod.metadata, opts);
  pod.spec.restartPolicy ??= 'Always';
  pod.spec.terminationGracePeriodSeconds ??= 30;
  for (const c of pod.spec.initContainers ?? []) applyContainerDefaults(c, opts);
  for (const c of pod.spec.containers) applyContainerDefaults(c, opts);
  for (const v of pod.spec.volumes ?? []) if (v.hostPath) v.hostPath.type ??= '';
  quantitiesAsStrings(pod.spec.overhead);
  return pod;
}

export function applyConfigMapDefaults(cm: ConfigMap, opts: DefaultsOptions = {}): ConfigMap {
  cm.metadata ??= {};
  applyMetaDefaults(cm.metadata, opts);
  return cm;
}

/** Merges `stringData` over `data` (base64-encoding it) and drops it, as the API server stores a Secret. */
export function applySecretDefaults(secret: Secret, opts: DefaultsOptions = {}): Secret {
  secret.metadata ??= {};
  applyMetaDefaults(secret.metadata, opts);
  secret.type ||= 'Opaque';
  if (secret.stringData) {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete secret.stringData;
  }
  return secret;
}
