import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageService, ImageStore, Runtime } from '../../dist/src/index.js';
import { HELLO } from '../helpers/pods.js';
import { registryMissing, startRegistry } from './helpers/registry.js';
import { RegistryProxy } from './helpers/proxy.js';
import { storeState } from './helpers/store-check.js';
import { BIN, SHOW, podOf, run, sha, tmp } from './helpers/pods.js';

const leaseDir = (state: string): string => path.join(state, 'images', 'leases');
const leaseFiles = (state: string): string[] => (fs.existsSync(leaseDir(state)) ? fs.readdirSync(leaseDir(state)).sort() : []);
const readLease = (state: string, f: string) => JSON.parse(fs.readFileSync(path.join(leaseDir(state), f), 'utf8')) as { pid: number; start?: string; image?: string; blobs: string[] };
/** Field 22 of /proc/PID/stat, as wasmpod records a process's start. */
const startOf = (pid: number): string => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};
/** A pid that no process has any more. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
/** Runs the CLI in its own process and waits for it, without blocking this one (the proxy lives here). */
function wasmpodAsync(args: string[], state: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const p = spawn(process.execPath, [BIN, ...args, '--state-dir', state]);
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  p.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve) => p.on('close', (status) => resolve({ status, stdout, stderr })));
}
/** Every blob a record names is in the store. */
function recordsWhole(state: string): string[] {
  const root = path.join(state, 'images');
  const missing: string[] = [];
  for (const f of fs.readdirSync(path.join(root, 'refs'))) {
    const rec = JSON.parse(fs.readFileSync(path.join(root, 'refs', f), 'utf8')) as { name: string; blobs: string[] };
    for (const b of rec.blobs) if (!fs.existsSync(path.join(root, 'blobs', 'sha256', b.slice(7)))) missing.push(`${rec.name} ${b}`);
  }
  return missing;
}

const missing = registryMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const reg = await startRegistry(tmp('registry'));
  t.teardown(() => reg.close());
  const pusher = new ImageService({ stateDir: tmp('push') });
  await pusher.push(HELLO, `${reg.host}/hello:v1`);
  await pusher.push(SHOW, `${reg.host}/show:v1`);
  await pusher.close();
  const manifestRes = await fetch(`http://${reg.host}/v2/hello/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const helloManifest = manifestRes.headers.get('docker-content-digest')!;
  const helloConfig = ((await manifestRes.json()) as { config: { digest: string } }).config.digest;
  const helloLayer = sha(fs.readFileSync(HELLO));
  const showLayer = sha(fs.readFileSync(SHOW));

  t.test('wasmpod rmi in another process while a pull is between storing blobs and recording the image: the pull completes and the pod runs', async (t) => {
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    const state = tmp('lease-rmi');
    const runtime = new Runtime({ stateDir: state, backoff: { baseMs: 20, maxMs: 600, resetAfterMs: 60_000 } });
    t.teardown(() => runtime.close());
    const image = `${proxy.host}/hello:v1`;
    await runtime.images.ensure(`${proxy.host}/show:v1`);

    // The pull stores the manifest and the config, then waits for the layer: nothing records them yet.
    const held = proxy.hold(helloLayer);
    const ran = run(runtime, podOf('held', [{ name: 'c', image }]));
    await held.reached;
    const blobsHeld = storeState(state).blobs;
    t.ok(blobsHeld.includes(helloManifest) && blobsHeld.includes(helloConfig), 'the manifest and the config are stored');
    const leases = leaseFiles(state);
    t.equal(leases.length, 1, 'the pull holds one lease');
    t.match(leases[0], new RegExp(`^pull-${process.pid}-[0-9a-f]+\\.json$`));
    const lease = readLease(state, leases[0]);
    t.same([lease.pid, lease.start, lease.image], [process.pid, startOf(process.pid), image], 'the lease names the process, its start time and the image');
    t.same(lease.blobs, [helloManifest, helloConfig, helloLayer], 'the lease names the blobs stored and the one being fetched');

    const rmi = await wasmpodAsync(['rmi', `${proxy.host}/show:v1`], state);
    t.equal(rmi.status, 0, rmi.stderr);
    t.match(rmi.stdout, /^Untagged: .*\/show:v1\nDeleted unreferenced blobs: /, 'the other process collected garbage');
    const afterGc = storeState(state).blobs;
    t.notOk(afterGc.includes(showLayer), 'the removed image\'s blobs are gone');
    t.ok(afterGc.includes(helloManifest) && afterGc.includes(helloConfig), 'the leased blobs are kept');

    held.release();
    const { status, out, events } = await ran;
    t.equal(status.phase, 'Succeeded');
    t.equal(out.c, 'hello from wasmpod\n', 'the pulled image runs');
    t.same(events.filter(([r]) => r === 'Failed'), [], 'no failed pull');
    t.equal(proxy.gets.get(`/v2/hello/blobs/${helloConfig}`), 1, 'the config was fetched once');
    t.same(leaseFiles(state), [], 'the lease is gone with the pull');
    const s = storeState(state);
    t.same([s.tmpFiles, s.corrupt, s.records], [[], [], [image]]);
    t.same(recordsWhole(state), [], 'every blob of the record is stored');
  });

  t.test('GC removes the leases of dead processes and of a reused pid, and keeps the blobs of live ones', async (t) => {
    const state = tmp('lease-stale');
    const store = new ImageStore(state);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((x) => store.putBytes('test', Buffer.from(`blob ${x}`))));
    fs.mkdirSync(leaseDir(state), { recursive: true });
    const dead = deadPid();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    t.teardown(() => child.kill('SIGKILL'));
    await new Promise((r) => child.once('spawn', r));
    const write = (f: string, l: object): void => fs.writeFileSync(path.join(leaseDir(state), f), JSON.stringify({ created: new Date().toISOString(), blobs: [], ...l }));
    write(`pull-${dead}-1.json`, { pid: dead, start: '1', image: 'dead', blobs: [a] });
    write(`pull-${process.pid}-2.json`, { pid: process.pid, start: '1', image: 'reused pid', blobs: [b] });
    write(`pull-${child.pid}-3.json`, { pid: child.pid, start: startOf(child.pid!), image: 'alive', blobs: [c] });
    write(`gc-${dead}-4.json`, { pid: dead, start: '1' });

    // A GC marker left by a process that died does not hold a pull back.
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    const svc = new ImageService({ stateDir: state });
    t.teardown(() => svc.close());
    const t0 = Date.now();
    t.equal((await svc.ensure(`${proxy.host}/hello:v1`)).record.moduleDigest, helloLayer);
    t.ok(Date.now() - t0 < 10_000, 'the pull did not wait for a dead GC');

    const gc = await store.gc();
    t.same(gc.blobs.sort(), [a, b].sort(), 'the blobs of dead leases are collected; the live lease\'s and the record\'s are not');
    t.same(leaseFiles(state), [`pull-${child.pid}-3.json`], 'dead leases and the dead GC marker are removed');
    t.same(recordsWhole(state), []);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    t.same((await store.gc()).blobs, [c], 'once its process is gone, its lease protects nothing');
    t.same(leaseFiles(state), []);
    t.same(storeState(state).corrupt, []);
  });

  t.test('a pull that finds its blobs stored waits for a GC under way in a live process before counting on them', async (t) => {
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    const state = tmp('lease-wait');
    const svc = new ImageService({ stateDir: state });
    t.teardown(() => svc.close());
    const image = `${proxy.host}/hello:v1`;
    await svc.ensure(image);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    t.teardown(() => child.kill('SIGKILL'));
    await new Promise((r) => child.once('spawn', r));
    const marker = path.join(leaseDir(state), `gc-${child.pid}-1.json`);
    fs.writeFileSync(marker, JSON.stringify({ pid: child.pid, start: startOf(child.pid!), created: new Date().toISOString(), blobs: [] }));
    let settled = false;
    const again = svc.ensure(image, { policy: 'Always' }).finally(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 400));
    t.notOk(settled, 'the pull waits while the GC marker\'s process lives');
    const lease = leaseFiles(state).find((f) => f.startsWith('pull-'));
    t.ok(lease && readLease(state, lease).blobs.includes(helloManifest), 'having named the manifest in its lease first');
    fs.rmSync(marker);
    t.equal((await again).record.moduleDigest, helloLayer, 'and goes on once the GC is over');
    t.equal(proxy.gets.get(`/v2/hello/blobs/${helloLayer}`), 1, 'the stored layer is not fetched again');
    t.same(leaseFiles(state), []);
  });

  t.test('a blob removed under a pull by something that ignores leases: a clear image error, and nothing half-done', async (t) => {
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    const state = tmp('lease-lost');
    const svc = new ImageService({ stateDir: state });
    t.teardown(() => svc.close());
    const image = `${proxy.host}/hello:v1`;
    const held = proxy.hold(helloLayer);
    const pulling = svc.ensure(image).then(() => undefined, (e: Error & { code: string }) => e);
    await held.reached;
    fs.rmSync(path.join(state, 'images', 'blobs', 'sha256', helloConfig.slice(7)));
    held.release();
    const err = await pulling;
    t.equal(err?.code, 'ERR_IMAGE_STORE', String(err));
    t.match(err?.message, new RegExp(`^image "${image}": blob ${helloConfig} left the image store during the pull`));
    const s = storeState(state);
    t.same([s.tmpFiles, s.corrupt, s.records], [[], [], []], 'no temp file, corrupt blob or record');
    t.same(leaseFiles(state), [], 'the failed pull released its lease');
    t.equal((await svc.ensure(image)).record.moduleDigest, helloLayer, 'the next pull works');
    t.same(recordsWhole(state), []);
  });
}
