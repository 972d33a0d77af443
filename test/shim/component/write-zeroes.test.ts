import t from 'tap';
import { OutputStream } from '../../../shim/component/io.js';
import { createDoorbell } from '../../../shim/ring/doorbell.js';

/** A sink that keeps what it is given and allows `room` bytes at a time, as the file and stdio sinks do. */
function sink(room: number) {
  const got: Uint8Array[] = [];
  return { got, write: (b: Uint8Array) => { got.push(Uint8Array.from(b)); }, space: () => room };
}

t.test('write-zeroes writes the zeroes check-write allows; past them the guest traps before anything is made', async (t) => {
  const s = sink(64 * 1024);
  const out = new OutputStream(createDoorbell(), s);
  out.writeZeroes(10n);
  t.same(s.got.map((b) => [...b]), [new Array(10).fill(0)]);
  t.throws(() => out.writeZeroes(1n << 40n), { name: 'RuntimeError', message: /write-zeroes of 1099511627776 bytes, more than check-write allows \(65536\)/ });
  t.equal(s.got.length, 1, 'nothing written by the refused call');
});

t.test('blocking-write-zeroes-and-flush writes at most 4096 bytes, as wasi:io/streams says', async (t) => {
  const s = sink(64 * 1024);
  const out = new OutputStream(createDoorbell(), s);
  out.blockingWriteZeroesAndFlush(4096n);
  t.equal(s.got[0]!.length, 4096);
  t.throws(() => out.blockingWriteZeroesAndFlush(4097n), { name: 'RuntimeError', message: /at most 4096/ });
  t.throws(() => out.blockingWriteZeroesAndFlush(1n << 62n), { name: 'RuntimeError' });
});
