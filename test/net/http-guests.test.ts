// The C HTTP guests (wasm-modules/net: httpd, wget) inside pods: seed 001's web server and client over localhost, files, errors, exit codes.
import t from 'tap';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPodCollect } from '../helpers/run-pod.js';
import { ROOT } from '../helpers/pods.js';
import { HTTPD, WGET } from '../helpers/http-guests.js';

type Status = { phase: string; initContainerStatuses?: ContainerStatus[]; containerStatuses: ContainerStatus[] };
type ContainerStatus = { name: string; state: { terminated?: { exitCode: number; reason: string } } };

const exitCodes = (s: Status): Record<string, number | undefined> =>
  Object.fromEntries([...(s.initContainerStatuses ?? []), ...s.containerStatuses].map((c) => [c.name, c.state.terminated?.exitCode]));

t.test('examples/web-and-client.yaml: the client reaches the web server over the pod\'s localhost (seed 001)', async (t) => {
  const { parseManifest } = await import('../../dist/src/spec/index.js');
  const file = path.join(ROOT, 'examples', 'web-and-client.yaml');
  const m = parseManifest(fs.readFileSync(file, 'utf8'), { source: file, baseDir: path.dirname(file) });
  const { status, out, runtime } = await runPodCollect(m.pods[0] as never);
  t.equal(status.phase, 'Succeeded', JSON.stringify(exitCodes(status)));
  t.same(exitCodes(status), { web: 0, client: 0 }, 'the sidecar stopped cleanly on its termination notice');
  // The body wget printed is httpd's echo of the request wget sent: it went through the server.
  t.match(out['client'], /^GET \/echo\/hello-from-the-client HTTP\/1\.1\r\nHost: localhost\r\nUser-Agent: wasmpod-wget\/1\r\n/);
  t.match(out['web'], /GET \/echo\/hello-from-the-client 200 \d+\n/);
  // The sidecar's readiness probe (httpGet) reached it too, with the kubelet's User-Agent.
  t.match(out['web'], /GET \/status\/200 200 7\n/);
  await runtime.close();
});

t.test('httpd serves files to several wget clients at once; wget exit codes tell 404, refused and unknown hosts apart', async (t) => {
  const big = crypto.randomBytes(3 * 1024 * 1024 + 17);
  const dir = t.testdir({ www: { 'index.html': '<h1>from the volume</h1>\n', docs: { 'index.html': 'docs index\n' } }, out: {} });
  fs.writeFileSync(path.join(dir, 'www', 'big.bin'), big);
  const client = (name: string, ...args: string[]) => ({
    name, image: WGET, args: ['-q', ...args], volumeMounts: [{ name: 'out', mountPath: '/out' }],
  });
  const spec = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-files' },
    spec: {
      restartPolicy: 'Never',
      volumes: [{ name: 'www', hostPath: { path: path.join(dir, 'www') } }, { name: 'out', hostPath: { path: path.join(dir, 'out') } }],
      initContainers: [{
        name: 'web', image: HTTPD, restartPolicy: 'Always', args: ['-r', '/www', '-p', '8080'],
        volumeMounts: [{ name: 'www', mountPath: '/www', readOnly: true }],
        startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 60 },
      }],
      containers: [
        client('index', 'http://localhost:8080/docs'),
        client('big1', '-O', '/out/big1.bin', 'http://localhost:8080/big.bin'),
        client('big2', '-O', '/out/big2.bin', 'http://web-files:8080/big.bin'), // the pod's own name resolves to its IP
        client('missing', 'http://127.0.0.1:8080/nope.html'),
        client('refused', 'http://localhost:9/'),
        client('unknown', 'http://no-such-pod/'),
      ],
    },
  };
  // Every container is a worker thread; under a loaded test machine they start slowly, hence the long limit.
  const { status, out, runtime } = await runPodCollect(spec, {}, undefined, 150_000);
  const codes = exitCodes(status);
  t.same(codes, { web: codes['web'], index: 0, big1: 0, big2: 0, missing: 8, refused: 4, unknown: 4 }, 'wget exit codes');
  t.equal(status.phase, 'Failed', 'some clients failed, so the pod did');
  t.equal(out['index'], 'docs index\n', 'a directory serves its index.html');
  for (const name of ['big1', 'big2']) {
    t.ok(fs.readFileSync(path.join(dir, 'out', `${name}.bin`)).equals(big), `${name}: 3 MiB arrived intact`);
  }
  t.match(out['web'], /GET \/nope\.html 404 \d+\n/);
  t.equal((out['web']?.match(/GET \/big\.bin 200 3145745\n/g) ?? []).length, 2);
  await runtime.close();
});
