// Random identifiers on a start's path: bytes from the system's CSPRNG, drawn a page at a time, so that an id
// costs a slice of a buffer rather than a call into the generator (which costs tens of microseconds on a CPU
// whose caches went cold between pods).

import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` random bytes as lowercase hex (2 × bytes characters); each byte of the pool is handed out once. */
export function randomHex(bytes: number): string {
  if (bytes > POOL_BYTES) throw new RangeError(`randomHex: at most ${POOL_BYTES} bytes, not ${bytes}`);
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}
