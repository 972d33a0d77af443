// Workers load the shim from its one-file bundle when the build made one that is up to date, else from its modules.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shimUrl } from '../../../dist/src/runtime/wasm/shim-url.js';
import { WORKER_URL } from '../../../dist/src/runtime/wasm/worker-pool.js';
import { SHARED_WORKER_URL } from '../../../dist/src/runtime/wasm/shared-workers.js';
import { COMPONENT_WORKER_URL } from '../../../dist/src/runtime/wasm/component-cache.js';

t.test('the build bundles every worker entry, and the runtime starts workers from the bundles', async (t) => {
  for (const url of [WORKER_URL, SHARED_WORKER_URL, COMPONENT_WORKER_URL]) {
    t.match(url.pathname, /\.bundle\.cjs$/, `${path.basename(url.pathname)} is a bundle`);
    const text = fs.readFileSync(url, 'utf8');
    t.notMatch(text, /^import .* from ['"]\.\.?\//m, 'which imports no module of ours');
    t.notMatch(text, /require\(['"]\.\.?\//, 'and requires none');
    // Node's builtins that bring many modules into every worker are loaded where they are used, not at start.
    t.notMatch(text, /require\(['"]node:(child_process|crypto)['"]\)/, 'nor node:child_process or node:crypto at load');
  }
});

t.test('a missing or older bundle is not used', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-shim-url-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const shimDir = pathToFileURL(dir + '/');
  const entry = path.join(dir, 'worker.js');
  const bundle = path.join(dir, 'worker.bundle.cjs');
  fs.writeFileSync(entry, '');
  t.equal(shimUrl('worker.js', shimDir).pathname, entry, 'no bundle: the entry');
  fs.writeFileSync(bundle, '');
  const now = Date.now() / 1000;
  fs.utimesSync(entry, now - 10, now - 10);
  t.equal(shimUrl('worker.js', shimDir).pathname, bundle, 'a bundle made after the entry: the bundle');
  fs.utimesSync(entry, now + 10, now + 10);
  t.equal(shimUrl('worker.js', shimDir).pathname, entry, 'an entry compiled again after the bundle (tsc alone): the entry');
});
