// What the pod manager asks of images: is a container's image remote, and the container's config once its image is present.
import * as path from 'node:path';
import type { Container } from '../spec/types.js';
import type { ContainerConfig } from '../runtime/sandbox.js';
import type { ImageService, ResolvedImage } from './image-service.js';
import { parseImageRef, type ImageRef } from './reference.js';
import type { Platform } from './layout.js';

/** Whether a container's image is fetched (a URL or a registry reference); an unparsable one counts as remote so its error is reported as a pull's. */
export function isRemoteImage(image: string): boolean {
  try {
    return parseImageRef(image).kind !== 'file';
  } catch {
    return true;
  }
}

/** argv[0] when neither the container nor the image says: the module's file name, or the repository's last component. */
function defaultArgv0(ref: ImageRef): string {
  if (ref.kind === 'registry') return ref.repository.split('/').pop()!;
  if (ref.kind === 'url') return path.posix.basename(ref.url.pathname) || 'module.wasm';
  return path.basename(ref.path);
}

/**
 * argv as Kubernetes combines a container with its image: `command` replaces the image's Entrypoint
 * (and drops its Cmd); `args` replace the Cmd.
 */
export function imageArgv(spec: Container, image: ResolvedImage): string[] {
  const rec = image.record;
  const command = spec.command ?? rec.entrypoint ?? (spec.args === undefined ? rec.cmd?.slice(0, 1) : undefined) ?? [defaultArgv0(image.ref)];
  const args = spec.args ?? (spec.command === undefined ? (rec.entrypoint ? rec.cmd : rec.cmd?.slice(1)) : undefined) ?? [];
  return [...command, ...args];
}

/** The image config's Env first, the container's env over it (a name set by both takes the container's value). */
function mergeEnv(imageEnv: string[] | undefined, containerEnv: string[]): string[] {
  const env = new Map<string, string>();
  for (const e of [...(imageEnv ?? []), ...containerEnv]) {
    const eq = e.indexOf('=');
    env.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export interface PreparedImage {
  config: ContainerConfig;
  image: ResolvedImage;
  /** Milliseconds the pull took, when it pulled. */
  pullMs?: number;
}

/**
 * Makes a container's remote image present under its pull policy and returns the config to create
 * the container from: the module is the store's blob, checked against its digest when it is loaded.
 */
export async function prepareImage(images: ImageService, spec: Container, config: ContainerConfig, onPull: () => void,
  platform?: Platform): Promise<PreparedImage> {
  const t0 = Date.now();
  const image = await images.ensure(spec.image, { ...(spec.imagePullPolicy ? { policy: spec.imagePullPolicy } : {}), onPull, ...(platform ? { platform } : {}) });
  const pullMs = image.pulled ? { pullMs: Date.now() - t0 } : {};
  const merged = { argv: imageArgv(spec, image), env: mergeEnv(image.record.env, config.env), imageID: image.imageID };
  if (image.record.layout === 'rootfs') {
    // A root filesystem image: the backend unpacks its layers (verified by digest) when it creates the container.
    const rootfsImage = { name: image.record.name, digest: image.record.digest, layers: image.record.layers ?? [] };
    return { image, config: { ...config, ...merged, rootfsImage }, ...pullMs };
  }
  const digest = image.record.moduleDigest!;
  // A module damaged on disk is deleted here, so the next attempt pulls it again.
  await images.store.verifyBlob(spec.image, digest);
  return {
    image,
    config: { ...config, ...merged, module: { path: images.store.blobPath(digest), digest } },
    ...pullMs,
  };
}
