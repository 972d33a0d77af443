// `wasmpod serve --pool-max-idle / --shared-workers`: bad values refused; shared workers where JSPI exists, a clear error where not.
import t from 'tap';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { ApiServer } from '../../dist/src/server/server.js';
import { jspiAvailable } from '../../dist/src/index.js';
import { ROOT } from '../helpers/server.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');

function serve(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'serve', '--no-socket', ...args], { timeout: 30_000 }, (e, _out, stderr) =>
      resolve({ code: e ? (e as { code?: number }).code ?? null : 0, stderr }));
  });
}

t.test('bad counts are refused before anything starts', async (t) => {
  const dir = t.testdir();
  const shared = await serve(['--state-dir', dir, '--shared-workers', '0']);
  t.equal(shared.code, 1);
  t.match(shared.stderr, '--shared-workers must be an integer of at least 1, not "0"');
  const pool = await serve(['--state-dir', dir, '--pool-max-idle', 'many']);
  t.equal(pool.code, 1);
  t.match(pool.stderr, '--pool-max-idle must be an integer of at least 0, not "many"');
});

if (jspiAvailable()) {
  t.test('a server with shared workers runs its pods in them', async (t) => {
    const server = await ApiServer.start({ stateDir: t.testdir(), socket: false, sharedWorkers: { guestsPerWorker: 4 } });
    t.teardown(() => server.close());
    const pod = await server.runtime.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'h', image: path.join(ROOT, 'wasm-modules/hello/hello.wasm') }] } });
    let out = '';
    pod.on('output', (e: { chunk: Buffer }) => { out += e.chunk; });
    t.equal((await pod.wait()).phase, 'Succeeded');
    t.equal(out, 'hello from wasmpod\n');
    t.equal(server.runtime.workerPool.spawned, 0, 'no worker of its own was started for it');
  });
} else {
  t.test('without JSPI, --shared-workers says what it needs', async (t) => {
    const r = await serve(['--state-dir', t.testdir(), '--shared-workers', '4']);
    t.equal(r.code, 1);
    t.match(r.stderr, /sharedWorkers needs JSPI .* use Node 24 or later/);
  });
}
