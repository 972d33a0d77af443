// A runtime killed with its pods running: the containers outlive it; the next runtime removes the dead sandboxes and re-adopts the running ones.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Runtime } from '../../dist/src/index.js';
import { ROOT } from '../helpers/pods.js';
import { alive, busyboxRootfs, containerPids, eventually, linuxSkip, mountsUnder, removeStateDir, sandboxes } from './helpers.js';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  t.test('after a crash: sandboxes of a live runtime are left alone, dead ones removed, running ones re-adopted', async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-orphans-'));
    process.on('exit', () => removeStateDir(stateDir));
    const script = path.join(stateDir, 'crash.mjs');
    fs.writeFileSync(script, `
      import { Runtime } from ${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))};
      const rt = new Runtime({ stateDir: ${JSON.stringify(stateDir)}, defaultRuntimeClass: 'linux' });
      for (const name of ['left', 'dead']) {
        const pod = await rt.runPod({ metadata: { name }, spec: { containers: [
          { name: 'c', image: ${JSON.stringify(busyboxRootfs())}, command: ['sh', '-c', 'echo up; sleep 1000 & wait'] }] } });
        await new Promise((r) => pod.once('output', r));
      }
      console.log('running');
    `);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => { if (String(c).includes('running')) resolve(); }));
    const live = new Runtime({ stateDir, defaultRuntimeClass: 'linux' });
    t.teardown(() => live.close());
    const orphans = sandboxes(live);
    t.equal(orphans.length, 2);
    const pidsOf = (s: (typeof orphans)[number]): number[] => [s.pausePid, ...containerPids(s)['c']!];
    const [left, dead] = [0, 1].map((i) => orphans.find((s) => JSON.parse(fs.readFileSync(path.join(s.dir, 'sandbox.json'), 'utf8')).pod.metadata.name === ['left', 'dead'][i])!);
    const leftPids = pidsOf(left!);
    const deadPids = pidsOf(dead!);
    const first = await live.runPod({ metadata: { name: 'first' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: busyboxRootfs(), command: ['true'] }] } });
    await first.wait();
    t.ok([...leftPids, ...deadPids].every(alive), 'a runtime that is still running keeps its pods when another one sweeps');
    t.same(await live.adopt(), [], 'nor can they be adopted');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    t.ok([...leftPids, ...deadPids].every(alive), 'the pods\' processes outlive the runtime that ran them');
    // Without its pause process a sandbox has lost its namespaces: it is dead, whatever still runs in its cgroup.
    process.kill(dead!.pausePid, 'SIGKILL');
    t.ok(await eventually(() => !alive(dead!.pausePid), 5000), 'the dead sandbox\'s pause process is gone');

    const rt = new Runtime({ stateDir, defaultRuntimeClass: 'linux' });
    t.teardown(() => rt.close());
    // The first linux pod of a runtime on the same state dir sweeps first.
    const pod = await rt.runPod({ metadata: { name: 'next' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: busyboxRootfs(), command: ['true'] }] } });
    t.ok(await eventually(() => deadPids.every((p) => !alive(p)), 5000), 'the dead sandbox\'s processes are killed');
    t.notOk(fs.existsSync(dead!.dir), 'its directory is removed');
    t.same(dead!.cgroupDirs.filter((d) => fs.existsSync(d)), [], 'its cgroups are removed');
    t.same(mountsUnder(dead!.dir), [], 'its mounts are removed');
    t.ok(leftPids.every(alive), 'the running orphan is left for re-adoption');
    t.equal((await pod.wait()).phase, 'Succeeded', 'the new runtime\'s own pod ran');

    const [adopted] = await rt.adopt();
    t.equal(adopted?.name, 'left', 'the running orphan is re-adopted');
    t.equal(adopted!.status.phase, 'Running');
    t.equal(adopted!.status.containerStatuses![0]!.restartCount, 0);
    t.match(adopted!.logs('c'), /^up\n$/, 'its log is the one it had');
    t.same(pidsOf(sandboxes(rt).find((s) => s.id === left!.id)!), leftPids, 'with the same processes');
    await adopted!.delete({ gracePeriodSeconds: 0 });
    t.ok(await eventually(() => leftPids.every((p) => !alive(p)), 5000), 'deleting it kills its processes');
    t.notOk(fs.existsSync(left!.dir), 'and removes its sandbox');
  });
}
