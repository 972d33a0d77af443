import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageService, Runtime, type PodStatus } from '../../dist/src/index.js';
import { defaultAuthFiles, findCredentials } from '../../dist/src/image/auth.js';
import { ROOT, HELLO } from '../helpers/pods.js';
import { registryMissing, startRegistry } from './helpers/registry.js';
import { storeState } from './helpers/store-check.js';
import { tmp } from './helpers/pods.js';

const BIN = path.join(ROOT, 'bin/wasmpod.js');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** An auth file in the format of `podman login` (auth.json) or `docker login` (config.json). */
function authFile(key: string, user: string, password: string): string {
  const file = path.join(tmp('auth'), 'auth.json');
  fs.writeFileSync(file, JSON.stringify({ auths: { [key]: { auth: b64(`${user}:${password}`) } } }));
  return file;
}

t.test('auth files: which are searched, and the formats of their entries', async (t) => {
  t.same(defaultAuthFiles({ REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/run/user/7', DOCKER_CONFIG: '/d' }), [
    '/a.json', '/run/user/7/containers/auth.json', path.join(os.homedir(), '.config/containers/auth.json'), '/d/config.json',
  ]);
  t.same(defaultAuthFiles({}).at(-1), path.join(os.homedir(), '.docker/config.json'));
  const dir = t.testdir({
    'docker.json': JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') }, 'https://r.example:5000/v2/': { auth: b64('u:p:with:colons') } } }),
    'podman.json': JSON.stringify({ auths: { 'r.example:5000': { username: 'first', password: 'wins' } } }),
    'bad.json': JSON.stringify({ auths: { 'bad.example': { auth: b64('no-colon') } } }),
    'broken.json': '{',
  });
  const f = (n: string): string => path.join(dir, n);
  t.same(findCredentials('docker.io', [f('docker.json')]), { username: 'hub', password: 'pw' }, 'the Docker Hub key is a URL');
  t.same(findCredentials('r.example:5000', [f('docker.json')]), { username: 'u', password: 'p:with:colons' });
  t.same(findCredentials('r.example:5000', [f('podman.json'), f('docker.json')]), { username: 'first', password: 'wins' }, 'first file wins');
  t.equal(findCredentials('other.example', [f('nope.json'), f('docker.json')]), undefined);
  t.throws(() => findCredentials('bad.example', [f('bad.json')]), /bad\.json: the "auth" of "bad\.example" is not base64 of user:password/);
  t.throws(() => findCredentials('x', [f('broken.json')]), /broken\.json: /);
  const svc = new ImageService({ stateDir: tmp('state'), authFiles: [f('broken.json')] });
  await t.rejects(svc.ensure('r.example:5000/app:v1'), {
    code: 'ERR_IMAGE_AUTH_FILE', message: new RegExp(`^image "r\\.example:5000/app:v1": auth file ${f('broken.json').replace(/[.]/g, '\\.')}: `),
  }, 'a pull names the image and the auth file that cannot be read');
  await svc.close();
});

const missing = registryMissing();
t.test('a registry with token auth', { skip: missing ?? false }, async (t) => {
  const reg = await startRegistry(tmp('registry-token'), { auth: 'token' });
  t.teardown(() => reg.close());
  const alice = authFile(reg.host, 'alice', 'secret');
  // The token server runs in this process: the CLI runs beside it, not blocking it.
  for (const repo of ['private/app:v1', 'public/app:v1']) {
    const r = await promisify(execFile)(process.execPath, [BIN, 'push', HELLO, `${reg.host}/${repo}`, '--authfile', alice, '--state-dir', tmp('push')]);
    t.match(r.stdout, new RegExp(`^${reg.host}/${repo} sha256:`), `push ${repo}: ${r.stderr}`);
  }
  t.ok(reg.token!.requests.some((r) => r.user === 'alice' && r.scope === 'repository:private/app:pull,push' && r.status === 200),
    'push went through the bearer-token flow with alice\'s credentials');

  const pull = async (image: string, authFiles: string[]) => {
    const state = tmp('pull');
    const svc = new ImageService({ stateDir: state, authFiles });
    try {
      return { record: (await svc.ensure(image)).record, state };
    } catch (err) {
      return { err: err as Error & { code: string }, state };
    } finally {
      await svc.close();
    }
  };

  t.test('anonymous pulls get an anonymous token for public repositories', async (t) => {
    const r = await pull(`${reg.host}/public/app:v1`, []);
    t.equal(r.err, undefined);
    t.equal(r.record?.layout, 'wasm');
    t.ok(reg.token!.requests.some((x) => x.user === 'anonymous' && x.scope === 'repository:public/app:pull' && x.status === 200));
  });

  t.test('credentials from the auth file open a private repository', async (t) => {
    const r = await pull(`${reg.host}/private/app:v1`, [alice]);
    t.equal(r.err, undefined);
    t.ok(r.record?.moduleDigest);
  });

  t.test('401 and 403 are clear errors and leave the store clean', async (t) => {
    const cases = [
      { who: 'nobody', files: [] as string[], code: 'ERR_IMAGE_UNAUTHORIZED', message: /HTTP 401 .*not authorized; log in/ },
      { who: 'a wrong password', files: [authFile(reg.host, 'alice', 'wrong')], code: 'ERR_IMAGE_UNAUTHORIZED', message: /token from http:\/\/127\.0\.0\.1:\d+\/token: HTTP 401 \(UNAUTHORIZED: bad credentials\)/ },
      { who: 'a refused user', files: [authFile(reg.host, 'mallory', 'pw')], code: 'ERR_IMAGE_DENIED', message: /HTTP 403 \(DENIED: mallory may not use this registry\): access denied/ },
    ];
    for (const c of cases) {
      const r = await pull(`${reg.host}/private/app:v1`, c.files);
      t.equal(r.err?.code, c.code, c.who);
      t.match(r.err?.message, c.message, c.who);
      t.same(storeState(r.state), { tmpFiles: [], corrupt: [], blobs: [], records: [] }, `${c.who}: nothing stored`);
    }
  });

  t.test('a pod: without credentials ErrImagePull names the 401; with them it runs', async (t) => {
    const spec = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'private' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: `${reg.host}/private/app:v1` }] } };
    const denied = new Runtime({ stateDir: tmp('rt'), backoff: { baseMs: 20, maxMs: 200, resetAfterMs: 60_000 }, images: { authFiles: [] } });
    const h = await denied.runPod(spec);
    const waiting = await new Promise<NonNullable<NonNullable<PodStatus['containerStatuses']>[number]['state']>['waiting']>((resolve) => {
      h.on('status', (s) => { const w = s.containerStatuses?.[0]?.state?.waiting; if (w?.reason === 'ErrImagePull') resolve(w); });
    });
    t.match(waiting?.message, /HTTP 401/);
    await denied.close();
    const allowed = new Runtime({ stateDir: tmp('rt'), images: { authFiles: [alice] } });
    t.teardown(() => allowed.close());
    const ok = await allowed.runPod(spec);
    let out = '';
    ok.on('output', (e) => { out += e.chunk.toString(); });
    t.equal((await ok.wait()).phase, 'Succeeded');
    t.equal(out, 'hello from wasmpod\n');
  });
});

t.test('a registry that asks for Basic credentials itself (htpasswd)', { skip: missing ?? false }, async (t) => {
  const reg = await startRegistry(tmp('registry-htpasswd'), { auth: 'htpasswd' });
  t.teardown(() => reg.close());
  // The default search, as `docker login` leaves it: $DOCKER_CONFIG/config.json, its key a URL; no other auth file.
  const home = tmp('home');
  const dockerConfig = path.join(home, 'docker');
  fs.mkdirSync(dockerConfig);
  fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [`http://${reg.host}`]: { auth: b64('alice:secret') } } }));
  const env = { PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: dockerConfig };
  const cli = (args: string[], state: string) => spawnSync(process.execPath, [BIN, ...args, '--state-dir', state], { encoding: 'utf8', env });
  const pushed = cli(['push', HELLO, `${reg.host}/app:v1`], tmp('push'));
  t.equal(pushed.status, 0, pushed.stderr);
  t.match(pushed.stdout, new RegExp(`^${reg.host}/app:v1 sha256:[0-9a-f]{64}\\n$`), 'push answered the Basic challenge with config.json\'s credentials');
  const state = tmp('pull');
  const pulled = cli(['pull', `${reg.host}/app:v1`], state);
  t.equal(pulled.status, 0, pulled.stderr);
  t.same(storeState(state).records, [`${reg.host}/app:v1`]);

  const cases = [
    { who: 'nobody', files: [] as string[] },
    { who: 'a wrong password', files: [authFile(reg.host, 'alice', 'wrong')] },
  ];
  for (const c of cases) {
    const s = tmp('pull');
    const svc = new ImageService({ stateDir: s, authFiles: c.files });
    await t.rejects(svc.ensure(`${reg.host}/app:v1`), {
      code: 'ERR_IMAGE_UNAUTHORIZED', message: new RegExp(`image "${reg.host}/app:v1": manifest app:v1 from ${reg.host}: HTTP 401 \\(UNAUTHORIZED: .*not authorized; log in`),
    }, c.who);
    await svc.close();
    t.same(storeState(s), { tmpFiles: [], corrupt: [], blobs: [], records: [] }, `${c.who}: nothing stored`);
  }
  const denied = cli(['pull', `${reg.host}/app:v1`, '--authfile', authFile(reg.host, 'alice', 'wrong')], tmp('pull'));
  t.equal(denied.status, 1);
  t.match(denied.stderr, /^wasmpod: image ".*app:v1": .*HTTP 401 .*not authorized; log in.*\n$/, 'the CLI prints one line and exits 1');

  t.test('wasmpod serve --authfile: the server pulls its pods\' images with those credentials', async (t) => {
    const state = tmp('serve');
    // HOME has no credentials: only --authfile can open the registry.
    const server = spawn(process.execPath, [BIN, 'serve', '--state-dir', state, '--authfile', authFile(reg.host, 'alice', 'secret')],
      { env: { PATH: process.env.PATH ?? '', HOME: tmp('home') }, stdio: ['ignore', 'ignore', 'pipe'] });
    t.teardown(() => { server.kill('SIGTERM'); });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      server.stderr!.on('data', (c: Buffer) => { err += c; if (err.includes('listening on unix:')) resolve(); });
      server.once('exit', () => reject(new Error(`wasmpod serve exited: ${err}`)));
    });
    const pod = path.join(tmp('pod'), 'pod.json');
    fs.writeFileSync(pod, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'basic' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: `${reg.host}/app:v1` }] } }));
    const exec = promisify(execFile);
    await exec(process.execPath, [BIN, 'apply', '-f', pod, '--state-dir', state]);
    let phase = '';
    for (let i = 0; i < 200 && phase !== 'Succeeded' && phase !== 'Failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const got = await exec(process.execPath, [BIN, 'get', 'pod', 'basic', '-o', 'json', '--state-dir', state]);
      phase = (JSON.parse(got.stdout) as { status?: { phase?: string } }).status?.phase ?? '';
    }
    t.equal(phase, 'Succeeded');
    const logs = await exec(process.execPath, [BIN, 'logs', 'basic', '--state-dir', state]);
    t.equal(logs.stdout, 'hello from wasmpod\n');
  });
});
