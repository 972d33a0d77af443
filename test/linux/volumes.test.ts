// Volumes of a linux pod as bind mounts: configMap, secret, downwardAPI (read-only), emptyDir with readOnly; runtimeClassName selects the backend.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Runtime } from '../../dist/src/index.js';
import { findOnPath } from '../../dist/src/index.js';
import { busyboxRootfs, linuxSkip, removeStateDir } from './helpers.js';

const skip = linuxSkip();
if (skip) t.plan(0, skip);
else {
  // The default class is wasm: only the pod's runtimeClassName sends it to the Linux backend.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-linux-vol-'));
  const rt = new Runtime({ stateDir, secondMs: 100 });
  t.teardown(async () => {
    await rt.close();
    removeStateDir(stateDir);
  });
  const R = busyboxRootfs();

  t.test('configMap, secret and downwardAPI are read-only files; an emptyDir is shared, read-only where the mount says so', async (t) => {
    const configMaps = [{ apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name: 'web', namespace: 'default' }, data: { mode: 'prod' } }];
    const secrets = [{ apiVersion: 'v1' as const, kind: 'Secret' as const, metadata: { name: 'db', namespace: 'default' }, data: { password: Buffer.from('s3cr3t').toString('base64') } }];
    const tryWrite = (f: string): string => `(echo x > ${f}) 2>/dev/null && echo "${f} written" || echo "${f} read-only"`;
    const pod = await rt.runPod({
      metadata: { name: 'vols', labels: { app: 'demo' } },
      spec: {
        runtimeClassName: 'linux', restartPolicy: 'Never',
        volumes: [
          { name: 'cfg', configMap: { name: 'web' } },
          { name: 'sec', secret: { secretName: 'db' } },
          { name: 'info', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'scratch', emptyDir: {} },
        ],
        initContainers: [{
          name: 'writer', image: R, command: ['sh', '-c', 'echo shared > /scratch/note'],
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        }],
        containers: [{
          name: 'app', image: R,
          command: ['sh', '-c', [
            'cat /cfg/mode; echo', 'cat /sec/password; echo', 'cat /info/name; echo', 'cat /info/labels; echo', 'cat /scratch/note',
            tryWrite('/cfg/mode'), tryWrite('/sec/password'), tryWrite('/info/name'), tryWrite('/scratch/other'),
            'grep -E " /(cfg|sec|info|scratch) " /proc/self/mounts | cut -d" " -f2,4 | cut -d, -f1 | sort',
          ].join('; ')],
          volumeMounts: [
            { name: 'cfg', mountPath: '/cfg' }, { name: 'sec', mountPath: '/sec' }, { name: 'info', mountPath: '/info' },
            { name: 'scratch', mountPath: '/scratch', readOnly: true },
          ],
        }],
      },
    }, { configMaps, secrets });
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded', pod.logs('app'));
    t.ok(pod.status.containerStatuses![0]!.containerID!.startsWith('runc://'), 'runtimeClassName: linux ran it through runc');
    t.same(pod.logLines('app').filter((l) => l.stream === 'stdout').map((l) => l.text), [
      'prod', 's3cr3t', 'vols', 'app="demo"', 'shared',
      '/cfg/mode read-only', '/sec/password read-only', '/info/name read-only', '/scratch/other read-only',
      '/cfg ro', '/info ro', '/scratch ro', '/sec ro',
    ]);
  });

  t.test('linux.ociRuntime: the configured OCI runtime runs the containers', async (t) => {
    // A wrapper around runc under another name, which notes each call: the pod must go through it, not runc on PATH.
    const dir = t.testdir();
    const wrapper = path.join(dir, 'my-oci');
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> ${dir}/calls\nexec ${findOnPath(['runc'])} "$@"\n`, { mode: 0o755 });
    const sd = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmpod-linux-oci-'));
    const own = new Runtime({ stateDir: sd, secondMs: 100, linux: { ociRuntime: wrapper } });
    t.teardown(async () => {
      await own.close();
      removeStateDir(sd);
    });
    const pod = await own.runPod({ metadata: { name: 'wrapped' }, spec: { runtimeClassName: 'linux', restartPolicy: 'Never', containers: [{ name: 'c', image: R, command: ['echo', 'hi'] }] } });
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded');
    t.equal(pod.logs('c'), 'hi\n');
    t.match(s.containerStatuses![0]!.containerID, /^my-oci:\/\//, 'the container ID names the configured runtime');
    t.match(fs.readFileSync(path.join(dir, 'calls'), 'utf8'), /run --keep --bundle /, 'the wrapper ran the container');
  });
}
