// Compiles each distinct module once, keyed by the SHA-256 of its bytes, and checks its imports against what the shim provides.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ImageNotFoundError, InvalidModuleError, UnsupportedImportError } from '../../errors.js';
import { isProvidedImport } from './provided-imports.js';
import { limitMemory } from './memory-limit.js';
import { isComponent } from './component-binary.js';
import { loadComponent } from './component-cache.js';

export interface LoadedModule {
  digest: string;
  module: WebAssembly.Module;
}

export class ModuleCache {
  /** Where transpiled WASI 0.2 components are kept across processes (STATE_DIR/components); unset: memory only. */
  componentCacheDir?: string;
  private readonly byDigest = new Map<string, Promise<WebAssembly.Module>>();
  /** What each file (and memory limit) loaded to, with the file's stamp when it was read. */
  private readonly byFile = new Map<string, { stamp: string; loaded: LoadedModule }>();

  get size(): number {
    return this.byDigest.size;
  }

  /**
   * Loads a module; with a memory limit, its memory maximum is lowered first (cached per digest and limit).
   * A pulled image's module comes from the image store (`source`), its bytes checked against the digest
   * the store names them by: the cache and the store key on the same digest.
   * A file loaded before and unchanged since (same device, inode, size, mtime and ctime) is not read and
   * hashed again: a warm pod start does no file I/O for its modules.
   */
  async load(container: string, image: string, memoryLimit?: number, source?: { path: string; digest: string }): Promise<LoadedModule> {
    const file = source?.path ?? image;
    const key = `${file}\0${memoryLimit ?? ''}`;
    const stamp = fileStamp(file);
    const hit = stamp ? this.byFile.get(key) : undefined;
    if (hit && hit.stamp === stamp && (!source || source.digest === hit.loaded.digest)) return hit.loaded;
    const loaded = await this.loadFile(container, image, memoryLimit, source);
    if (stamp) {
      this.byFile.delete(key);
      this.byFile.set(key, { stamp, loaded });
      // The oldest entry goes first: a map, insertion-ordered, of at most FILE_STAMPS files.
      if (this.byFile.size > FILE_STAMPS) this.byFile.delete(this.byFile.keys().next().value!);
    }
    return loaded;
  }

  private async loadFile(container: string, image: string, memoryLimit?: number, source?: { path: string; digest: string }): Promise<LoadedModule> {
    let bytes: Buffer;
    try {
      bytes = await readFile(source?.path ?? image);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ImageNotFoundError(container, image, e.code === 'ENOENT' ? 'no such file' : e.message);
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (source && digest !== source.digest) {
      throw new ImageNotFoundError(container, image, `the stored module ${source.digest} is corrupt (its bytes hash to ${digest}); remove the image and pull it again`);
    }
    // A WASI 0.2 component (docs/components.md): transpiled by jco, run by shim/component.
    if (isComponent(bytes)) return { digest, module: await loadComponent(container, image, bytes, digest, memoryLimit, this.componentCacheDir) };
    const key = memoryLimit ? `${digest}/${memoryLimit}` : digest;
    let compiling = this.byDigest.get(key);
    if (!compiling) {
      const code = memoryLimit && WebAssembly.validate(bytes) ? limitMemory(bytes, memoryLimit, `container "${container}"`) : bytes;
      compiling = WebAssembly.compile(code);
      this.byDigest.set(key, compiling);
      // A failed compile is not cached: the next pod gets the same clear error from a fresh attempt.
      compiling.catch(() => this.byDigest.delete(key));
    }
    let module: WebAssembly.Module;
    try {
      module = await compiling;
    } catch (err) {
      throw new InvalidModuleError(container, image, (err as Error).message);
    }
    const missing = WebAssembly.Module.imports(module)
      .filter((i) => !isProvidedImport(i))
      .map((i) => `${i.module}.${i.name} (${i.kind})`);
    if (missing.length > 0) throw new UnsupportedImportError(container, image, missing);
    return { digest, module };
  }
}

const FILE_STAMPS = 1024;

/**
 * The stamps taken in this run of JavaScript, forgotten at its end: a pod's containers of one module stat its
 * file once (a stat costs a tenth of a millisecond on a CPU whose caches went cold between pods). Nothing is
 * lost: a file changed between two stats of one run of JavaScript may as well have changed just after both.
 */
const turnStamps = new Map<string, string | undefined>();

/** Identifies one version of a file's bytes without reading them; undefined when it cannot be stat'ed. */
function fileStamp(file: string): string | undefined {
  if (turnStamps.has(file)) return turnStamps.get(file);
  // (A promise job rather than queueMicrotask, which makes an async resource for each call.)
  if (turnStamps.size === 0) void Promise.resolve().then(() => turnStamps.clear());
  let stamp: string | undefined;
  try {
    const st = statSync(file, { bigint: true, throwIfNoEntry: false });
    stamp = st && `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    stamp = undefined;
  }
  turnStamps.set(file, stamp);
  return stamp;
}
