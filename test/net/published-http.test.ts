// A wasm HTTP server (wasm-modules/net/httpd) reached from the host through a published hostPort, by undici and by the real curl.
import t from 'tap';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, request } from 'undici';
import { fastRuntime } from '../helpers/pods.js';
import { HTTPD, freePort, rawExchange, waitForHttp } from '../helpers/http-guests.js';

const run = promisify(execFile);

t.test('httpd in a pod, published on a hostPort: undici and curl get files, echoes, keep-alive, errors', async (t) => {
  const big = crypto.randomBytes(2 * 1024 * 1024 + 5);
  const www = t.testdir({ 'index.html': '<h1>hello from wasm</h1>\n', 'notes.txt': 'plain text\n' });
  fs.writeFileSync(path.join(www, 'big.bin'), big);
  const hostPort = await freePort();
  const runtime = fastRuntime();
  const pod = await runtime.runPod({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'published-web' },
    spec: {
      restartPolicy: 'Never',
      volumes: [{ name: 'www', hostPath: { path: www } }],
      containers: [{
        name: 'web', image: HTTPD, args: ['-r', '/www'],    // no -p: the pre-opened listener of port 80
        ports: [{ name: 'http', containerPort: 80, hostPort }],
        env: [{ name: 'WASMPOD_TERMINATION_FD', value: '' }],
        volumeMounts: [{ name: 'www', mountPath: '/www', readOnly: true }],
      }],
    },
  });
  const log: Buffer[] = [];
  pod.on('output', (e) => { if (e.stream === 'stdout') log.push(e.chunk); });
  t.teardown(() => runtime.close());
  await waitForHttp(hostPort, '/', 60_000);
  const base = `http://127.0.0.1:${hostPort}`;

  await t.test('undici: files, content types and lengths, HEAD, 404, echo of a POST body', async (t) => {
    const r = await request(`${base}/`);
    t.equal(r.statusCode, 200);
    t.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    t.equal(r.headers['content-length'], String('<h1>hello from wasm</h1>\n'.length));
    t.equal(await r.body.text(), '<h1>hello from wasm</h1>\n');
    const b = await request(`${base}/big.bin`);
    t.ok(Buffer.from(await b.body.arrayBuffer()).equals(big), '2 MiB through the pod and back, intact');
    const h = await request(`${base}/notes.txt`, { method: 'HEAD' });
    t.equal(h.headers['content-length'], '11');
    t.equal((await h.body.text()).length, 0, 'HEAD has no body');
    const nf = await request(`${base}/missing`);
    t.equal(nf.statusCode, 404);
    await nf.body.dump();
    const e = await request(`${base}/echo/x?q=1`, { method: 'POST', body: 'the body', headers: { 'x-test': 'yes' } });
    const echoed = await e.body.text();
    t.match(echoed, /^POST \/echo\/x\?q=1 HTTP\/1\.1\r\n/);
    t.match(echoed, /\r\nx-test: yes\r\n/);
    t.match(echoed, /\r\n\r\nthe body$/);
    const st = await request(`${base}/status/418`);
    t.equal(st.statusCode, 418);
    await st.body.dump();
  });

  await t.test('undici: one keep-alive connection carries many requests, pipelined ones in order', async (t) => {
    const client = new Client(base, { pipelining: 4 });
    let connects = 0;
    client.on('connect', () => connects++);
    const paths = Array.from({ length: 12 }, (_, i) => (i % 2 ? '/notes.txt' : `/echo/${i}`));
    const bodies = await Promise.all(paths.map(async (p) => (await client.request({ path: p, method: 'GET' })).body.text()));
    bodies.forEach((b, i) => {
      if (i % 2) t.equal(b, 'plain text\n');
      else t.match(b, new RegExp(`^GET /echo/${i} HTTP/1\\.1\\r\\n`));
    });
    t.equal(connects, 1, 'a single connection');
    await client.close();
  });

  await t.test('the real curl', async (t) => {
    const ok = await run('curl', ['-sS', '-D', '-', `${base}/notes.txt`]);
    t.match(ok.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    t.match(ok.stdout, /\r\nContent-Length: 11\r\n/);
    t.match(ok.stdout, /\r\n\r\nplain text\n$/);
    const out = path.join(t.testdir(), 'big.bin');
    await run('curl', ['-sS', '-o', out, `${base}/big.bin`]);
    t.ok(fs.readFileSync(out).equals(big), 'curl downloaded 2 MiB intact');
    // Two URLs on one command line: curl reuses the connection ("Re-using existing connection" in -v).
    const reuse = await run('curl', ['-sS', '-v', `${base}/notes.txt`, `${base}/notes.txt`]);
    t.equal(reuse.stdout, 'plain text\nplain text\n');
    t.match(reuse.stderr, /Re-using existing connection/);
    const fail = await run('curl', ['-sS', '--fail', `${base}/nope`]).then(() => 0, (e: { code: number }) => e.code);
    t.equal(fail, 22, 'curl --fail exits 22 on the 404');
  });

  await t.test('malformed requests get 400 (and the connection closes), unknown versions 505, other methods 405', async (t) => {
    t.match(await rawExchange(hostPort, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close\r\n/);
    t.match(await rawExchange(hostPort, 'GET / HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 400 /, 'HTTP/1.1 without Host');
    t.match(await rawExchange(hostPort, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'), /^HTTP\/1\.1 400 /);
    t.match(await rawExchange(hostPort, 'GET /../x HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 /, 'a .. segment');
    t.match(await rawExchange(hostPort, 'GET / HTTP/2.0\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 505 /);
    t.match(await rawExchange(hostPort, 'DELETE /notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 405 [^]*\r\nAllow: GET, HEAD\r\n/);
    t.match(await rawExchange(hostPort, `GET /${'a'.repeat(20000)} HTTP/1.1\r\n`), /^HTTP\/1\.1 431 /);
    t.match(await rawExchange(hostPort, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n'), /^HTTP\/1\.1 413 /);
    // A request sent before a half-close is still answered (HTTP/1.0: the connection then closes).
    t.match(await rawExchange(hostPort, 'GET /notes.txt HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nplain text\n$/);
  });

  await t.test('a client stalled mid-request does not hold up the others', async (t) => {
    const net = await import('node:net');
    const stalled = net.connect(hostPort, '127.0.0.1');
    await new Promise((r) => stalled.once('connect', r));
    stalled.write('GET /notes.txt HTTP/1.1\r\nHost: x\r\n');  // and never the empty line
    const r = await Promise.all(Array.from({ length: 8 }, async () => (await request(`${base}/notes.txt`, { reset: true })).body.text()));
    t.same(r, Array(8).fill('plain text\n'));
    stalled.end('\r\n');
    const answer = await new Promise<string>((res) => { let s = ''; stalled.on('data', (d) => (s += d)); stalled.on('end', () => res(s)); });
    t.match(answer, /plain text\n$/, 'the stalled request is answered once complete');
  });

  await pod.delete({ gracePeriodSeconds: 30 });
  const status = await pod.wait();
  t.equal(status.containerStatuses?.[0]?.state?.terminated?.exitCode, 0, 'httpd left on its termination notice');
  t.match(Buffer.concat(log).toString(), /GET \/notes\.txt 200 11\n/);
});
