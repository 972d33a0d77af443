// An OCI image layout directory as a container image: its linux manifest's layers unpacked once into a content-addressed rootfs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageStore, type LayerDescriptor } from '../../image/store.js';
import { unpackLayers } from '../../image/unpack.js';
import { chooseManifest, isIndex, manifestParts } from '../../image/layout.js';
import { ImageProtocolError } from '../../image/errors.js';
import type { Descriptor, ManifestDoc } from '../../image/registry.js';

/** Node's architecture names as OCI platforms spell them (Go's GOARCH). */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

const hex = (digest: string): string => digest.replace(/^sha256:/, '');

/** Reads and parses a JSON blob of the layout, naming the file when it is missing or malformed. */
function readJson(image: string, file: string): ManifestDoc {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestDoc;
  } catch (err) {
    throw new ImageProtocolError(image, `cannot read ${path.relative(image, file)}: ${(err as Error).message}`);
  }
}

/** This machine's platform as OCI images name it (`linux/amd64`): what the Linux backend pulls and unpacks. */
export function linuxPlatform(): { os: string; architecture: string } {
  return { os: 'linux', architecture: GOARCH[os.arch()] ?? os.arch() };
}

/** The layout's image manifest for this machine's linux platform (an index is followed down to it). */
function linuxManifest(image: string): { digest: string; doc: ManifestDoc } {
  const blob = (d: Descriptor): string => path.join(image, 'blobs', 'sha256', hex(d.digest));
  const platform = linuxPlatform();
  let desc = chooseOrOnly(image, readJson(image, path.join(image, 'index.json')), platform);
  for (let depth = 0; depth < 4; depth++) {
    const doc = readJson(image, blob(desc));
    if (!isIndex(doc.mediaType ?? desc.mediaType)) return { digest: desc.digest, doc };
    desc = chooseOrOnly(image, doc, platform);
  }
  throw new ImageProtocolError(image, 'indexes nest too deep');
}

/** An index of one manifest without a platform names it (the common single-image layout); otherwise choose by platform. */
function chooseOrOnly(image: string, index: ManifestDoc, platform: { os: string; architecture: string }): Descriptor {
  const only = index.manifests?.length === 1 ? index.manifests[0] : undefined;
  if (only && !only.platform) return only;
  return chooseManifest(image, index, platform);
}

/**
 * The root filesystem of the OCI image layout at `image`: its layers are copied into the image store
 * (each verified against its digest) and unpacked, once per manifest digest, into `rootfsDir`/HEX.
 * Resolves with that directory and the manifest digest (the container's imageID).
 */
export async function unpackOciLayout(image: string, stateDir: string, rootfsDir: string): Promise<{ rootfs: string; imageID: string }> {
  const { digest, doc } = linuxManifest(image);
  const target = path.join(rootfsDir, hex(digest));
  if (fs.existsSync(target)) return { rootfs: target, imageID: digest };
  const { layers } = manifestParts(image, doc);
  const store = new ImageStore(stateDir);
  for (const l of layers) {
    await store.writeBlob(image, fs.createReadStream(path.join(image, 'blobs', 'sha256', hex(l.digest))), { digest: l.digest, size: l.size });
  }
  return { rootfs: await unpackOnce(image, store, layers, target), imageID: digest };
}

/**
 * Unpacks `layers` (blobs of `store`, each verified by digest) into `target` unless it is there already;
 * the layers are unpacked beside it and renamed into place, so a pod never sees a half-unpacked root.
 */
export async function unpackOnce(image: string, store: ImageStore, layers: LayerDescriptor[], target: string): Promise<string> {
  if (fs.existsSync(target)) return target;
  const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await unpackLayers(image, store, layers, tmp);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw err;
  }
  return target;
}
