import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { ImageService, Runtime } from '../../dist/src/index.js';
import { HELLO } from '../helpers/pods.js';
import { BIN, tmp } from './helpers/pods.js';
import { storeState } from './helpers/store-check.js';

const hello = fs.readFileSync(HELLO);
const digest = `sha256:${createHash('sha256').update(hello).digest('hex')}`;

// A self-signed certificate for 127.0.0.1, made for this run.
const dir = tmp('https');
const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'),
  '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
const cert = fs.readFileSync(path.join(dir, 'cert.pem'));

const hits = new Map<string, number>();
const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
  hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
  if (req.url === '/hello.wasm') return void res.writeHead(200, { 'content-length': hello.length }).end(hello);
  if (req.url === '/readme.txt') return void res.writeHead(200).end('this is not wasm\n');
  if (req.url === '/cut.wasm') {
    // Declares the whole module, sends half, and hangs up.
    res.writeHead(200, { 'content-length': hello.length });
    res.write(hello.subarray(0, hello.length / 2), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.writeHead(404).end('no such file');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => server.close(() => r())));
const base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;

t.test('a pod runs a module from an https URL pinned by digest, trusting the server through the ca option', async (t) => {
  const runtime = new Runtime({ stateDir: tmp('state'), images: { ca: cert } });
  t.teardown(() => runtime.close());
  const image = `${base}/hello.wasm@${digest}`;
  const spec = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }] } });
  for (const name of ['first', 'second']) {
    const h = await runtime.runPod(spec(name));
    let out = '';
    h.on('output', (e) => { out += e.chunk.toString(); });
    const s = await h.wait();
    t.equal(out, 'hello from wasmpod\n', name);
    t.equal(s.containerStatuses![0].imageID, digest);
    t.equal(h.events.filter((e) => e.reason === 'Pulling').length, name === 'first' ? 1 : 0, `${name}: a pinned URL is IfNotPresent`);
  }
  t.equal(hits.get('/hello.wasm'), 1);
});

t.test('an unpinned URL is pulled again each time (Always), as a :latest tag is', async (t) => {
  const svc = new ImageService({ stateDir: tmp('state'), ca: cert });
  t.teardown(() => svc.close());
  const before = hits.get('/hello.wasm') ?? 0;
  t.equal((await svc.ensure(`${base}/hello.wasm`)).record.moduleDigest, digest);
  t.equal((await svc.ensure(`${base}/hello.wasm`)).pulled, true);
  t.equal(hits.get('/hello.wasm'), before + 2);
});

t.test('bad URLs: clear errors, nothing left in the store', async (t) => {
  const cases = [
    { image: `${base}/hello.wasm@sha256:${'1'.repeat(64)}`, code: 'ERR_IMAGE_DIGEST', message: `the bytes received hash to ${digest}, not sha256:${'1'.repeat(64)} as asked: refused` },
    { image: `${base}/readme.txt`, code: 'ERR_IMAGE_NOT_WASM', message: /readme\.txt is not a WebAssembly module \(no \\0asm magic number\)/ },
    { image: `${base}/cut.wasm`, code: 'ERR_IMAGE_TRUNCATED', message: /cut\.wasm: the connection broke after \d+ bytes|ended after \d+ of \d+ bytes/ },
    { image: `${base}/missing.wasm`, code: 'ERR_IMAGE_UNKNOWN', message: /HTTP 404 \(no such file\): not found/ },
    { image: 'http://registry.example/app.wasm', code: 'ERR_IMAGE_INSECURE', message: /plain HTTP from registry\.example/ },
    { image: `${base}/hello.wasm@sha256:abc`, code: 'ERR_IMAGE_REFERENCE', message: /"sha256:abc" is not a digest wasmpod can verify/ },
  ];
  for (const c of cases) {
    const state = tmp('state');
    const svc = new ImageService({ stateDir: state, ca: cert });
    await t.rejects(svc.ensure(c.image), { code: c.code, message: c.message }, c.image);
    await svc.close();
    t.same(storeState(state), { tmpFiles: [], corrupt: [], blobs: [], records: [] }, `${c.image}: nothing stored`);
  }
  const untrusted = new ImageService({ stateDir: tmp('state') });
  await t.rejects(untrusted.ensure(`${base}/hello.wasm`), { code: 'ERR_IMAGE_NETWORK', message: /self[- ]signed certificate/ },
    'without the ca option the self-signed server is not trusted');
  await untrusted.close();
});

t.test('wasmpod run --ca-file runs a pod whose image is on the https server', async (t) => {
  const podDir = t.testdir({ 'pod.json': JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'url' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: `${base}/hello.wasm@${digest}` }] },
  }) });
  // The server is in this process: the CLI runs beside it, not blocking it.
  const r = await promisify(execFile)(process.execPath, [BIN, 'run', path.join(podDir, 'pod.json'), '--ca-file', path.join(dir, 'cert.pem'),
    '--state-dir', tmp('state')]).catch((e: { stdout: string; stderr: string }) => e);
  t.equal(r.stdout, 'hello from wasmpod\n', r.stderr);
});
