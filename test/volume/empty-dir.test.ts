// emptyDir: shared by the pod's containers, kept across restarts, deleted with the pod; Memory on tmpfs; sizeLimit gives ENOSPC.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsopsPod, runPodCollect } from '../helpers/run-pod.js';

const volumesDir = (stateDir: string): string[] => {
  const pods = path.join(stateDir, 'pods');
  return fs.existsSync(pods) ? fs.readdirSync(pods).filter((p) => fs.existsSync(path.join(pods, p, 'volumes'))) : [];
};

t.test('an init container writes into an emptyDir, the app container reads it; the pod end deletes it', async (t) => {
  const spec = fsopsPod('war', [{ name: 'app', emptyDir: {} }],
    [{ name: 'tomcat', args: ['cat', '/webapps/sample.war', 'ls', '/webapps'], volumeMounts: [{ name: 'app', mountPath: '/webapps' }] }],
    [{ name: 'war', args: ['write', '/app/sample.war', 'PK-sample', 'ls', '/app'], volumeMounts: [{ name: 'app', mountPath: '/app' }] }]);
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(out['war'], 'write /app/sample.war: ok\nls /app: sample.war\n');
  t.equal(out['tomcat'], 'PK-sample\nls /webapps: sample.war\n');
  t.same(volumesDir(runtime.stateDir), [], 'the emptyDir is gone with the pod');
  await runtime.close();
});

t.test('an emptyDir is kept across container restarts', async (t) => {
  const spec = fsopsPod('restarts', [{ name: 'scratch', emptyDir: {} }],
    [{ name: 'c', args: ['append', '/s/runs', 'run', '1', 'failonce', '/s/failed', 'cat', '/s/runs'], volumeMounts: [{ name: 'scratch', mountPath: '/s' }] }]);
  (spec['spec'] as Record<string, unknown>)['restartPolicy'] = 'OnFailure';
  const { status, out, runtime } = await runPodCollect(spec);
  t.equal(status.phase, 'Succeeded');
  t.equal(status.containerStatuses[0].restartCount, 1);
  t.equal(out['c'], 'append /s/runs: ok\nfailonce /s/failed: exit 1\nappend /s/runs: ok\nrun\nrun\n\n', 'the second run sees the first run\'s line');
  await runtime.close();
});

for (const medium of ['', 'Memory']) {
  t.test(`sizeLimit on a ${medium || 'disk'} emptyDir: writes past it get ENOSPC, across containers`, async (t) => {
    const spec = fsopsPod(`sized-${medium.toLowerCase() || 'disk'}`, [{ name: 'small', emptyDir: { medium, sizeLimit: '64Ki' } }], [
      { name: 'b', args: ['fill', '/s/b', '40960', 'rm', '/s/a', 'fill', '/s/c', '40960'], volumeMounts: [{ name: 'small', mountPath: '/s' }] },
    ], [
      { name: 'a', args: ['fill', '/s/a', '40960'], volumeMounts: [{ name: 'small', mountPath: '/s' }] },
    ]);
    const { status, out, runtime, pod } = await runPodCollect(spec);
    t.equal(status.phase, 'Succeeded');
    t.equal(out['a'], 'fill /s/a: 40960 ok\n');
    t.equal(out['b'], 'fill /s/b: 24576 ENOSPC\nrm /s/a: ok\nfill /s/c: 40960 ok\n', 'the budget is shared, and freed by unlink');
    t.match(pod.events.filter((e) => e.reason === 'VolumeSizeLimitReached'), [{
      type: 'Warning', message: /^emptyDir volume "small" refused \d+ write\(s\) with ENOSPC: its sizeLimit of 65536 bytes is reached$/,
    }], 'the refusal is reported once, as an event');
    await runtime.close();
  });
}

t.test('medium Memory lives on /dev/shm where there is one, and is removed with the pod', { skip: !fs.existsSync('/dev/shm') && 'no /dev/shm' }, async (t) => {
  const before = new Set(fs.readdirSync('/dev/shm'));
  const spec = fsopsPod('shm', [{ name: 'm', emptyDir: { medium: 'Memory' } }],
    [{ name: 'c', args: ['write', '/m/x', 'in memory', 'cat', '/m/x'], volumeMounts: [{ name: 'm', mountPath: '/m' }] }]);
  const runtime = (await import('../helpers/pods.js')).fastRuntime();
  const pod = await runtime.runPod(spec);
  // This pod's (another test file may make its own meanwhile): its directories are named after its uid.
  const during = fs.readdirSync('/dev/shm').filter((n) => !before.has(n) && n.startsWith(`wasmpod-${pod.uid}-`));
  t.equal(during.length, 1, 'one tmpfs directory for the volume');
  await pod.wait();
  t.notOk(fs.existsSync(path.join('/dev/shm', during[0]!)), 'deleted when the pod ends');
  await runtime.close();
});
