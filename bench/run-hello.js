// Wall time of `wasmpod run examples/hello.yaml` beside node:wasi running the same module, measured side by side.
// Usage: node bench/run-hello.js [runs]   (default 30; each run is a fresh process, alternating the two)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as os from 'node:os';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const runs = Number(process.argv[2] ?? 30);
const state = path.join(os.tmpdir(), 'wasmpod-bench-state');
const cases = {
  'wasmpod run examples/hello.yaml': [process.execPath, [path.join(root, 'bin/wasmpod.js'), 'run', '--state-dir', state, 'examples/hello.yaml']],
  'node:wasi (plain script)': [process.execPath, ['--no-warnings', path.join(root, 'bench/node-wasi-hello.mjs')]],
  'node -e 0 (Node start-up alone)': [process.execPath, ['-e', '0']],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs + 2; i++) {
  for (const [name, [cmd, args]] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 || (name !== 'node -e 0 (Node start-up alone)' && !r.stdout.includes('hello from wasmpod'))) throw new Error(`${name} failed: ${r.stderr}`);
    if (i >= 2) times[name].push(ms); // the first two rounds warm the disk cache
  }
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const base = pct(times['node:wasi (plain script)'], 50);
console.log(`${runs} runs each, ${os.cpus().length} cores, Node ${process.version}`);
console.log('| case | p50 ms | p90 ms | p50 / node:wasi |');
console.log('|---|---|---|---|');
for (const [name, xs] of Object.entries(times)) {
  console.log(`| ${name} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 90).toFixed(1)} | ${(pct(xs, 50) / base).toFixed(2)} |`);
}
