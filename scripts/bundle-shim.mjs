// Bundles each worker entry of the compiled shim (dist/shim) into one CommonJS file beside it
// (`worker.js` -> `worker.bundle.cjs`). A new worker then loads one file instead of some sixty: the ES module
// loader's per-file cost was most of a cold container start (bench/RESULTS.md). CommonJS, with whitespace and
// syntax minified (names kept, for stack traces), because every worker holds what it loaded for as long as it
// lives: a worker that loads the ES module loader and a 142 KB source holds 0.46 MiB more than one that loads
// this (8.27 against 7.81 MiB, bench/RESULTS.md), and an idle container is a worker. The runtime uses a bundle only
// when it is at least as new as the entry it was made from (src/runtime/wasm/shim-url.ts), so a `tsc` run
// without this step falls back to the separate files rather than running stale code.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = ['shim/worker.js', 'shim/shared-worker.js', 'shim/component/worker.js'];

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // An install without dev dependencies: the separate files work, only slower to load.
  console.warn('bundle-shim: esbuild is not installed; workers load the shim as separate modules');
  process.exit(0);
}
for (const entry of ENTRIES) {
  const from = path.join(root, 'dist', entry);
  await esbuild.build({
    entryPoints: [from],
    outfile: from.replace(/\.js$/, '.bundle.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}
