// Pod IPC benchmark: queue round trips and throughput, futex round trips, and a ring in a segment, each between two
// containers of one pod, beside the pod's loopback socket between the same two containers.
// Usage: node bench/ipc.js [ROUND_TRIPS] [MESSAGES]   (after npm run build)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../dist/src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(root, 'wasm-modules/ipc/ipc-bench.wasm');
const NETBENCH = path.join(root, 'wasm-modules/net/netbench.wasm');
const trips = process.argv[2] ?? '100000';
const messages = process.argv[3] ?? '1000000';
const rt = new Runtime({ stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-bench-')) });

async function pair(name, image, a, b) {
  const pod = await rt.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { restartPolicy: 'Never', containers: [{ name: 'a', image, args: a }, { name: 'b', image, args: b }] },
  });
  const s = await pod.wait();
  if (s.phase !== 'Succeeded') throw new Error(`${name}: ${JSON.stringify(s.containerStatuses)}`);
  return (pod.logs('a') + pod.logs('b')).trim();
}

const lines = [];
for (const size of ['16', '1024']) {
  lines.push(await pair(`qrt-${size}`, BENCH, ['qping', trips, size], ['qpong', trips, size]));
}
lines.push(await pair('frt', BENCH, ['fping', trips], ['fpong', trips]));
// The pod's loopback socket (docs/network.md) between the same two containers, for comparison (bench/net.js has more).
const srt = JSON.parse(await pair('srt', NETBENCH, ['server', '7000', '1'], ['rr', 'localhost', '7000', trips]));
lines.push(`socket round trip (1 B each way, TCP-like stream over the pod's localhost) n=${trips} p50_us=${srt.p50_us} p99_us=${srt.p99_us}`);
const count = (size) => size === '65536' ? String(Math.min(Number(messages), 50000)) : messages;
for (const size of ['16', '1024', '65536']) {
  const n = count(size);
  const stp = JSON.parse(await pair(`stp-${size}`, NETBENCH, ['server', '7000', '1'], ['bulk', 'localhost', '7000', String(Number(n) * Number(size)), size]));
  lines.push(`socket one way (stream, ${size}-byte writes) n=${n} size=${size} msgs_per_s=${(stp.bytes / size / stp.seconds).toFixed(0)} MiB_per_s=${stp.MiBps}`);
}
for (const size of ['16', '1024', '65536']) {
  lines.push(await pair(`qtp-${size}`, BENCH, ['qblast', count(size), size], ['qsink', count(size), size]));
}
// A 1 MiB ring in a segment, futex wake-ups only when a side would sleep; timed inside the consumer.
for (const size of ['16', '1024', '65536']) {
  lines.push(await pair(`rtp-${size}`, BENCH, ['rblast', count(size), size], ['rsink', count(size), size]));
}
console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.arch()}, load ${os.loadavg()[0].toFixed(1)}`);
for (const l of lines) console.log(l);
await rt.close();
