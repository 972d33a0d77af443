// Socket benchmark: bulk throughput (64 KiB writes) and 1-byte round trips between two wasm guests of one pod, beside the
// same C program as two native processes over kernel TCP loopback and two Node worker threads over kernel TCP loopback.
// Usage: node bench/net.js [BYTES] [ROUND_TRIPS]   (after npm run build; needs cc or gcc for the native case)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Runtime } from '../dist/src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(root, 'wasm-modules/net/netbench.c');
const WASM = path.join(root, 'wasm-modules/net/netbench.wasm');
const BYTES = process.argv[2] ?? String(1 << 30);
const TRIPS = process.argv[3] ?? '20000';
const CHUNK = String(64 * 1024);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-net-'));

/** One pod: netbench server and client containers; the client's JSON line. */
async function wasmCase(rt, name, clientArgs) {
  const pod = await rt.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: [
        { name: 'server', image: WASM, args: ['server', '7000', '1'] },
        { name: 'client', image: WASM, args: clientArgs('localhost', '7000') },
      ],
    },
  });
  const s = await pod.wait();
  if (s.phase !== 'Succeeded') throw new Error(`${name}: ${JSON.stringify(s.containerStatuses)} ${pod.logs('client')}`);
  return JSON.parse(pod.logs('client').trim());
}

/** The same program as two host processes over kernel TCP loopback. */
async function nativeCase(bin, port, clientArgs) {
  const server = spawn(bin, ['server', String(port), '1'], { stdio: 'inherit' });
  const out = execFileSync(bin, clientArgs('127.0.0.1', String(port)), { encoding: 'utf8' });
  await new Promise((r) => server.on('exit', r));
  return JSON.parse(out.trim());
}

/** Two Node worker threads (server, client) over kernel TCP loopback, doing what netbench does. */
function nodeCase(mode) {
  const code = `
    const net = require('node:net');
    const { workerData, parentPort } = require('node:worker_threads');
    const { role, port, mode, bytes, chunk, trips } = workerData;
    if (role === 'server') {
      const srv = net.createServer({ noDelay: true }, (s) => {
        let total = 0;
        s.on('data', (d) => { if (mode === 'rr') s.write(d); else total += d.length; });
        s.on('end', () => { if (mode === 'bulk') { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(total)); s.end(b); } else s.end(); srv.close(); });
      });
      srv.listen(0, '127.0.0.1', () => parentPort.postMessage(srv.address().port));
    } else {
      const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, async () => {
        if (mode === 'bulk') {
          const buf = Buffer.alloc(chunk, 120);
          const t0 = process.hrtime.bigint();
          let got = Buffer.alloc(0);
          s.on('data', (d) => { got = Buffer.concat([got, d]); });
          s.on('end', () => {
            const dt = Number(process.hrtime.bigint() - t0) / 1e9;
            if (got.readBigUInt64LE() !== BigInt(bytes)) throw new Error('count mismatch');
            parentPort.postMessage({ bytes, seconds: dt, MiBps: bytes / dt / 1048576 });
          });
          for (let left = bytes; left > 0; left -= chunk) {
            if (!s.write(left < chunk ? buf.subarray(0, left) : buf)) await new Promise((r) => s.once('drain', r));
          }
          s.end();
        } else {
          const t = new Float64Array(trips);
          let i = 0, t0 = 0n;
          const one = Buffer.from([1]);
          s.on('data', () => {
            t[i++] = Number(process.hrtime.bigint() - t0) / 1e3;
            if (i < trips) { t0 = process.hrtime.bigint(); s.write(one); return; }
            s.end();
            const sorted = Array.from(t).sort((a, b) => a - b);
            parentPort.postMessage({ count: trips, p50_us: sorted[trips >> 1], p99_us: sorted[Math.floor(trips * 0.99)],
              mean_us: sorted.reduce((a, b) => a + b, 0) / trips });
          });
          t0 = process.hrtime.bigint();
          s.write(one);
        }
      });
    }`;
  return new Promise((resolve, reject) => {
    const common = { mode, bytes: Number(BYTES), chunk: Number(CHUNK), trips: Number(TRIPS) };
    const server = new Worker(code, { eval: true, workerData: { ...common, role: 'server' } });
    server.once('message', (port) => {
      const client = new Worker(code, { eval: true, workerData: { ...common, role: 'client', port } });
      client.once('message', resolve);
      client.once('error', reject);
    });
    server.once('error', reject);
  });
}

function buildNative() {
  const bin = path.join(tmp, 'netbench');
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang']) {
    if (!cc) continue;
    try {
      execFileSync(cc, ['-O2', '-o', bin, SRC], { stdio: 'pipe' });
      return { bin, cc };
    } catch { /* the next compiler */ }
  }
  return undefined;
}

const bulk = (host, port) => ['bulk', host, port, BYTES, CHUNK];
const rr = (host, port) => ['rr', host, port, TRIPS];
const rt = new Runtime({ stateDir: path.join(tmp, 'state') });
const results = { wasm: {}, native: {}, node: {} };
// Interleaved, so that load from other work on the machine falls on every case alike.
const native = buildNative();
for (let round = 0; round < 2; round++) {
  const keep = (kind, mode, r) => { if (round === 1 || !results[kind][mode]) results[kind][mode] = r; };
  keep('wasm', 'bulk', await wasmCase(rt, `bulk-${round}`, bulk));
  keep('node', 'bulk', await nodeCase('bulk'));
  if (native) keep('native', 'bulk', await nativeCase(native.bin, 17000 + round, bulk));
  keep('wasm', 'rr', await wasmCase(rt, `rr-${round}`, rr));
  keep('node', 'rr', await nodeCase('rr'));
  if (native) keep('native', 'rr', await nativeCase(native.bin, 17100 + round, rr));
}
await rt.close();
fs.rmSync(tmp, { recursive: true, force: true });

const w = results.wasm, n = results.node;
console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.arch()}, load ${os.loadavg()[0].toFixed(1)}`);
console.log(`bytes=${BYTES} chunk=${CHUNK} round_trips=${TRIPS}; second of two interleaved rounds${native ? `; native built with ${native.cc}` : '; no C compiler: native case skipped'}`);
console.log('| case | bulk MiB/s | RTT p50 µs | RTT p99 µs |');
console.log('|---|---|---|---|');
const row = (label, r) => r.bulk && console.log(`| ${label} | ${r.bulk.MiBps.toFixed(0)} | ${r.rr.p50_us.toFixed(1)} | ${r.rr.p99_us.toFixed(1)} |`);
row('two wasm guests in one pod (wasmpod loopback)', w);
row('two native processes, kernel TCP loopback', results.native);
row('two Node worker threads, kernel TCP loopback', n);
const tput = w.bulk.MiBps / n.bulk.MiBps;
const rtt = w.rr.p50_us / n.rr.p50_us;
console.log(`wasm / Node-workers: throughput ${tput.toFixed(2)}x (target >= 3x: ${tput >= 3 ? 'met' : 'missed'}), ` +
  `RTT p50 ${rtt.toFixed(2)}x (target <= 0.5x: ${rtt <= 0.5 ? 'met' : 'missed'})`);
