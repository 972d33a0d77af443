// Compiles each distinct module once, keyed by the SHA-256 of its bytes, and checks its imports against what the shim provides.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ImageNotFoundError, InvalidModuleError, UnsupportedImportError } from '../../errors.js';
import { PREVIEW1_FUNCTIONS } from './provided-imports.js';

export interface LoadedModule {
  digest: string;
  module: WebAssembly.Module;
}

export class ModuleCache {
  private readonly byDigest = new Map<string, Promise<WebAssembly.Module>>();

  get size(): number {
    return this.byDigest.size;
  }

  async load(container: string, image: string): Promise<LoadedModule> {
    let bytes: Buffer;
    try {
      bytes = await readFile(image);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ImageNotFoundError(container, image, e.code === 'ENOENT' ? 'no such file' : e.message);
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    let compiling = this.byDigest.get(digest);
    if (!compiling) {
      compiling = WebAssembly.compile(bytes);
      this.byDigest.set(digest, compiling);
      // A failed compile is not cached: the next pod gets the same clear error from a fresh attempt.
      compiling.catch(() => this.byDigest.delete(digest));
    }
    let module: WebAssembly.Module;
    try {
      module = await compiling;
    } catch (err) {
      throw new InvalidModuleError(container, image, (err as Error).message);
    }
    const missing = WebAssembly.Module.imports(module)
      .filter((i) => !(i.module === 'wasi_snapshot_preview1' && i.kind === 'function' && PREVIEW1_FUNCTIONS.has(i.name)))
      .map((i) => `${i.module}.${i.name} (${i.kind})`);
    if (missing.length > 0) throw new UnsupportedImportError(container, image, missing);
    return { digest, module };
  }
}
