// Unpacks an ordinary OCI image's layers into a root filesystem for the Linux backend, applying whiteouts, never writing outside it.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ReadEntry } from 'tar';
import { ImageUnpackError } from './errors.js';
import { isTarLayer } from './layout.js';
import type { LayerDescriptor, ImageStore } from './store.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** A layer path relative to the root, or an error when it would leave it (`..`). */
function relativeEntry(image: string, p: string): string {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new ImageUnpackError(image, `layer entry "${p}" climbs out of the root filesystem`);
  return parts.join('/');
}

/**
 * The host path of `rel` inside `root`, refusing a parent that is a symlink: deleting or linking
 * through one could reach outside the root filesystem. Resolves undefined when a parent does not exist.
 */
async function insideRoot(image: string, root: string, rel: string): Promise<string | undefined> {
  let at = root;
  const parts = rel.split('/');
  for (const [i, c] of parts.entries()) {
    at = path.join(at, c);
    const st = await fsp.lstat(at).catch(() => undefined);
    if (!st) return undefined;
    if (i < parts.length - 1 && !st.isDirectory()) {
      throw new ImageUnpackError(image, `whiteout "${rel}" goes through "${parts.slice(0, i + 1).join('/')}", which is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}`);
    }
  }
  return at;
}

/** Reads a layer's whiteouts: files to delete from the layers below, and directories made opaque. */
async function whiteouts(image: string, file: string): Promise<{ remove: string[]; opaque: string[] }> {
  const remove: string[] = [];
  const opaque: string[] = [];
  let bad: Error | undefined;
  const { list } = await import('tar');
  await list({
    file,
    // A throw in here would escape the tar parser as an uncaught exception: the first bad entry is kept and thrown after.
    onReadEntry: (e: ReadEntry) => {
      let rel: string;
      try {
        rel = relativeEntry(image, e.path);
      } catch (err) {
        bad ??= err as Error;
        return;
      }
      const base = path.posix.basename(rel);
      const dir = path.posix.dirname(rel);
      if (base === OPAQUE) opaque.push(dir === '.' ? '' : dir);
      else if (base.startsWith(WHITEOUT)) remove.push(path.posix.join(dir, base.slice(WHITEOUT.length)));
    },
  });
  if (bad) throw bad;
  return { remove, opaque };
}

/**
 * Unpacks `layers` (from the store, each verified by digest first) in order into `rootfs`, as the OCI
 * image spec's changeset rules say: a `.wh.NAME` entry deletes NAME from the layers below, a
 * `.wh..wh..opq` entry empties its directory of what the layers below put there, and neither is
 * written. Symlinks keep their targets verbatim (they are resolved inside the container, never here).
 * Entries that would leave the root (`..`, writes or whiteouts through a symlink, hard links out) are
 * refused by the tar reader or here, and the unpack fails. Owners are not set (wasmpod runs without root).
 */
export async function unpackLayers(image: string, store: ImageStore, layers: LayerDescriptor[], rootfs: string): Promise<void> {
  await fsp.mkdir(rootfs, { recursive: true });
  const root = await fsp.realpath(rootfs);
  for (const layer of layers) {
    if (!isTarLayer(layer.mediaType)) throw new ImageUnpackError(image, `layer ${layer.digest} has media type ${layer.mediaType}, not a tar layer`);
    // Verified before use: a blob damaged on disk is refused, not unpacked.
    await store.verifyBlob(image, layer.digest);
    const file = store.blobPath(layer.digest);
    const unreadable = (err: Error): never => {
      if (err instanceof ImageUnpackError) throw err;
      throw new ImageUnpackError(image, `layer ${layer.digest} is not a readable tar archive: ${err.message}`);
    };
    const { remove, opaque } = await whiteouts(image, file).catch(unreadable);
    for (const dir of opaque) {
      const at = dir === '' ? root : await insideRoot(image, root, dir);
      if (!at || !fs.lstatSync(at).isDirectory()) continue;
      for (const child of await fsp.readdir(at)) await fsp.rm(path.join(at, child), { recursive: true, force: true });
    }
    for (const rel of remove) {
      const at = await insideRoot(image, root, rel);
      if (at) await fsp.rm(at, { recursive: true, force: true });
    }
    const problems: string[] = [];
    const symlinks: { rel: string; target: string }[] = [];
    const { extract } = await import('tar');
    await extract({
      file, cwd: root, unlink: true, preserveOwner: false,
      // Symlinks are made below with their targets verbatim: the tar reader would rewrite absolute ones.
      filter: (p, e) => {
        if (path.posix.basename(p).startsWith(WHITEOUT)) return false;
        if ((e as ReadEntry).type !== 'SymbolicLink') return true;
        symlinks.push({ rel: relativeEntry(image, p), target: (e as ReadEntry).linkpath ?? '' });
        return false;
      },
      onwarn: (code, message) => { if (code !== 'TAR_ENTRY_INFO') problems.push(`${code}: ${message}`); },
    }).catch(unreadable);
    if (problems.length > 0) throw new ImageUnpackError(image, `layer ${layer.digest}: ${problems[0]}`);
    for (const l of symlinks) await makeSymlink(image, root, l.rel, l.target);
  }
}

/**
 * A symlink with its target as the image has it (`/usr/bin/x` means the container's root). Only its
 * parent directories are checked: the link is never followed here.
 */
async function makeSymlink(image: string, root: string, rel: string, target: string): Promise<void> {
  const parent = path.posix.dirname(rel);
  const dir = parent === '.' ? root : await insideRoot(image, root, parent);
  if (!dir || !fs.lstatSync(dir).isDirectory()) throw new ImageUnpackError(image, `symlink "${rel}": its directory is missing or not a directory`);
  const at = path.join(dir, path.posix.basename(rel));
  await fsp.rm(at, { recursive: true, force: true });
  await fsp.symlink(target, at);
}
