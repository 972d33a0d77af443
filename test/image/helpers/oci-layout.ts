// Builds ordinary OCI images (and multi-platform indexes) as an OCI layout on disk, and pushes them with skopeo.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ImageSpec {
  /** The image config's `config` (Entrypoint, Cmd, Env). */
  run?: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[] };
  os?: string;
  architecture?: string;
  /** Layer blobs (gzipped tars unless layerMediaType says otherwise). */
  layers: Buffer[];
  layerMediaType?: string;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function blob(dir: string, bytes: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } {
  const digest = sha(bytes);
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

function manifestOf(dir: string, img: ImageSpec): { mediaType: string; digest: string; size: number; platform: { os: string; architecture: string } } {
  const os = img.os ?? 'linux';
  const architecture = img.architecture ?? 'amd64';
  const layers = img.layers.map((l) => blob(dir, l, img.layerMediaType ?? 'application/vnd.oci.image.layer.v1.tar+gzip'));
  const diffIds = img.layers.map((l) => sha(l[0] === 0x1f && l[1] === 0x8b ? gunzipSync(l) : l));
  const config = blob(dir, Buffer.from(JSON.stringify({
    architecture, os, config: img.run ?? {}, rootfs: { type: 'layers', diff_ids: diffIds },
  })), 'application/vnd.oci.image.config.v1+json');
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers }));
  return { ...blob(dir, manifest, 'application/vnd.oci.image.manifest.v1+json'), platform: { os, architecture } };
}

/** Writes an OCI layout at `dir` whose `tag` is one image, or an index of several (one per platform). */
export function writeLayout(dir: string, tag: string, images: ImageSpec[]): void {
  const manifests = images.map((img) => manifestOf(dir, img));
  let top: object = manifests[0];
  if (images.length > 1) {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
    top = blob(dir, index, 'application/vnd.oci.image.index.v1+json');
  }
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
}

/**
 * `skopeo copy --all oci:DIR:TAG docker://DEST` over plain HTTP; with `format: 'v2s2'` skopeo converts the
 * image to Docker's media types (manifest v2 schema 2, manifest list) on the way. Throws with skopeo's stderr on failure.
 */
export function skopeoPush(dir: string, tag: string, dest: string, format?: 'v2s2'): void {
  const r = spawnSync('skopeo', ['--insecure-policy', 'copy', '--all', ...(format ? ['--format', format] : []), '--dest-tls-verify=false', '--dest-no-creds',
    `oci:${dir}:${tag}`, `docker://${dest}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skopeo copy to ${dest}: ${r.stderr}`);
}
