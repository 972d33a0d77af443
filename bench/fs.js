// emptyDir throughput from a guest (disk and medium Memory) beside node:wasi on a directory of the same
// kind, in one run. The guest (wasm-modules/bench/fsbench.c) times itself with its monotonic clock, so
// start-up is excluded. Usage: node bench/fs.js [ROUNDS] [SEQ_MIB] [SMALL_FILES]   (after npm run build)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../dist/src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FSBENCH = path.join(root, 'wasm-modules/bench/fsbench.wasm');
const rounds = Number(process.argv[2] ?? 5);
const mib = process.argv[3] ?? '256';
const files = process.argv[4] ?? '2000';
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-'));
const rt = new Runtime({ stateDir });
const module = await WebAssembly.compile(fs.readFileSync(FSBENCH));
process.removeAllListeners('warning'); // node:wasi's ExperimentalWarning

async function wasmpod(medium) {
  const pod = await rt.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `fs-${medium.toLowerCase() || 'disk'}` },
    spec: {
      restartPolicy: 'Never', volumes: [{ name: 'scratch', emptyDir: medium ? { medium } : {} }],
      containers: [{ name: 'b', image: FSBENCH, args: ['/d', mib, files], volumeMounts: [{ name: 'scratch', mountPath: '/d' }] }],
    },
  });
  const s = await pod.wait();
  if (s.phase !== 'Succeeded') throw new Error(`wasmpod ${medium}: ${JSON.stringify(s.containerStatuses)}`);
  return JSON.parse(pod.logs('b'));
}

/** The same guest under node:wasi, on a fresh directory beside where wasmpod puts that medium. */
async function nodeWasi(medium) {
  const dir = fs.mkdtempSync(medium === 'Memory' ? '/dev/shm/nodewasi-bench-' : path.join(stateDir, 'nodewasi-'));
  let out = '';
  const stdout = path.join(dir, '..', `${path.basename(dir)}.out`);
  const fd = fs.openSync(stdout, 'w+');
  try {
    const wasi = new WASI({ version: 'preview1', args: ['fsbench', '/d', mib, files], preopens: { '/d': dir }, stdout: fd, returnOnExit: true });
    const code = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
    if (code !== 0) throw new Error(`node:wasi ${medium}: exit ${code}`);
    out = fs.readFileSync(stdout, 'utf8');
  } finally {
    fs.closeSync(fd);
    fs.rmSync(stdout, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return JSON.parse(out);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const keys = ['seqWriteMiBs', 'seqReadMiBs', 'smallWritePerSec', 'smallReadPerSec'];
console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.arch()}; ` +
  `${rounds} rounds, ${mib} MiB sequential, ${files} small files of 4 KiB; medians`);
for (const medium of ['', 'Memory']) {
  const runs = { wasmpod: [], 'node:wasi': [] };
  for (let i = 0; i < rounds; i++) { // alternated, so drift on a shared machine hits both alike
    runs.wasmpod.push(await wasmpod(medium));
    runs['node:wasi'].push(await nodeWasi(medium));
  }
  const m = Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, Object.fromEntries(keys.map((key) => [key, median(rs.map((r) => r[key]))]))]));
  console.log(`\nemptyDir ${medium || 'disk'} (${medium ? '/dev/shm' : os.tmpdir()})`);
  console.log(`${'measure'.padEnd(18)}${'wasmpod'.padStart(10)}${'node:wasi'.padStart(11)}${'ratio'.padStart(8)}`);
  for (const key of keys) {
    const a = m.wasmpod[key];
    const b = m['node:wasi'][key];
    console.log(`${key.padEnd(18)}${a.toFixed(0).padStart(10)}${b.toFixed(0).padStart(11)}${(a / b).toFixed(2).padStart(8)}`);
  }
}
await rt.close();
fs.rmSync(stateDir, { recursive: true, force: true });
