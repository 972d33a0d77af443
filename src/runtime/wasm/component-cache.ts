// Turns a WASI 0.2 component into what a worker runs: jco transpiles it (instantiation mode), its core modules are compiled once per digest.
import { InvalidModuleError, UnsupportedImportError } from '../../errors.js';
import { shimUrl } from './shim-url.js';
import type { ComponentStart } from '../../../shim/component/protocol.js';
import { ComponentFormatError, componentNames } from './component-binary.js';
import { componentWorld, unprovidedImports } from './component-interfaces.js';
import { MemoryLimitError, limitMemory } from './memory-limit.js';
import { readTranspiled, writeTranspiled } from './component-disk-cache.js';

/** A component container's worker: preview1 workers (shim/worker.ts) never load the component host. */
export const COMPONENT_WORKER_URL = shimUrl('component/worker.js');

/** The name jco gives the files it generates: `component.js`, `component.core.wasm`, `component.core2.wasm`... */
const NAME = 'component';

const byDigest = new Map<string, Promise<ComponentStart>>();
/** What a container's placeholder module stands for: WasmContainer hands it to the worker with the module. */
const byModule = new WeakMap<WebAssembly.Module, ComponentStart>();

/** The component a module loaded by ModuleCache stands for, if it is one. */
export function componentOf(module: WebAssembly.Module): ComponentStart | undefined {
  return byModule.get(module);
}

export function cachedComponents(): number {
  return byDigest.size;
}

let transpiles = 0;

/** How many times jco ran in this process (the disk cache's test reads it). */
export function transpileCount(): number {
  return transpiles;
}

/** Drops the in-memory cache (the disk cache stays): for tests, and for embedders short of memory. */
export function forgetComponents(): void {
  byDigest.clear();
}

type Transpile = (bytes: Uint8Array, opts: Record<string, unknown>) => Promise<{ files: Record<string, Uint8Array> }>;
let transpiler: Promise<Transpile> | undefined;

/** jco's transpiler is large (a wasm build of its Rust bindgen): loaded on the first component only. */
function loadTranspiler(): Promise<Transpile> {
  transpiler ??= import('@bytecodealliance/jco-transpile').then((m) => m.transpileBytes as unknown as Transpile);
  return transpiler;
}

interface Prepare {
  world: 'command' | 'http';
  memoryLimit?: number;
  what: string;
  digest: string;
  /** Where transpiles are kept across processes (STATE_DIR/components); none: memory only. */
  cacheDir?: string;
}

async function compileAll(files: Record<string, Uint8Array>, p: Prepare): Promise<ComponentStart> {
  const source = files[`${NAME}.js`];
  if (!source) throw new Error('jco produced no JavaScript for the component');
  const modules: Record<string, WebAssembly.Module> = {};
  await Promise.all(Object.entries(files).filter(([n]) => n.endsWith('.wasm')).map(async ([n, code]) => {
    // A memory limit caps every memory a core module defines (a component may have several, e.g. the adapter's).
    modules[n] = await WebAssembly.compile(p.memoryLimit ? limitMemory(code, p.memoryLimit, p.what) : code);
  }));
  return { source: Buffer.from(source).toString('utf8'), modules, world: p.world };
}

async function prepare(bytes: Uint8Array, p: Prepare): Promise<ComponentStart> {
  const cached = p.cacheDir ? readTranspiled(p.cacheDir, p.digest) : undefined;
  if (cached) {
    try {
      return await compileAll(cached, p);
    } catch (err) {
      if (err instanceof MemoryLimitError) throw err;
      // A damaged entry: transpile again, and replace it below.
    }
  }
  const transpile = await loadTranspiler();
  transpiles++;
  const out = await transpile(bytes, {
    name: NAME, instantiation: 'sync', noTypescript: true, emitTypescriptDeclarations: false, base64Cutoff: 0,
  });
  // Only the code and the core modules run; jco's type declarations are dropped.
  const files = Object.fromEntries(Object.entries(out.files).filter(([n]) => n === `${NAME}.js` || n.endsWith('.wasm')));
  const start = await compileAll(files, p);
  if (p.cacheDir) writeTranspiled(p.cacheDir, p.digest, files);
  return start;
}

/**
 * Checks a component's imports and exports, then transpiles and compiles it (once per digest).
 * Returns a placeholder module (its main core module) that componentOf() maps back to the component.
 */
export async function loadComponent(container: string, image: string, bytes: Uint8Array, digest: string,
  memoryLimit?: number, cacheDir?: string): Promise<WebAssembly.Module> {
  let names;
  try {
    names = componentNames(bytes);
  } catch (err) {
    if (err instanceof ComponentFormatError) throw new InvalidModuleError(container, image, `malformed component: ${err.message}`);
    throw err;
  }
  const missing = unprovidedImports(names.imports);
  if (missing.length > 0) throw new UnsupportedImportError(container, image, missing);
  const world = componentWorld(names.exports);
  if (!world) {
    throw new InvalidModuleError(container, image,
      `the component exports neither wasi:cli/run@0.2 nor wasi:http/incoming-handler@0.2 (it exports: ${names.exports.join(', ') || 'nothing'})`);
  }
  const key = memoryLimit ? `${digest}/${memoryLimit}` : digest;
  let preparing = byDigest.get(key);
  if (!preparing) {
    preparing = prepare(bytes, { world, memoryLimit, what: `container "${container}"`, digest, cacheDir });
    byDigest.set(key, preparing);
    // A failure is not cached: the next pod gets the same clear error from a fresh attempt.
    preparing.catch(() => byDigest.delete(key));
  }
  let start: ComponentStart;
  try {
    start = await preparing;
  } catch (err) {
    if (err instanceof MemoryLimitError) throw err;
    throw new InvalidModuleError(container, image, `cannot transpile the component: ${(err as Error).message}`);
  }
  const main = start.modules[`${NAME}.core.wasm`] ?? Object.values(start.modules)[0];
  if (!main) throw new InvalidModuleError(container, image, 'the component has no core module');
  byModule.set(main, start);
  return main;
}
