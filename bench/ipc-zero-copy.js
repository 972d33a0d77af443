// Zero-copy evaluation (docs/ipc.md): what a guest would save if it could map a pod segment as a second, shared
// WebAssembly.Memory (multi-memory) instead of reaching it through the wasmpod_ipc imports. Per word: an atomic load
// in wasm against a call of the real shm_atomic import; per block: memory.copy against the real shm_read.
// Usage: node bench/ipc-zero-copy.js [LOADS] [COPIES]   (after npm run build; needs multi-memory, Node >= 22)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ipcImports } from '../dist/shim/ipc/abi-ipc.js';
import { GuestMemory } from '../dist/shim/wasi/memory.js';
import { Segment } from '../dist/shim/ipc/segment.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const loads = Number(process.argv[2] ?? 10_000_000);
const copies = Number(process.argv[3] ?? 20_000);   // of 64 KiB; 64x as many of 1 KiB and less
const bytes = fs.readFileSync(path.join(root, 'wasm-modules/ipc/zero-copy.wasm'));
console.log(`node ${process.version} (V8 ${process.versions.v8}), ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(1)}`);
if (!WebAssembly.validate(bytes)) {
  console.log('this V8 has no multi-memory: a module with its own memory and a segment memory does not validate');
  process.exit(0);
}

const segment = new WebAssembly.Memory({ initial: 16, maximum: 4096, shared: true });   // 1 MiB
const seg = new Segment(1, /** @type {SharedArrayBuffer} */ (segment.buffer));
const handles = { get: () => ({ kind: 0, flags: 12, seg }) };   // handle 1: the segment, opened RDWR
const mem = new GuestMemory();
const ipc = ipcImports(mem, /** @type {never} */ (handles));
const { exports: x } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { wasmpod_ipc: { ...ipc, segment } });
mem.attach(x.memory);

function time(fn, n) {
  fn(Math.max(1, n / 10));                       // warm up (tier-up)
  const t = process.hrtime.bigint();
  fn(n);
  return Number(process.hrtime.bigint() - t) / n;   // ns per operation
}
x.store(64, 7);
const direct = time((n) => x.loads_direct(n, 64), loads);
const call = time((n) => x.loads_call(n, 64), loads);
console.log(`word load: direct ${direct.toFixed(2)} ns, through shm_atomic ${call.toFixed(2)} ns (${(call / direct).toFixed(0)}x)`);
for (const len of [16, 1024, 65536, 1 << 20]) {
  const n = Math.max(200, Math.round(copies * 65536 / Math.max(len, 1024)));
  const d = time((k) => x.copies_direct(k, len), n);
  const c = time((k) => x.copies_call(k, len), n);
  const rate = (ns) => `${(len / ns * 1e9 / 2 ** 20).toFixed(0)} MiB/s`;
  console.log(`copy ${len} B into the guest: memory.copy ${d.toFixed(0)} ns (${rate(d)}), shm_read ${c.toFixed(0)} ns (${rate(c)})`);
}
