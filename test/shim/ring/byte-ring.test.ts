import t from 'tap';
import { Worker } from 'node:worker_threads';
import { ByteRing, READER_CLOSED, WRITER_CLOSED } from '../../../dist/shim/ring/byte-ring.js';

t.test('bytes come out in order across the wrap-around', async (t) => {
  const ring = ByteRing.create(7);
  const out: number[] = [];
  const buf = new Uint8Array(5);
  let next = 0;
  for (let round = 0; round < 20; round++) {
    const src = Uint8Array.from({ length: 5 }, () => next++ & 0xff);
    let put = 0;
    while (put < src.length) {
      put += ring.write(src.subarray(put));
      const n = ring.read(buf);
      out.push(...buf.subarray(0, n));
    }
  }
  out.push(...buf.subarray(0, ring.read(buf)));
  t.same(out, Array.from({ length: 100 }, (_, i) => i));
});

t.test('a full ring takes nothing more; peek does not consume', async (t) => {
  const ring = ByteRing.create(4);
  t.equal(ring.write(Uint8Array.of(1, 2, 3, 4, 5, 6)), 4);
  t.equal(ring.write(Uint8Array.of(9)), 0);
  const b = new Uint8Array(2);
  t.equal(ring.read(b, true), 2);
  t.equal(ring.available(), 4);
  t.equal(ring.read(b), 2);
  t.same([...b], [1, 2]);
  t.equal(ring.space(), 2);
});

t.test('close flags reach the other side', async (t) => {
  const ring = ByteRing.create(8);
  ring.close(WRITER_CLOSED);
  t.equal(ring.closedFlags() & WRITER_CLOSED, WRITER_CLOSED);
  await ring.waitReadableAsync(); // returns at once: closed
  ring.close(READER_CLOSED);
  t.equal(ring.closedFlags(), WRITER_CLOSED | READER_CLOSED);
});

t.test('a blocked writer in another thread resumes as the reader drains, losing nothing', async (t) => {
  const ring = ByteRing.create(1024);
  const total = 1 << 20;
  const code = `
    const { workerData } = require('node:worker_threads');
    const ctl = new Int32Array(workerData.sab, 0, 4);
    const data = new Uint8Array(workerData.sab, 16);
    const cap = data.length;
    let sent = 0;
    // Word 3 is the ring's change counter: every write, read and close bumps it, and waiters sleep on it.
    while (sent < ${total}) {
      const seq = Atomics.load(ctl, 3);
      const head = Atomics.load(ctl, 0), tail = Atomics.load(ctl, 1);
      const free = cap - ((tail - head) >>> 0);
      if (free === 0) { Atomics.wait(ctl, 3, seq); continue; }
      const n = Math.min(free, ${total} - sent);
      for (let i = 0; i < n; i++) data[((tail >>> 0) + i) % cap] = (sent + i) & 0xff;
      Atomics.store(ctl, 1, (tail + n) | 0); Atomics.add(ctl, 3, 1); Atomics.notify(ctl, 3);
      sent += n;
    }
    Atomics.or(ctl, 2, 1); Atomics.add(ctl, 3, 1); Atomics.notify(ctl, 3);
  `;
  const w = new Worker(code, { eval: true, workerData: ring.init });
  let got = 0;
  let bad = 0;
  const buf = new Uint8Array(300);
  for (;;) {
    const n = ring.read(buf);
    for (let i = 0; i < n; i++) if (buf[i] !== ((got + i) & 0xff)) bad++;
    got += n;
    if (n === 0) {
      if (ring.closedFlags() & WRITER_CLOSED && ring.available() === 0) break;
      await ring.waitReadableAsync();
    }
  }
  await w.terminate();
  t.equal(got, total);
  t.equal(bad, 0);
});
