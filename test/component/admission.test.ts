// Admission of WASI 0.2 components at create time: detection by preamble, unprovided interfaces or versions named, nothing to run refused, one transpile per digest.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { MODULES, fastRuntime } from '../helpers/pods.js';
import { isComponent, componentNames } from '../../dist/src/runtime/wasm/component-binary.js';
import { cachedComponents } from '../../dist/src/runtime/wasm/component-cache.js';
import { unprovidedImports } from '../../dist/src/runtime/wasm/component-interfaces.js';

const CLI = path.join(MODULES, 'component/cli.component.wasm');

function pod(name: string, image: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }] } };
}

async function componentFile(dir: string, name: string, wat: string): Promise<string> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, await parse(wat));
  return file;
}

t.test('a component is told from a core module by its preamble', async (t) => {
  t.ok(isComponent(fs.readFileSync(CLI)));
  t.notOk(isComponent(fs.readFileSync(path.join(MODULES, 'component/cli.wasm'))));
  t.notOk(isComponent(Buffer.from('not wasm at all')));
  const names = componentNames(fs.readFileSync(CLI));
  t.ok(names.imports.includes('wasi:cli/environment@0.2.12'));
  t.same(names.exports, ['wasi:cli/run@0.2.12']);
});

t.test('any 0.2.x version of a provided interface passes; others are named', async (t) => {
  t.same(unprovidedImports(['wasi:cli/stdout@0.2.0', 'wasi:io/streams@0.2.6', 'wasi:filesystem/types@0.2.12']), []);
  t.same(unprovidedImports(['wasi:cli/stdout@0.3.0', 'wasi:keyvalue/store@0.2.0-draft', 'wasi:io/streams', 'my:own/thing@1.0.0']),
    ['wasi:cli/stdout@0.3.0', 'wasi:keyvalue/store@0.2.0-draft', 'wasi:io/streams', 'my:own/thing@1.0.0']);
});

t.test('a component importing what wasmpod does not provide is refused at create time, by name', async (t) => {
  const dir = t.testdir();
  const file = await componentFile(dir, 'kv.wasm', `(component
    (import "wasi:cli/environment@0.2.3" (instance (export "get-arguments" (func (result (list string))))))
    (import "wasi:keyvalue/store@0.2.0-draft" (instance))
    (import "wasi:clocks/wall-clock@0.3.0" (instance))
  )`);
  const runtime = fastRuntime();
  const err = await runtime.runPod(pod('kv', file)).then(() => undefined, (e: Error & { code?: string; missing?: string[] }) => e);
  t.equal(err?.code, 'ERR_MODULE_IMPORT');
  t.same(err?.missing, ['wasi:keyvalue/store@0.2.0-draft', 'wasi:clocks/wall-clock@0.3.0']);
  t.match(err?.message, /wasi:keyvalue\/store@0\.2\.0-draft, wasi:clocks\/wall-clock@0\.3\.0/);
  await runtime.close();
});

t.test('a component with nothing to run, or a malformed one, is an invalid image', async (t) => {
  const dir = t.testdir();
  const idle = await componentFile(dir, 'idle.wasm', '(component (import "wasi:cli/stdout@0.2.0" (instance)))');
  const broken = path.join(dir, 'broken.wasm');
  fs.writeFileSync(broken, Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 10, 50, 1, 0]));
  const runtime = fastRuntime();
  await t.rejects(runtime.runPod(pod('idle', idle)), { code: 'ERR_MODULE_INVALID', message: /exports neither wasi:cli\/run/ });
  await t.rejects(runtime.runPod(pod('broken', broken)), { code: 'ERR_MODULE_INVALID', message: /malformed component/ });
  await runtime.close();
});

t.test('a component is transpiled once per digest, whatever the number of pods', async (t) => {
  const runtime = fastRuntime();
  const first = await runtime.runPod(pod('one', CLI));
  await first.wait();
  const after = cachedComponents();
  const pods = await Promise.all([1, 2, 3].map((i) => runtime.runPod(pod(`again-${i}`, CLI))));
  for (const p of pods) t.equal((await p.wait()).phase, 'Succeeded');
  t.equal(cachedComponents(), after);
  await runtime.close();
});

t.test('transpiles are kept on disk under the state dir; a damaged entry is transpiled again', async (t) => {
  const { forgetComponents, transpileCount } = await import('../../dist/src/runtime/wasm/component-cache.js');
  const { Runtime } = await import('../../dist/src/index.js');
  const stateDir = t.testdir();
  const once = async (name: string): Promise<string | undefined> => {
    const runtime = new Runtime({ stateDir });
    const p = await runtime.runPod(pod(name, CLI));
    const phase = (await p.wait()).phase;
    await runtime.close();
    return phase;
  };
  forgetComponents();
  const before = transpileCount();
  t.equal(await once('first'), 'Succeeded');
  t.equal(transpileCount(), before + 1, 'transpiled once');
  const entries = fs.readdirSync(path.join(stateDir, 'components')).filter((n) => !n.startsWith('.'));
  t.equal(entries.length, 1);
  const entry = path.join(stateDir, 'components', entries[0]!);
  t.match(entries[0], /^[0-9a-f]{64}-jco-\d+\.\d+\.\d+/);
  t.same(JSON.parse(fs.readFileSync(path.join(entry, 'files.json'), 'utf8')).sort(),
    fs.readdirSync(entry).filter((n) => n !== 'files.json').sort());

  forgetComponents();
  t.equal(await once('from-disk'), 'Succeeded');
  t.equal(transpileCount(), before + 1, 'a new cache (as in a new process) reads the disk instead of transpiling');

  fs.writeFileSync(path.join(entry, 'component.core.wasm'), 'damaged');
  forgetComponents();
  t.equal(await once('damaged'), 'Succeeded');
  t.equal(transpileCount(), before + 2, 'a damaged entry is transpiled again');
  t.not(fs.readFileSync(path.join(entry, 'component.core.wasm'), 'utf8'), 'damaged', 'and replaced');
});
