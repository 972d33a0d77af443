// A runtime killed with its pods running: the containers outlive it, and the next runtime on the state dir removes them.
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
  t.test('the sandboxes of a dead runtime are removed by the next one, and only those', async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-orphans-'));
    process.on('exit', () => removeStateDir(stateDir));
    const script = path.join(stateDir, 'crash.mjs');
    fs.writeFileSync(script, `
      import { Runtime } from ${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))};
      const rt = new Runtime({ stateDir: ${JSON.stringify(stateDir)}, defaultRuntimeClass: 'linux' });
      const pod = await rt.runPod({ metadata: { name: 'left' }, spec: { containers: [
        { name: 'c', image: ${JSON.stringify(busyboxRootfs())}, command: ['sh', '-c', 'echo up; sleep 1000 & wait'] }] } });
      pod.on('output', () => console.log('running'));
    `);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => { if (String(c).includes('running')) resolve(); }));
    const live = new Runtime({ stateDir, defaultRuntimeClass: 'linux' });
    t.teardown(() => live.close());
    const [orphan] = sandboxes(live);
    const pids = [orphan!.pausePid, ...containerPids(orphan!)['c']!];
    const first = await live.runPod({ metadata: { name: 'first' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: busyboxRootfs(), command: ['true'] }] } });
    await first.wait();
    t.ok(pids.every(alive), 'a runtime that is still running keeps its pods when another one sweeps');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    t.ok(pids.every(alive), 'the pod\'s processes outlive the runtime that ran them');
    // The first linux pod of a runtime on the same state dir sweeps first.
    const rt = new Runtime({ stateDir, defaultRuntimeClass: 'linux' });
    t.teardown(() => rt.close());
    const pod = await rt.runPod({ metadata: { name: 'next' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: busyboxRootfs(), command: ['true'] }] } });
    t.ok(await eventually(() => pids.every((p) => !alive(p)), 5000), 'the orphan\'s processes are killed');
    t.notOk(fs.existsSync(orphan!.dir), 'its directory is removed');
    t.same(orphan!.cgroupDirs.filter((d) => fs.existsSync(d)), [], 'its cgroups are removed');
    t.same(mountsUnder(orphan!.dir), [], 'its mounts are removed');
    t.equal((await pod.wait()).phase, 'Succeeded', 'the new runtime\'s own pod ran');
  });
}
