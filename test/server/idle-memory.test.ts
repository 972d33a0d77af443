import t from 'tap';
import * as vm from 'node:vm';
import { IdleMemory, gcFunctionOf } from '../../src/server/idle-memory.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('gc() is taken without leaving a gc global behind', async (t) => {
  const gc = gcFunctionOf();
  t.type(gc, 'function');
  t.equal(gcFunctionOf(), gc, 'taken once');
  t.doesNotThrow(() => gc!());
  t.equal(vm.runInNewContext('typeof gc'), 'undefined', 'contexts made later get no gc');
});

t.test('memory is given back once per burst, after the quiet period', async (t) => {
  let released = 0;
  const idle = new IdleMemory({ quietMs: 500, spacingMs: 20, onRelease: () => released++ });
  // A burst: activity every 30 ms (less than quietMs, even on a loaded machine) keeps putting the release off.
  for (let i = 0; i < 6; i++) {
    idle.activity();
    await sleep(30);
  }
  t.equal(released, 0, 'not while pods start and end');
  await sleep(1000);
  t.equal(released, 1, 'once the burst is over');
  await sleep(800);
  t.equal(released, 1, 'a quiet server is not collected again');
  idle.activity();
  await sleep(1000);
  t.equal(released, 2, 'the next burst is');
  t.equal(idle.releases, 2);
  idle.activity();
  idle.close();
  idle.activity();
  await sleep(1000);
  t.equal(released, 2, 'nothing after close');
});

t.test('quietMs 0 never collects', async (t) => {
  let released = 0;
  const idle = new IdleMemory({ quietMs: 0, spacingMs: 0, onRelease: () => released++ });
  idle.activity();
  await sleep(100);
  t.equal(released, 0);
});
