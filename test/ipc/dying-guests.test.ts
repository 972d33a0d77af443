// Senders killed in the middle of a message, in a real pod: a receiver of the same pod gets only whole,
// checksum-valid messages, in order, and the queue keeps working (wasm-modules/ipc/ipc-torture.c).
import t from 'tap';
import * as path from 'node:path';
import type { PodHandle } from '../../dist/src/index.js';
import type { MessageQueue } from '../../dist/shim/ipc/queue.js';
import { SLOT_KIND_MASK, SLOT_WRITING, S_STATE, slotOwner, slotWord } from '../../dist/shim/ipc/layout.js';
import { MODULES, fastRuntime, podSpec } from '../helpers/pods.js';

const TORTURE = path.join(MODULES, 'ipc/ipc-torture.wasm');
const MAXMSG = 8;            // as ipc-torture.c
const MSGSIZE = 1024 * 1024;
/** An owner id no container run gets (they count up from 1), for the lock this test holds. */
const HOLDER = 0x1ffffffd;
const rt = fastRuntime();
t.teardown(() => rt.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const send = (pod: PodHandle, id: number, count: number, timeoutMs: number) =>
  pod.exec('drain', ['ipc-torture', 'send', '/big', '/progress', String(id), String(count)], { timeoutMs });

/** The slots a sender holds while it copies a message in (tagged WRITING with its owner id). */
function writers(q: MessageQueue): number[] {
  const w = new Int32Array(q.sab);
  const out: number[] = [];
  for (let i = 0; i < MAXMSG; i++) {
    const state = Atomics.load(w, slotWord(MAXMSG, MSGSIZE, i) + S_STATE);
    if ((state & SLOT_KIND_MASK) === SLOT_WRITING) out.push(slotOwner(state));
  }
  return out;
}

t.test('senders killed mid-message: the receiver gets only whole messages, and the queue is not wedged', async (t) => {
  const pod = await rt.runPod(podSpec('ipc-dying', [{ name: 'drain', image: TORTURE, args: ['drain', '/big'] }], { restartPolicy: 'Never' }));
  const big = pod.ipc.openQueue('/big', { create: true, maxMessages: MAXMSG, messageSize: MSGSIZE });
  const progress = pod.ipc.openSegment('/progress', { create: true, bytes: 4096 });
  // The embedder's PodQueue keeps its MessageQueue private; this test looks at the shared words themselves.
  const q = (big as unknown as { q: MessageQueue }).q;

  // 1. Deterministic: with the queue's lock held here, a sender claims a slot, copies its 1 MiB in, and then waits
  // for the lock to queue it; it is killed there, the message written but not queued.
  while (!q.lock(HOLDER, 0)) await sleep(1);
  // Killed after 5 s, however slowly its worker starts on a loaded machine; it reaches the lock long before.
  const killed = send(pod, 1, 0, 5000);
  let ended = false;
  killed.then(() => { ended = true; }, () => { ended = true; });
  let stuck: number[] = [];
  while (!ended && stuck.length === 0) {
    stuck = writers(q);
    if (stuck.length === 0) await sleep(2);
  }
  t.equal(stuck.length, 1, 'the sender holds one slot, its message copied, waiting to queue it');
  const r = await killed;
  t.ok(r.timedOut, 'and is killed there');
  t.equal(r.exitCode, 137);
  t.equal(progress.atomic(0, 4, 0, 0), 1, 'inside mq_send of its first message when it died');
  t.same(writers(q), [], 'its recovery freed the slot');
  t.equal(q.count(), 0, 'and queued nothing');
  q.unlock();

  // 2. Statistical: senders killed wherever they are after 100-250 ms (copying in, asleep on a full queue, or in
  // their own code), each by its worker's end as `kubectl delete` would, while the receiver drains.
  const KILLS = 20;
  const expect = new Map<number, [number, number]>([[1, [0, 0]]]);
  let inSend = 0;
  for (let k = 0; k < KILLS; k++) {
    const id = 10 + k;
    const r = await send(pod, id, 0, 100 + ((k * 37) % 150));
    t.equal(r.exitCode, 137, `sender ${id} killed`);
    const word = progress.atomic(0, 4 * id, 0, 0);
    const done = word >> 1;
    // Died in mq_send of message `done` (odd word): that one was queued whole, or not at all.
    if (word & 1) inSend++;
    expect.set(id, [done, done + (word & 1)]);
    t.same(writers(q), [], 'no slot is left held by a dead sender');
  }
  t.comment(`${inSend} of ${KILLS} kills landed inside mq_send`);

  // 3. The queue still works: a last sender finishes, then the embedder ends the stream.
  const last = await send(pod, 99, 50, 60_000);
  t.equal(last.exitCode, 0, 'a sender after all those deaths finishes');
  expect.set(99, [50, 50]);
  await big.send('END', 0, 60_000);
  const s = await pod.wait();
  const out = pod.logs('drain');
  t.equal(s.phase, 'Succeeded', `the receiver found no torn, corrupt, duplicated or reordered message: ${out.split('\n').find((l) => l.startsWith('bad') || l.startsWith('out of order')) ?? 'ok'}`);
  const got = new Map([...out.matchAll(/^sender (\d+): (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]));
  for (const [id, [min, max]] of expect) {
    const n = got.get(id) ?? 0;
    t.ok(n >= min && n <= max, `sender ${id}: ${n} messages received, ${min === max ? min : `${min} or ${max}`} expected`);
  }
  t.same([...got.keys()].filter((id) => !expect.has(id)), [], 'from no one else');
});
