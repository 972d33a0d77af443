import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageNotFoundError, InvalidModuleError, UnsupportedImportError, ManifestError, PodAlreadyExistsError } from '../dist/src/index.js';
import { HELLO, MODULES, SLEEP, fastRuntime, podSpec } from './helpers/pods.js';

const rt = fastRuntime();
t.teardown(() => rt.close());

t.test('a missing image is refused before anything starts, naming the container', async (t) => {
  const err = await rt.runPod(podSpec('missing', [{ name: 'app', image: '/nonexistent/x.wasm' }])).catch((e) => e);
  t.type(err, ImageNotFoundError);
  t.equal(err.code, 'ERR_IMAGE_NOT_FOUND');
  t.match(err.message, 'container "app": image /nonexistent/x.wasm: no such file');
  t.equal(rt.list().length, 0);
});

t.test('bytes that are not wasm are refused with the compiler\'s reason', async (t) => {
  const file = path.join(t.testdir({ 'bad.wasm': 'this is not wasm' }), 'bad.wasm');
  const err = await rt.runPod(podSpec('notwasm', [{ name: 'app', image: file }])).catch((e) => e);
  t.type(err, InvalidModuleError);
  t.equal(err.code, 'ERR_MODULE_INVALID');
  t.match(err.message, /container "app": image .*bad\.wasm is not a valid WebAssembly module: /);
});

t.test('a module importing what the host lacks is refused, naming each import', async (t) => {
  const image = path.join(MODULES, 'testing/bad-import.wasm');
  const err = await rt.runPod(podSpec('badimport', [{ name: 'ok', image: HELLO }, { name: 'rocket', image }])).catch((e) => e);
  t.type(err, UnsupportedImportError);
  t.equal(err.code, 'ERR_MODULE_IMPORT');
  t.same(err.missing, ['env.launch_missiles (function)']);
  t.match(err.message, 'container "rocket"');
  t.equal(rt.list().length, 0, 'no part of the pod runs');
});

t.test('an invalid spec is a ManifestError naming the field', async (t) => {
  const err = await rt.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [] } }).catch((e) => e);
  t.type(err, ManifestError);
  t.ok(err.causes.some((c: { field: string }) => c.field === 'metadata.name'));
  t.ok(err.causes.some((c: { field: string }) => c.field === 'spec.containers'));
});

t.test('a second pod of the same name is refused while the first runs', async (t) => {
  const pod = await rt.runPod(podSpec('twice', [{ name: 's', image: SLEEP }]));
  const err = await rt.runPod(podSpec('twice', [{ name: 's', image: SLEEP }])).catch((e) => e);
  t.type(err, PodAlreadyExistsError);
  await pod.delete();
});

t.test('a module is compiled once for many pods', async (t) => {
  const a = await rt.runPod(podSpec('c1', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }));
  const b = await rt.runPod(podSpec('c2', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }));
  const [sa, sb] = await Promise.all([a.wait(), b.wait()]);
  t.equal(sa.containerStatuses![0].imageID, sb.containerStatuses![0].imageID);
  t.equal(sa.phase, 'Succeeded');
});

t.test('logs are kept on disk in CRI format under the state dir', async (t) => {
  const pod = await rt.runPod(podSpec('logs', [{ name: 'h', image: HELLO }], { restartPolicy: 'Never' }));
  await pod.wait();
  const file = path.join(pod.logDir, 'h', '0.log');
  t.match(fs.readFileSync(file, 'utf8'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello from wasmpod\n$/);
  t.ok(pod.logDir.startsWith(rt.stateDir));
});
