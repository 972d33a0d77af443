// The peer of `wasmpod run examples/hello.yaml`: the same module run by node:wasi in a plain Node script.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const wasi = new WASI({ version: 'preview1', args: ['hello.wasm'], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(new URL('../wasm-modules/hello/hello.wasm', import.meta.url)));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
