import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageService } from '../../dist/src/index.js';
import { HELLO, fastRuntime } from '../helpers/pods.js';
import { registryMissing, startRegistry } from './helpers/registry.js';
import { RegistryProxy } from './helpers/proxy.js';
import { storeState } from './helpers/store-check.js';
import { BIN, SHOW, podOf, run, sha, tmp, wasmpod } from './helpers/pods.js';

const missing = registryMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const reg = await startRegistry(tmp('registry'));
  t.teardown(() => reg.close());
  const host = reg.host;
  const pushState = tmp('push');
  const pushed = wasmpod(['push', HELLO, `${host}/hello:v1`], pushState);
  const helloManifest = pushed.stdout.trim().split(' ')[1];

  t.test('wasmpod push publishes a wasm OCI artifact, and a pod runs it from the registry', async (t) => {
    t.equal(pushed.status, 0, pushed.stderr);
    t.match(pushed.stdout, new RegExp(`^${host}/hello:v1 sha256:[0-9a-f]{64}\\n$`));
    const res = await fetch(`http://${host}/v2/hello/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const manifest = await res.json() as { config: { mediaType: string }; layers: { mediaType: string; digest: string }[] };
    t.equal(manifest.config.mediaType, 'application/vnd.wasm.config.v0+json');
    t.same(manifest.layers.map((l) => [l.mediaType, l.digest]), [['application/wasm', sha(fs.readFileSync(HELLO))]]);

    const runtime = fastRuntime();
    t.teardown(() => runtime.close());
    const first = await run(runtime, podOf('first', [{ name: 'c', image: `${host}/hello:v1` }]));
    t.equal(first.status.phase, 'Succeeded');
    t.equal(first.out.c, 'hello from wasmpod\n');
    t.equal(first.status.containerStatuses![0].imageID, `${host}/hello@${helloManifest}`, 'imageID is the repository digest');
    t.match(first.events.filter(([r]) => r === 'Pulling' || r === 'Pulled'), [
      ['Pulling', `Pulling image "${host}/hello:v1"`],
      ['Pulled', new RegExp(`^Successfully pulled image "${host}/hello:v1" in [0-9.]+m?s\\. Image size: \\d+ bytes\\.$`)],
    ]);
    const again = await run(runtime, podOf('again', [{ name: 'c', image: `${host}/hello:v1` }]));
    t.equal(again.out.c, 'hello from wasmpod\n');
    t.same(again.events.filter(([r]) => r === 'Pulling' || r === 'Pulled'),
      [['Pulled', `Container image "${host}/hello:v1" already present on machine`]], 'v1 is IfNotPresent: no second pull');
    const local = await run(runtime, podOf('local', [{ name: 'c', image: HELLO }]));
    t.equal(local.out.c, 'hello from wasmpod\n');
    const cache = (runtime as unknown as { backend: { modules: { size: number } } }).backend.modules;
    t.equal(cache.size, 1, 'the pulled module and the same local file share one compiled module (one digest)');
  });

  t.test('wasmpod images lists the store; rmi removes an image and collects its blobs', async (t) => {
    const state = tmp('cli');
    const pulled = wasmpod(['pull', `${host}/hello:v1`], state);
    t.equal(pulled.status, 0, pulled.stderr);
    t.equal(pulled.stdout, `${host}/hello:v1 ${helloManifest}\n`);
    const unknown = wasmpod(['pull', `${host}/hello:nope`], state);
    t.equal(unknown.status, 1);
    t.equal(unknown.stderr, `wasmpod: image "${host}/hello:nope": manifest hello:nope from ${host}: HTTP 404 (MANIFEST_UNKNOWN: manifest unknown): not found\n`);
    const list = wasmpod(['images'], state);
    t.match(list.stdout, /^REPOSITORY\s+TAG\s+DIGEST\s+KIND\s+SIZE\s+PULLED\n/);
    t.match(list.stdout, new RegExp(`^${host}/hello\\s+v1\\s+${helloManifest.slice(7, 19)}\\s+wasm\\s+`, 'm'));
    t.equal(storeState(state).blobs.length, 3, 'manifest, config, module');
    const missingRmi = wasmpod(['rmi', `${host}/nothing:v1`], state);
    t.equal(missingRmi.status, 1);
    t.match(missingRmi.stderr, `image "${host}/nothing:v1": no such image in the store`);
    t.equal(wasmpod(['push', HELLO, `${host}/hello:v2`], state).status, 0);
    t.equal(wasmpod(['pull', `${host}/hello:v2`], state).status, 0);
    const rmi = wasmpod(['rmi', `${host}/hello:v1`], state);
    t.equal(rmi.status, 0, rmi.stderr);
    t.match(rmi.stdout, `Untagged: ${host}/hello:v1`);
    t.equal(storeState(state).blobs.length, 3, 'hello:v2 has the same blobs: GC keeps them');
    t.equal(wasmpod(['images', '-q'], state).stdout, `${host}/hello:v2\n`);
    t.equal(wasmpod(['rmi', helloManifest.slice(0, 19)], state).stdout, `Untagged: ${host}/hello:v2\nDeleted unreferenced blobs: 4.5 kB\n`, 'by digest prefix');
    t.same(storeState(state), { tmpFiles: [], corrupt: [], blobs: [], records: [] }, 'nothing left');
    t.equal(wasmpod(['images', '-q'], state).stdout, '');
    const yaml = wasmpod(['images', '-o', 'yaml'], state);
    t.same([yaml.status, yaml.stderr], [1, 'wasmpod: -o must be json, not "yaml"\n']);
    const byDigest = wasmpod(['push', HELLO, `${host}/hello@${helloManifest}`], state);
    t.equal(byDigest.status, 1);
    t.match(byDigest.stderr, /^wasmpod: image ".*": push takes a tag, not a digest/);
  });

  t.test('on a terminal, pull and push draw a progress bar per blob', { skip: spawnSync('script', ['--version']).status === 0 ? false : 'script (util-linux) is missing' }, async (t) => {
    const state = tmp('tty');
    const show = fs.statSync(SHOW).size;
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    const onTty = (args: string[]) => spawnSync('script', ['-qec', [process.execPath, BIN, ...args, '--state-dir', state].join(' '), '/dev/null'], { encoding: 'utf8' });
    const push = onTty(['push', SHOW, `${host}/tty:v1`]);
    t.equal(push.status, 0, 'push exits 0');
    t.match(push.stdout, new RegExp(`\\] 100% ${show}/${show} bytes`), 'the module\'s bar reaches 100%');
    const pull = onTty(['pull', `${host}/tty:v1`]);
    t.match(pull.stdout, new RegExp(`\\] 100% ${show}/${show} bytes`));
    t.match(pull.stdout, new RegExp(`${host}/tty:v1 sha256:[0-9a-f]{64}`));
    const quiet = wasmpod(['pull', `${host}/tty:v1`], state);
    t.equal(quiet.stderr, '', 'no bar when stderr is not a terminal');
  });

  t.test('concurrent pulls of one image fetch each blob once; Always asks for the manifest again, not the blobs', async (t) => {
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    const svc = new ImageService({ stateDir: tmp('concurrent') });
    t.teardown(() => svc.close());
    const image = `${proxy.host}/hello:v1`;
    const all = await Promise.all(Array.from({ length: 5 }, () => svc.ensure(image, { policy: 'Always' })));
    t.same(new Set(all.map((r) => r.record.digest)), new Set([helloManifest]));
    const layer = `/v2/hello/blobs/${sha(fs.readFileSync(HELLO))}`;
    t.equal(proxy.gets.get('/v2/hello/manifests/v1'), 1, 'one manifest GET for five callers');
    t.equal(proxy.gets.get(layer), 1, 'one layer GET');
    await svc.ensure(image, { policy: 'Always' });
    t.equal(proxy.gets.get('/v2/hello/manifests/v1'), 2);
    t.equal(proxy.gets.get(layer), 1, 'the stored blob is not fetched again');
    await svc.ensure(image, { policy: 'IfNotPresent' });
    t.equal(proxy.gets.get('/v2/hello/manifests/v1'), 2, 'IfNotPresent with the image present asks nothing');
  });

  t.test('bad inputs: each is a clear error, and the store is left without a record, a temp file or a bad blob', async (t) => {
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    const layer = sha(fs.readFileSync(HELLO));
    const cases: { name: string; image: string; code: string; message: RegExp; setup?: () => void }[] = [
      { name: 'unknown tag', image: `${host}/hello:nope`, code: 'ERR_IMAGE_UNKNOWN', message: /manifest hello:nope .*HTTP 404 \(MANIFEST_UNKNOWN/ },
      { name: 'unknown repository', image: `${host}/nobody/here:v1`, code: 'ERR_IMAGE_UNKNOWN', message: /HTTP 404/ },
      { name: 'digest nobody has', image: `${host}/hello@sha256:${'0'.repeat(64)}`, code: 'ERR_IMAGE_UNKNOWN', message: /HTTP 404/ },
      {
        name: 'a layer whose bytes are altered', image: `${proxy.host}/hello:v1`, code: 'ERR_IMAGE_DIGEST',
        message: new RegExp(`the bytes received hash to sha256:[0-9a-f]{64}, not ${layer} as asked: refused`),
        setup: () => proxy.faults.set(layer, 'flip'),
      },
      {
        name: 'the registry goes away in the middle of a blob', image: `${proxy.host}/hello:v1`, code: 'ERR_IMAGE_TRUNCATED',
        message: /the connection broke after \d+ of \d+ bytes|ended after \d+ of \d+ bytes/, setup: () => proxy.faults.set(layer, 'cut'),
      },
      {
        name: '403 from the registry', image: `${proxy.host}/hello:v1`, code: 'ERR_IMAGE_DENIED', message: /HTTP 403 \(DENIED: the proxy says no\): access denied/,
        setup: () => { proxy.manifestStatus = 403; },
      },
      {
        name: 'a manifest that is JSON null', image: `${proxy.host}/hello:v1`, code: 'ERR_IMAGE_PROTOCOL', message: /is not a JSON object/,
        setup: () => { proxy.manifestBody = 'null'; },
      },
      {
        name: 'an index whose manifests are not a list', image: `${proxy.host}/hello:v1`, code: 'ERR_IMAGE_PROTOCOL', message: /the image index has no manifests list/,
        setup: () => { proxy.manifestBody = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: 'x' }); },
      },
      {
        name: 'a descriptor whose digest is a path', image: `${proxy.host}/hello:v1`, code: 'ERR_IMAGE_PROTOCOL', message: /index entry 0 is not a valid descriptor/,
        setup: () => {
          proxy.manifestBody = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:../../../etc/passwd', size: 1, platform: { os: 'wasi', architecture: 'wasm' } }] });
        },
      },
      { name: 'a bad reference', image: `${host}/Hello:v1`, code: 'ERR_IMAGE_REFERENCE', message: /"Hello" is not a valid repository name component/ },
    ];
    for (const c of cases) {
      proxy.faults.clear();
      proxy.manifestStatus = undefined;
      proxy.manifestBody = undefined;
      c.setup?.();
      const state = tmp('bad');
      const svc = new ImageService({ stateDir: state });
      const err = await svc.ensure(c.image).then(() => undefined, (e: Error & { code: string }) => e);
      await svc.close();
      t.equal(err?.code, c.code, c.name);
      t.match(err?.message, c.message, c.name);
      t.match(err?.message, `image "${c.image}"`, `${c.name}: names the image`);
      const s = storeState(state);
      t.same([s.tmpFiles, s.corrupt, s.records], [[], [], []], `${c.name}: no temp file, corrupt blob or record`);
      t.notOk(s.blobs.includes(layer), `${c.name}: the module blob is not stored`);
    }
    // The same registry, without faults, still serves the image to a fresh store.
    proxy.faults.clear();
    proxy.manifestStatus = undefined;
    proxy.manifestBody = undefined;
    const svc = new ImageService({ stateDir: tmp('recovered') });
    t.equal((await svc.ensure(`${proxy.host}/hello:v1`)).record.moduleDigest, layer);
    await svc.close();
  });

  t.test('the registry process dies in the middle of a pull: a network error, nothing half-written, and the next pull works', async (t) => {
    const own = await startRegistry(tmp('registry-dies'));
    t.teardown(() => own.close());
    const image = `${own.host}/hello:v1`;
    const state = tmp('dies');
    const svc = new ImageService({ stateDir: state });
    t.teardown(() => svc.close());
    await svc.push(HELLO, image);
    let killed = false;
    const err = await svc.ensure(image, {
      progress: () => {
        if (killed) return;
        killed = true;
        // The manifest is in and the config is arriving: the registry is killed (SIGKILL), and given time to be gone.
        void own.stop(true);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      },
    }).then(() => undefined, (e: Error & { code: string }) => e);
    t.ok(killed, 'the registry was killed during the pull');
    t.equal(err?.code, 'ERR_IMAGE_NETWORK', String(err));
    t.match(err?.message, new RegExp(`^image "${image}": GET http://${own.host}/v2/hello/blobs/sha256:[0-9a-f]{64}: `), 'names the image and the request that failed');
    const s = storeState(state);
    t.same([s.tmpFiles, s.corrupt, s.records], [[], [], []], 'no temp file, corrupt blob or record');
    t.notOk(s.blobs.includes(sha(fs.readFileSync(HELLO))), 'the module blob is not stored');
    await own.restart();
    t.equal((await svc.ensure(image)).record.moduleDigest, sha(fs.readFileSync(HELLO)), 'with the registry back, the pull completes');
    t.same(storeState(state).corrupt, []);
  });

  const lan = Object.values(os.networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  t.test('a registry that is not on loopback is reached over https unless it is marked insecure', { skip: lan ? false : 'this machine has no IPv4 address but loopback' }, async (t) => {
    const own = await startRegistry(tmp('registry-lan'), { listen: lan });
    t.teardown(() => own.close());
    const image = `${own.host}/hello:v1`;
    const state = tmp('lan');
    const refused = wasmpod(['push', HELLO, image], state);
    t.equal(refused.status, 1);
    t.match(refused.stderr, `https://${own.host}/v2/hello/`, 'push tried https');
    t.match(refused.stderr, `the server does not answer in TLS (ERR_SSL_WRONG_VERSION_NUMBER); if ${own.host} is a plain-HTTP registry, mark it insecure (--insecure-registry ${own.host}`);
    t.equal(refused.stderr.split('\n').length, 2, 'one line');
    const pushed = wasmpod(['push', HELLO, image, '--insecure-registry', 'other.example:5000', '--insecure-registry', own.host], state);
    t.equal(pushed.status, 0, pushed.stderr);
    const pulled = wasmpod(['pull', image], state);
    t.equal(pulled.status, 1, 'pull without the flag: https again');
    t.match(pulled.stderr, `GET https://${own.host}/v2/hello/manifests/v1: the server does not answer in TLS`);
    t.same(storeState(state), { tmpFiles: [], corrupt: [], blobs: [], records: [] });
    const pod = path.join(tmp('lan-pod'), 'pod.json');
    fs.writeFileSync(pod, JSON.stringify(podOf('lan', [{ name: 'c', image }])));
    const ran = spawnSync(process.execPath, [BIN, 'run', pod, '--insecure-registry', own.host, '--state-dir', state], { encoding: 'utf8' });
    t.equal(ran.stdout, 'hello from wasmpod\n', ran.stderr);
    t.equal(ran.status, 0);
  });

}
