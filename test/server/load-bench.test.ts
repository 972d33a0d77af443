// bench/server-load.js, small: a real `wasmpod serve` in its own process, clients creating and deleting pods
// through the API while a watch follows them; every pod seen in order, none left, the server's memory read.
import t from 'tap';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { ROOT } from '../helpers/server.js';

t.test('20 pods from 4 clients through a served process: nothing lost, the memory of that process printed', async (t) => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bench/server-load.js'), '20', '4'], {
      timeout: 120_000, env: { ...process.env, SETTLE_MS: '500', WATCH_HISTORY_MS: '1000' },
    }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
  t.equal(code, 0, stderr);
  t.match(stdout, /^wasmpod serve: memory allocator: (jemalloc|system)$/m);
  t.match(stdout, /^pods: 20, concurrency: 4, create\+run\+delete: [\d.]+ s, [\d.]+ pods\/s$/m);
  t.match(stdout, 'watch: 20 pods seen, lost 0, wrong sequences 0, versions out of order 0; pods left 0');
  const m = /memory of the server process: rss ([\d.]+) MB before, peak ([\d.]+) MB, ([\d.]+) MB after; anonymous ([\d.]+) → ([\d.]+) MB/.exec(stdout);
  t.ok(m, 'the server process\'s memory is printed');
  // Read from the served process (a Node process serving pods holds tens of MB), its /proc entry still there after.
  t.ok(Number(m![1]) > 20 && Number(m![3]) > 20 && Number(m![5]) > 0, `before ${m![1]} MB, after ${m![3]} MB`);
});
