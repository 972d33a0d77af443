// Compiles each distinct module once, keyed by the SHA-256 of its bytes, and checks its imports against what the shim provides.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ImageNotFoundError, InvalidModuleError, UnsupportedImportError } from '../../errors.js';
import { isProvidedImport } from './provided-imports.js';
import { limitMemory } from './memory-limit.js';

export interface LoadedModule {
  digest: string;
  module: WebAssembly.Module;
}

export class ModuleCache {
  private readonly byDigest = new Map<string, Promise<WebAssembly.Module>>();

  get size(): number {
    return this.byDigest.size;
  }

  /**
   * Loads a module; with a memory limit, its memory maximum is lowered first (cached per digest and limit).
   * A pulled image's module comes from the image store (`source`), its bytes checked against the digest
   * the store names them by: the cache and the store key on the same digest.
   */
  async load(container: string, image: string, memoryLimit?: number, source?: { path: string; digest: string }): Promise<LoadedModule> {
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
