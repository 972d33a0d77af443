import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, EXIT, SLEEP } from '../helpers/pods.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-cli-'));

function wasmpod(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args, '--state-dir', state], { cwd: ROOT, encoding: 'utf8', input });
}

function manifest(t: { testdir(f?: Record<string, string>): string }, body: object): string {
  const dir = t.testdir({ 'pod.json': JSON.stringify(body) });
  return path.join(dir, 'pod.json');
}

t.test('examples/hello.yaml runs and prints its line, byte for byte', async (t) => {
  const r = wasmpod(['run', 'examples/hello.yaml']);
  t.equal(r.stderr, '');
  t.equal(r.stdout, 'hello from wasmpod\n');
  t.equal(r.status, 0);
});

t.test('examples/two-containers.yaml: lines are prefixed with the container name', async (t) => {
  const r = wasmpod(['run', 'examples/two-containers.yaml']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^\[writer\] wrote 32 bytes to \/shared\/message$/m);
  t.match(r.stdout, /^\[reader\] received: hello from the writer container$/m);
});

t.test('the exit status is the failed container\'s exit code; --output json prints the PodStatus', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fails' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: EXIT, args: ['a', '7'] }] },
  });
  const r = wasmpod(['run', '-o', 'json', file]);
  t.equal(r.status, 7);
  const status = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  t.equal(status.phase, 'Failed');
  t.equal(status.containerStatuses[0].state.terminated.exitCode, 7);
  t.equal(r.stderr, 'a exits 7\n');
});

t.test('a bad manifest gives an error naming the file and field, and exit 1', async (t) => {
  const file = manifest(t, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'a', image: EXIT, ports: [{ containerPort: 70000 }] }] } });
  const r = wasmpod(['run', file]);
  t.equal(r.status, 1);
  t.match(r.stderr, 'spec.containers[0].ports[0].containerPort');
});

t.test('stdin: true connects the terminal\'s stdin to the container', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cat' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'cat', image: path.join(ROOT, 'wasm-modules/testing/cat.wasm'), stdin: true }] },
  });
  const r = wasmpod(['run', file], 'line one\nline two\n');
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, 'line one\nline two\n');
});

t.test('Ctrl-C deletes the pod: the container ends with 143', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper' },
    spec: { containers: [{ name: 's', image: SLEEP }] },
  });
  const child = spawn(process.execPath, [BIN, 'run', '-o', 'json', file, '--state-dir', state], { cwd: ROOT });
  let out = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    out += d;
    if (!sent && out.includes('sleeping')) {
      sent = true; // one Ctrl-C: a second one would quit at once
      child.kill('SIGINT');
    }
  });
  const code = await new Promise((r) => child.on('exit', r));
  t.equal(code, 143);
  t.match(out, /"exitCode": 143/);
});

t.test('--help lists the commands', async (t) => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.match(r.stdout, /run \[options\] <file>/);
});
