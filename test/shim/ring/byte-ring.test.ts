import t from 'tap';
import { Worker } from 'node:worker_threads';
import {
  ByteRing, READER_CLOSED, WRITER_CLOSED, createDoorbell, ringBell, sleepOnBell,
} from '../../../dist/shim/ring/byte-ring.js';

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

t.test('small copies (a loop) and large ones (a view and a copy) keep the order, also across the wrap-around', async (t) => {
  const ring = ByteRing.create(64);
  const out: number[] = [];
  let next = 0;
  for (let round = 0; round < 200; round++) {
    // Sizes around the loop's limit (16 bytes), in and out, so that both kinds of copy land on the wrap.
    const src = Uint8Array.from({ length: 1 + ((round * 7) % 40) }, () => next++ & 0xff);
    let put = 0;
    while (put < src.length) {
      put += ring.write(src.subarray(put));
      const buf = new Uint8Array(1 + ((round * 5) % 33));
      const n = ring.read(buf);
      out.push(...buf.subarray(0, n));
    }
  }
  for (let n = 1; n > 0;) {
    const buf = new Uint8Array(64);
    n = ring.read(buf);
    out.push(...buf.subarray(0, n));
  }
  t.equal(out.length, next);
  t.same(out, Array.from({ length: next }, (_, i) => i & 0xff));
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

/** Runs `body` in a worker with `ring` (a ByteRing over workerData.init) and `total` in scope. */
function ringWorker(body: string, init: unknown, total: number): Worker {
  const url = new URL('../../../dist/shim/ring/byte-ring.js', import.meta.url).href;
  const code = `
    const { workerData } = require('node:worker_threads');
    import(${JSON.stringify(url)}).then(({ ByteRing }) => {
      const ring = new ByteRing(workerData.init);
      const total = ${total};
      ${body}
    });
  `;
  return new Worker(code, { eval: true, workerData: { init } });
}

t.test('a blocked writer in another thread resumes as the reader drains, losing nothing, while the ring grows', async (t) => {
  // A 1-byte write first, so every later byte sits at an odd offset of the ring (the misaligned copy path).
  const ring = ByteRing.create(1024, 16 * 1024);
  const total = 1 << 22;
  const w = ringWorker(`
    const src = new Uint8Array(5000);
    let sent = 0;
    while (sent < total) {
      const n = Math.min(sent === 0 ? 1 : src.length, total - sent);
      for (let i = 0; i < n; i++) src[i] = (sent + i) & 0xff;
      let done = 0;
      while (done < n) {
        const put = ring.write(src.subarray(done, n));
        done += put;
        if (put === 0) ring.waitWritable();
      }
      sent += n;
    }
    ring.close(1);
  `, ring.init, total);
  let got = 0;
  let bad = 0;
  const buf = new Uint8Array(3001);
  for (;;) {
    const n = ring.read(buf.subarray(got & 1));
    const out = buf.subarray(got & 1, (got & 1) + n);
    for (let i = 0; i < n; i++) if (out[i] !== ((got + i) & 0xff)) bad++;
    got += n;
    if (n === 0) {
      if (ring.closedFlags() & WRITER_CLOSED && ring.available() === 0) break;
      await ring.waitReadableAsync();
    }
  }
  await w.terminate();
  t.equal(got, total);
  t.equal(bad, 0);
  t.ok(ring.capacity > 1024 && ring.capacity <= 16 * 1024, `grew to ${ring.capacity} bytes, within its maximum`);
});

t.test('a reader blocked in another thread wakes for each write and for the close', async (t) => {
  const ring = ByteRing.create(64);
  const total = 200_000;
  const sums = new Int32Array(new SharedArrayBuffer(8));
  const w = ringWorker(`
    const out = new Int32Array(workerData.init.sums);
    const buf = new Uint8Array(7);
    let got = 0, sum = 0;
    for (;;) {
      const n = ring.read(buf);
      for (let i = 0; i < n; i++) sum = (sum + buf[i]) | 0;
      got += n;
      if (n === 0) {
        if (ring.closedFlags() & 1 && ring.available() === 0) break;
        ring.waitReadable();
      }
    }
    Atomics.store(out, 0, got); Atomics.store(out, 1, sum); Atomics.notify(out, 0);
  `, { ...ring.init, sums: sums.buffer }, total);
  let sum = 0;
  const chunk = new Uint8Array(13);
  for (let sent = 0; sent < total;) {
    const n = Math.min(chunk.length, total - sent);
    for (let i = 0; i < n; i++) { chunk[i] = (sent + i) % 251; sum = (sum + chunk[i]) | 0; }
    let done = 0;
    while (done < n) {
      done += ring.write(chunk.subarray(done, n));
      if (done < n) await ring.waitWritableAsync();
    }
    sent += n;
  }
  ring.close(WRITER_CLOSED);
  while (Atomics.load(sums, 0) === 0) await Atomics.waitAsync(sums, 0, 0).value;
  await w.terminate();
  t.equal(sums[0], total);
  t.equal(sums[1], sum);
});

t.test('a ring grows only when full and then drained, by doubling, up to its maximum', async (t) => {
  const ring = ByteRing.create(8, 32);
  const out = new Uint8Array(64);
  t.equal(ring.write(new Uint8Array(4)), 4);
  t.equal(ring.read(out), 4);
  t.equal(ring.write(new Uint8Array(4)), 4, 'not full yet: no growth');
  t.equal(ring.capacity, 8);
  t.equal(ring.write(new Uint8Array(20)), 4, 'full: takes what fits');
  t.equal(ring.capacity, 8, 'no growth while bytes are in it');
  t.equal(ring.read(out), 8);
  t.equal(ring.write(Uint8Array.from({ length: 20 }, (_, i) => i)), 16, 'drained after being full: doubled');
  t.equal(ring.capacity, 16);
  t.equal(ring.read(out), 16);
  t.same([...out.subarray(0, 16)], Array.from({ length: 16 }, (_, i) => i));
  t.equal(ring.write(new Uint8Array(40)), 32);
  t.equal(ring.read(out), 32);
  t.equal(ring.write(new Uint8Array(40)), 32, 'never beyond its maximum');
  t.equal(ring.capacity, 32);
  const other = new ByteRing(ring.init);
  t.equal(other.capacity, 32, 'the other side sees the new size');
  t.equal(other.read(out), 32);

  const fixed = ByteRing.create(8);
  fixed.write(new Uint8Array(20));
  fixed.read(out);
  t.equal(fixed.write(new Uint8Array(20)), 8, 'a ring made without a maximum keeps its size');
});

t.test('SO_SNDBUF and SO_RCVBUF cap the growth: the lower wins, rounded down to a power of two', async (t) => {
  const grown = (ring: ByteRing): number => {
    const out = new Uint8Array(256);
    for (let i = 0; i < 8; i++) {
      ring.write(new Uint8Array(256));
      while (ring.read(out) > 0) { /* drain */ }
    }
    return ring.capacity;
  };
  const a = ByteRing.create(8, 128);
  new ByteRing(a.init).limitGrowth(40, 'reader');
  t.equal(grown(a), 32);
  const b = ByteRing.create(8, 128);
  b.limitGrowth(64, 'writer');
  new ByteRing(b.init).limitGrowth(1000, 'reader');
  t.equal(grown(b), 64);
  const c = ByteRing.create(16, 128);
  c.limitGrowth(1, 'writer');
  t.equal(grown(c), 16, 'never below the size it has');
  t.equal(grown(ByteRing.create(8, 128)), 128, 'unset: up to the maximum');
});

t.test('a doorbell counts rings only while someone sleeps on it', async (t) => {
  const bell = createDoorbell();
  ringBell(bell);
  t.equal(bell[0], 0, 'nobody asleep: no ring, no notify');
  t.equal(sleepOnBell(bell, () => true, 1000), true, 'ready at once: no sleep');
  const ring = ByteRing.create(16);
  ring.readerBell = bell;
  const code = `
    const { workerData } = require('node:worker_threads');
    const bell = new Int32Array(workerData);
    Atomics.add(bell, 1, 1);
    const seen = Atomics.load(bell, 0);
    Atomics.wait(bell, 0, seen);
    Atomics.sub(bell, 1, 1);
  `;
  const w = new Worker(code, { eval: true, workerData: bell.buffer });
  while (Atomics.load(bell, 1) === 0) await new Promise((r) => setImmediate(r));
  ring.write(Uint8Array.of(1));
  await new Promise((r) => w.once('exit', r));
  t.equal(bell[0], 1, 'the sleeper was rung awake');
});

t.test('a renewed ring is empty and open on the same buffer, whatever the old one held', async (t) => {
  const old = ByteRing.create(8);
  t.equal(old.write(Uint8Array.of(1, 2, 3, 4, 5)), 5);
  const b = new Uint8Array(8);
  t.equal(old.read(b.subarray(0, 2)), 2);
  old.close(WRITER_CLOSED | READER_CLOSED);
  const ring = old.renew();
  t.equal(ring.init.sab, old.init.sab, 'the same buffer');
  t.equal(ring.closedFlags(), 0, 'open at both ends');
  t.equal(ring.available(), 0, 'nothing of the old data is readable');
  t.equal(ring.capacity, 8);
  t.equal(ring.write(Uint8Array.of(7, 8, 9, 10, 11, 12, 13, 14, 15)), 8, 'the whole capacity is free');
  t.equal(ring.read(b), 8);
  t.same([...b], [7, 8, 9, 10, 11, 12, 13, 14]);
});
