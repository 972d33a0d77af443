import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { NO_KUBECTL, ROOT, TOOL, startServer, toolPod, until } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

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
  const dir = tempDir('wasmpod-none-');
  const file = path.join(dir, 'pod.yaml');
  fs.writeFileSync(file, YAML.stringify(toolPod('web')));
  for (const verb of [['get', 'pods'], ['apply', '-f', file], ['describe', 'pod', 'web'], ['logs', 'web'], ['delete', 'pod', 'web'], ['delete', '-f', file], ['port-forward', 'web', '8080'], ['exec', 'web']]) {
    const r = await wasmpod([...verb, '--state-dir', dir, ...(verb[0] === 'exec' ? ['--', 'tool'] : [])]);
    t.equal(r.code, 1, verb.join(' '));
    t.equal(r.stderr, `wasmpod: no wasmpod server is running on unix:${dir}/wasmpod.sock; start one with \`wasmpod serve\` (or pass --state-dir or --socket to reach another)\n`, verb.join(' '));
  }
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
  t.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');

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

t.test('-o on get, apply and delete, --no-headers, TYPE/NAME and the default container, as kubectl has them', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const at = ['--state-dir', s.stateDir];
  const two = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'two', labels: { app: 'two' } },
    spec: { containers: [{ name: 'a', image: TOOL, args: ['sleep'] }, { name: 'b', image: TOOL, args: ['sleep'] }] } };
  const dir = t.testdir({
    // Written as YAML 1.1, as kubectl reads it (an unquoted `on` would be a boolean there).
    'app.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'on', at: '2026-01-02T03:04:05Z' } }, two]
      .map((o) => YAML.stringify(o, { version: '1.1' })).join('---\n'),
  });
  const file = path.join(dir, 'app.yaml');
  const names = await wasmpod(['apply', '-f', file, '-o', 'name', ...at]);
  t.equal(names.stdout, 'configmap/settings\npod/two\n', names.stderr);
  const applied = JSON.parse((await wasmpod(['apply', '-f', file, '-o', 'json', ...at])).stdout);
  t.same(Object.keys(applied), ['kind', 'apiVersion', 'metadata', 'items'], 'a List built by the client, as kubectl apply prints it');
  t.match(applied.items, [{ kind: 'ConfigMap', metadata: { name: 'settings' } }, { kind: 'Pod', metadata: { name: 'two' } }]);
  t.match(await wasmpod(['apply', '-f', file, '-o', 'wide', ...at]), { code: 1, stderr: 'wasmpod: --output must be json, yaml or name, not "wide"\n' });
  await until('two to run', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/two')).body.status.phase === 'Running');

  const bare = await wasmpod(['get', 'pods', '--no-headers', ...at]);
  t.match(bare.stdout, /^two\s+2\/2\s+Running\s+0\s+\d+s\n$/, bare.stderr);
  t.match((await wasmpod(['get', 'pods', '-A', '--no-headers', ...at])).stdout, /^default\s+two\s+2\/2\s+Running/);
  t.match((await wasmpod(['describe', 'pod/two', ...at])).stdout, /^Name:\s+two$/m);

  // Without -c, kubectl takes the first container and says so on stderr when there are others.
  const logs = await wasmpod(['logs', 'pod/two', ...at]);
  t.same([logs.code, logs.stdout, logs.stderr], [0, 'tool sleeping\n', 'Defaulted container "a" out of: a, b\n']);
  const ex = await wasmpod(['exec', 'two', ...at, '--', 'tool', 'exit', '0']);
  t.same([ex.code, ex.stderr], [0, 'Defaulted container "a" out of: a, b\n']);
  t.equal((await wasmpod(['logs', 'two', '-c', 'b', ...at])).stderr, '');

  await t.test('get and apply -o json|yaml print byte for byte what kubectl prints', { skip: NO_KUBECTL }, async (t) => {
    const k0 = await s.kubectl(['apply', '-f', file]);
    t.equal(k0.code, 0, k0.stderr);
    for (const args of [['get', 'pod', 'two', '-o', 'yaml'], ['get', 'pod', 'two', '-o', 'json'], ['get', 'pods', '-o', 'yaml'], ['get', 'cm', '-o', 'json'],
      ['get', 'cm', 'settings', '-o', 'yaml'], ['apply', '-f', file, '-o', 'yaml'], ['apply', '-f', file, '-o', 'json']]) {
      const k = await s.kubectl(args);
      t.equal(k.code, 0, k.stderr);
      t.equal((await wasmpod([...args, ...at])).stdout, k.stdout, args.join(' '));
    }
  });

  await t.test('describe pod prints line for line what kubectl describe prints', { skip: NO_KUBECTL }, async (t) => {
    // Every section: init containers, ports, probes, resources, env of each kind, mounts, volumes, tolerations, a Failed event.
    const rich = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'rich', labels: { app: 'rich', tier: 'back' }, annotations: { note: 'hello world', long: 'line one\nline two' } },
      spec: {
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'k1', operator: 'Equal', value: 'v1', effect: 'NoSchedule' }, { operator: 'Exists' }, { key: 'k2', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }],
        initContainers: [{ name: 'init', image: TOOL, args: ['exit', '0'] }],
        containers: [{
          name: 'main', image: TOOL, command: ['tool'], args: ['sleep'],
          ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, hostPort: 19090 }],
          resources: { limits: { memory: '64Mi', cpu: '1' }, requests: { memory: '32Mi' } },
          readinessProbe: { exec: { command: ['tool', 'exit', '0'] }, periodSeconds: 5 }, livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 100 },
          env: [{ name: 'PLAIN', value: 'a value' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }, { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'pw', optional: true } } }],
          envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds', optional: true }, prefix: 'S_' }],
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }, { name: 'info', mountPath: '/info', subPath: 'labels' }],
        }],
        volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'settings' } }, { name: 'sec', secret: { secretName: 'creds', optional: true } },
          { name: 'host', hostPath: { path: '/tmp', type: 'Directory' } }, { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }],
      },
    };
    t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', rich)).status, 201);
    await until('rich to have its Failed event', async () => (await s.kubectl(['describe', 'pod', 'rich'])).stdout.includes('Warning  Failed'));
    // Ages may cross a second between the two runs, and the width of an age column with them ("9s" then
    // "10s"): ages are masked, and the padding between columns (not the indentation) is compared as one gap.
    const ageless = (text: string): string => text.replace(/\b\d+(?:[smhdy]\d*)+\b/g, 'AGE').replace(/(?<=\S) {2,}/g, '  ');
    for (const name of ['two', 'rich']) {
      const k = await s.kubectl(['describe', 'pod', name]);
      t.equal(k.code, 0, k.stderr);
      t.equal(ageless((await wasmpod(['describe', 'pod', name, ...at])).stdout), ageless(k.stdout), `describe pod ${name}`);
    }
  });

  t.match(await wasmpod(['delete', 'pod', 'two', '-o', 'json', ...at]), { code: 1, stderr: "wasmpod: unexpected -o output mode: json. We only support '-o name'\n" });
  const del = await wasmpod(['delete', '-f', file, '--grace-period', '0', '-o', 'name', ...at]);
  t.same([del.code, del.stdout], [0, 'configmap/settings\npod/two\n'], del.stderr);
});
