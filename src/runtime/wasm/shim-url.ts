// Where a worker's entry is loaded from: its one-file bundle (scripts/bundle-shim.mjs), or the compiled modules.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The URL of a shim worker entry (`rel` from dist/shim, e.g. `worker.js`): its bundle when there is one at least
 * as new as the entry (a build ran the bundling step after `tsc`), else the entry itself. `shimDir`: dist/shim.
 */
export function shimUrl(rel: string, shimDir: URL = new URL('../../../shim/', import.meta.url)): URL {
  const entry = new URL(rel, shimDir);
  const bundle = new URL(entry.href.replace(/\.js$/, '.bundle.cjs'));
  try {
    if (fs.statSync(fileURLToPath(bundle)).mtimeMs >= fs.statSync(fileURLToPath(entry)).mtimeMs) return bundle;
  } catch {
    // No bundle: an install without the build step's dev dependencies.
  }
  return entry;
}
