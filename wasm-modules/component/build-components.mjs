// Builds the WASI 0.2 test components (run by wasm-modules/build.sh): preview1 commands wrapped with the preview1
// command adapter jco ships, and JavaScript components built with componentize-js (jco componentize).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';

const here = new URL('.', import.meta.url);
const adapter = readFileSync(preview1AdapterCommandPath());
// Each entry: the preview1 module (built from its .c by build.sh) and the component made from it.
const commands = [
  ['cli.wasm', 'cli.component.wasm'],
  ['../volumes/escape.wasm', 'escape.component.wasm'],
];
for (const [core, out] of commands) {
  const bytes = await componentNew(readFileSync(new URL(core, here)), [['wasi_snapshot_preview1', adapter]]);
  writeFileSync(new URL(out, here), bytes);
  console.log(`built component/${out}`);
}

// JavaScript components: source, world (in wit/), output. The WASI WIT packages come from jco's copy.
const scripts = [
  ['sockets.js', 'sockets', 'sockets.component.wasm'],
  ['http-handler.js', 'http-handler', 'http-handler.component.wasm'],
];
// componentize-js reads the WIT through jco's preview2-shim, which (since 0.26) opens no directory unless told to.
const { _setPreopens } = await import('@bytecodealliance/preview2-shim/filesystem');
_setPreopens({ '/': '/' });
const { componentize } = await import('@bytecodealliance/componentize-js');
// componentize-js (0.22, 0.23) declares no JS class for an imported resource without methods (wasi:sockets' network),
// yet its bindings create instances of it: declare the missing classes in the generated bindings.
const { splicer } = await import(new URL('../../node_modules/@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.js', here).href);
const splice = splicer.spliceBindings;
splicer.spliceBindings = (...args) => {
  const out = splice(...args);
  const used = new Set([...out.jsBindings.matchAll(/new\.target === (import_[\w$]+)/g)].map((m) => m[1]));
  const missing = [...used].filter((name) => !out.jsBindings.includes(`class ${name} `));
  return { ...out, jsBindings: missing.map((name) => `class ${name} {}\n`).join('') + out.jsBindings };
};
const wasiWit = fileURLToPath(new URL('../../node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12', here));
for (const [source, world, out] of scripts) {
  const wit = mkdtempSync(join(tmpdir(), 'wasmpod-wit-'));
  try {
    cpSync(fileURLToPath(new URL(`wit/${world}.wit`, here)), join(wit, `${world}.wit`));
    cpSync(wasiWit, join(wit, 'deps'), { recursive: true });
    const { component } = await componentize({
      sourcePath: fileURLToPath(new URL(source, here)), witPath: wit, worldName: world,
      // No fetch() and no fetch-event handler: the component imports only what its world names (and stdio, clocks, random).
      disableFeatures: ['http', 'fetch-event'],
    });
    writeFileSync(new URL(out, here), component);
    console.log(`built component/${out}`);
  } finally {
    rmSync(wit, { recursive: true, force: true });
  }
}
