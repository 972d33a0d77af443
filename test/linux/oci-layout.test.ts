// An OCI image layout as a linux container's image: unpacked once per manifest digest, then run like a root filesystem.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxRootfs, linuxRuntime, linuxSkip, writeLayout } from './helpers.js';

const skip = linuxSkip() || (process.arch !== 'x64' ? 'the test layout is linux/amd64' : false);
if (skip) t.plan(0, skip);
else {
  const rt = linuxRuntime();
  t.teardown(() => rt.close());

  t.test('a pod runs from an OCI image layout; the unpacked root filesystem is kept by manifest digest and reused', async (t) => {
    const layout = t.testdir();
    const digest = writeLayout(layout, busyboxRootfs());
    const spec = (name: string) => ({
      metadata: { name },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: layout, command: ['sh', '-c', 'cat /www/index.html; echo changed > /www/index.html'] }] },
    });
    const pod = await rt.runPod(spec('from-layout'));
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded');
    t.equal(pod.logs('c'), 'hello from httpd\n');
    t.equal(s.containerStatuses![0]!.imageID, digest, 'the imageID is the manifest digest');
    const unpacked = path.join(rt.stateDir, 'linux/rootfs', digest.slice(7));
    t.ok(fs.existsSync(path.join(unpacked, 'bin/busybox')), 'unpacked under the manifest digest');
    const again = await rt.runPod(spec('again'));
    await again.wait();
    t.equal(again.logs('c'), 'hello from httpd\n', 'the write of the first run went to its own layer, not the image');
  });

  t.test('a damaged layout is refused, naming the image', async (t) => {
    const layout = t.testdir();
    writeLayout(layout, busyboxRootfs());
    const blobs = path.join(layout, 'blobs/sha256');
    const biggest = fs.readdirSync(blobs).map((f) => path.join(blobs, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
    fs.appendFileSync(biggest, 'tampered');
    // A fresh state dir: the first test's unpacked copy of the same manifest would be reused, as it should.
    const fresh = linuxRuntime();
    t.teardown(() => fresh.close());
    await t.rejects(fresh.runPod({ metadata: { name: 'bad-layout' }, spec: { containers: [{ name: 'c', image: layout, command: ['true'] }] } }),
      { code: 'ERR_ROOTFS', message: /cannot unpack the OCI image layout/ });
  });
}
