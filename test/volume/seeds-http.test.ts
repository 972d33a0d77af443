// Seed 003's nginx + debian pod as examples/shared-index-html.yaml: the file one container writes into a shared volume, the other serves over HTTP.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import { ROOT, fastRuntime, until } from '../helpers/pods.js';
import { freePort, waitForHttp } from '../helpers/http-guests.js';

t.test('debian-container writes index.html into an emptyDir, nginx-container serves it on a published port (seed 003)', async (t) => {
  const { parseManifest } = await import('../../dist/src/spec/index.js');
  const file = path.join(ROOT, 'examples', 'shared-index-html.yaml');
  const m = parseManifest(fs.readFileSync(file, 'utf8'), { source: file, baseDir: path.dirname(file) });
  const spec = m.pods[0]!;
  // The example publishes 8080; the test takes a free port so that it cannot collide with anything.
  const hostPort = await freePort();
  spec.spec.containers[0]!.ports![0]!.hostPort = hostPort;
  const runtime = fastRuntime();
  t.teardown(() => runtime.close());
  const pod = await runtime.runPod(spec);
  await until(pod, (s) => s.containerStatuses!.find((c) => c.name === 'debian-container')?.state?.terminated?.exitCode === 0);
  await waitForHttp(hostPort, '/', 60_000);
  const r = await request(`http://127.0.0.1:${hostPort}/`);
  t.equal(r.statusCode, 200);
  t.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(await r.body.text(), 'Hello from the debian container\n');
  const curl = await promisify(execFile)('curl', ['-sS', `http://127.0.0.1:${hostPort}/index.html`]);
  t.equal(curl.stdout, 'Hello from the debian container\n', 'and the real curl sees the same');
  await pod.delete();
  const status = await pod.wait();
  t.equal(status.phase, 'Succeeded', 'nginx-container stopped cleanly, debian-container had completed');
});
