// The shared-memory objects themselves: queue order and recovery after a dead owner, mutex recovery, the call channel.
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { MessageQueue, createQueueBuffer } from '../../dist/shim/ipc/queue.js';
import { Segment } from '../../dist/shim/ipc/segment.js';
import { RobustList, releaseRobustList } from '../../dist/shim/ipc/robust-list.js';
import { CallServer } from '../../dist/shim/call-channel.js';
import {
  SLOT_READING, SLOT_WRITING, S_STATE, slotTag, slotWord,
} from '../../dist/shim/ipc/layout.js';

const OWNER = 7;

t.test('priorities first, FIFO within a priority', async (t) => {
  const q = new MessageQueue(createQueueBuffer(8, 8));
  for (const [m, p] of [['a', 1], ['b', 5], ['c', 1], ['d', 5], ['e', 0]] as const) t.ok(q.trySend(Buffer.from(m), p, OWNER));
  const buf = Buffer.alloc(8);
  const got: string[] = [];
  for (let n; (n = q.tryReceive(buf, OWNER)) >= 0;) got.push(`${buf.toString('utf8', 0, n)}${q.lastPriority}`);
  t.same(got, ['b5', 'd5', 'a1', 'c1', 'e0']);
});

t.test('a full queue refuses; the order survives wrap-around of slots', async (t) => {
  const q = new MessageQueue(createQueueBuffer(3, 4));
  const buf = Buffer.alloc(4);
  let next = 0;
  let want = 0;
  for (let round = 0; round < 100; round++) {
    while (q.trySend(Buffer.from(String(next % 1000)), 0, OWNER)) next++;
    t.equal(q.count(), 3);
    const n = q.tryReceive(buf, OWNER);
    if (buf.toString('utf8', 0, n) !== String(want++ % 1000)) { t.fail(`out of order at ${want - 1}`); return; }
  }
  t.pass('in order');
});

/** The slot's state word, written as a worker that died mid-copy would have left it. */
function tagSlot(sab: SharedArrayBuffer, slot: number, msgsize: number, state: number): void {
  const w = new Int32Array(sab);
  w[slotWord(2, msgsize, slot) + S_STATE] = state;
}

t.test('a receiver that died mid-message: the message is queued again; a dead sender: its slot is freed', async (t) => {
  const sab = createQueueBuffer(2, 8);
  const q = new MessageQueue(sab);
  q.trySend(Buffer.from('first'), 0, OWNER);
  tagSlot(sab, 0, 8, slotTag(SLOT_READING, 9));    // owner 9 was copying "first" out
  tagSlot(sab, 1, 8, slotTag(SLOT_WRITING, 9));    // and copying something in
  t.equal(q.count(), 0);
  t.notOk(q.trySend(Buffer.from('x'), 0, OWNER), 'no free slot while both are held');
  q.recover(8);
  t.equal(q.count(), 0, 'another owner\'s recovery changes nothing');
  q.recover(9);
  t.equal(q.count(), 1);
  const buf = Buffer.alloc(8);
  t.equal(buf.toString('utf8', 0, q.tryReceive(buf, OWNER)), 'first');
  t.ok(q.trySend(Buffer.from('x'), 0, OWNER) && q.trySend(Buffer.from('y'), 0, OWNER), 'both slots usable again');
});

t.test('a message queued again by recovery comes before younger ones of its priority; random priorities keep their order', async (t) => {
  const sab = createQueueBuffer(2, 8);
  const q = new MessageQueue(sab);
  const buf = Buffer.alloc(8);
  const take = () => { const n = q.tryReceive(buf, OWNER); return n < 0 ? '' : buf.toString('utf8', 0, n); };
  q.trySend(Buffer.from('b'), 0, OWNER);
  q.trySend(Buffer.from('c'), 0, OWNER);
  t.equal(take(), 'b');
  tagSlot(sab, 0, 8, slotTag(SLOT_READING, 9));   // as if owner 9 had taken "b" and died copying it out
  q.recover(9);
  t.equal(take(), 'b', 'the older message first');
  t.equal(take(), 'c');
  t.equal(take(), '', 'then nothing');

  // Against a model: the oldest message of the highest priority, whatever the mix of sends and receives.
  const r = new MessageQueue(createQueueBuffer(16, 8));
  const model: { prio: number; seq: number }[] = [];
  let seed = 12345;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
  for (let i = 0, seq = 0; i < 20000; i++) {
    if (rand(2) === 0 && model.length < 16) {
      const prio = rand(5) === 0 ? rand(4) : 0;
      if (!r.trySend(Buffer.from(String(seq)), prio, OWNER)) { t.fail('full'); return; }
      model.push({ prio, seq: seq++ });
    } else {
      const n = r.tryReceive(buf, OWNER);
      model.sort((a, b) => b.prio - a.prio || a.seq - b.seq);
      const want = model.shift();
      if ((n < 0 ? undefined : Number(buf.toString('utf8', 0, n))) !== want?.seq) { t.fail(`at step ${i}: got ${n < 0 ? 'none' : buf.toString('utf8', 0, n)}, want ${want?.seq}`); return; }
    }
  }
  t.pass('20000 random steps in order');
});

t.test('a waiter on a mutex wakes with EOWNERDEAD when the owner dies', async (t) => {
  const seg = new Segment(1, new SharedArrayBuffer(64));
  const robust = new SharedArrayBuffer(256);
  t.equal(seg.lock(0, 3, 0), 0);
  new RobustList(robust).add(1, 0);
  t.equal(seg.lock(0, 4, 0), 6, 'EAGAIN while held');
  t.equal(seg.lock(0, 4, 20), 73, 'ETIMEDOUT while held');
  releaseRobustList(robust, 3, (id) => id === 1 ? seg : undefined);
  t.equal(seg.lock(0, 4, 0), 62, 'EOWNERDEAD, and now locked by 4');
  t.equal(seg.unlock(0, 3), 63, 'EPERM for the dead owner');
  t.equal(seg.unlock(0, 4), 0);
  t.equal(seg.lock(0, 5, 0), 0, 'a plain lock afterwards');
});

t.test('the call channel: a worker blocks on a request the main thread answers, with an object attached', async (t) => {
  const server = new CallServer((req) => {
    req.args[0] = req.args[0] + req.args[1];
    req.attach({ text: Buffer.from(req.payload).toString() });
    return req.op === 99 ? 28 : 0;
  });
  const src = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../dist/shim/call-channel.js', import.meta.url).href)}).then(({ CallClient }) => {
      const c = new CallClient(workerData);
      const out = [];
      for (let i = 0; i < 1000; i++) {
        c.args[0] = i; c.args[1] = 1;
        const status = c.call(1, Buffer.from('n' + i));
        const obj = c.take();
        if (status !== 0 || c.args[0] !== i + 1 || obj.text !== 'n' + i) out.push('bad ' + i);
      }
      out.push('status ' + c.call(99, new Uint8Array(0)));
      c.take();
      parentPort.postMessage(out);
    });`;
  const w = new Worker(src, { eval: true, workerData: server.init, transferList: [server.init.port] });
  const out = await new Promise((resolve) => w.once('message', resolve));
  t.same(out, ['status 28']);
  await w.terminate();
  server.close();
});
