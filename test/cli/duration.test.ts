// Durations as Kubernetes' tools take them (Go's time.ParseDuration), for `serve --event-ttl / --compaction-interval`.
import t from 'tap';
import { parseDuration } from '../../dist/src/cli/duration.js';

t.test('units, sequences and fractions', async (t) => {
  t.equal(parseDuration('1h0m0s', '--x'), 3_600_000);
  t.equal(parseDuration('90s', '--x'), 90_000);
  t.equal(parseDuration('1m30s', '--x'), 90_000);
  t.equal(parseDuration('1.5h', '--x'), 5_400_000);
  t.equal(parseDuration('500ms', '--x'), 500);
  t.equal(parseDuration('2500us', '--x'), 2.5);
  t.equal(parseDuration('1500000ns', '--x'), 1.5);
  t.equal(parseDuration('.5s', '--x'), 500);
  t.equal(parseDuration('0', '--x'), 0);
});

t.test('what is not a duration is refused, naming the flag', async (t) => {
  for (const bad of ['', '10', '5d', 'h', '1h 2m', '-1s', '1s2', 'ms']) {
    t.throws(() => parseDuration(bad, '--event-ttl'), { message: `--event-ttl must be a duration such as 1h, 90s or 500ms, not "${bad}"` }, bad);
  }
});
