import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, startServer, toolPod, until, type TestServer } from '../helpers/server.js';

const POD = '/api/v1/namespaces/default/pods';

t.test('objects, pods, restart counts and logs survive a restart of the server', async (t) => {
  let s: TestServer = await startServer();
  t.teardown(() => s.close());
  t.equal((await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } })).status, 201);
  t.equal((await s.request('POST', '/api/v1/namespaces/team/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } })).status, 201);
  t.equal((await s.request('POST', POD, toolPod('web'))).status, 201);
  t.equal((await s.request('POST', POD, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: EXIT, args: ['once', '0'] }] },
  })).status, 201);
  await until('web to run and once to succeed', async () => {
    const items = (await s.request('GET', POD)).body.items;
    return items.find((p: any) => p.metadata.name === 'web')?.status.phase === 'Running'
      && items.find((p: any) => p.metadata.name === 'once')?.status.phase === 'Succeeded';
  });
  const before = (await s.request('GET', `${POD}/web`)).body;
  const rvBefore = Number((await s.request('GET', POD)).body.metadata.resourceVersion);
  // Objects are on disk as soon as the turn of the event loop that changed them is over; a crash loses nothing else.
  await new Promise((r) => setImmediate(r));
  t.ok(fs.existsSync(path.join(s.stateDir, 'objects/configmaps/team/cfg.mpk')));
  t.same(fs.readdirSync(path.join(s.stateDir, 'objects/pods/default')).filter((f) => f.endsWith('.tmp')), [], 'no temp file is left');

  s = await s.restart();
  const cfg = await s.request('GET', '/api/v1/namespaces/team/configmaps/cfg');
  t.same(cfg.body.data, { a: 'b' });
  t.ok(Number(cfg.body.metadata.resourceVersion) <= rvBefore);
  const web = await until('web to run again', async () => {
    const p = (await s.request('GET', `${POD}/web`)).body;
    return p.status.containerStatuses?.[0]?.state?.running && p.status.containerStatuses[0].restartCount === 1 ? p : undefined;
  });
  t.equal(web.metadata.uid, before.metadata.uid, 'the same pod');
  t.match(web.status.containerStatuses[0].lastState, { terminated: { exitCode: 255, reason: 'Unknown' } });
  const prev = await s.request('GET', `${POD}/web/log?previous=true`);
  t.equal(prev.text, 'tool sleeping\n', 'the log of the run before the restart is kept');
  t.equal((await s.request('GET', `${POD}/web/log`)).text, 'tool sleeping\n');
  const once = (await s.request('GET', `${POD}/once`)).body;
  t.equal(once.status.phase, 'Succeeded', 'a pod that had ended is not run again');
  // stdout's and stderr's lines, in the order they were read (test/pod/pod-worker.test.ts).
  t.same((await s.request('GET', `${POD}/once/log`)).text.split('\n').sort(), ['', 'once exits 0', 'once run']);
  const rvAfter = Number((await s.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' } })).body.metadata.resourceVersion);
  t.ok(rvAfter > rvBefore, 'resourceVersions go on growing');

  // A pod deleted while the server is down finishes deleting at the next start; its logs go with it.
  const logDir = fs.readdirSync(path.join(s.stateDir, 'pods')).find((d) => d.startsWith('default_once_'));
  t.ok(logDir);
  t.equal((await s.request('DELETE', `${POD}/once`)).status, 200);
  t.notOk(fs.existsSync(path.join(s.stateDir, 'pods', logDir!)));
});

t.test('a second server on the same socket is refused', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  // Another state dir (the same one is refused by its lock, see state-lock.test.ts), the first server's socket.
  await t.rejects(startServer({ socket: s.server.socketPath }, t.testdir()), { message: /another wasmpod serve is listening on/ });
  t.equal((await s.request('GET', '/version')).status, 200, 'the first one still serves');
});
