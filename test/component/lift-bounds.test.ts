// What a component passes to the host is bounded before jco's bindings lift it into the worker's heap: strings
// to 16 MiB, lists lifted item by item to 1 Mi items (a JS array grown past the worker's heap limit aborts the
// whole process on Node 24, see shim/component/lift-bounds.ts).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { componentOf, loadComponent } from '../../dist/src/runtime/wasm/component-cache.js';
import { LIFT_BOUNDS, LiftLimitError, MAX_LIFTED_LIST_ITEMS, MAX_LIFTED_STRING_BYTES, boundLifting } from '../../dist/shim/component/lift-bounds.js';
import { MODULES } from '../helpers/pods.js';

const COMPONENTS = ['cli', 'http-handler', 'sockets', 'escape'];

t.test('the bindings jco makes for each test component come out with every lift bounded', async (t) => {
  for (const name of COMPONENTS) {
    const bytes = fs.readFileSync(path.join(MODULES, 'component', `${name}.component.wasm`));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const main = await loadComponent(name, name, bytes, digest);
    const source = componentOf(main)!.source;
    const loops = source.match(/for \(let i = 0; i < len\d+; i\+\+\)/g) ?? [];
    const bounded = boundLifting(source);
    t.equal((bounded.match(/__bounds\.list\(len\d+\); for \(let i = 0; i < len\d+; i\+\+\)/g) ?? []).length, loops.length,
      `${name}: each of its ${loops.length} list lifts is bounded`);
    t.match(bounded, /const TEXT_DECODER_UTF8 = __bounds\.decoder\(\);/, `${name}: its UTF-8 strings go through the bounded decoder`);
    t.notMatch(bounded, /new TextDecoder/, `${name}: no other decoder is left`);
  }
});

t.test('a string or a list past its bound fails the call with a clear error; under it, it lifts', async (t) => {
  const decoder = LIFT_BOUNDS.decoder();
  t.equal(decoder.decode(new TextEncoder().encode('héllo')), 'héllo');
  t.equal(decoder.decode(new Uint8Array(MAX_LIFTED_STRING_BYTES)).length, MAX_LIFTED_STRING_BYTES);
  t.throws(() => decoder.decode(new Uint8Array(MAX_LIFTED_STRING_BYTES + 1)), new LiftLimitError(
    `the component passed the host a string of ${MAX_LIFTED_STRING_BYTES + 1} bytes, more than the ${MAX_LIFTED_STRING_BYTES} it takes`));
  const utf16 = LIFT_BOUNDS.decoder('utf-16');
  t.equal(utf16.decode(new Uint16Array([0x68, 0x69])), 'hi');
  t.doesNotThrow(() => LIFT_BOUNDS.list(MAX_LIFTED_LIST_ITEMS));
  t.throws(() => LIFT_BOUNDS.list(0x7fffffff), { message: `the component passed the host a list of 2147483647 items, more than the ${MAX_LIFTED_LIST_ITEMS} it takes` });
});

t.test('bindings that lift through the rewritten code stop at the bound before they build anything', async (t) => {
  // The shape jco gives a lifted list of handles (wasi:io/poll's poll): a loop that pushes one item per element.
  const generated = [
    'const TEXT_DECODER_UTF8 = new TextDecoder();',
    'function lift(arg0, arg1) {',
    '  var len3 = arg1;',
    '  var result3 = [];',
    '  for (let i = 0; i < len3; i++) {',
    '    result3.push(i);',
    '  }',
    '  return result3;',
    '}',
    'return lift;',
  ].join('\n');
  const lift = new Function('__bounds', boundLifting(generated))(LIFT_BOUNDS) as (p: number, n: number) => number[];
  t.same(lift(0, 3), [0, 1, 2]);
  t.throws(() => lift(0, 200_000_000), { name: 'LiftLimitError' }, 'a list of 200 million handles is refused before the array grows');
});

t.test('bindings that decode text some other way are refused, not run unbounded', async (t) => {
  t.throws(() => boundLifting("const dec = new TextDecoder('latin1');"), { message: 'the component\'s bindings decode strings in a way wasmpod cannot bound' });
});
