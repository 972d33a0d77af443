import t from 'tap';
import { copyFromShared, copyToShared } from '../../../dist/shim/ring/shared-copy.js';

const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

t.test('bytes copied into and out of shared memory are exact at every alignment and size', async (t) => {
  const shared = new Uint8Array(new SharedArrayBuffer(300 * 1024));
  const plain = new Uint8Array(300 * 1024);
  let bad = 0;
  // Sizes below the bounce threshold, around it, and across more than one bounce buffer.
  for (const n of [1, 7, 255, 256, 257, 4099, 65536, 65537, 200_000]) {
    for (const srcOff of [0, 1, 3, 8]) {
      for (const at of [0, 1, 5, 16]) {
        const src = pattern(n, n + srcOff + at);
        plain.set(src, srcOff);
        copyToShared(shared, at, plain.subarray(srcOff, srcOff + n));
        if (!shared.subarray(at, at + n).every((b, i) => b === src[i])) bad++;
        plain.fill(0);
        copyFromShared(plain, srcOff, shared.subarray(at, at + n));
        if (!plain.subarray(srcOff, srcOff + n).every((b, i) => b === src[i])) bad++;
        if (plain[srcOff + n] !== 0 || (srcOff > 0 && plain[srcOff - 1] !== 0)) bad++;
      }
    }
  }
  t.equal(bad, 0);
});
