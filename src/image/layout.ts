// Image layouts: choosing the wasi/wasm manifest of an index, and finding the module in a wasm artifact or an ordinary image's layer.
import type { ReadEntry } from 'tar';
import { ImageNotWasmError, ImageProtocolError } from './errors.js';
import { MEDIA, checkDescriptor, type Descriptor, type ManifestDoc } from './registry.js';

/** A platform to pick from an index: wasm by default; the Linux backend asks for linux and its architecture. */
export interface Platform {
  os: string;
  architecture: string;
}

export const WASM_PLATFORM: Platform = { os: 'wasi', architecture: 'wasm' };
/** OS names used for WASI images in the wild (`wasi` by containerd's shims, `wasip1`/`wasip2` by the wasm OCI artifact spec). */
const WASI_OSES = new Set(['wasi', 'wasip1', 'wasip2']);

const TAR_LAYERS = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
]);
/** The largest module taken out of a layer into memory. */
const MAX_MODULE_BYTES = 512 * 1024 * 1024;

export const isIndex = (mediaType: string): boolean => mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
export const isTarLayer = (mediaType: string): boolean => TAR_LAYERS.has(mediaType);

function matches(p: Descriptor['platform'], want: Platform): boolean {
  if (!p) return false;
  if (want.architecture === 'wasm') return p.architecture === 'wasm' && WASI_OSES.has(p.os ?? '');
  return p.os === want.os && p.architecture === want.architecture;
}

/** The index entry for `platform`, or an error listing the platforms the index has. */
export function chooseManifest(image: string, index: ManifestDoc, platform: Platform): Descriptor {
  if (!Array.isArray(index.manifests)) throw new ImageProtocolError(image, 'the image index has no manifests list');
  const entries = index.manifests.map((m, i) => checkDescriptor(image, m, `index entry ${i}`));
  const found = entries.find((m) => matches(m.platform, platform));
  if (found) return found;
  const have = entries.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'no platform')).join(', ');
  const want = platform.architecture === 'wasm' ? 'wasi/wasm' : `${platform.os}/${platform.architecture}`;
  const err = `the index has no ${want} image (it has: ${have || 'nothing'})`;
  throw platform.architecture === 'wasm' ? new ImageNotWasmError(image, err) : new ImageProtocolError(image, err);
}

/** What an image manifest is: its config and layers, checked. */
export function manifestParts(image: string, doc: ManifestDoc): { config: Descriptor; layers: Descriptor[] } {
  if (doc.schemaVersion !== 2) throw new ImageProtocolError(image, `manifest schemaVersion ${doc.schemaVersion} is not supported (only 2)`);
  const config = checkDescriptor(image, doc.config, 'manifest config');
  if (!Array.isArray(doc.layers)) throw new ImageProtocolError(image, 'manifest has no layers list');
  return { config, layers: doc.layers.map((l, i) => checkDescriptor(image, l, `layer ${i}`)) };
}

/** The one `application/wasm` layer of a wasm OCI artifact. */
export function wasmArtifactLayer(image: string, layers: Descriptor[]): Descriptor {
  const wasm = layers.filter((l) => l.mediaType === MEDIA.wasmLayer);
  if (wasm.length !== 1) {
    throw new ImageNotWasmError(image, `a wasm artifact must have exactly one ${MEDIA.wasmLayer} layer; this one has ${wasm.length}`);
  }
  return wasm[0];
}

/** The fields of an OCI/Docker image config that say how to run it. */
export interface RunConfig {
  os?: string;
  architecture?: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
}

export function parseRunConfig(image: string, bytes: Buffer): RunConfig {
  let doc: { os?: string; architecture?: string; config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null } };
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ImageProtocolError(image, 'the image config is not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw new ImageProtocolError(image, 'the image config is not a JSON object');
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') && v.length ? v : undefined);
  const c = doc.config ?? {};
  const out: RunConfig = { ...(doc.os ? { os: doc.os } : {}), ...(doc.architecture ? { architecture: doc.architecture } : {}) };
  const entrypoint = strings(c.Entrypoint);
  const cmd = strings(c.Cmd);
  const env = strings(c.Env);
  return { ...out, ...(entrypoint ? { entrypoint } : {}), ...(cmd ? { cmd } : {}), ...(env ? { env } : {}) };
}

const normalizeEntry = (p: string): string => p.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');

/**
 * Takes the module out of an ordinary image's single layer: the file the entrypoint (or, without one,
 * the command) names, or else the layer's only `.wasm` file. It must start with the wasm magic number.
 */
export async function moduleFromLayer(image: string, layerFile: string, layer: Descriptor, run: RunConfig): Promise<{ bytes: Buffer; path: string }> {
  if (!isTarLayer(layer.mediaType)) {
    throw new ImageNotWasmError(image, `layer media type ${layer.mediaType} is neither ${MEDIA.wasmLayer} nor a tar layer wasmpod can read`);
  }
  const named = (run.entrypoint ?? run.cmd)?.[0];
  const want = named !== undefined ? normalizeEntry(named) : undefined;
  const wasmFiles: string[] = [];
  let found: { bytes: Buffer; path: string } | undefined;
  let tooBig = false;
  const { list } = await import('tar');
  await list({
    file: layerFile,
    strict: true,
    onReadEntry: (e: ReadEntry) => {
      if (e.type !== 'File') return;
      const p = normalizeEntry(e.path);
      const take = want !== undefined ? p === want : p.endsWith('.wasm');
      if (!take) return;
      wasmFiles.push(p);
      if (e.size > MAX_MODULE_BYTES) { tooBig = true; return; }
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => { found = { bytes: Buffer.concat(chunks), path: `/${p}` }; });
    },
  }).catch((err: Error) => {
    throw new ImageProtocolError(image, `layer ${layer.digest} is not a readable tar archive: ${err.message}`);
  });
  if (tooBig) throw new ImageNotWasmError(image, `the module in the layer is larger than ${MAX_MODULE_BYTES} bytes`);
  if (want === undefined && wasmFiles.length !== 1) {
    throw new ImageNotWasmError(image, `the image has no entrypoint and its layer holds ${wasmFiles.length} .wasm files; one is needed (or an Entrypoint naming it)`);
  }
  if (!found) throw new ImageNotWasmError(image, `the entrypoint /${want} is not a file in the image's layer`);
  const f: { bytes: Buffer; path: string } = found;
  if (f.bytes.length < 4 || f.bytes.readUInt32BE(0) !== 0x0061736d) {
    throw new ImageNotWasmError(image, `${f.path} in the image's layer is not a WebAssembly module (no \\0asm magic number)`);
  }
  return f;
}

/** Passes a module's bytes through, failing before they are stored when they do not start with the wasm magic number. */
export async function* requireWasmMagic(image: string, source: AsyncIterable<Uint8Array>, what: string): AsyncIterable<Uint8Array> {
  let head = Buffer.alloc(0);
  for await (const chunk of source) {
    if (head.length < 4) {
      head = Buffer.concat([head, chunk]);
      if (head.length >= 4 && head.readUInt32BE(0) !== 0x0061736d) {
        throw new ImageNotWasmError(image, `${what} is not a WebAssembly module (no \\0asm magic number)`);
      }
    }
    yield chunk;
  }
  if (head.length < 4) throw new ImageNotWasmError(image, `${what} is not a WebAssembly module (${head.length} bytes)`);
}
