// The example manifests of examples/ (seed 003's pods, a ConfigMap and a Secret in the same file) run as documented.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPodCollect } from '../helpers/run-pod.js';

t.test('the example manifests run, ConfigMaps and Secrets taken from the same file', async (t) => {
  const { parseManifest } = await import('../../dist/src/spec/index.js');
  const { ROOT } = await import('../helpers/pods.js');
  const expected: Record<string, RegExp> = {
    'log-collector': /\[app\] request served\n\[app\] request served\n\[app\] request served\n/,
    'war-init': /sample\.war/,
    'config-and-secret': /<h1>hello from a ConfigMap<\/h1>\nls \/creds: password\napp="web"\nenv LOG_LEVEL: info\nenv POD_NAME: config-and-secret\nwrite \/html\/x: EROFS\n/,
  };
  for (const [name, want] of Object.entries(expected)) {
    const file = path.join(ROOT, 'examples', `${name}.yaml`);
    const m = parseManifest(fs.readFileSync(file, 'utf8'), { source: file, baseDir: path.dirname(file) });
    const { status, out, runtime } = await runPodCollect(m.pods[0] as never, { configMaps: m.configMaps, secrets: m.secrets });
    t.equal(status.phase, 'Succeeded', name);
    t.match(Object.values(out).join(''), want, name);
    await runtime.close();
  }
});
