// randomHex: ids drawn from a pooled page of CSPRNG bytes.
import t from 'tap';
import { randomHex } from '../dist/src/random-id.js';

t.test('gives 2 x bytes lowercase hex characters', async (t) => {
  for (const n of [1, 6, 16, 32]) t.match(randomHex(n), new RegExp(`^[0-9a-f]{${2 * n}}$`));
});

t.test('never repeats an id across many pages of the pool', async (t) => {
  // 16-byte ids: 256 to a page, so 3,000 of them refill the pool a dozen times, at every offset.
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) seen.add(randomHex(16));
  t.equal(seen.size, 3000);
  // Sizes that do not divide the page: an id never straddles a refill (each is 2 x bytes long).
  for (let i = 0; i < 1000; i++) t.equal(randomHex(27).length, 54);
});

t.test('refuses more bytes than a page', async (t) => {
  t.throws(() => randomHex(4097), /at most 4096 bytes, not 4097/);
});
