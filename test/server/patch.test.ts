import t from 'tap';
import { jsonPatch, mergePatch, strategicMerge } from '../../dist/src/server/patch.js';
import { parseFieldSelector, parseLabelSelector } from '../../dist/src/server/selectors.js';

t.test('merge patch: objects merge, null deletes, lists are replaced', async (t) => {
  t.same(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
});

t.test('JSON patch: add, remove, replace, move, copy, test; failures name the operation', async (t) => {
  const doc = { a: { b: [1, 2] }, c: 'x' };
  t.same(jsonPatch(doc, [
    { op: 'add', path: '/a/b/-', value: 3 }, { op: 'remove', path: '/a/b/0' }, { op: 'replace', path: '/c', value: 'y' },
    { op: 'copy', from: '/c', path: '/d' }, { op: 'move', from: '/d', path: '/e~1f' }, { op: 'test', path: '/c', value: 'y' },
  ]), { a: { b: [2, 3] }, c: 'y', 'e/f': 'y' });
  t.same(doc, { a: { b: [1, 2] }, c: 'x' }, 'the target is not changed');
  t.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/nope' }]), { httpCode: 400, message: /path \/nope does not exist/ });
  t.throws(() => jsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }]), { httpCode: 422, message: /test failed/ });
  t.throws(() => jsonPatch(doc, [{ op: 'frob', path: '/c' }]), { httpCode: 400, message: /unsupported op "frob"/ });
  t.throws(() => jsonPatch(doc, { op: 'add' }), { httpCode: 400, message: /must be an array/ });
});

t.test('strategic merge: lists merged by their keys, directives', async (t) => {
  const pod = { spec: { containers: [{ name: 'a', image: 'a.wasm', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b.wasm' }], volumes: [{ name: 'v' }] },
    metadata: { finalizers: ['f1'] } };
  const out = strategicMerge(pod, {
    spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }] }, { name: 'b', $patch: 'delete' }, { name: 'c', image: 'c.wasm' }] },
    metadata: { finalizers: ['f2'] },
  }) as any;
  t.same(out.spec.containers, [{ name: 'a', image: 'a.wasm', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }, { name: 'c', image: 'c.wasm' }]);
  t.same(out.spec.volumes, [{ name: 'v' }]);
  t.same(out.metadata.finalizers, ['f1', 'f2']);
  t.same((strategicMerge(pod, { spec: { volumes: [{ name: 'w' }, { $patch: 'replace' }] } }) as any).spec.volumes, [{ name: 'w' }]);
  t.same(strategicMerge({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', z: 3 } }), { a: { z: 3 } });
  t.same(strategicMerge({ a: { x: 1, y: 2, z: 3 } }, { a: { $retainKeys: ['x', 'z'], z: 4 } }), { a: { x: 1, z: 4 } });
  t.same(strategicMerge({ args: ['a', 'b', 'c'] }, { '$deleteFromPrimitiveList/args': ['b'] }), { args: ['a', 'c'] });
});

t.test('label selectors', async (t) => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['app=web', { app: 'web' }, true], ['app==web', { app: 'db' }, false], ['app!=web', {}, true],
    ['env in (a, b)', { env: 'b' }, true], ['env notin (a,b)', { env: 'a' }, false], ['env notin (a)', {}, true],
    ['tier', { tier: '' }, true], ['!tier', { tier: 'x' }, false], ['app=web,env in (a,b),!old', { app: 'web', env: 'a' }, true],
    ['', { any: 'x' }, true],
  ];
  for (const [sel, labels, want] of cases) t.equal(parseLabelSelector(sel)(labels), want, `${sel} on ${JSON.stringify(labels)}`);
  t.throws(() => parseLabelSelector('a in (b'), { httpCode: 400, message: /unable to parse/ });
  t.throws(() => parseLabelSelector('bad key=x'), { httpCode: 400, message: /unable to parse/ });
  t.throws(() => parseLabelSelector('a=b c'), { httpCode: 400, message: /unable to parse/ });
});

t.test('field selectors', async (t) => {
  const f = parseFieldSelector('status.phase=Running,metadata.name!=x', ['status.phase', 'metadata.name']);
  t.equal(f({ 'status.phase': 'Running', 'metadata.name': 'y' }), true);
  t.equal(f({ 'status.phase': 'Running', 'metadata.name': 'x' }), false);
  t.throws(() => parseFieldSelector('spec.foo=1', ['metadata.name']), { httpCode: 400, message: 'field label not supported: spec.foo' });
});
