import t from 'tap';
import { HELLO, fastRuntime } from '../helpers/pods.js';
import { registryMissing, startRegistry } from './helpers/registry.js';
import { podOf, run, tmp, waitFor, waiting } from './helpers/pods.js';
import { RegistryProxy } from './helpers/proxy.js';

const missing = registryMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const reg = await startRegistry(tmp('registry'));
  t.teardown(() => reg.close());
  const host = reg.host;

  t.test('pull policies, and a registry that has gone away', async (t) => {
    const own = await startRegistry(tmp('registry-policy'));
    t.teardown(() => own.close());
    const runtime = fastRuntime();
    t.teardown(() => runtime.close());
    await runtime.images.push(HELLO, `${own.host}/policy:v1`);
    const c = (image: string, imagePullPolicy?: string) => ({ name: 'c', image, ...(imagePullPolicy ? { imagePullPolicy } : {}) });
    t.equal((await run(runtime, podOf('a', [c(`${own.host}/policy:v1`, 'IfNotPresent')]))).out.c, 'hello from wasmpod\n');
    await own.stop(true);
    const present = await run(runtime, podOf('b', [c(`${own.host}/policy:v1`)]));
    t.equal(present.out.c, 'hello from wasmpod\n', 'IfNotPresent runs from the store with the registry down');

    const always = await runtime.runPod(podOf('always', [c(`${own.host}/policy:v1`, 'Always')]));
    const failed = await waitFor(always, (s) => waiting(s)?.reason === 'ErrImagePull');
    t.match(waiting(failed)?.message, /ECONNREFUSED/, 'Always needs the registry: the error says why');
    await waitFor(always, (s) => waiting(s)?.reason === 'ImagePullBackOff');
    await always.delete();
    t.match(always.events.map((e) => e.message).slice(1, 6), [/^Pulling image/, /^Failed to pull image .*ECONNREFUSED/, 'Error: ErrImagePull',
      /^Back-off pulling image/, 'Error: ImagePullBackOff']);

    const never = await runtime.runPod(podOf('never', [c(`${own.host}/absent:v1`, 'Never')]));
    const s = await waitFor(never, (st) => waiting(st)?.reason === 'ErrImageNeverPull');
    t.equal(waiting(s)?.message, `Container image "${own.host}/absent:v1" is not present with pull policy of Never`);
    await never.delete();
    t.notOk(never.events.some((e) => e.reason === 'Pulling'), 'Never never pulls');
  });

  t.test('a pod deleted while its image is being pulled ends without waiting for the pull', async (t) => {
    const proxy = await RegistryProxy.start(reg.port);
    t.teardown(() => proxy.close());
    proxy.stallManifests = true;
    const runtime = fastRuntime();
    t.teardown(() => runtime.close());
    const h = await runtime.runPod(podOf('stalled', [{ name: 'c', image: `${proxy.host}/hello:v1` }]));
    await new Promise<void>((resolve) => {
      const check = (): void => { if (h.events.some((e) => e.reason === 'Pulling')) resolve(); else setTimeout(check, 10); };
      check();
    });
    const t0 = Date.now();
    const final = await h.delete();
    t.ok(Date.now() - t0 < 20_000, 'deleted long before the 30 s request timeout');
    t.notOk(final.containerStatuses![0].state?.running, 'the container never ran');
  });

  t.test('a pod waits in ImagePullBackOff and starts once the image is pushed', async (t) => {
    const runtime = fastRuntime();
    t.teardown(() => runtime.close());
    const image = `${host}/later:v1`;
    const h = await runtime.runPod(podOf('later', [{ name: 'c', image }]));
    let out = '';
    h.on('output', (e) => { out += e.chunk.toString(); });
    await waitFor(h, (s) => waiting(s)?.reason === 'ImagePullBackOff');
    t.equal(h.status.phase, 'Pending');
    await runtime.images.push(HELLO, image);
    const final = await h.wait();
    t.equal(final.phase, 'Succeeded');
    t.equal(out, 'hello from wasmpod\n');
    const reasons = h.events.map((e) => e.reason);
    t.ok(reasons.indexOf('BackOff') < reasons.lastIndexOf('Pulled') && reasons.lastIndexOf('Pulled') < reasons.indexOf('Started'));
  });

}
