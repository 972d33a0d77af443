// The shared byte budget of a sized volume: charges fail whole with ENOSPC, releases give bytes back, views share one counter.
import t from 'tap';
import { Quota, newQuota, quotaUsage } from '../../../dist/shim/fs/quota.js';

t.test('charge, refuse, release; two views of one budget', async (t) => {
  const init = newQuota(100);
  const a = new Quota(init);
  const b = new Quota(init);
  a.charge(60n);
  t.throws(() => b.charge(41n), { errno: 51 } as object as Error, 'ENOSPC past the limit');
  t.same(quotaUsage(init), { used: 60, refused: 1 }, 'a refused charge reserves nothing');
  b.charge(40n);
  a.release(30n);
  b.charge(30n);
  t.same(quotaUsage(init), { used: 100, refused: 1 });
  a.charge(0n);
  t.throws(() => a.charge(1n));
});
