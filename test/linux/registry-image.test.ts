// A linux pod whose image is a registry reference: pulled through the image store for linux/amd64, its
// layers unpacked once into a root filesystem, with the kubelet's Pulling/Pulled events and imageID.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxRootfs, linuxRuntime, linuxSkip, writeLayout } from './helpers.js';
import { registryMissing, skopeoMissing, startRegistry } from '../image/helpers/registry.js';
import { skopeoPush } from '../image/helpers/oci-layout.js';

const skip = linuxSkip() || registryMissing() || skopeoMissing() || (process.arch !== 'x64' ? 'the test image is linux/amd64' : false);
if (skip) t.plan(0, skip);
else {
  t.test('a linux pod runs a registry image: pulled for linux/amd64, unpacked once, Pulled then reused', async (t) => {
    const reg = await startRegistry(t.testdir());
    t.teardown(() => reg.close());
    const layout = path.join(t.testdir(), 'layout');
    writeLayout(layout, busyboxRootfs(), 'v1');
    skopeoPush(layout, 'v1', `${reg.host}/busybox:v1`);
    const rt = linuxRuntime();
    t.teardown(() => rt.close());
    const image = `${reg.host}/busybox:v1`;
    const spec = (name: string) => ({
      metadata: { name },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'cat /www/index.html; uname -s'] }] },
    });

    const pod = await rt.runPod(spec('pulled'));
    const s = await pod.wait();
    t.equal(s.phase, 'Succeeded', JSON.stringify(s.containerStatuses));
    t.equal(pod.logs('c'), 'hello from httpd\nLinux\n', 'the image\'s own files, run natively');
    // skopeo compresses the layer on its way in, so the registry's manifest is not the layout's: ask the registry.
    const head = await fetch(`http://${reg.host}/v2/busybox/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const digest = head.headers.get('docker-content-digest')!;
    t.match(digest, /^sha256:[0-9a-f]{64}$/);
    t.equal(s.containerStatuses![0]!.imageID, `${reg.host}/busybox@${digest}`, 'imageID names the manifest digest the registry serves');
    const reasons = pod.events.map((e) => e.reason);
    t.ok(reasons.indexOf('Pulling') >= 0 && reasons.indexOf('Pulling') < reasons.indexOf('Pulled'), 'Pulling, then Pulled');
    t.match(pod.events.find((e) => e.reason === 'Pulled')!.message, /^Successfully pulled image ".*busybox:v1" in /);
    t.ok(fs.existsSync(path.join(rt.stateDir, 'linux/rootfs', digest.slice(7), 'bin/busybox')), 'unpacked under the manifest digest');

    await reg.stop();
    const again = await rt.runPod(spec('present'));
    const s2 = await again.wait();
    t.equal(s2.phase, 'Succeeded', 'IfNotPresent runs the stored image with the registry down');
    t.match(again.events.find((e) => e.reason === 'Pulled')!.message, /already present on machine/);
    t.equal(again.logs('c'), 'hello from httpd\nLinux\n');
  });
}
