// `wasmpod serve --pool-max-idle / --shared-workers / --event-ttl / --compaction-interval`: bad values refused; shared workers where JSPI exists, a clear error where not.
import t from 'tap';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { ApiServer } from '../../dist/src/server/server.js';
import { jspiAvailable } from '../../dist/src/index.js';
import { EXIT, ROOT, socketRequest, socketWatch, spawnServe, until } from '../helpers/server.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');

function serve(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'serve', '--no-socket', ...args], { timeout: 30_000 }, (e, _out, stderr) =>
      resolve({ code: e ? (e as { code?: number }).code ?? null : 0, stderr }));
  });
}

t.test('bad counts are refused before anything starts', async (t) => {
  const dir = t.testdir();
  const shared = await serve(['--state-dir', dir, '--shared-workers', '0']);
  t.equal(shared.code, 1);
  t.match(shared.stderr, '--shared-workers must be an integer of at least 1, not "0"');
  const pool = await serve(['--state-dir', dir, '--pool-max-idle', 'many']);
  t.equal(pool.code, 1);
  t.match(pool.stderr, '--pool-max-idle must be an integer of at least 0, not "many"');
  const ttl = await serve(['--state-dir', dir, '--event-ttl', '10']);
  t.equal(ttl.code, 1);
  t.match(ttl.stderr, '--event-ttl must be a duration such as 1h, 90s or 500ms, not "10"');
  const compaction = await serve(['--state-dir', dir, '--compaction-interval', '0']);
  t.equal(compaction.code, 1);
  t.match(compaction.stderr, '--compaction-interval must be at least 1ms, not "0"');
});

/** The first event of a watch over a unix socket (the watch is then closed). */
async function firstWatchEvent(socketPath: string, url: string): Promise<any> {
  const w = socketWatch(socketPath, url);
  try {
    await until('a watch event', () => w.events.length > 0);
    return w.events[0];
  } finally {
    w.close();
  }
}
const get = async (socketPath: string, url: string): Promise<any> => (await socketRequest(socketPath, 'GET', url)).body;

const PODS = '/api/v1/namespaces/default/pods';
const onePod = (name: string, image: string, args: string[] = []): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image, args }] } });

t.test('--event-ttl and --compaction-interval: events and the watch history are let go after them', async (t) => {
  const { socketPath } = await spawnServe(t, { args: ['--event-ttl', '1s', '--compaction-interval', '500ms'] });
  const start = (await get(socketPath, PODS)).metadata.resourceVersion;
  t.equal((await socketRequest(socketPath, 'POST', PODS, onePod('e', EXIT, ['e', '0']))).status, 201);
  await until('the pod to succeed', async () => (await get(socketPath, `${PODS}/e`)).status?.phase === 'Succeeded');
  const events = (await get(socketPath, '/api/v1/namespaces/default/events')).items;
  t.ok(events.length >= 3, `the pod's events are there at first (${events.length})`);
  const replay = await firstWatchEvent(socketPath, `${PODS}?watch=true&resourceVersion=${start}`);
  t.match(replay, { type: 'ADDED', object: { metadata: { name: 'e' } } }, 'a watch from before the pod replays it');
  await until('the events to expire', async () => (await get(socketPath, '/api/v1/namespaces/default/events')).items.length === 0, 10_000);
  const expired = await firstWatchEvent(socketPath, `${PODS}?watch=true&resourceVersion=${start}`);
  t.match(expired, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }, 'the history it replayed from is gone');
});

t.test('--base-dir: the folder relative images of pods made through the API resolve against', async (t) => {
  const bad = await serve(['--state-dir', t.testdir(), '--base-dir', path.join(ROOT, 'no-such-folder')]);
  t.equal(bad.code, 1);
  t.match(bad.stderr, `--base-dir: ${path.join(ROOT, 'no-such-folder')} is not a directory`);
  // The examples' images are relative to their folder (../wasm-modules/...), as kubectl sends them.
  const { socketPath } = await spawnServe(t, { args: ['--base-dir', path.join(ROOT, 'examples')] });
  t.equal((await socketRequest(socketPath, 'POST', PODS, onePod('hello', '../wasm-modules/hello/hello.wasm'))).status, 201);
  await until('the pod to succeed', async () => (await get(socketPath, `${PODS}/hello`)).status?.phase === 'Succeeded');
  const pod = await get(socketPath, `${PODS}/hello`);
  t.equal(pod.spec.containers[0].image, path.join(ROOT, 'wasm-modules/hello/hello.wasm'), 'stored as the file it resolved to');
});

if (jspiAvailable()) {
  t.test('a server with shared workers runs its pods in them', async (t) => {
    const server = await ApiServer.start({ stateDir: t.testdir(), socket: false, sharedWorkers: { guestsPerWorker: 4 } });
    t.teardown(() => server.close());
    const pod = await server.runtime.runPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'h', image: path.join(ROOT, 'wasm-modules/hello/hello.wasm') }] } });
    let out = '';
    pod.on('output', (e: { chunk: Buffer }) => { out += e.chunk; });
    t.equal((await pod.wait()).phase, 'Succeeded');
    t.equal(out, 'hello from wasmpod\n');
    t.equal(server.runtime.workerPool.spawned, 0, 'no worker of its own was started for it');
  });
} else {
  t.test('without JSPI, --shared-workers says what it needs', async (t) => {
    const r = await serve(['--state-dir', t.testdir(), '--shared-workers', '4']);
    t.equal(r.code, 1);
    t.match(r.stderr, /sharedWorkers needs JSPI .* use Node 24 or later/);
  });
}
