// The kubelet's CVE-2017-1002101 on the Linux backend, for real: a container holding a whole volume swaps the directory
// another container mounts as a subPath for a symlink to the host's /etc; the other container restarts and must
// never see the host's files: its start is refused (CreateContainerConfigError) until the directory is real again.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { busyboxRootfs, eventually, linuxRuntime, linuxSkip, mountsUnder, sandboxes } from './helpers.js';
import type { PodStatus } from '../../dist/src/index.js';
import { UserScript, userDir, userRootfs } from './as-user.js';
import { userNamespacesUnavailable } from '../../dist/src/runtime/linux/rootless.js';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  const rt = linuxRuntime();
  t.teardown(() => rt.close());
  const R = busyboxRootfs();
  const HOST_PASSWD = /root:x:0:0|OUTSIDE/;

  /** The victim: shows what its subPath holds, then exits 0 (restartPolicy Always restarts it). */
  const victim = (volume: string, subPath: string, mountPath = '/data'): Record<string, unknown> => ({
    name: 'victim', image: R, volumeMounts: [{ name: volume, mountPath, subPath }],
    command: ['sh', '-c', `touch ${mountPath}/ran 2>/dev/null; echo "run: $(ls ${mountPath} | tr '\\n' ' ')"; touch ${mountPath}/shown 2>/dev/null; cat ${mountPath}/passwd ${mountPath}/file 2>/dev/null; sleep 0.3`],
  });
  const waitingReason = (s: PodStatus): string | undefined => s.containerStatuses?.find((c) => c.name === 'victim')?.state?.waiting?.reason;
  /** Waits until the victim's start is refused, or it shows the host's file (the attack worked): the status then. */
  const refusedOrLeaked = async (pod: { status: PodStatus }, out: () => string): Promise<PodStatus> => {
    await eventually(() => waitingReason(pod.status) === 'CreateContainerConfigError' || HOST_PASSWD.test(out()), 30_000);
    return pod.status;
  };

  for (const [form, target] of [['absolute', '/etc'], ['relative', '../../../../../../../../../../../../../../../etc']] as const) {
    t.test(`emptyDir: the subPath swapped for a ${form} symlink to /etc is refused at the restart, never followed`, async (t) => {
      const pod = await rt.runPod({
        metadata: { name: `swap-${form}` },
        spec: {
          terminationGracePeriodSeconds: 1,
          volumes: [{ name: 'v', emptyDir: {} }],
          containers: [
            victim('v', 'sub'),
            { name: 'attacker', image: R, volumeMounts: [{ name: 'v', mountPath: '/v' }], command: ['sh', '-c',
              `while [ ! -e /v/sub/shown ]; do sleep 0.05; done; rm -rf /v/sub; ln -s ${target} /v/sub; echo swapped; exec sleep 1000`] },
          ],
        },
      });
      let out = '';
      pod.on('output', (e) => { if (e.container === 'victim') out += e.chunk; });
      const s = await refusedOrLeaked(pod, () => out);
      const v = s.containerStatuses!.find((c) => c.name === 'victim')!;
      t.notMatch(out, HOST_PASSWD, 'the victim never saw the host\'s /etc/passwd');
      t.equal(v.state?.waiting?.reason, 'CreateContainerConfigError', 'its start was refused');
      t.match(v.state?.waiting?.message, /subPath "sub" for volumeMount "v" of container "victim": "sub" is a symbolic link/, `a clear reason: ${v.state?.waiting?.message}`);
      t.ok(pod.events.some((e) => e.type === 'Warning' && /symbolic link/.test(e.message)), 'a Warning event says why');
      t.match(out, /^run: ran/, 'the first run saw its own directory');
      const [sb] = sandboxes(rt);
      t.same(mountsUnder(path.join(sb!.dir, 'containers')).filter((m) => m.includes('/subpaths/')), [], 'the refused start left no staging mount');

      // The directory made real again: the next start shows its contents.
      const r = await pod.exec('attacker', ['sh', '-c', 'rm /v/sub && mkdir /v/sub && echo real-contents > /v/sub/file']);
      t.equal(r.exitCode, 0);
      t.ok(await eventually(() => out.includes('real-contents'), 20_000), 'once the subPath is a directory again, the victim starts and sees it');
      t.notMatch(out, HOST_PASSWD);
      await pod.delete();
      t.same(mountsUnder(rt.stateDir), [], 'nothing is left mounted under the state directory');
    });
  }

  t.test('hostPath: a subPath swapped for a relative symlink climbing out of the host directory is refused', async (t) => {
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-swap-'));
    t.teardown(() => fs.rmSync(host, { recursive: true, force: true }));
    fs.mkdirSync(path.join(host, 'vol/sub'), { recursive: true });
    fs.mkdirSync(path.join(host, 'etc'));
    fs.writeFileSync(path.join(host, 'etc/passwd'), 'OUTSIDE\n');
    const pod = await rt.runPod({
      metadata: { name: 'swap-host' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'h', hostPath: { path: path.join(host, 'vol'), type: 'Directory' } }],
        containers: [
          victim('h', 'sub'),
          { name: 'attacker', image: R, volumeMounts: [{ name: 'h', mountPath: '/v' }], command: ['sh', '-c',
            'while [ ! -e /v/sub/shown ]; do sleep 0.05; done; mv /v/sub /v/old; ln -s ../etc /v/sub; echo swapped; exec sleep 1000'] },
        ],
      },
    });
    let out = '';
    pod.on('output', (e) => { if (e.container === 'victim') out += e.chunk; });
    const s = await refusedOrLeaked(pod, () => out);
    t.equal(s.containerStatuses!.find((c) => c.name === 'victim')!.state?.waiting?.reason, 'CreateContainerConfigError');
    t.match(s.containerStatuses!.find((c) => c.name === 'victim')!.state?.waiting?.message, /"sub" is a symbolic link/);
    t.notMatch(out, HOST_PASSWD, 'the victim never saw the file outside the volume');
    t.ok(fs.lstatSync(path.join(host, 'vol/sub')).isSymbolicLink(), 'the attack did happen on the host');
    await pod.delete();
    t.same(mountsUnder(rt.stateDir), [], 'nothing is left mounted under the state directory');
  });

  t.test('a hostPath File inside another hostPath volume, swapped for a symlink, is refused at the restart', async (t) => {
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-swap-'));
    t.teardown(() => fs.rmSync(host, { recursive: true, force: true }));
    fs.mkdirSync(path.join(host, 'h'));
    fs.writeFileSync(path.join(host, 'h/app.conf'), 'level=debug\n');
    fs.mkdirSync(path.join(host, 'etc'));
    fs.writeFileSync(path.join(host, 'etc/passwd'), 'OUTSIDE\n');
    const pod = await rt.runPod({
      metadata: { name: 'swap-file' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [
          { name: 'dir', hostPath: { path: path.join(host, 'h'), type: 'Directory' } },
          { name: 'conf', hostPath: { path: path.join(host, 'h/app.conf'), type: 'File' } },
          { name: 'cfg', emptyDir: {} },
        ],
        containers: [
          { name: 'victim', image: R, volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'conf', mountPath: '/cfg/app.conf' }],
            command: ['sh', '-c', 'echo "run: $(cat /cfg/app.conf)"; sleep 0.3'] },
          { name: 'attacker', image: R, volumeMounts: [{ name: 'dir', mountPath: '/v' }], command: ['sh', '-c',
            'sleep 0.2; rm /v/app.conf; ln -s ../etc/passwd /v/app.conf; echo swapped; exec sleep 1000'] },
        ],
      },
    });
    let out = '';
    pod.on('output', (e) => { if (e.container === 'victim') out += e.chunk; });
    const s = await refusedOrLeaked(pod, () => out);
    t.equal(s.containerStatuses!.find((c) => c.name === 'victim')!.state?.waiting?.reason, 'CreateContainerConfigError');
    t.match(s.containerStatuses!.find((c) => c.name === 'victim')!.state?.waiting?.message,
      /hostPath volume "conf" \(inside another volume of the pod\) of container "victim": "app.conf" is a symbolic link/);
    t.match(out, /^run: level=debug/, 'the first run saw the host file');
    t.notMatch(out, HOST_PASSWD, 'the victim never saw the file the symlink names');
    await pod.delete();
    t.same(mountsUnder(rt.stateDir), [], 'nothing is left mounted under the state directory');
  });

  t.test('rootless (as nobody): the swapped subPath is refused too, and nothing is mounted on the host', { skip: userNamespacesUnavailable() ?? false }, async (t) => {
    const dir = userDir('wasmpod-swap-rootless-');
    const rootfs = userRootfs();
    const state = path.join(dir, 'state');
    const script = new UserScript(dir, `
      const rt = new Runtime({ stateDir: ${JSON.stringify(state)}, defaultRuntimeClass: 'linux', secondMs: 100,
        backoff: { baseMs: 200, maxMs: 2000, resetAfterMs: 60000 } });
      const pod = await rt.runPod({ metadata: { name: 'swap-rootless' }, spec: { terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'v', emptyDir: {} }],
        containers: [
          { name: 'victim', image: ${JSON.stringify(rootfs)}, volumeMounts: [{ name: 'v', mountPath: '/data', subPath: 'a/sub' }],
            command: ['sh', '-c', 'touch /data/ran; echo "run: $(ls /data | tr "\\n" " ")"; touch /data/shown; cat /data/passwd /data/file 2>/dev/null; sleep 0.3'] },
          { name: 'attacker', image: ${JSON.stringify(rootfs)}, volumeMounts: [{ name: 'v', mountPath: '/v' }], command: ['sh', '-c',
            'while [ ! -e /v/a/sub/shown ]; do sleep 0.05; done; rm -rf /v/a/sub; ln -s ../../../../../../../../../../../../../../etc /v/a/sub; echo swapped; exec sleep 1000'] },
        ] } });
      let out = '';
      pod.on('output', (e) => { if (e.container === 'victim') out += e.chunk; });
      const victim = () => pod.status.containerStatuses?.find((c) => c.name === 'victim');
      const end = Date.now() + 30000;
      while (Date.now() < end && victim()?.state?.waiting?.reason !== 'CreateContainerConfigError' && !/root:x:0:0/.test(out)) await new Promise((r) => setTimeout(r, 20));
      send({ type: 'refused', out, victim: victim() });
      const r = await pod.exec('attacker', ['sh', '-c', 'rm /v/a/sub && mkdir /v/a/sub && echo real-contents > /v/a/sub/file']);
      while (Date.now() < end + 30000 && !out.includes('real-contents')) await new Promise((r) => setTimeout(r, 20));
      send({ type: 'restored', out, exec: r.exitCode });
      await pod.delete();
      send({ type: 'deleted' });
      await rt.close();
    `);
    t.teardown(() => { if (script.child.exitCode === null) script.child.kill('SIGKILL'); });
    const refused = await script.expect('refused');
    const v = refused['victim'] as PodStatus['containerStatuses'] extends (infer C)[] | undefined ? C : never;
    t.notMatch(refused['out'], HOST_PASSWD, 'the victim never saw the host\'s /etc/passwd');
    t.match(refused['out'], /^run: ran/, 'the first run saw its own directory');
    t.equal(v.state?.waiting?.reason, 'CreateContainerConfigError', 'its restart was refused');
    t.match(v.state?.waiting?.message, /subPath "a\/sub" for volumeMount "v" of container "victim": "sub" is a symbolic link/, `a clear reason: ${v.state?.waiting?.message}`);
    t.same(mountsUnder(state), [], 'nothing was mounted on the host (the staging mounts are in the pod\'s user namespace)');
    const restored = await script.expect('restored');
    t.equal(restored['exec'], 0);
    t.match(restored['out'], 'real-contents', 'once the subPath is a directory again, the victim starts and sees it');
    t.notMatch(restored['out'], HOST_PASSWD);
    await script.expect('deleted');
    t.equal(await script.exited(), 0, script.stderr);
    t.same(mountsUnder(state), []);
  });
}
