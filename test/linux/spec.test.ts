// runtimeClassName selects the backend and the fields it supports; no root needed.
import t from 'tap';
import { validatePod, Runtime, LinuxBackendUnavailableError, linuxBackendUnavailable } from '../../dist/src/index.js';

const pod = (spec: Record<string, unknown>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: '/rootfs', command: ['sh'], workingDir: '/srv' }], ...spec },
});
const fields = (v: unknown) => validatePod(v).map((e) => `${e.field}: ${e.message}`);

t.test('linux and wasm are the runtime classes', async (t) => {
  t.same(fields(pod({ runtimeClassName: 'linux' })), []);
  t.ok(fields(pod({ runtimeClassName: 'kata' })).includes('spec.runtimeClassName: not supported yet: the runtime classes are wasm and linux'));
});

t.test('a linux pod may set workingDir and shareProcessNamespace; a wasm pod may not', async (t) => {
  t.same(fields(pod({ runtimeClassName: 'linux', shareProcessNamespace: true })), []);
  const wasm = fields(pod({ runtimeClassName: 'wasm', shareProcessNamespace: true }));
  t.match(wasm, [/^spec\.containers\[0\]\.workingDir: /, /^spec\.shareProcessNamespace: /]);
  t.equal(wasm.length, 2);
});

t.test('a Runtime whose default class is linux validates a pod without one as linux', async (t) => {
  const rt = new Runtime({ stateDir: t.testdir(), defaultRuntimeClass: 'linux' });
  t.teardown(() => rt.close());
  const spec = { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: '/nonexistent-rootfs', command: ['sh'], workingDir: '/srv' }] } };
  const why = linuxBackendUnavailable();
  // Validation passes (workingDir is allowed); then the backend runs or says why it cannot.
  if (why) await t.rejects(rt.runPod(spec), LinuxBackendUnavailableError);
  else await t.rejects(rt.runPod(spec), { code: 'ERR_ROOTFS' });
});

t.test('a configured OCI runtime that is not an executable file makes the backend unavailable, saying which', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  t.equal(linuxBackendUnavailable({ ociRuntime: '/nonexistent/runc' }), 'the configured OCI runtime (ociRuntime) /nonexistent/runc is not an executable file');
  t.match(linuxBackendUnavailable({ ociRuntime: '/' }) ?? '', /ociRuntime\) \/ is not an executable file/, 'a directory is not one either');
  const rt = new Runtime({ stateDir: t.testdir(), defaultRuntimeClass: 'linux', linux: { ociRuntime: '/nonexistent/runc' } });
  t.teardown(() => rt.close());
  await t.rejects(rt.runPod({ metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: '/rootfs', command: ['sh'] }] } }),
    { code: 'ERR_LINUX_UNAVAILABLE', message: /\/nonexistent\/runc is not an executable file/ });
});
