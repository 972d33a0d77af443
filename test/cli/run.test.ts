import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, EXIT, SLEEP } from '../helpers/pods.js';
import { FailureOrder, exitStatus } from '../../dist/src/cli/run.js';
import type { ContainerStatus, PodStatus } from '../../dist/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');
const state = tempDir('wasmpod-cli-');

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

t.test('two containers, one fails: the exit status is its code, its lines prefixed', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'one-fails' },
    spec: { restartPolicy: 'Never', containers: [
      { name: 'good', image: EXIT, args: ['good', '0'] },
      { name: 'bad', image: EXIT, args: ['bad', '4'] },
    ] },
  });
  const r = wasmpod(['run', file]);
  t.equal(r.status, 4);
  t.match(r.stdout, /^\[good\] good run$/m);
  t.match(r.stdout, /^\[bad\] bad run$/m);
  t.match(r.stderr, /^\[bad\] bad exits 4$/m);
});

t.test('"the first container that failed" is the first seen failing, not the first listed', async (t) => {
  // Both fail within one second, so finishedAt (whole seconds) ties: only the order of the status changes tells.
  const at = '2026-01-01T00:00:05Z';
  const term = (exitCode: number) => ({ terminated: { exitCode, reason: 'Error', startedAt: at, finishedAt: at, containerID: `wasm://${exitCode}` } });
  const cs = (name: string, state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}): ContainerStatus =>
    ({ name, image: 'x.wasm', imageID: '', ready: false, restartCount: 0, state, lastState });
  const pod = (phase: PodStatus['phase'], ...containerStatuses: ContainerStatus[]): PodStatus => ({ phase, containerStatuses });
  const order = new FailureOrder();
  order.observe(pod('Running', cs('first', { running: { startedAt: at } }), cs('second', term(3))));
  const final = pod('Failed', cs('first', term(5)), cs('second', term(3)));
  t.equal(exitStatus(final, order), 3, 'the code of the container that failed first');
  t.equal(exitStatus(final), 5, 'without the order, a tie goes to the first listed');
  t.equal(exitStatus(pod('Succeeded', cs('a', term(0)))), 0);
  t.equal(exitStatus(pod('Failed', cs('a', { waiting: { reason: 'ContainerCreating' } }))), 1, 'no container failed: 1');
  // A container that failed, was restarted and failed again: the first failure counts.
  const again = new FailureOrder();
  again.observe(pod('Running', cs('a', { running: { startedAt: at } }, term(2))));
  t.equal(exitStatus(pod('Failed', cs('a', term(4), term(2))), again), 2);
});

t.test('a bad manifest gives an error naming the file and field, and exit 1', async (t) => {
  const file = manifest(t, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'a', image: EXIT, ports: [{ containerPort: 70000 }] }] } });
  const r = wasmpod(['run', file]);
  t.equal(r.status, 1);
  t.match(r.stderr, 'spec.containers[0].ports[0].containerPort');
});

t.test('a module importing what wasmpod lacks: exit 1, naming the container and the import', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rocket' },
    spec: { containers: [{ name: 'rocket', image: path.join(ROOT, 'wasm-modules/testing/bad-import.wasm') }] },
  });
  const r = wasmpod(['run', file]);
  t.equal(r.status, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /container "rocket": .*bad-import\.wasm imports what wasmpod does not provide: env\.launch_missiles \(function\)/);
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

t.test('--events shows the pod\'s events and each change of its STATUS as it happens', async (t) => {
  const TOOL = path.join(ROOT, 'wasm-modules/testing/tool.wasm');
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evs' },
    spec: {
      restartPolicy: 'Never',
      initContainers: [{ name: 'setup', image: TOOL, args: ['sleep', '300'] }],
      containers: [{ name: 'app', image: EXIT, args: ['app', '0'] }],
    },
  });
  const r = wasmpod(['run', '--events', '-o', 'json', file]);
  t.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  const statuses = lines.filter((l) => l.startsWith('wasmpod: pod/evs ')).map((l) => l.slice('wasmpod: pod/evs '.length));
  t.equal(statuses[0], 'Init:0/1', 'the init container\'s progress first');
  t.ok(statuses.indexOf('PodInitializing') > 0, 'then PodInitializing while the app container is created');
  t.equal(statuses[statuses.length - 1], 'Completed');
  t.match(r.stderr, /^wasmpod: Normal Scheduled pod\/evs: Successfully assigned default\/evs to /m);
  for (const [c, kind] of [['setup', 'initContainers'], ['app', 'containers']]) {
    for (const reason of ['Pulled', 'Created', 'Started']) {
      t.match(r.stderr, new RegExp(`^wasmpod: Normal ${reason} pod/evs/spec\\.${kind}\\{${c}\\}: `, 'm'), `${reason} ${c}`);
    }
  }
  const status = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  t.equal(status.phase, 'Succeeded');
  t.equal(status.initContainerStatuses[0].state.terminated.reason, 'Completed');
  t.same(status.conditions.map((c: { type: string }) => c.type).sort(), ['ContainersReady', 'Initialized', 'PodScheduled', 'Ready']);
});

t.test('--events shows CrashLoopBackOff and BackOff; activeDeadlineSeconds ends the pod DeadlineExceeded', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'loop' },
    spec: { restartPolicy: 'OnFailure', activeDeadlineSeconds: 2, containers: [{ name: 'a', image: EXIT, args: ['a', '2'] }] },
  });
  const r = wasmpod(['run', '--events', '--backoff-base', '100', '-o', 'json', file]);
  t.not(r.status, 0);
  t.match(r.stderr, /^wasmpod: pod\/loop CrashLoopBackOff$/m);
  t.match(r.stderr, /^wasmpod: Warning BackOff pod\/loop\/spec\.containers\{a\}: Back-off restarting failed container a in pod loop_default\(/m);
  // As kubectl prints it: the pod's reason, unless its container's state has one (killed running: DeadlineExceeded;
  // caught waiting out a back-off: still CrashLoopBackOff, as the kubelet would still report it).
  const last = r.stderr.split('\n').filter((l) => l.startsWith('wasmpod: pod/loop ')).pop();
  t.match(last, /^wasmpod: pod\/loop (DeadlineExceeded|CrashLoopBackOff)$/);
  const status = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n')));
  t.match(status, { phase: 'Failed', reason: 'DeadlineExceeded' });
  t.ok(status.containerStatuses[0].restartCount >= 2);
  t.equal(status.containerStatuses[0].lastState.terminated.exitCode, 2);
});

t.test('--help lists the commands', async (t) => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.match(r.stdout, /run \[options\] <file>/);
});

t.test('--capacity-memory and --capacity-cpu set what the node offers: a pod asking more is rejected whole', async (t) => {
  const file = manifest(t, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: EXIT, args: ['a', '0'], resources: { requests: { memory: '64Mi', cpu: '500m' } } }] },
  });
  const fits = wasmpod(['run', '--capacity-memory', '128Mi', '--capacity-cpu', '1', file]);
  t.equal(fits.status, 0, 'a node of 128Mi and 1 CPU admits it');
  const noMemory = wasmpod(['run', '-o', 'json', '--capacity-memory', '32Mi', file]);
  t.not(noMemory.status, 0, 'a node of 32Mi does not');
  const status = JSON.parse(noMemory.stdout.slice(noMemory.stdout.indexOf('{')));
  t.equal(status.phase, 'Failed');
  t.equal(status.reason, 'OutOfmemory');
  t.match(status.message, 'Pod was rejected: Node didn\'t have enough resource: memory');
  const noCpu = wasmpod(['run', '-o', 'json', '--capacity-cpu', '250m', file]);
  t.equal(JSON.parse(noCpu.stdout.slice(noCpu.stdout.indexOf('{'))).reason, 'OutOfcpu', 'nor a node of 250m');
  const bad = wasmpod(['run', '--capacity-memory', 'lots', file]);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /--capacity-memory "lots": quantities must match/, 'a bad quantity names the flag and the value');
  t.match(wasmpod(['run', '--capacity-cpu', '0', file]).stderr, '--capacity-cpu must be more than zero');
});
