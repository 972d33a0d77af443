// The host's views of a guest's memory follow it as it grows, shared or not, and a pointer past its end is EFAULT.
import t from 'tap';
import { GuestMemory } from '../../../dist/shim/wasi/memory.js';

const PAGE = 65536;
/** WASI's EFAULT. */
const EFAULT = 21;
const faults = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (err) {
    return (err as { errno?: number }).errno === EFAULT;
  }
};

for (const shared of [false, true]) {
  t.test(`a ${shared ? 'shared' : 'plain'} memory: views follow its growth`, async (t) => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, ...(shared ? { shared: true } : {}) });
    const mem = new GuestMemory();
    mem.attach(memory);
    mem.setU32(PAGE - 4, 0xdeadbeef);
    t.equal(mem.u32(PAGE - 4), 0xdeadbeef);
    t.ok(faults(() => mem.u32(PAGE)), 'past the end: EFAULT');
    memory.grow(1);
    mem.setU32(PAGE, 42);
    t.equal(mem.u32(PAGE), 42, 'the new page is reachable once the memory has grown');
    t.equal(new DataView(memory.buffer).getUint32(PAGE, true), 42, 'and the write landed in the memory');
    t.equal(mem.u32(PAGE - 4), 0xdeadbeef, 'what was there stays');
    const view = mem.bytes(PAGE, 4);
    t.equal(view.buffer, memory.buffer, 'views are of the current buffer');
    t.ok(faults(() => mem.bytes(2 * PAGE - 2, 4)), 'past the new end: EFAULT');
    memory.grow(2);
    t.equal(mem.bytes(4 * PAGE - 1, 1).length, 1, 'grown again: the last byte');
  });
}

t.test('a memory attached after another is read, not the first one', async (t) => {
  const mem = new GuestMemory();
  const a = new WebAssembly.Memory({ initial: 1 });
  const b = new WebAssembly.Memory({ initial: 2 });
  mem.attach(a);
  mem.setU32(0, 1);
  mem.attach(b);
  t.equal(mem.u32(0), 0, 'the second memory, still zero');
  t.equal(mem.bytes(PAGE, 4).length, 4, 'its second page is there');
});
