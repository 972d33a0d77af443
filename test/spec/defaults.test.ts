// Defaults applied after validation, image path resolution, and normalizePod on plain objects.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { normalizePod, parseManifest, resolveImage, validatePod } from '../../dist/src/spec/index.js';
import { rfc3339 } from '../../dist/src/spec/defaults.js';
import { validPod } from './helpers.js';

const MINIMAL = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  volumes:
    - name: data
      hostPath: {path: /tmp}
  containers:
    - name: app
      image: ./app.wasm
      ports: [{containerPort: 8080}]
      resources:
        limits: {cpu: 1, memory: 134217728}
`;

t.test('defaults of a minimal pod', async (t) => {
  const before = Date.now();
  const pod = parseManifest(MINIMAL, { baseDir: '/srv/manifests' }).pods[0]!;
  t.equal(pod.metadata.namespace, 'default');
  t.equal(pod.spec.restartPolicy, 'Always');
  t.equal(pod.spec.terminationGracePeriodSeconds, 30);
  t.match(pod.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.match(pod.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'RFC 3339, seconds');
  t.ok(Date.parse(pod.metadata.creationTimestamp!) >= Math.floor(before / 1000) * 1000);
  t.equal(pod.spec.containers[0]!.ports![0]!.protocol, 'TCP');
  t.equal(pod.spec.volumes![0]!.hostPath!.type, '');
  t.equal(pod.spec.containers[0]!.image, path.resolve('/srv/manifests', 'app.wasm'));
  t.same(pod.spec.containers[0]!.resources!.limits, { cpu: '1', memory: '134217728' }, 'quantities become strings');
});

t.test('given values are kept', async (t) => {
  const text = MINIMAL.replace('  name: web', '  name: web\n  namespace: prod\n  uid: abc\n  creationTimestamp: "2024-01-02T03:04:05Z"')
    .replace('spec:\n', 'spec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 0\n')
    .replace('{containerPort: 8080}', '{containerPort: 8080, protocol: UDP}')
    .replace('{path: /tmp}', '{path: /tmp, type: Directory}');
  const pod = parseManifest(text).pods[0]!;
  t.equal(pod.metadata.namespace, 'prod');
  t.equal(pod.metadata.uid, 'abc');
  t.equal(pod.metadata.creationTimestamp, '2024-01-02T03:04:05Z');
  t.equal(pod.spec.restartPolicy, 'Never');
  t.equal(pod.spec.terminationGracePeriodSeconds, 0);
  t.equal(pod.spec.containers[0]!.ports![0]!.protocol, 'UDP');
  t.equal(pod.spec.volumes![0]!.hostPath!.type, 'Directory');
});

t.test('generateName gives a name with 5 random characters', async (t) => {
  const text = MINIMAL.replace('  name: web', '  generateName: web-');
  const names = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const name = parseManifest(text).pods[0]!.metadata.name!;
    t.match(name, /^web-[a-z0-9]{5}$/);
    names.add(name);
  }
  t.ok(names.size > 15, 'names differ');
  const long = parseManifest(MINIMAL.replace('  name: web', `  generateName: ${'a'.repeat(70)}`)).pods[0]!;
  t.equal(long.metadata.name!.length, 63, 'a long prefix is cut so the name stays a DNS label length');
});

t.test('image references', async (t) => {
  const base = path.resolve('/srv/m');
  const cases: [string, string][] = [
    ['app.wasm', path.join(base, 'app.wasm')],
    ['./app.wasm', path.join(base, 'app.wasm')],
    ['../lib/app.wasm', path.resolve(base, '../lib/app.wasm')],
    ['build/app.wasm', path.join(base, 'build/app.wasm')],
    ['./tool', path.join(base, 'tool')],
    ['app.wat', path.join(base, 'app.wat')],
    ['/opt/app.wasm', '/opt/app.wasm'],
    [pathToFileURL('/opt/my app.wasm').href, path.resolve('/opt/my app.wasm')],
    ['https://example.com/app.wasm', 'https://example.com/app.wasm'],
    ['oci://ghcr.io/org/app:1.0', 'oci://ghcr.io/org/app:1.0'],
    ['ghcr.io/org/app:1.0', 'ghcr.io/org/app:1.0'],
    ['ghcr.io/org/app.wasm', 'ghcr.io/org/app.wasm'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['nginx', 'nginx'],
    ['registry.local/app@sha256:abcd', 'registry.local/app@sha256:abcd'],
  ];
  for (const [image, expected] of cases) t.equal(resolveImage(image, base), expected, image);
});

t.test('a bad file: URL is a validation error', async (t) => {
  const pod = validPod();
  pod.spec.containers[0].image = 'file://remote-host/app.wasm';
  const errors = validatePod(pod);
  if (process.platform === 'win32') t.pass('UNC hosts are valid on Windows');
  else t.match(errors, [{ field: 'spec.containers[0].image', message: /^must be a valid file: URL/ }]);
});

t.test('normalizePod: plain objects, idempotence, input untouched', async (t) => {
  const spec = { metadata: { name: 'lib' }, spec: { containers: [{ name: 'a', image: 'a.wasm', livenessProbe: null }] } };
  const copy = structuredClone(spec);
  const pod = normalizePod(spec, { baseDir: '/w' });
  t.same(spec, copy, 'the input is not modified');
  t.equal(pod.apiVersion, 'v1', 'apiVersion and kind may be left out');
  t.equal(pod.kind, 'Pod');
  t.equal(pod.spec.containers[0]!.image, path.resolve('/w', 'a.wasm'));
  t.notOk('livenessProbe' in pod.spec.containers[0]!, 'null fields are dropped');
  const again = normalizePod(pod, { baseDir: '/elsewhere' });
  t.same(again, pod, 'normalizing a normalized pod changes nothing');
});

t.test('a status in the manifest is dropped', async (t) => {
  const pod = normalizePod({ ...validPod(), status: { phase: 'Running' } });
  t.equal(pod.status, undefined);
});

t.test('generated uids differ', async (t) => {
  const a = normalizePod(validPod());
  const b = normalizePod(validPod());
  t.not(a.metadata.uid, b.metadata.uid);
});

t.test('rfc3339: seconds precision, for a Date, epoch milliseconds or now', async (t) => {
  t.equal(rfc3339(new Date('2026-12-07T15:49:56.859Z')), '2026-12-07T15:49:56Z');
  t.equal(rfc3339(Date.UTC(2026, 11, 7, 15, 49, 57, 1)), '2026-12-07T15:49:57Z');
  // The second kept is replaced by the next one asked for, back and forth.
  t.equal(rfc3339(new Date('2026-12-07T15:49:56.999Z')), '2026-12-07T15:49:56Z');
  t.equal(rfc3339(new Date('1999-12-31T23:59:59.999Z')), '1999-12-31T23:59:59Z');
  t.equal(rfc3339(new Date('2026-12-07T15:49:56.000Z')), '2026-12-07T15:49:56Z');
  const before = Math.floor(Date.now() / 1000) * 1000;
  const now = Date.parse(rfc3339());
  t.ok(now >= before && now <= Date.now(), 'now, to the second');
  t.throws(() => rfc3339(new Date(NaN)), RangeError, 'an invalid date is refused, as toISOString refuses it');
});
