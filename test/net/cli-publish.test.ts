// `wasmpod run --publish [IP:]HOST:POD`: the pod's port is on the host while the pod runs; bad values are refused.
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { ROOT } from '../helpers/pods.js';
import { netPod } from '../helpers/net-pods.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');
const state = tempDir('wasmpod-net-cli-');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('--publish HOST:POD serves the pod on 127.0.0.1; the pod ends after its one request', async (t) => {
  const dir = t.testdir({ 'pod.json': JSON.stringify(netPod('cli-web', [{ name: 'http', args: ['http', '8080', '1'] }])) });
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'run', path.join(dir, 'pod.json'), '--publish', `${port}:8080`, '--state-dir', state],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The server may not listen yet: a refused or reset attempt is retried.
  let body = '';
  for (let i = 0; i < 200 && !body; i++) {
    try {
      const res = await request(`http://127.0.0.1:${port}/via-cli`);
      body = await res.body.text();
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  t.equal(body, 'hello from the pod: GET /via-cli HTTP/1.1\n');
  t.equal(await exited, 0);
  t.equal(stdout, 'listening 8080\n');
});

t.test('a bad --publish value is refused with the expected form', async (t) => {
  const dir = t.testdir({ 'pod.json': JSON.stringify(netPod('cli-bad', [{ name: 'c', args: ['resolve', 'localhost'] }])) });
  const r = spawnSync(process.execPath, [BIN, 'run', path.join(dir, 'pod.json'), '--publish', '80', '--state-dir', state], { cwd: ROOT, encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /--publish "80": expected \[IP:\]HOST_PORT:POD_PORT/);
});
