// Image references: a local path, a file: URL, an http(s): URL optionally pinned with @sha256:, or an OCI registry reference.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageReferenceError } from './errors.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** What an image string names once parsed. `name` is its canonical form, the key of the store's records. */
export type ImageRef =
  | { kind: 'file'; name: string; path: string }
  | { kind: 'url'; name: string; url: URL; digest?: string }
  | { kind: 'registry'; name: string; registry: string; repository: string; tag?: string; digest?: string };

export type RegistryRef = Extract<ImageRef, { kind: 'registry' }>;

/** The Docker Hub: short names live there, under `library/` when they have a single component. */
export const DOCKER_HUB = 'docker.io';
const DIGEST = /^sha256:[0-9a-f]{64}$/;
// The distribution project's reference grammar (reference/regexp.go), written out here.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

/** Whether `s` is a digest wasmpod can verify (`sha256:` and 64 lowercase hex digits). */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

function checkDigest(image: string, digest: string): string {
  if (!isDigest(digest)) {
    throw new ImageReferenceError(image, `"${digest}" is not a digest wasmpod can verify (sha256: and 64 lowercase hex digits)`);
  }
  return digest;
}

/**
 * Parses an image string. Absolute paths and `file:` URLs are files (the spec layer has already made
 * relative paths absolute); `http:`/`https:` URLs may end in `@sha256:<hex>` to pin the bytes;
 * anything else is a registry reference, normalized as Docker does (`alpine` is
 * `docker.io/library/alpine:latest`).
 */
export function parseImageRef(image: string): ImageRef {
  if (image === '') throw new ImageReferenceError(image, 'empty image reference');
  if (/^file:/i.test(image)) {
    const p = fileURLToPath(image);
    return { kind: 'file', name: p, path: p };
  }
  if (path.isAbsolute(image) || /^[a-zA-Z]:[\\/]/.test(image)) return { kind: 'file', name: image, path: image };
  if (/^https?:\/\//i.test(image)) return parseUrlRef(image);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(image)) {
    throw new ImageReferenceError(image, 'only file:, http:, https: URLs and registry references (host/repo:tag) are images');
  }
  return parseRegistryRef(image);
}

function parseUrlRef(image: string): ImageRef {
  const at = image.match(/@(sha\d+:[0-9a-zA-Z]*)$/);
  const digest = at ? checkDigest(image, at[1]) : undefined;
  let url: URL;
  try {
    url = new URL(at ? image.slice(0, at.index) : image);
  } catch {
    throw new ImageReferenceError(image, 'not a valid URL');
  }
  if (url.username || url.password) throw new ImageReferenceError(image, 'credentials in the URL are not accepted; use an auth file');
  return { kind: 'url', name: image, url, ...(digest ? { digest } : {}) };
}

function parseRegistryRef(image: string): RegistryRef {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = checkDigest(image, rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(image, `"${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || parts[0].startsWith('['))) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) throw new ImageReferenceError(image, `"${registry}" is not a valid registry host`);
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const c of parts) {
    if (!COMPONENT.test(c)) {
      throw new ImageReferenceError(image, `"${c}" is not a valid repository name component (lowercase letters, digits, and . _ - between them)`);
    }
  }
  const repository = parts.join('/');
  if (!tag && !digest) tag = 'latest';
  const name = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { kind: 'registry', name, registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * Kubernetes' defaulting of `imagePullPolicy`: `Always` for the `latest` tag (or no tag), else
 * `IfNotPresent`; a digest pins the bytes, so `IfNotPresent`. An unpinned URL is like `latest`; a
 * local file is read where it is.
 */
export function defaultPullPolicy(ref: ImageRef): PullPolicy {
  if (ref.kind === 'file') return 'IfNotPresent';
  if (ref.digest) return 'IfNotPresent';
  if (ref.kind === 'url') return 'Always';
  return ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The reference string without its tag or digest, as `imageID`s and `RepoDigests` are written (`host/repo`). */
export function repositoryName(ref: RegistryRef): string {
  return `${ref.registry}/${ref.repository}`;
}
