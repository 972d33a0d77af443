import t from 'tap';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { socketWatch, startServer, toolPod, until, type TestServer } from '../helpers/server.js';

/** A watch over the unix socket: collects the events it gets. */
const watch = (s: TestServer, url: string) => socketWatch(s.server.socketPath!, url);

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

t.test('API server', async (t) => {
  const s = await startServer({ bookmarkMs: 100, watchHistory: 20 });
  t.teardown(() => s.close());
  const CMS = '/api/v1/namespaces/default/configmaps';

  t.test('discovery', async (t) => {
    t.equal((await s.request('GET', '/version')).body.major, '1');
    t.same((await s.request('GET', '/api')).body.versions, ['v1']);
    const list = (await s.request('GET', '/api/v1')).body;
    const pods = list.resources.find((r: any) => r.name === 'pods');
    t.same(pods.shortNames, ['po']);
    t.ok(list.resources.some((r: any) => r.name === 'pods/log'));
    t.equal((await s.request('GET', '/api/v1/nonsense')).status, 404);
  });

  t.test('the unix socket is its owner\'s only; TCP wants the bearer token', async (t) => {
    t.equal(fs.statSync(s.server.socketPath!).mode & 0o777, 0o600);
    const get = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      https.get(`${s.server.url}/api/v1/namespaces/default/pods`, { ca: s.server.tls!.cert, headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    t.equal(await get({}), 401);
    t.equal(await get({ Authorization: 'Bearer wrong-token-wrong-token-xx' }), 401);
    t.equal(await get({ Authorization: 'Basic dXNlcjpwYXNz' }), 401);
    t.equal(await get({ Authorization: 'Bearer test-token-0123456789abcdef' }), 200);
  });

  t.test('errors are Status objects: 404, 409, 422 with causes, 400', async (t) => {
    const nf = await s.request('GET', `${CMS}/missing`);
    t.equal(nf.status, 404);
    t.match(nf.body, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "missing" not found' });
    t.equal((await s.request('POST', CMS, cm('one'))).status, 201);
    const dup = await s.request('POST', CMS, cm('one'));
    t.match(dup.body, { reason: 'AlreadyExists', code: 409 });
    const bad = await s.request('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' },
      spec: { containers: [{ name: 'c', image: 'x.wasm', ports: [{ containerPort: 70000 }] }] },
    });
    t.equal(bad.status, 422);
    t.equal(bad.body.reason, 'Invalid');
    t.equal(bad.body.message, 'Pod "bad" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive');
    t.same(bad.body.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive', field: 'spec.containers[0].ports[0].containerPort' }]);
    t.match((await s.request('POST', '/api/v1/namespaces/nowhere/configmaps', cm('x'))).body, { code: 404, message: 'namespaces "nowhere" not found' });
    t.match((await s.request('GET', `${CMS}?labelSelector=${encodeURIComponent('a in (b')}`)).body, { code: 400 });
    t.match((await s.request('GET', `${CMS}?fieldSelector=spec.x%3Dy`)).body, { code: 400, message: 'field label not supported: spec.x' });
    t.match((await s.request('POST', CMS, '{not json')).body, { code: 400 });
    t.match((await s.request('POST', CMS, { ...cm('k'), kind: 'Secret' })).body, { code: 400 });
    const big = await s.request('POST', CMS, cm('big', {}, { k: 'x'.repeat(4 * 1024 * 1024) }));
    t.equal(big.status, 413);
  });

  t.test('update checks resourceVersion; patch in its three formats', async (t) => {
    const cur = (await s.request('GET', `${CMS}/one`)).body;
    const ok = await s.request('PUT', `${CMS}/one`, { ...cur, data: { k: 'v2' } });
    t.equal(ok.status, 200);
    t.not(ok.body.metadata.resourceVersion, cur.metadata.resourceVersion);
    const stale = await s.request('PUT', `${CMS}/one`, { ...cur, data: { k: 'v3' } });
    t.match(stale.body, { code: 409, reason: 'Conflict' });
    const merge = await s.request('PATCH', `${CMS}/one`, { data: { extra: 'x', k: null } }, { 'Content-Type': 'application/merge-patch+json' });
    t.same(merge.body.data, { extra: 'x' });
    const json = await s.request('PATCH', `${CMS}/one`, [{ op: 'add', path: '/data/j', value: '1' }, { op: 'test', path: '/data/extra', value: 'x' }],
      { 'Content-Type': 'application/json-patch+json' });
    t.same(json.body.data, { extra: 'x', j: '1' });
    const failed = await s.request('PATCH', `${CMS}/one`, [{ op: 'test', path: '/data/extra', value: 'nope' }], { 'Content-Type': 'application/json-patch+json' });
    t.equal(failed.status, 422);
    t.equal((await s.request('PATCH', `${CMS}/one`, { a: 1 }, { 'Content-Type': 'text/plain' })).status, 415);
  });

  t.test('a pod\'s spec cannot change; its labels can (strategic merge), and status is the runtime\'s', async (t) => {
    t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', toolPod('p1'))).status, 201);
    const patch = await s.request('PATCH', '/api/v1/namespaces/default/pods/p1',
      { metadata: { labels: { extra: 'yes' } }, status: { phase: 'Failed' } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    t.equal(patch.status, 200);
    t.same(patch.body.metadata.labels, { app: 'p1', extra: 'yes' });
    t.not(patch.body.status.phase, 'Failed');
    const spec = await s.request('PATCH', '/api/v1/namespaces/default/pods/p1',
      { spec: { containers: [{ name: 'tool', args: ['exit', '1'] }] } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    t.equal(spec.status, 422);
    t.equal(spec.body.message, 'Pod "p1" is invalid: spec: Forbidden: pod updates may not change fields other than `metadata.labels`,`metadata.annotations` '
      + '(wasmpod runs a pod as it was created)\n  changed: `spec.containers[0].args[0]`,`spec.containers[0].args[1]`');
    t.match(spec.body.details.causes, [{ reason: 'FieldValueForbidden', field: 'spec' }]);
    await until('p1 Running', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/p1')).body.status.phase === 'Running');
    const phase = await s.request('GET', '/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning,metadata.name%3Dp1');
    t.same(phase.body.items.map((p: any) => p.metadata.name), ['p1']);
    const none = await s.request('GET', '/api/v1/pods?fieldSelector=status.phase%21%3DRunning');
    t.same(none.body.items, []);
  });

  t.test('the status subresource: GET, PUT and PATCH change the status and nothing else', async (t) => {
    const P1 = '/api/v1/namespaces/default/pods/p1';
    const got = await s.request('GET', `${P1}/status`);
    t.match(got.body, { kind: 'Pod', metadata: { name: 'p1' }, status: { phase: 'Running' } });
    const patched = await s.request('PATCH', `${P1}/status`, { metadata: { labels: { ignored: 'x' } }, status: { conditions: [{ type: 'Custom', status: 'True' }] } },
      { 'Content-Type': 'application/merge-patch+json' });
    t.equal(patched.status, 200);
    t.same(patched.body.status.conditions, [{ type: 'Custom', status: 'True' }]);
    t.equal(patched.body.metadata.labels.ignored, undefined, 'labels do not change through /status');
    const cur = (await s.request('GET', P1)).body;
    const put = await s.request('PUT', `${P1}/status`, { ...cur, spec: { ...cur.spec, restartPolicy: 'Never' }, status: { ...cur.status, message: 'from PUT' } });
    t.equal(put.status, 200);
    t.equal(put.body.status.message, 'from PUT');
    t.equal(put.body.spec.restartPolicy, 'Always', 'the spec does not change through /status');
    t.match((await s.request('PUT', `${P1}/status`, cur)).body, { code: 409, reason: 'Conflict' }, 'a stale resourceVersion is refused');
    t.match((await s.request('GET', `${CMS}/one/status`)).body, { kind: 'Status', code: 404 }, 'ConfigMaps have no status');
    t.match((await s.request('GET', '/api/v1/namespaces/default/status')).body, { kind: 'Namespace', status: { phase: 'Active' } });
  });

  t.test('Table output as kubectl asks for it', async (t) => {
    const r = await s.request('GET', CMS, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    t.equal(r.body.kind, 'Table');
    t.same(r.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
    t.match(r.body.rows[0], { cells: ['one', 2], object: { kind: 'PartialObjectMetadata', metadata: { name: 'one' } } });
  });

  t.test('list with limit and continue', async (t) => {
    for (const n of ['l1', 'l2', 'l3']) await s.request('POST', CMS, cm(n, { group: 'l' }));
    const page1 = (await s.request('GET', `${CMS}?labelSelector=group%3Dl&limit=2`)).body;
    t.same(page1.items.map((o: any) => o.metadata.name), ['l1', 'l2']);
    t.equal(page1.metadata.remainingItemCount, 1);
    const page2 = (await s.request('GET', `${CMS}?labelSelector=group%3Dl&limit=2&continue=${page1.metadata.continue}`)).body;
    t.same(page2.items.map((o: any) => o.metadata.name), ['l3']);
    t.equal(page2.metadata.continue, undefined);
  });

  t.test('watch: every change in order; selectors; resume from a resourceVersion; bookmarks; 410 when too old', async (t) => {
    const start = (await s.request('GET', CMS)).body.metadata.resourceVersion;
    const all = watch(s, `${CMS}?watch=true&resourceVersion=${start}&allowWatchBookmarks=true`);
    const sel = watch(s, `${CMS}?watch=1&resourceVersion=${start}&labelSelector=team%3Dred`);
    await new Promise((r) => setTimeout(r, 100));
    await s.request('POST', CMS, cm('w1', { team: 'red' }));
    await s.request('PATCH', `${CMS}/w1`, { metadata: { labels: { team: 'blue' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await s.request('PATCH', `${CMS}/w1`, { metadata: { labels: { team: 'red' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await s.request('DELETE', `${CMS}/w1`);
    await until('the watch to see 4 changes', () => all.events.filter((e) => e.type !== 'BOOKMARK').length >= 4);
    await until('a bookmark', () => all.events.some((e) => e.type === 'BOOKMARK'));
    const changes = all.events.filter((e) => e.type !== 'BOOKMARK');
    t.same(changes.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    const rvs = changes.map((e) => Number(e.object.metadata.resourceVersion));
    t.same(rvs, [...rvs].sort((a, b) => a - b), 'resourceVersions increase');
    const bm = all.events.find((e) => e.type === 'BOOKMARK');
    t.match(bm.object, { kind: 'ConfigMap', metadata: { resourceVersion: /^\d+$/ } });
    await until('the selecting watch to see 4 changes', () => sel.events.length >= 4);
    // Leaving the selected set is a DELETED, coming back an ADDED.
    t.same(sel.events.map((e) => e.type), ['ADDED', 'DELETED', 'ADDED', 'DELETED']);
    all.close();
    sel.close();
    // Resuming from the first change replays the three after it.
    const resumed = watch(s, `${CMS}?watch=true&resourceVersion=${rvs[0]}`);
    await until('the replay', () => resumed.events.length >= 3);
    t.same(resumed.events.map((e) => e.type), ['MODIFIED', 'MODIFIED', 'DELETED']);
    resumed.close();
    for (let i = 0; i < 25; i++) await s.request('PATCH', `${CMS}/one`, { data: { n: String(i) } }, { 'Content-Type': 'application/merge-patch+json' });
    const old = watch(s, `${CMS}?watch=true&resourceVersion=${start}`);
    await until('the error event', () => old.events.length >= 1);
    t.match(old.events[0], { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    old.close();
    // A watch with nothing to send yet still answers (status and headers) at once: kubectl's delete --wait
    // cannot cancel a watch request that has had no answer, and would hang.
    const quiet = watch(s, `${CMS}?watch=true&resourceVersion=${(await s.request('GET', CMS)).body.metadata.resourceVersion}`);
    await until('the quiet watch to be answered', () => quiet.answered(), 5000);
    t.same(quiet.events, [], 'no event was sent');
    quiet.close();
  });
});

t.test('pods/log of a started container that has written nothing is empty, not "waiting to start"', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  // `tool cat` with its stdin open and empty: Running and silent.
  const pod = toolPod('quiet', ['cat']);
  (pod.spec as { containers: Record<string, unknown>[] }).containers[0]!.stdin = true;
  t.equal((await s.request('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
  await until('quiet to run', async () => (await s.request('GET', '/api/v1/namespaces/default/pods/quiet')).body.status.containerStatuses?.[0]?.state?.running);
  const log = await s.request('GET', '/api/v1/namespaces/default/pods/quiet/log');
  t.same([log.status, log.text], [200, '']);
  const prev = await s.request('GET', '/api/v1/namespaces/default/pods/quiet/log?previous=true');
  t.equal(prev.status, 400, 'there is no previous run');
});

t.test('changes older than the watch history\'s time are let go: a watch from before them gets 410 Expired', async (t) => {
  const s = await startServer({ watchHistoryMs: 300 });
  t.teardown(() => s.close());
  const CMS = '/api/v1/namespaces/default/configmaps';
  const start = (await s.request('GET', CMS)).body.metadata.resourceVersion;
  await s.request('POST', CMS, cm('h1'));
  const fresh = watch(s, `${CMS}?watch=true&resourceVersion=${start}`);
  await until('the replay of a change still kept', () => fresh.events.length >= 1);
  t.match(fresh.events[0], { type: 'ADDED', object: { metadata: { name: 'h1' } } });
  fresh.close();
  await new Promise((r) => setTimeout(r, 500));
  const old = watch(s, `${CMS}?watch=true&resourceVersion=${start}`);
  await until('the error event', () => old.events.length >= 1);
  t.match(old.events[0], { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  old.close();
  // From the newest version there is nothing to replay, and changes after it still come.
  const now = watch(s, `${CMS}?watch=true&resourceVersion=${(await s.request('GET', CMS)).body.metadata.resourceVersion}`);
  await until('the watch to be answered', () => now.answered(), 5000);
  await s.request('DELETE', `${CMS}/h1`);
  await until('the deletion', () => now.events.length >= 1);
  t.same(now.events.map((e) => e.type), ['DELETED']);
  now.close();
});
