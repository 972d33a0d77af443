// The engine facts behind the zero-copy decision in docs/ipc.md, checked on the Node that runs the tests: a pod
// segment can be a shared WebAssembly.Memory that guests in two workers use directly, but a guest can keep its own
// memory beside it only with multi-memory (V8 12+, Node 22+), which Node 20 lacks.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ipcImports } from '../../dist/shim/ipc/abi-ipc.js';
import { GuestMemory } from '../../dist/shim/wasi/memory.js';
import { Segment } from '../../dist/shim/ipc/segment.js';
import type { IpcContext } from '../../dist/shim/ipc/ipc-context.js';
import { MODULES } from '../helpers/pods.js';

const SINGLE = fs.readFileSync(path.join(MODULES, 'ipc/zero-copy-single.wasm'));
const MULTI = fs.readFileSync(path.join(MODULES, 'ipc/zero-copy.wasm'));
const v8Major = Number(process.versions.v8.split('.')[0]);

interface SingleExports { store(off: number, v: number): void; load(off: number): number; wait(off: number, v: number, ms: number): number }

t.test('a segment as the only memory of two guests in two workers: same bytes, wait and wake in wasm', async (t) => {
  const segment = new WebAssembly.Memory({ initial: 1, maximum: 4096, shared: true });
  t.ok(segment.buffer instanceof SharedArrayBuffer, 'a shared Memory\'s buffer is what segments are made of');
  const module = new WebAssembly.Module(SINGLE);
  // Two guests take turns on word 0 (ping stores odd values, pong even ones), each sleeping in
  // memory.atomic.wait32 until the other's store and notify: no host call between them.
  const src = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { module, segment, first, rounds } = workerData;
    const g = new WebAssembly.Instance(module, { wasmpod_ipc: { segment } }).exports;
    let woken = 0, timeouts = 0;
    for (let i = 0; i < rounds; i++) {
      const want = 2 * i + first;
      for (let v; (v = g.load(0)) !== want - 1;) {
        const r = g.wait(0, v, 10000);
        if (r === 0) woken++; else if (r === 2) timeouts++;
      }
      g.store(0, want);
    }
    parentPort.postMessage({ woken, timeouts });`;
  const rounds = 200;
  const run = (first: number) => {
    const w = new Worker(src, { eval: true, workerData: { module, segment, first, rounds } });
    return new Promise<{ woken: number; timeouts: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }).finally(() => w.terminate());
  };
  const [ping, pong] = await Promise.all([run(1), run(2)]);
  const mine = new WebAssembly.Instance(module, { wasmpod_ipc: { segment } }).exports as unknown as SingleExports;
  t.equal(mine.load(0), 2 * rounds, 'every turn taken, in order, seen by a third guest');
  t.equal(new Int32Array(segment.buffer)[0], 2 * rounds, 'and by the host');
  t.equal(ping.timeouts + pong.timeouts, 0, 'no wait timed out');
  t.ok(ping.woken + pong.woken > 0, `guests slept and were woken by the other's notify (${ping.woken + pong.woken} times)`);
});

t.test(`multi-memory (own memory + segment) ${v8Major >= 12 ? 'works' : 'does not validate'} on V8 ${v8Major}`, async (t) => {
  if (v8Major < 12) {
    t.notOk(WebAssembly.validate(MULTI), 'no second memory on this V8 (Node 20), so no zero-copy design fits it');
    t.throws(() => new WebAssembly.Module(MULTI), /one memory/);
    return;
  }
  const segment = new WebAssembly.Memory({ initial: 16, maximum: 4096, shared: true });
  const seg = new Segment(1, segment.buffer as SharedArrayBuffer);
  const mem = new GuestMemory();
  const ctx = { get: () => ({ kind: 0, flags: 12, seg }) } as unknown as IpcContext;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(MULTI), { wasmpod_ipc: { ...ipcImports(mem, ctx), segment } });
  const x = inst.exports as unknown as {
    memory: WebAssembly.Memory; store(o: number, v: number): void; load(o: number): number;
    loads_direct(n: number, o: number): number; loads_call(n: number, o: number): number;
    copies_direct(n: number, len: number): void; copies_call(n: number, len: number): void;
  };
  mem.attach(x.memory);
  x.store(8, 5);
  t.equal(seg.atomic(0, 8, 0, 0), 5, 'a store by the guest is in the segment');
  seg.atomic(1, 12, 9, 0);
  t.equal(x.load(12), 9, 'a store by the host is seen by a direct load');
  t.equal(x.loads_direct(10, 12), 90);
  t.equal(x.loads_call(10, 12), 90, 'the same word through the shm_atomic import');
  seg.u8.set(Buffer.from('zero-copy'), 0);
  x.copies_direct(1, 9);
  t.equal(Buffer.from(x.memory.buffer, 1024, 9).toString(), 'zero-copy', 'memory.copy from the segment');
  new Uint8Array(x.memory.buffer, 1024, 9).fill(0);
  x.copies_call(1, 9);
  t.equal(Buffer.from(x.memory.buffer, 1024, 9).toString(), 'zero-copy', 'shm_read of the same bytes');
});
