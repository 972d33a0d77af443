// The prober's timing and thresholds, with a scripted exec: initialDelaySeconds, periodSeconds, timeoutSeconds,
// successThreshold, failureThreshold, and the startup probe holding the others back.
import t from 'tap';
import { Prober } from '../../dist/src/pod/prober.js';

const SECOND = 10;

interface Script { [command: string]: ('ok' | 'fail' | 'timeout')[] }

function harness(container: Record<string, unknown>, script: Script) {
  const log: { at: number; what: string }[] = [];
  const t0 = Date.now();
  const note = (what: string) => log.push({ at: Date.now() - t0, what });
  const timeouts: number[] = [];
  const prober = new Prober({ name: 'c', image: 'x.wasm', ...container } as never, {
    exec: async (command, timeoutMs) => {
      timeouts.push(timeoutMs);
      const cmd = command.join(' ');
      const next = script[cmd]?.shift() ?? script[cmd + '*']?.[0] ?? 'ok';
      note(`exec ${cmd}`);
      const empty = Buffer.alloc(0);
      if (next === 'timeout') return { exitCode: 137, stdout: empty, stderr: empty, timedOut: true };
      return next === 'ok' ? { exitCode: 0, stdout: empty, stderr: empty, timedOut: false }
        : { exitCode: 1, stdout: Buffer.from(`${cmd} is unwell\n`), stderr: empty, timedOut: false };
    },
    started: () => note('started'),
    ready: (r) => note(`ready ${r}`),
    unhealthy: (_kind, message) => note(`unhealthy ${message}`),
    kill: (kind) => note(`kill ${kind}`),
  }, SECOND);
  return { log, timeouts, prober, what: () => log.map((l) => l.what) };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('readiness: initialDelaySeconds before the first run, successThreshold and failureThreshold flip Ready', async (t) => {
  const h = harness({ readinessProbe: { exec: { command: ['ready'] }, initialDelaySeconds: 10, periodSeconds: 2, successThreshold: 3, failureThreshold: 2 } },
    { ready: ['ok', 'ok', 'ok', 'fail', 'ok', 'fail', 'fail', 'ok'] });
  h.prober.start();
  await wait(400);
  h.prober.stop();
  const first = h.log.find((l) => l.what === 'exec ready')!;
  t.ok(first.at >= 10 * SECOND - 2, `the first probe waits initialDelaySeconds (${first.at} ms)`);
  t.same(h.what().filter((w) => !w.startsWith('exec')).slice(0, 6), [
    'started',
    'ready true', // after the third success, not before
    'unhealthy Readiness probe failed: ready is unwell', // one failure is under the threshold of 2, and a success resets it
    'unhealthy Readiness probe failed: ready is unwell',
    'unhealthy Readiness probe failed: ready is unwell',
    'ready false', // the second failure in a row
  ]);
  const execs = h.log.filter((l) => l.what === 'exec ready').map((l) => l.at);
  t.ok(execs[1] - execs[0] >= 2 * SECOND - 2, 'periodSeconds apart');
  t.ok(h.what().indexOf('ready true') > h.what().indexOf('exec ready') + 2, 'Ready only after three successes');
});

t.test('liveness: failureThreshold failures in a row kill the container once; a success in between resets the count', async (t) => {
  const h = harness({ livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1, failureThreshold: 3 } },
    { alive: ['fail', 'fail', 'ok', 'fail', 'fail', 'fail', 'fail', 'fail'] });
  h.prober.start();
  await wait(300);
  h.prober.stop();
  const w = h.what();
  t.equal(w.filter((x) => x === 'kill Liveness').length, 1);
  t.equal(w.filter((x) => x.startsWith('unhealthy Liveness probe failed')).length, 5, 'two, a success, then three');
  t.equal(w[w.length - 1], 'kill Liveness', 'no probing after the kill');
  t.ok(w.includes('ready true'), 'without a readiness probe the container is ready');
});

t.test('a startup probe holds liveness and readiness back until it succeeds; its failureThreshold kills', async (t) => {
  const h = harness({
    startupProbe: { exec: { command: ['boot'] }, periodSeconds: 1, failureThreshold: 5 },
    livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1 },
    readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
  }, { boot: ['fail', 'fail', 'ok'] });
  h.prober.start();
  await wait(200);
  h.prober.stop();
  const w = h.what();
  const started = w.indexOf('started');
  t.ok(started > 0, 'started after the startup probe succeeded');
  t.same(w.slice(0, started).filter((x) => x.startsWith('exec')), ['exec boot', 'exec boot', 'exec boot'], 'only the startup probe ran before');
  t.ok(w.includes('exec alive') && w.includes('ready true'));
  t.notOk(w.slice(started).includes('exec boot'), 'the startup probe stops once it succeeded');

  const dead = harness({ startupProbe: { exec: { command: ['boot'] }, periodSeconds: 1, failureThreshold: 2 }, livenessProbe: { exec: { command: ['alive'] } } },
    { 'boot*': ['fail'] });
  dead.prober.start();
  await wait(100);
  dead.prober.stop();
  t.same(dead.what().filter((x) => !x.startsWith('unhealthy')), ['exec boot', 'exec boot', 'kill Startup']);
  t.notOk(dead.what().includes('started'));
});

t.test('timeoutSeconds bounds each run; a run past it fails with the kubelet\'s message', async (t) => {
  const h = harness({ livenessProbe: { exec: { command: ['tool', 'sleep'] }, timeoutSeconds: 7, periodSeconds: 1, failureThreshold: 1 } },
    { 'tool sleep': ['timeout'] });
  h.prober.start();
  await wait(100);
  h.prober.stop();
  t.equal(h.timeouts[0], 7 * SECOND);
  t.ok(h.what().includes('unhealthy Liveness probe failed: command "tool sleep" timed out'));
  t.ok(h.what().includes('kill Liveness'));
});
