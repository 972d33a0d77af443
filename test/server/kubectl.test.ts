import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import YAML from 'yaml';
import { EXIT, NO_KUBECTL, TOOL, startServer, toolPod, until, type TestServer } from '../helpers/server.js';

/** Why script(1), which gives kubectl a terminal, cannot be used here. */
const NO_SCRIPT = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0 ? undefined : 'script(1) is not installed';

t.test('the real kubectl drives wasmpod serve', { skip: NO_KUBECTL }, async (t) => {
  const s: TestServer = await startServer({ baseDir: path.dirname(TOOL) });
  t.teardown(() => s.close());
  const dir = t.testdir({
    'app.yaml': [
      YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } }),
      YAML.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'hunter2' } }),
      YAML.stringify(toolPod('web')),
      YAML.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash', labels: { app: 'crash' } },
        spec: { containers: [{ name: 'c', image: EXIT, args: ['crash', '3'] }] },
      }),
    ].join('---\n'),
  });
  const file = path.join(dir, 'app.yaml');

  t.test('apply -f of a multi-document file creates every object', async (t) => {
    const r = await s.kubectl(['apply', '-f', file]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'configmap/settings created\nsecret/creds created\npod/web created\npod/crash created\n');
    const again = await s.kubectl(['apply', '-f', file]);
    t.equal(again.code, 0, again.stderr);
    // A Secret given with stringData is "configured" on every apply, as with a real API server: it stores data only.
    t.equal(again.stdout, 'configmap/settings unchanged\nsecret/creds configured\npod/web unchanged\npod/crash unchanged\n');
  });

  t.test('create -f of an existing object is 409 AlreadyExists, as kubectl prints it', async (t) => {
    const r = await s.kubectl(['create', '-f', file]);
    t.not(r.code, 0);
    t.match(r.stderr, 'Error from server (AlreadyExists): error when creating "' + file + '": configmaps "settings" already exists');
  });

  t.test('create -f of a multi-document file creates every object, in order', async (t) => {
    const extra = path.join(dir, 'extra.yaml');
    fs.writeFileSync(extra, [
      YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' }, data: { k: 'v' } }),
      YAML.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'extra' }, stringData: { k: 'v' } }),
      YAML.stringify(toolPod('extra', ['exit', '0'], { restartPolicy: 'Never' })),
    ].join('---\n'));
    const r = await s.kubectl(['create', '-f', extra]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'configmap/extra created\nsecret/extra created\npod/extra created\n');
    const d = await s.kubectl(['delete', '-f', extra, '--grace-period=0']);
    t.equal(d.code, 0, d.stderr);
    t.equal(d.stdout, 'configmap "extra" deleted\nsecret "extra" deleted\npod "extra" deleted\n');
  });

  t.test('an invalid object is a 422 Invalid, which kubectl prints with its fields', async (t) => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, YAML.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' },
      spec: { containers: [{ name: 'c', image: TOOL, ports: [{ containerPort: 70000 }] }] } }));
    const r = await s.kubectl(['create', '-f', bad]);
    t.not(r.code, 0);
    t.equal(r.stderr, 'The Pod "bad" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n');
  });

  t.test('wait --for=condition=Ready, then get pods shows the table kubectl prints', async (t) => {
    const w = await s.kubectl(['wait', '--for=condition=Ready', 'pod/web', '--timeout=30s']);
    t.equal(w.code, 0, w.stderr);
    t.equal(w.stdout, 'pod/web condition met\n');
    const r = await s.kubectl(['get', 'pods']);
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.match(lines[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    t.match(lines.find((l) => l.startsWith('web ')), /^web\s+1\/1\s+Running\s+0\s+\d+s$/);
    await until('crash to be restarted', async () => (await s.kubectl(['get', 'pod', 'crash'])).stdout.match(/CrashLoopBackOff|Error/));
    const wide = await s.kubectl(['get', 'pods', '-o', 'wide']);
    t.match(wide.stdout.split('\n')[0], /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  });

  t.test('get -o json and -o yaml give the objects, with status', async (t) => {
    const j = await s.kubectl(['get', 'pod', 'web', '-o', 'json']);
    const pod = JSON.parse(j.stdout);
    t.equal(pod.kind, 'Pod');
    t.equal(pod.status.phase, 'Running');
    t.equal(pod.spec.containers[0].image, TOOL);
    t.match(pod.metadata.resourceVersion, /^\d+$/);
    const y = YAML.parse((await s.kubectl(['get', 'secret', 'creds', '-o', 'yaml'])).stdout);
    t.equal(Buffer.from(y.data.password, 'base64').toString(), 'hunter2');
    const list = JSON.parse((await s.kubectl(['get', 'pods', '-o', 'json'])).stdout);
    t.same(list.items.map((p: any) => p.metadata.name).sort(), ['crash', 'web']);
    const ylist = YAML.parse((await s.kubectl(['get', 'pods', '-o', 'yaml'])).stdout);
    t.match(ylist, { apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'crash' } }, { kind: 'Pod', metadata: { name: 'web' }, status: { phase: 'Running' } }] });
  });

  t.test('label, then -l and --show-labels select by it', async (t) => {
    const l = await s.kubectl(['label', 'pod', 'web', 'tier=front']);
    t.equal(l.stdout, 'pod/web labeled\n', l.stderr);
    const sel = await s.kubectl(['get', 'pods', '-l', 'tier=front', '--no-headers']);
    t.match(sel.stdout, /^web\s/);
    t.notMatch(sel.stdout, /crash/);
    const not = await s.kubectl(['get', 'pods', '-l', 'app!=web', '-o', 'name']);
    t.equal(not.stdout, 'pod/crash\n');
    const show = await s.kubectl(['get', 'pod', 'web', '--show-labels', '--no-headers']);
    t.match(show.stdout, /app=web,tier=front/);
    const over = await s.kubectl(['label', 'pod', 'web', 'tier=back']);
    t.not(over.code, 0, 'changing a label needs --overwrite');
    t.match(over.stderr, "'tier' already has a value (front), and --overwrite is false");
    t.equal((await s.kubectl(['label', 'pod', 'web', 'tier=back', '--overwrite'])).code, 0);
    t.equal((await s.kubectl(['get', 'pods', '-l', 'tier in (back)', '-o', 'name'])).stdout, 'pod/web\n');
  });

  t.test('describe pod lists its containers and events', async (t) => {
    const r = await s.kubectl(['describe', 'pod', 'web']);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /^Name:\s+web$/m);
    t.match(r.stdout, /^Status:\s+Running$/m);
    t.match(r.stdout, /Restart Count:\s+0/);
    t.match(r.stdout, /Normal\s+Scheduled\s+\S+\s+wasmpod\s+Successfully assigned default\/web to /);
    t.match(r.stdout, /Normal\s+Started\s+\S+\s+wasmpod\s+Started container tool/);
    const c = await s.kubectl(['describe', 'pod', 'crash']);
    t.match(c.stdout, /Warning\s+BackOff\s+.*Back-off restarting failed container c/);
  });

  t.test('logs: current, --previous, --tail, -c, --timestamps, --since', async (t) => {
    t.equal((await s.kubectl(['logs', 'web'])).stdout, 'tool sleeping\n');
    t.equal((await s.kubectl(['logs', 'web', '-c', 'tool'])).stdout, 'tool sleeping\n');
    await until('a restart of crash', async () => JSON.parse((await s.kubectl(['get', 'pod', 'crash', '-o', 'json'])).stdout).status.containerStatuses[0].restartCount >= 1);
    const prev = await s.kubectl(['logs', 'crash', '--previous']);
    t.equal(prev.code, 0, prev.stderr);
    t.match(prev.stdout, 'crash run\n');
    t.match(prev.stdout, 'crash exits 3\n');
    const tail = await s.kubectl(['logs', 'crash', '--previous', '--tail=1']);
    t.equal(tail.stdout.split('\n').length, 2);
    const ts = await s.kubectl(['logs', 'web', '--timestamps']);
    t.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tool sleeping\n$/);
    t.equal((await s.kubectl(['logs', 'web', '--since=1h'])).stdout, 'tool sleeping\n', '--since is sinceSeconds');
    const started = Date.parse(JSON.parse((await s.kubectl(['get', 'pod', 'web', '-o', 'json'])).stdout).status.containerStatuses[0].state.running.startedAt);
    await new Promise((r) => setTimeout(r, Math.max(0, started + 3000 - Date.now())));
    const recent = await s.kubectl(['logs', 'web', '--since=1s']);
    t.same([recent.code, recent.stdout], [0, ''], 'nothing was written in the last second');
    const none = await s.kubectl(['logs', 'web', '--previous']);
    t.not(none.code, 0);
    t.match(none.stderr, 'previous terminated container "tool" in pod "web" not found');
    const bad = await s.kubectl(['logs', 'web', '-c', 'nope']);
    t.match(bad.stderr, 'container nope is not valid for pod web');
  });

  t.test('logs -f follows a container until it ends', async (t) => {
    // A relative image resolves against the server's folder for images (its baseDir).
    const r = await s.kubectl(['run', 'counter', '--image=tool.wasm', '--restart=Never', '--', 'sleep', '1500']);
    t.equal(r.code, 0, r.stderr);
    await until('counter to run', async () => (await s.kubectl(['logs', 'counter'])).stdout.includes('tool sleeping'));
    const t0 = Date.now();
    const f = await s.kubectl(['logs', '-f', 'counter']);
    t.equal(f.code, 0, f.stderr);
    t.equal(f.stdout, 'tool sleeping\n');
    t.ok(Date.now() - t0 > 200, 'it waited for the container to end');
    await until('counter to succeed', async () => (await s.kubectl(['get', 'pod', 'counter', '--no-headers'])).stdout.includes('Completed'));
  });

  t.test('exec runs a command in the container and returns its exit code', async (t) => {
    const ok = await s.kubectl(['exec', 'web', '--', 'tool', 'exit', '0']);
    t.equal(ok.code, 0, ok.stderr);
    const fail = await s.kubectl(['exec', 'web', '--', 'tool', 'exit', '7']);
    t.equal(fail.code, 7);
    t.match(fail.stderr, 'command terminated with exit code 7');
    const out = await s.kubectl(['exec', 'web', '-c', 'tool', '--', 'tool', 'sleep', '1']);
    t.equal(out.stdout, 'tool sleeping\n');
    const nope = await s.kubectl(['exec', 'nope', '--', 'x']);
    t.match(nope.stderr, 'pods "nope" not found');
  });

  t.test('exec -i passes stdin to the command, which reads EOF when it ends; -t is refused with the reason', async (t) => {
    const big = 'line of input\n'.repeat(20_000);
    const r = await s.kubectl(['exec', '-i', 'web', '--', 'tool', 'cat'], { input: big });
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.length, big.length);
    t.ok(r.stdout === big, 'every byte came back, in order');
    const empty = await s.kubectl(['exec', '-i', 'web', '--', 'tool', 'cat'], { input: '' });
    t.equal(empty.code, 0, empty.stderr);
    t.equal(empty.stdout, '');
    // A command that ends without reading its stdin ends the exec; what it did not read is dropped.
    const unread = await s.kubectl(['exec', '-i', 'web', '--', 'tool', 'exit', '3'], { input: 'y\n'.repeat(1_000_000) });
    t.equal(unread.code, 3, unread.stderr);
    const noStdin = await s.kubectl(['exec', 'web', '--', 'tool', 'cat']);
    t.equal(noStdin.code, 0, 'without -i the command reads EOF at once');
    // Without a terminal of its own kubectl drops -t itself; under script(1) it has one and asks the server.
    const dropped = await s.kubectl(['exec', '-it', 'web', '--', 'tool', 'exit', '0'], { input: '' });
    t.match(dropped.stderr, 'Unable to use a TTY');
    t.test('with a terminal, -t reaches the server, which refuses it', { skip: NO_SCRIPT }, async (t) => {
      const cmd = ['kubectl', '--kubeconfig', s.kubeconfig, 'exec', '-it', 'web', '--', 'tool', 'cat'].join(' ');
      const r = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile('script', ['-qec', cmd, '/dev/null'], { timeout: 60_000, env: { ...process.env, HOME: s.stateDir } },
          (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout }));
      });
      t.not(r.code, 0);
      t.match(r.out, 'wasmpod exec has no terminal (WASI stdio are pipes): run without -t');
    });
  });

  t.test('delete --grace-period stops the pod and removes it; describe of it is then NotFound', async (t) => {
    const r = await s.kubectl(['delete', 'pod', 'web', '--grace-period=1']);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'pod "web" deleted\n');
    const g = await s.kubectl(['get', 'pod', 'web']);
    t.match(g.stderr, 'Error from server (NotFound): pods "web" not found');
    const d = await s.kubectl(['delete', '-f', file, '--grace-period=0', '--force', '--ignore-not-found']);
    t.equal(d.code, 0, d.stderr);
    await until('every pod to be gone', async () => (await s.kubectl(['get', 'pods', '-o', 'name'])).stdout.trim() === 'pod/counter');
    t.equal(fs.existsSync(path.join(s.stateDir, 'objects/configmaps/default/settings.mpk')), false);
  });
});
