// The Linux backend's two-container pod (busybox httpd + a wget client over localhost) beside `podman kube play` of the same manifest.
// Usage (root, runc, busybox-static; podman optional): node bench/linux-pod.js [runs]   (default 10, the two alternating)
// Measures start-to-ready (the call until every container is running: wasmpod's Ready condition, podman's
// `kube play` returning) and the whole cycle: create, the client served one request, delete.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { Runtime, findOnPath } = await import(path.join(root, 'dist/src/index.js'));
const runs = Number(process.argv[2] ?? 10);

// The root filesystem: busybox-static and a page to serve (what setup-linux-peers.sh imports into podman too).
const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-rootfs-'));
for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'www']) fs.mkdirSync(path.join(rootfs, d));
fs.copyFileSync(findOnPath(['busybox']), path.join(rootfs, 'bin/busybox'));
fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
for (const a of ['sh', 'sleep', 'httpd', 'wget']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
fs.writeFileSync(path.join(rootfs, 'www/index.html'), 'hello\n');

const manifest = (image) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'benchweb' },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [
      { name: 'httpd', image, command: ['/bin/httpd', '-f', '-p', '8080', '-h', '/www'] },
      { name: 'client', image, command: ['/bin/sh', '-c', 'while ! wget -q -O - http://localhost:8080/index.html; do sleep 0.05; done; echo served; exec sleep 1000'] },
    ],
  },
});

const now = () => Number(process.hrtime.bigint()) / 1e6;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-linux-'));
const rt = new Runtime({ stateDir, defaultRuntimeClass: 'linux' });

async function wasmpodCycle() {
  const t0 = now();
  const pod = await rt.runPod(manifest(rootfs));
  let served = false;
  const servedP = new Promise((resolve) => pod.on('output', (e) => { if (String(e.chunk).includes('served')) { served = true; resolve(); } }));
  await new Promise((resolve) => {
    const check = (s) => { if (s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) { pod.off('status', check); resolve(); } };
    pod.on('status', check);
    check(pod.status);
  });
  const ready = now() - t0;
  if (!served) await servedP;
  await pod.delete({ gracePeriodSeconds: 0 });
  return { ready, cycle: now() - t0 };
}

const podmanFile = path.join(os.tmpdir(), 'wasmpod-bench-podman.yaml');
fs.writeFileSync(podmanFile, YAML.stringify(manifest('localhost/busybox:latest')));
const podman = findOnPath(['podman']) && spawnSync('podman', ['image', 'exists', 'localhost/busybox:latest']).status === 0;

function podmanCycle() {
  const t0 = now();
  execFileSync('podman', ['kube', 'play', podmanFile], { stdio: 'ignore' });
  const ready = now() - t0;
  while (!spawnSync('podman', ['logs', 'benchweb-client'], { encoding: 'utf8' }).stdout.includes('served')) { /* poll */ }
  execFileSync('podman', ['pod', 'rm', '-f', '-t', '0', 'benchweb'], { stdio: 'ignore' });
  return { ready, cycle: now() - t0 };
}

const results = { wasmpod: [], podman: [] };
for (let i = 0; i < runs + 1; i++) {
  const w = await wasmpodCycle();
  const p = podman ? podmanCycle() : undefined;
  if (i === 0) continue; // warm-up round: disk cache, first runc and podman start-ups
  results.wasmpod.push(w);
  if (p) results.podman.push(p);
}
await rt.close();
fs.rmSync(rootfs, { recursive: true, force: true });
fs.rmSync(stateDir, { recursive: true, force: true });

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const runtimeVersion = execFileSync('runc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
console.log(`${runs} runs each, alternating, ${os.cpus().length} cores, Node ${process.version}, ${runtimeVersion}`);
console.log('| case | ready p50 ms | ready p90 ms | cycle p50 ms | cycle p90 ms |');
console.log('|---|---|---|---|---|');
for (const [name, xs] of Object.entries(results)) {
  if (xs.length === 0) { console.log(`| ${name} | not installed | | | |`); continue; }
  const r = xs.map((x) => x.ready);
  const c = xs.map((x) => x.cycle);
  console.log(`| ${name === 'wasmpod' ? 'wasmpod (runtimeClassName: linux)' : 'podman kube play'} | ${pct(r, 50).toFixed(0)} | ${pct(r, 90).toFixed(0)} | ${pct(c, 50).toFixed(0)} | ${pct(c, 90).toFixed(0)} |`);
}
