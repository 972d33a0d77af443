// Time of pulling a wasm image from a local distribution registry: cold, Always with the blobs stored, IfNotPresent when present.
// Usage: node bench/image-pull.js [runs]   (default 20; needs docker-registry: apt-get install docker-registry)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageService } from '../dist/src/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const runs = Number(process.argv[2] ?? 20);
const module = path.join(root, 'wasm-modules/image/show.wasm');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-registry-'));
const srv = net.createServer();
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const port = srv.address().port;
await new Promise((r) => srv.close(r));
fs.writeFileSync(path.join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
const registry = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
try {
  const image = `127.0.0.1:${port}/bench:v1`;
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); }); s.on('error', () => resolve(false)); });
    if (up) break;
    if (i > 100) throw new Error('docker-registry did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const pusher = new ImageService({ stateDir: path.join(dir, 'push') });
  await pusher.push(module, image);
  await pusher.close();
  const times = { 'cold pull (manifest, config, module)': [], 'Always, blobs already stored': [], 'IfNotPresent, present': [] };
  const [cold, always, present] = Object.values(times);
  for (let i = 0; i < runs + 2; i++) {
    const state = fs.mkdtempSync(path.join(dir, 'state-'));
    const svc = new ImageService({ stateDir: state });
    const t = (list, f) => async () => { const t0 = performance.now(); await f(); if (i >= 2) list.push(performance.now() - t0); };
    await t(cold, () => svc.ensure(image, { policy: 'Always' }))();
    await t(always, () => svc.ensure(image, { policy: 'Always' }))();
    await t(present, () => svc.ensure(image, { policy: 'IfNotPresent' }))();
    await svc.close();
    fs.rmSync(state, { recursive: true });
  }
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  console.log(`${runs} runs each, module ${fs.statSync(module).size} bytes, ${os.cpus().length} cores, Node ${process.version}`);
  console.log('| case | p50 ms | p90 ms |');
  console.log('|---|---|---|');
  for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 90).toFixed(1)} |`);
} finally {
  registry.kill();
  fs.rmSync(dir, { recursive: true, force: true });
}
