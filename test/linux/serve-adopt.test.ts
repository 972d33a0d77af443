// `wasmpod serve` killed and started again: a linux pod that still runs is re-adopted, not started again.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../helpers/pods.js';
import { socketRequest } from '../helpers/server.js';
import { alive, busyboxRootfs, eventually, linuxSkip, removeStateDir } from './helpers.js';

const POD = '/api/v1/namespaces/default/pods';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  t.test('a linux pod survives a killed server and is followed again by the next one', async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-serve-adopt-'));
    process.on('exit', () => removeStateDir(stateDir));
    const socket = path.join(stateDir, 'wasmpod.sock');
    const serve = (): ChildProcess => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/wasmpod.js'), 'serve', '--state-dir', stateDir, '--backoff-base', '200'], { stdio: 'ignore' });
      t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
      return child;
    };
    const request = (method: string, url: string, body?: unknown) => socketRequest(socket, method, url, body);
    const poll = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
      const end = Date.now() + 60_000;
      for (;;) {
        try {
          const v = await check();
          if (v) return v;
        } catch { /* not listening yet */ }
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const running = (): Promise<any> => poll('the pod to run', async () => {
      const p = (await request('GET', `${POD}/sleeper`)).body;
      return p?.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    });

    const first = serve();
    await poll('the server', async () => (await request('GET', '/version')).status === 200);
    const created = await request('POST', POD, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper' },
      spec: { runtimeClassName: 'linux', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: busyboxRootfs(), command: ['sh', '-c', 'echo up; exec sleep 1000'] }] },
    });
    t.equal(created.status, 201);
    const before = await running();
    const pidFile = (): string => {
      const sandboxes = path.join(stateDir, 'linux/sandboxes');
      const [id] = fs.readdirSync(sandboxes);
      const [c] = fs.readdirSync(path.join(sandboxes, id!, 'containers'));
      return path.join(sandboxes, id!, 'containers', c!, 'pid');
    };
    const pid = Number(fs.readFileSync(pidFile(), 'utf8'));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    t.ok(alive(pid), 'the container outlives the killed server');

    const second = serve();
    const after = await running();
    t.equal(after.metadata.uid, before.metadata.uid, 'the same pod');
    t.equal(after.status.containerStatuses[0].restartCount, 0, 'not started again: no restart counted');
    t.equal(after.status.containerStatuses[0].state.running.startedAt, before.status.containerStatuses[0].state.running.startedAt, 'its start time is kept');
    t.equal(after.status.containerStatuses[0].containerID, before.status.containerStatuses[0].containerID, 'the same container');
    t.equal(Number(fs.readFileSync(pidFile(), 'utf8')), pid, 'the same process');
    t.ok(alive(pid));
    t.equal((await request('GET', `${POD}/sleeper/log`)).text, 'up\n', 'its log is there once');
    t.equal((await request('DELETE', `${POD}/sleeper`)).status, 200);
    t.ok(await eventually(() => !alive(pid), 20_000), 'deleting it through the new server kills it');
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  });
}
