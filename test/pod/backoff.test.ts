import t from 'tap';
import { Backoff, KUBERNETES_BACKOFF } from '../../dist/src/pod/backoff.js';
import { formatDelay } from '../../dist/src/pod/container-loop.js';

t.test('Kubernetes back-off: 10 s doubling, capped at 300 s, reset after 10 minutes of running', async (t) => {
  const b = new Backoff(KUBERNETES_BACKOFF);
  const delays = Array.from({ length: 8 }, () => b.next(1000));
  t.same(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  t.equal(b.next(600_000), 10_000, 'a run of 10 minutes resets it');
  t.equal(b.next(1000), 20_000);
});

t.test('a container\'s restart back-off restarts at once after the first crash, then 10 s doubling, as the kubelet', async (t) => {
  const b = new Backoff(KUBERNETES_BACKOFF, true);
  const delays = Array.from({ length: 8 }, () => b.next(1000));
  t.same(delays, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  t.equal(b.next(600_000), 0, 'a run of 10 minutes makes the next crash a first one again');
  t.equal(b.next(1000), 10_000);
});

t.test('delays print as Go durations, as the kubelet prints them', async (t) => {
  t.equal(formatDelay(10_000), '10s');
  t.equal(formatDelay(80_000), '1m20s');
  t.equal(formatDelay(300_000), '5m0s');
  t.equal(formatDelay(250), '250ms');
  t.equal(formatDelay(1500), '1.5s');
});
