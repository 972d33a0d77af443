import t from 'tap';
import * as errors from '../../dist/src/image/errors.js';
import { defaultPullPolicy, parseImageRef } from '../../dist/src/index.js';
import { isRemoteImage, imageArgv } from '../../dist/src/image/container-image.js';

const D = `sha256:${'a'.repeat(64)}`;

t.test('image references parse as Docker normalizes them', async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    ['/abs/app.wasm', { kind: 'file', path: '/abs/app.wasm' }],
    ['file:///abs/app.wasm', { kind: 'file', path: '/abs/app.wasm' }],
    ['https://example.com/m/app.wasm', { kind: 'url', name: 'https://example.com/m/app.wasm' }],
    [`https://example.com/app.wasm@${D}`, { kind: 'url', digest: D }],
    ['alpine', { kind: 'registry', registry: 'docker.io', repository: 'library/alpine', tag: 'latest', name: 'docker.io/library/alpine:latest' }],
    ['org/app:1.2', { kind: 'registry', registry: 'docker.io', repository: 'org/app', tag: '1.2' }],
    ['ghcr.io/org/sub/app:v1', { kind: 'registry', registry: 'ghcr.io', repository: 'org/sub/app', tag: 'v1' }],
    ['localhost:5000/app', { kind: 'registry', registry: 'localhost:5000', repository: 'app', tag: 'latest' }],
    ['localhost/app:x', { kind: 'registry', registry: 'localhost', repository: 'app', tag: 'x' }],
    [`127.0.0.1:5000/app@${D}`, { kind: 'registry', registry: '127.0.0.1:5000', repository: 'app', digest: D, name: `127.0.0.1:5000/app@${D}` }],
    [`r.example/app:v1@${D}`, { kind: 'registry', tag: 'v1', digest: D, name: `r.example/app:v1@${D}` }],
    ['[::1]:5000/app:v1', { kind: 'registry', registry: '[::1]:5000', repository: 'app' }],
  ];
  for (const [image, want] of cases) t.match(parseImageRef(image), want, image);
  t.notOk('tag' in parseImageRef(`r.example/app@${D}`), 'a digest alone implies no tag');
});

t.test('bad references say what is wrong', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty image reference/],
    ['r.example/App:v1', /"App" is not a valid repository name component/],
    ['r.example/app:-v1', /"-v1" is not a valid tag/],
    ['r.example/app@sha256:xyz', /"sha256:xyz" is not a digest wasmpod can verify/],
    ['r.example/app@sha512:abc', /not a digest wasmpod can verify/],
    ['ftp://x/app.wasm', /only file:, http:, https: URLs and registry references/],
    ['https://user:pw@x/app.wasm', /credentials in the URL are not accepted/],
    ['bad_host.example:5000/app', /"bad_host\.example:5000" is not a valid registry host/],
  ];
  for (const [image, message] of cases) t.throws(() => parseImageRef(image), { code: 'ERR_IMAGE_REFERENCE', message }, image || '(empty)');
});

t.test('imagePullPolicy defaults as Kubernetes defaults it', async (t) => {
  t.equal(defaultPullPolicy(parseImageRef('r.example/app')), 'Always', 'no tag is :latest');
  t.equal(defaultPullPolicy(parseImageRef('r.example/app:latest')), 'Always');
  t.equal(defaultPullPolicy(parseImageRef('r.example/app:v1')), 'IfNotPresent');
  t.equal(defaultPullPolicy(parseImageRef(`r.example/app@${D}`)), 'IfNotPresent');
  t.equal(defaultPullPolicy(parseImageRef(`r.example/app:latest@${D}`)), 'IfNotPresent', 'a digest pins the bytes');
  t.equal(defaultPullPolicy(parseImageRef('https://x/app.wasm')), 'Always');
  t.equal(defaultPullPolicy(parseImageRef(`https://x/app.wasm@${D}`)), 'IfNotPresent');
  t.ok(isRemoteImage('r.example/App'), 'an unparsable reference is handed to the puller, which reports InvalidImageName');
  t.notOk(isRemoteImage('/abs/app.wasm'));
});

t.test('argv combines the container with the image config as Kubernetes does', async (t) => {
  const image = (rec: Record<string, unknown>) => ({ ref: parseImageRef('r.example/tools/app:v1'), record: rec, imageID: '', pulled: false }) as never;
  const c = (x: Record<string, unknown> = {}) => ({ name: 'c', image: 'r.example/tools/app:v1', ...x });
  const both = image({ entrypoint: ['/e'], cmd: ['c1', 'c2'] });
  t.same(imageArgv(c(), both), ['/e', 'c1', 'c2']);
  t.same(imageArgv(c({ args: ['a'] }), both), ['/e', 'a'], 'args replace Cmd');
  t.same(imageArgv(c({ command: ['/x'] }), both), ['/x'], 'command drops Entrypoint and Cmd');
  t.same(imageArgv(c({ command: ['/x'], args: ['a'] }), both), ['/x', 'a']);
  t.same(imageArgv(c(), image({ cmd: ['/m.wasm', 'c1'] })), ['/m.wasm', 'c1'], 'Cmd alone: its first word is argv[0]');
  t.same(imageArgv(c(), image({})), ['app'], 'nothing says: the repository\'s last component');
  t.same(imageArgv(c({ args: ['a'] }), image({})), ['app', 'a']);
});

t.test('every image error has its own stable code', async (t) => {
  type ErrorClass = new (image: string, detail: string) => Error & { code: string };
  const classes = (Object.values(errors) as unknown[]).filter((v) => typeof v === 'function') as ErrorClass[];
  const codes = classes.map((C) => new C('img', 'why').code);
  t.equal(new Set(codes).size, codes.length, 'no two classes share a code');
  for (const C of classes) {
    const e = new C('r.example/app:v1', 'why');
    t.match(e, { message: 'image "r.example/app:v1": why', detail: 'why', image: 'r.example/app:v1', name: C.name }, C.name);
    t.match(e.code, /^ERR_IMAGE/);
  }
});
