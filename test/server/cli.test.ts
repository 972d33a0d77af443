import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { ROOT, startServer, toolPod, until } from '../helpers/server.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');

/** Runs the wasmpod CLI (asynchronously: the server answering it lives in this process). */
function wasmpod(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

t.test('without a server, the verbs say so and how to start one', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-none-'));
  const r = await wasmpod(['get', 'pods', '--state-dir', dir]);
  t.equal(r.code, 1);
  t.equal(r.stderr, `wasmpod: no wasmpod server is running on unix:${dir}/wasmpod.sock; start one with \`wasmpod serve\` (or pass --state-dir or --socket to reach another)\n`);
});

t.test('apply, get, describe, logs, exec, delete against a running server', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const at = ['--state-dir', s.stateDir];
  // Relative image paths in the file resolve against the file's folder, as for `wasmpod run`.
  const dir = t.testdir({
    'app.yaml': [
      YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } }),
      YAML.stringify({ ...toolPod('web'), spec: { containers: [{ name: 'tool', image: path.relative(t.testdirName, path.join(ROOT, 'wasm-modules/testing/tool.wasm')), args: ['sleep'] }] } }),
    ].join('---\n'),
  });
  const file = path.join(dir, 'app.yaml');
  const first = await wasmpod(['apply', '-f', file, ...at]);
  t.equal(first.stdout, 'configmap/settings created\npod/web created\n', first.stderr);
  t.equal((await wasmpod(['apply', '-f', file, ...at])).stdout, 'configmap/settings unchanged\npod/web unchanged\n');
  await until('web to run', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/web')).body.status.phase === 'Running');

  const get = await wasmpod(['get', 'pods', ...at]);
  t.match(get.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1\/1\s+Running\s+0\s+\d+s\n$/);
  const wide = await wasmpod(['get', 'pods', '-o', 'wide', ...at]);
  t.match(wide.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
  const json = JSON.parse((await wasmpod(['get', 'pod', 'web', '-o', 'json', ...at])).stdout);
  t.equal(json.spec.containers[0].image, path.join(ROOT, 'wasm-modules/testing/tool.wasm'));
  const yaml = YAML.parse((await wasmpod(['get', 'cm', '-o', 'yaml', ...at])).stdout);
  t.match(yaml, { kind: 'List', items: [{ kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } }] });
  t.equal((await wasmpod(['get', 'pods', '-l', 'app=other', ...at])).stderr, 'No resources found in default namespace.\n');
  t.equal((await wasmpod(['get', 'pods', '-o', 'name', ...at])).stdout, 'pod/web\n');
  const missing = await wasmpod(['get', 'pod', 'nope', ...at]);
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'wasmpod: Error from server (NotFound): pods "nope" not found\n');

  const d = await wasmpod(['describe', 'pod', 'web', ...at]);
  t.match(d.stdout, /^Name:\s+web$/m);
  t.match(d.stdout, /Normal\s+Started\s+\S+\s+wasmpod\s+Started container tool/);
  t.equal((await wasmpod(['logs', 'web', ...at])).stdout, 'tool sleeping\n');
  const ex = await wasmpod(['exec', 'web', ...at, '--', 'tool', 'exit', '5']);
  t.equal(ex.code, 5);
  t.equal(ex.stderr, 'command terminated with exit code 5\n');
  t.equal((await wasmpod(['exec', 'web', ...at, '--', 'tool', 'sleep', '1'])).stdout, 'tool sleeping\n');
  const input = 'through exec -i\n'.repeat(5000);
  const cat = await wasmpod(['exec', '-i', 'web', ...at, '--', 'tool', 'cat'], input);
  t.equal(cat.code, 0, cat.stderr);
  t.ok(cat.stdout === input, 'exec -i gives the command our stdin, then EOF');
  // The command ends while our stdin is still open: exec ends with it, without waiting for stdin's end.
  const open = spawn(process.execPath, [BIN, 'exec', '-i', 'web', ...at, '--', 'tool', 'exit', '4'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let openErr = '';
  open.stderr.on('data', (c: Buffer) => { openErr += c; });
  open.stdin.write('never ended\n');
  t.equal(await new Promise((r) => open.once('exit', r)), 4, openErr);
  t.equal(openErr, 'command terminated with exit code 4\n');
  open.stdin.destroy();
  const tty = await wasmpod(['exec', '-t', 'web', ...at, '--', 'tool', 'cat']);
  t.equal(tty.code, 1);
  t.match(tty.stderr, 'Error from server (BadRequest): wasmpod exec has no terminal');

  const del = await wasmpod(['delete', 'pod', 'web', '--grace-period', '1', ...at]);
  t.equal(del.stdout, 'pod "web" deleted\n', del.stderr);
  t.equal((await s.request('GET', '/api/v1/namespaces/default/pods/web')).status, 404, 'delete waited for the pod to be gone');
  const again = await wasmpod(['delete', 'pod', 'web', ...at]);
  t.equal(again.code, 1);
  t.equal(again.stderr, 'Error from server (NotFound): pods "web" not found\n');
  const byFile = await wasmpod(['delete', '-f', file, ...at]);
  t.equal(byFile.stdout, 'configmap "settings" deleted\n');
  t.equal(byFile.stderr, 'Error from server (NotFound): pods "web" not found\n');
  t.equal(byFile.code, 1);
});
