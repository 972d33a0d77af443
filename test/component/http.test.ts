// wasi:http: a JavaScript handler component served on its containerPort, reached by a preview1 client over localhost,
// by probes, by the real curl through a published port, and calling other pods through wasi:http/outgoing-handler.
import t from 'tap';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MODULES, fastRuntime, until } from '../helpers/pods.js';
import { WGET, freePort, waitForHttp } from '../helpers/http-guests.js';

const run = promisify(execFile);
const HANDLER = path.join(MODULES, 'component/http-handler.component.wasm');
const NETTOOL = path.join(MODULES, 'net-tests/nettool.wasm');

async function curl(...args: string[]): Promise<string> {
  return (await run('curl', ['-s', '--max-time', '60', ...args], { encoding: 'utf8' })).stdout;
}

t.test('a handler component serves localhost, probes, a published port; calls another pod; survives a failing request', async (t) => {
  const hostPort = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const upstream = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'upstream' },
    spec: { containers: [{ name: 'web', image: NETTOOL, args: ['http', '9000', '0'], ports: [{ containerPort: 9000 }] }] },
  });
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'http-component' },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'handler', image: HANDLER, ports: [{ name: 'http', containerPort: 8080, hostPort }],
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
        },
        { name: 'client', image: WGET, args: ['-t', '1200', '-w', '100', 'http://localhost:8080/from-preview1'] },
      ],
    },
  });
  const out: Record<string, Buffer[]> = {};
  pod.on('output', (e: { container: string; stream: string; chunk: Buffer }) => {
    if (e.stream === 'stdout') (out[e.container] ??= []).push(e.chunk);
  });
  const ready = await until(pod, (s) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ||
    s.containerStatuses?.some((c) => c.name === 'handler' && c.ready === true) === true);
  t.ok(ready, 'the httpGet readiness probe passes');
  await until(pod, (s) => s.containerStatuses?.some((c) => c.name === 'client' && c.state?.terminated !== undefined) === true);
  t.equal(Buffer.concat(out['client'] ?? []).toString(), 'hello from a wasi:http component: GET /from-preview1\n');

  await waitForHttp(hostPort, '/', 60_000);
  const base = `http://127.0.0.1:${hostPort}`;
  const head = await curl('-i', `${base}/some/path?q=1`);
  t.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  t.match(head, /\r\nx-served-by: wasi-http-component\r\n/);
  t.match(head, /\r\n\r\nhello from a wasi:http component: GET \/some\/path\?q=1\n$/);
  t.equal(await curl('--data-binary', 'a body to echo', `${base}/echo`), 'a body to echo');
  // Each request gets a fresh instance: module state never carries over.
  t.match(await curl('-i', `${base}/again`), /\r\nx-instance-requests: 1\r\n/);
  const failed = await curl('-i', `${base}/fail`);
  t.match(failed, /^HTTP\/1\.1 500 /);
  t.match(await curl(`${base}/after-the-failure`), /^hello from a wasi:http component: GET \/after-the-failure\n$/);

  const proxied = await curl(`${base}/proxy/upstream:9000/through-the-component`);
  t.match(proxied, /^upstream said 200: hello from the pod: GET \/through-the-component HTTP\/1\.1/);
  t.match(await curl(`${base}/proxy/${upstream.network?.ip ?? 'upstream'}:9000/by-ip`), /^upstream said 200: /);
  t.match(await curl(`${base}/proxy/upstream:9999/`), /^proxy error: .*connection-refused/);
  t.match(await curl(`${base}/proxy/192.0.2.1:80/`), /^proxy error: .*destination-IP-prohibited/, 'the host network is out of reach');
  t.match(await curl(`${base}/proxy/no-such-pod:80/`), /^proxy error: .*DNS-error/);
  await pod.delete();
  await upstream.delete();
});

t.test('an HTTP component without a containerPort fails with a clear message', async (t) => {
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'no-port' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'handler', image: HANDLER }] },
  });
  const status = await pod.wait();
  const term = status.containerStatuses?.[0]?.state?.terminated as { exitCode: number; message?: string } | undefined;
  t.equal(term?.exitCode, 1);
  t.match(term?.message, /declare one/);
});

t.test('examples/http-component.yaml: the preview1 client reaches the handler; curl reaches it from the host', async (t) => {
  const fs = await import('node:fs');
  const { parseManifest } = await import('../../dist/src/spec/index.js');
  const { ROOT } = await import('../helpers/pods.js');
  const file = path.join(ROOT, 'examples', 'http-component.yaml');
  const m = parseManifest(fs.readFileSync(file, 'utf8'), { source: file, baseDir: path.dirname(file) });
  const spec = m.pods[0] as { spec: { containers: { ports?: { hostPort?: number }[] }[] } };
  const hostPort = await freePort();
  spec.spec.containers[0]!.ports![0]!.hostPort = hostPort;   // the example's 18080 may be taken here
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(spec as never);
  const out: Buffer[] = [];
  const all: string[] = [];
  pod.on('output', (e: { container: string; stream: string; chunk: Buffer }) => {
    all.push(`[${e.container} ${e.stream}] ${e.chunk.toString()}`);
    if (e.container === 'client' && e.stream === 'stdout') out.push(e.chunk);
  });
  const s = await until(pod, (st) => st.containerStatuses?.some((c) => c.name === 'client' && c.state?.terminated !== undefined) === true);
  t.equal(s.containerStatuses?.find((c) => c.name === 'client')?.state?.terminated?.exitCode, 0, JSON.stringify({ all, st: s.containerStatuses }));
  t.equal(Buffer.concat(out).toString(), 'hello from a wasi:http component: GET /hello-from-the-preview1-client\n');
  t.equal(await curl(`http://127.0.0.1:${hostPort}/hello`), 'hello from a wasi:http component: GET /hello\n');
  await pod.delete();
});

t.test('with hostNetwork the handler listens on the host and its outgoing requests reach the host', async (t) => {
  const http = await import('node:http');
  const host = http.createServer((req, res) => res.end(`host server saw ${req.url}`));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => host.close());
  const hostServerPort = (host.address() as { port: number }).port;
  const port = await freePort();
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-net-handler' },
    spec: { hostNetwork: true, containers: [{ name: 'handler', image: HANDLER, ports: [{ containerPort: port }] }] },
  });
  await waitForHttp(port, '/', 60_000);
  t.equal(await curl(`http://127.0.0.1:${port}/proxy/127.0.0.1:${hostServerPort}/from-the-component`),
    'upstream said 200: host server saw /from-the-component\n');
  await pod.delete();
});
