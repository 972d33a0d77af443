import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers/pods.js';
import { findOnPath } from '../../dist/src/index.js';
import type { BenchReport } from '../../dist/src/bench/model.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-test-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const jsonFile = path.join(dir, 'report.json');
const htmlFile = path.join(dir, 'report.html');

// One real quick run serves every check below (it measures every backend and peer available here).
const run = spawnSync(process.execPath, [BIN, 'bench', '--quick', '--json', jsonFile, '--html', htmlFile],
  { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });

t.test('wasmpod bench --quick prints a table and exits 0', async (t) => {
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /^wasmpod bench, /);
  t.match(run.stdout, /### Warm start: idle two-container pod/);
  t.match(run.stdout, /\| wasmpod wasm +\| \d+ +\| [\d.]+/);
});

t.test('the JSON report has every measurement, ordered percentiles and positive counts', async (t) => {
  const r = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as BenchReport;
  t.equal(r.tool, 'wasmpod bench');
  t.equal(r.version, 1);
  t.ok(r.machine.nproc > 0 && r.machine.node === process.version, 'machine');
  t.ok(r.options.quick);
  const ids = r.groups.map((g) => g.id);
  t.same(ids, ['start-cold', 'start-first-use', 'start-warm', 'web', 'hello', 'churn-c1', 'churn-c4', 'density-pods', 'density-memory',
    'loopback-throughput', 'loopback-latency']);
  for (const g of r.groups) {
    const wasm = g.series.find((s) => s.name === 'wasmpod wasm');
    t.ok(wasm, `${g.id}: wasmpod wasm was measured (${JSON.stringify(g.skipped)})`);
    t.equal(g.baseline, 'wasmpod wasm', `${g.id}: ratios are against wasmpod wasm`);
    t.equal(wasm?.ratio, 1, `${g.id}: the baseline's ratio is 1`);
    for (const s of g.series) {
      t.ok(s.stats || s.value !== undefined, `${g.id} ${s.name}: has a figure`);
      if (s.stats) {
        const { n, min, p50, p90, p99, max } = s.stats;
        t.ok(n > 0, `${g.id} ${s.name}: n > 0`);
        t.ok(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max, `${g.id} ${s.name}: min <= p50 <= p90 <= p99 <= max (${JSON.stringify(s.stats)})`);
        t.ok(min > 0, `${g.id} ${s.name}: times are positive`);
      }
      if (g.id.startsWith('churn') || g.id === 'density-pods' || g.id.startsWith('loopback')) t.ok(s.value! > 0, `${g.id} ${s.name}: ${s.value} > 0`);
      if (g.id.startsWith('churn')) {
        const e = s.extra!;
        t.ok((e['jobs'] as number) > 0);
        t.ok((e['latencyP50Ms'] as number) <= (e['latencyP90Ms'] as number) && (e['latencyP90Ms'] as number) <= (e['latencyP99Ms'] as number), `${g.id} ${s.name}: latency percentiles ordered`);
      }
    }
    for (const k of g.skipped) t.match(k.reason, /^skipped: |^failed: /, `${g.id} ${k.name}: says why`);
    t.notOk(g.skipped.some((k) => k.reason.startsWith('failed')), `${g.id}: nothing failed (${JSON.stringify(g.skipped)})`);
  }
  const density = r.groups.find((g) => g.id === 'density-pods')!.series.find((s) => s.name === 'wasmpod wasm')!;
  t.equal(density.value, r.options.densityCap, 'the quick density run reaches its cap');
  // Peers that are absent here are reported as skipped, by name, with the reason.
  const hello = r.groups.find((g) => g.id === 'hello')!;
  const named = [...hello.series.map((s) => s.name), ...hello.skipped.map((k) => k.name)];
  for (const peer of ['runc run (no pod)', 'podman kube play + wait', 'node:wasi, fresh worker', '@wasmer/wasi, fresh worker']) t.ok(named.includes(peer), peer);
  t.ok(hello.series.some((s) => s.subject === 'node:wasi'), 'node:wasi runs everywhere Node does');
  if (!findOnPath(['podman'])) t.ok(hello.skipped.some((k) => k.reason === 'skipped: podman not found'), 'podman absent: said so');
});

const chromium = findOnPath(['chromium', 'chromium-browser']);
t.test('the HTML report draws a non-empty bar for every measured series in headless Chromium', {
  skip: chromium ? false : 'chromium is not installed (Debian: apt-get install chromium)',
}, async (t) => {
  if (!chromium) return;
  const r = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as BenchReport;
  const html = fs.readFileSync(htmlFile, 'utf8');
  t.notMatch(html, /<(script|link|img)[^>]+(src|href)=["']?https?:/i, 'nothing is loaded from the network');
  const dumped = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--user-data-dir=' + path.join(dir, 'chromium'),
    '--dump-dom', `file://${htmlFile}`], { encoding: 'utf8', timeout: 90_000 });
  t.equal(dumped.status, 0, dumped.stderr);
  const dom = dumped.stdout;
  t.match(dom, /<body[^>]*data-charts="drawn"/, 'the chart script ran to its end');
  const bars = [...dom.matchAll(/<rect\b[^>]*>/g)].map((m) => {
    const attr = (name: string): string => /* attribute values are HTML-escaped in the DOM dump */ (new RegExp(`\\b${name}="([^"]*)"`).exec(m[0])?.[1] ?? '').replace(/&amp;/g, '&');
    return { group: attr('data-group'), series: attr('data-series'), stat: attr('data-stat'), width: Number(attr('width')), height: Number(attr('height')) };
  });
  let measured = 0;
  for (const g of r.groups) {
    t.match(dom, new RegExp(`<svg[^>]*data-group="${g.id}"`), `${g.id}: a chart`);
    for (const s of g.series) {
      measured++;
      const mine = bars.filter((b) => b.group === g.id && b.series === s.name);
      t.same(mine.map((b) => b.stat).sort(), s.stats ? ['p50', 'p90', 'p99'] : ['value'], `${g.id} ${s.name}: its bars`);
      const figure = s.stats?.p50 ?? s.value ?? 0;
      if (figure > 0) t.ok(mine.every((b) => b.width > 0 && b.height > 0), `${g.id} ${s.name}: bars of non-zero size (${JSON.stringify(mine)})`);
    }
  }
  t.ok(measured >= 10, `${measured} series drawn`);
});

t.test('bad options are refused with exit 1, naming the option and what it takes', async (t) => {
  const bad = (args: string[]) => spawnSync(process.execPath, [BIN, 'bench', ...args], { cwd: ROOT, encoding: 'utf8' });
  const only = bad(['--only', 'start,bogus']);
  t.equal(only.status, 1);
  t.match(only.stderr, /--only: unknown measurement "bogus" \(one of start, web, hello, churn, density, loopback\)/);
  const backend = bad(['--backend', 'docker']);
  t.equal(backend.status, 1);
  t.match(backend.stderr, /--backend must be wasm, linux or all/);
  const n = bad(['--iterations', '0']);
  t.equal(n.status, 1);
  t.match(n.stderr, /--iterations must be an integer of at least 1/);
  t.equal(only.stdout + backend.stdout + n.stdout, '', 'nothing measured');
});

t.test('--density-floor: density stops adding pods once the available memory is below it, and says so', async (t) => {
  const floor = Math.ceil(os.totalmem() / 1048576) + 1;
  const r = spawnSync(process.execPath, [BIN, 'bench', '--quick', '--only', 'density', '--backend', 'wasm', '--no-peers',
    '--density-floor', String(floor), '--json', path.join(dir, 'floor.json')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'floor.json'), 'utf8')) as BenchReport;
  const pods = report.groups.find((g) => g.id === 'density-pods')!;
  const wasm = pods.series.find((s) => s.name === 'wasmpod wasm');
  t.equal(wasm?.value, 0, 'no pod held: the host never has more memory available than it has');
  t.equal(wasm?.extra?.['stoppedBy'], 'memory floor');
  t.match(pods.note, `falls below ${floor} MiB`);
  const bad = spawnSync(process.execPath, [BIN, 'bench', '--density-floor', 'lots'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(bad.status, 1);
  t.match(bad.stderr, '--density-floor must be an integer of at least 0, not "lots"');
});
