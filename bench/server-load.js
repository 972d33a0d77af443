// Load on `wasmpod serve`: concurrent clients create and delete N pods (default 1,000) through the API while a
// watch follows every pod; checks nothing is lost and the order holds, and compares memory before and after.
// Usage: node bench/server-load.js [pods] [concurrency] [rounds] (with --expose-gc for SERVER=inproc)
// The server is a real `wasmpod serve` in a process of its own (so on Node 22.15+ it runs on jemalloc as it
// re-executes itself; on Node 20 start the bench with LD_PRELOAD as docs/server.md says), and the memory read is
// that process's alone, none of the clients'. SERVER=inproc runs ApiServer in the bench's own process instead
// (its heap is then printed too, and IDLE_GC_MS applies; the clients' memory is counted with the server's).
// Once the load is over the clients close their connections, as finished clients do.
// WARMUP_PODS=N: the baseline is taken after a burst of N pods by the same clients (default: 10 pods one at a time).
// IDLE_GC_MS=0 turns off the server's release of memory after a burst (ServeOptions.idleGcMs, default 3 s);
// SHARED_WORKERS=N runs the pods' containers in shared workers (Node 24 or later).
// With rounds > 1 the load is run that many times in the same server, memory printed after each: memory that
// levels off from round to round is kept by the allocator for reuse, memory that keeps growing is a leak.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v8 from 'node:v8';
import { spawn } from 'node:child_process';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const N = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const ROUNDS = Number(process.argv[4] ?? 1);
const EXIT = path.join(root, 'wasm-modules/testing/exit.wasm');
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-load-'));
const INPROC = process.env.SERVER === 'inproc';
const idleGcMs = Number(process.env.IDLE_GC_MS ?? 3000);
// SHARED_WORKERS=N runs the containers in shared workers of N guests each (Node 24+; docs/library.md).
const shared = process.env.SHARED_WORKERS ? { sharedWorkers: { guestsPerWorker: Number(process.env.SHARED_WORKERS) } } : {};
// WATCH_HISTORY (SERVER=inproc): the changes the server keeps for watches resuming from a resourceVersion
// (default 2000 here, 10,000 in `wasmpod serve`; full after the load, so part of the memory after it).
const watchHistory = Number(process.env.WATCH_HISTORY ?? 2000);
// WATCH_HISTORY_MS: how long those changes are kept (`serve --compaction-interval`; the server's default is
// 5 minutes; 0 here: the default). Events expire 2 s after they happened (`serve --event-ttl 2s`).
const watchHistoryMs = Number(process.env.WATCH_HISTORY_MS ?? 0) || undefined;
// POOL_MAX_IDLE=N: the server's pool keeps up to N idle workers (`wasmpod serve --pool-max-idle`; default 64): with
// fewer than the clients, each wave of pods that arrives at once starts the workers the pool could not keep.
const pool = process.env.POOL_MAX_IDLE ? { workerPool: { minIdle: 2, maxIdle: Number(process.env.POOL_MAX_IDLE) } } : {};
/** The server: its unix socket, the pid whose memory is read ('self' in process), and how to stop it. */
async function startServer() {
  if (INPROC) {
    const { ApiServer } = await import('../dist/src/server/server.js');
    const server = await ApiServer.start({ stateDir: state, eventTtlMs: 2000, watchHistory, watchHistoryMs, idleGcMs, ...shared, ...pool });
    return { socketPath: server.socketPath, pid: 'self', stop: () => server.close() };
  }
  const args = [path.join(root, 'bin/wasmpod.js'), 'serve', '--state-dir', state, '--event-ttl', '2s',
    ...(watchHistoryMs ? ['--compaction-interval', `${watchHistoryMs}ms`] : []),
    ...(process.env.POOL_MAX_IDLE ? ['--pool-max-idle', process.env.POOL_MAX_IDLE] : []),
    ...(process.env.SHARED_WORKERS ? ['--shared-workers', process.env.SHARED_WORKERS] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  const socketPath = await new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      stderr += c;
      const m = /listening on unix:(\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`wasmpod serve ended (${code}) before it listened:\n${stderr}`)));
  });
  console.log(stderr.split('\n').find((l) => l.includes('memory allocator')));
  const exited = new Promise((r) => child.on('exit', r));
  process.on('exit', () => child.kill('SIGKILL')); // the bench failed: its server does not outlive it
  return { socketPath, pid: child.pid, stop: async () => { child.kill('SIGTERM'); await exited; } };
}
const server = await startServer();
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function request(method, url, body) {
  return new Promise((resolve, reject) => {
    const data = body && Buffer.from(JSON.stringify(body));
    const req = http.request({ socketPath: server.socketPath, agent, path: url, method, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A request retried when a reused idle connection turns out closed before the request was written. */
async function call(method, url, body) {
  for (let i = 0; ; i++) {
    try {
      return await request(method, url, body);
    } catch (err) {
      if (i >= 3 || (err.code !== 'EPIPE' && err.code !== 'ECONNRESET')) throw err;
    }
  }
}

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
// The server's resident memory and threads, from /proc. In process, RSS is read before the bench's own gc() calls
// (a served process has no --expose-gc to call), the heap after them.
const statusOf = () => fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
const rssOf = (status = statusOf()) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
const heap = () => {
  const status = statusOf();
  const rss = rssOf(status);
  const threads = Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Anonymous memory alone: RSS without the pages of files (the node binary's code the load ran for the first time).
  const anon = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  if (!INPROC) return { rss, anon, threads };
  const young = newSpace();
  globalThis.gc?.(); globalThis.gc?.();
  return { ...process.memoryUsage(), rss, anon, young, threads };
};
const mb = (n) => (n / 1048576).toFixed(1);
// Resident memory by kind of mapping (/proc/self/smaps): where RSS that stays after the load lives. `mappings`
// (SMAPS_DETAIL=1) also keeps each mapping's resident bytes by start address, to list the ones that grew.
const mappings = new Map();
function residentByKind() {
  const kinds = {};
  let kind = '';
  let at = '';
  mappings.clear();
  for (const line of fs.readFileSync(`/proc/${server.pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const size = parseInt(m[2], 16) - parseInt(m[1], 16);
      const name = m[4];
      at = `${m[1]} ${size >> 10} KiB ${m[3]} ${name || 'anon'}`;
      kind = name.startsWith('/') ? 'files' : name === '[heap]' ? 'brk heap' : name.startsWith('[stack') ? 'stacks' : name ? name
        : size === 262144 ? 'anon 256 KiB (V8 pages)' : size < 262144 ? 'anon small' : size >= 64 << 20 ? 'anon >= 64 MiB' : 'anon other';
    } else if (line.startsWith('Rss:')) {
      const bytes = Number(line.split(/\s+/)[1]) * 1024;
      kinds[kind] = (kinds[kind] ?? 0) + bytes;
      mappings.set(at, bytes);
    }
  }
  return kinds;
}
// The server gives memory back 3 s + 5 s after the last pod ended (idle-memory.ts): memory is read after 10 s
// (SETTLE_MS; Node 24's V8 keeps the pages of ended workers pooled for some 15 s more before it unmaps them).
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 10_000);
const POD = '/api/v1/namespaces/default/pods';
const podSpec = (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'load' } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: EXIT, args: [name, '0'] }] } });

// A watch on every pod, from now on: each pod must be seen ADDED first and DELETED last, versions always growing.
const start = (await request('GET', POD)).body.metadata.resourceVersion;
const seen = new Map();
let lastRv = Number(start);
let outOfOrder = 0;
const finished = new Map();
const watchReq = http.get({ socketPath: server.socketPath, path: `${POD}?watch=true&resourceVersion=${start}&labelSelector=bench%3Dload` }, (res) => {
  let buf = '';
  res.on('data', (c) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const ev = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      const rv = Number(ev.object.metadata.resourceVersion);
      if (rv <= lastRv) outOfOrder++;
      lastRv = rv;
      const name = ev.object.metadata.name;
      const phase = ev.object.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') { finished.get(name)?.(); finished.delete(name); }
      if (!name.startsWith('load-')) continue; // the warm-up's pods
      if (!seen.has(name)) seen.set(name, []);
      seen.get(name).push(ev.type);
    }
  });
});
watchReq.on('error', (err) => { if (!watchDone) throw err; });
let watchDone = false;

let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, rssOf()); }, 100);
let next = 0;
let round = 0;
async function client(prefix = 'load', count = N) {
  while (next < count) {
    const name = `${prefix}-${round}-${next++}`;
    const done = new Promise((r) => finished.set(name, r));
    const c = await call('POST', POD, podSpec(name));
    if (c.status !== 201) throw new Error(`create ${name}: ${c.status} ${JSON.stringify(c.body)}`);
    await done;
    const d = await call('DELETE', `${POD}/${name}`);
    if (d.status !== 200) throw new Error(`delete ${name}: ${d.status}`);
  }
}
// Warm-up: by default 10 pods one at a time (the module compiled, the first workers started); WARMUP_PODS=N
// runs a burst of N pods by the same concurrent clients instead, so that the baseline is a server that has
// served a burst before (code compiled, pools and caches at their working size) and what stays after the
// load is what the load itself left.
const WARMUP_PODS = Number(process.env.WARMUP_PODS ?? 0);
if (WARMUP_PODS > 0) {
  next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, () => client('warm', WARMUP_PODS)));
} else {
  for (let i = 0; i < 10; i++) await request('POST', POD, podSpec(`warm-${i}`));
  await new Promise((r) => setTimeout(r, 2000));
  for (let i = 0; i < 10; i++) await request('DELETE', `${POD}/warm-${i}`);
}
agent.destroy(); // the warm-up's clients leave too: the baseline holds no connection of theirs
await new Promise((r) => setTimeout(r, SETTLE_MS));
const before = heap();
const beforeKinds = residentByKind();
const beforeMappings = new Map(mappings);
peak = 0; // the load's peak, not the warm-up's

let seconds = 0;
const rounds = [];
for (round = 0; round < ROUNDS; round++) {
  next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => client()));
  const roundSeconds = (performance.now() - t0) / 1000;
  seconds += roundSeconds;
  // Every DELETED event has arrived once no pod is left in the store and the watch has caught up.
  while ([...seen.values()].filter((t) => t.at(-1) === 'DELETED').length < N * (round + 1)) await new Promise((r) => setTimeout(r, 50));
  if (ROUNDS > 1) {
    agent.destroy(); // the round's clients leave
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const m = heap();
    rounds.push(`round ${round + 1}: ${(N / roundSeconds).toFixed(1)} pods/s, rss ${mb(m.rss)} MB (anonymous ${mb(m.anon)} MB)${INPROC ? `, heapTotal ${mb(m.heapTotal)} MB (new space ${mb(m.young)} MB), heapUsed ${mb(m.heapUsed)} MB, external ${mb(m.external)} MB` : ''}`);
  }
}
const total = N * ROUNDS;
clearInterval(sampler);
watchDone = true;
watchReq.destroy();
const left = (await request('GET', POD)).body.items.length;
const lost = total - seen.size;
const badSeq = [...seen.values()].filter((t) => t[0] !== 'ADDED' || t.at(-1) !== 'DELETED' || t.slice(1, -1).some((x) => x !== 'MODIFIED')).length;
agent.destroy(); // the clients leave
await new Promise((r) => setTimeout(r, SETTLE_MS)); // events expire (TTL 2 s, swept every 2 s); memory given back
const after = heap();
const events = (await request('GET', '/api/v1/events')).body.items.length;
console.log(`pods: ${total}${ROUNDS > 1 ? ` (${ROUNDS} rounds of ${N})` : ''}, concurrency: ${CONCURRENCY}, create+run+delete: ${seconds.toFixed(1)} s, ${(total / seconds).toFixed(1)} pods/s`);
console.log(`watch: ${seen.size} pods seen, lost ${lost}, wrong sequences ${badSeq}, versions out of order ${outOfOrder}; pods left ${left}, events left ${events}`);
for (const line of rounds) console.log(line);
console.log(`memory${INPROC ? '' : ' of the server process'}: ${INPROC ? `heapUsed ${mb(before.heapUsed)} MB before, ${mb(after.heapUsed)} MB after; heapTotal ${mb(before.heapTotal)} MB before, ${mb(after.heapTotal)} MB after; ` : ''}rss ${mb(before.rss)} MB before, peak ${mb(peak)} MB, ${mb(after.rss)} MB after${INPROC ? ` (idleGcMs ${idleGcMs})` : ''}; anonymous ${mb(before.anon)} → ${mb(after.anon)} MB; threads ${before.threads} before, ${after.threads} after`);
const afterKinds = residentByKind();
console.log(`resident by mapping kind, before → after (MB): ${Object.keys({ ...beforeKinds, ...afterKinds }).sort()
  .map((k) => `${k} ${mb(beforeKinds[k] ?? 0)} → ${mb(afterKinds[k] ?? 0)}`).join('; ')}`);
if (process.env.SMAPS_DETAIL) {
  const grown = [...new Set([...beforeMappings.keys(), ...mappings.keys()])]
    .map((k) => [k, (mappings.get(k) ?? 0) - (beforeMappings.get(k) ?? 0)]).filter(([, d]) => Math.abs(d) >= 256 << 10)
    .sort((a, b) => b[1] - a[1]);
  for (const [k, d] of grown.slice(0, 20)) console.log(`  ${d > 0 ? '+' : ''}${mb(d)} MB  ${k}`);
}
await server.stop();
fs.rmSync(state, { recursive: true, force: true });
