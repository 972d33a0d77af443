// The support table: complete for every field under a supported parent, and its lookup rules.
import t from 'tap';
import { SUPPORT, fieldPatterns, podSchema, supportOf } from '../../dist/src/spec/index.js';

type Table = typeof SUPPORT;

/** Field patterns of the Pod schema whose parent is supported but that have no entry of their own. */
function missingEntries(table: Table): string[] {
  const parentOf = (p: string): string => p.slice(0, p.lastIndexOf('.')).replace(/\[\]$/, '');
  return fieldPatterns(podSchema).filter((pattern) => {
    const parentSupported = !pattern.includes('.') || supportOf(parentOf(pattern), table).level === 'supported';
    return parentSupported && supportOf(pattern, table).reason === 'wasmpod does not know this field yet';
  });
}

t.test('every field under a supported parent has its own entry in the support table', async (t) => {
  t.same(missingEntries(SUPPORT), [], 'fields without an entry');
  const { ['spec.containers[].stdin']: _dropped, ...withoutStdin } = SUPPORT;
  t.same(missingEntries(withoutStdin).sort(), ['spec.containers[].stdin', 'spec.initContainers[].stdin'], 'the check finds a dropped entry');
});

t.test('every table entry names a field of the Pod schema', async (t) => {
  const known = new Set(fieldPatterns(podSchema));
  t.same(Object.keys(SUPPORT).filter((k) => !known.has(k)), []);
});

t.test('lookup: exact entries, inheritance, init containers', async (t) => {
  t.equal(supportOf('spec.containers[].image').level, 'supported');
  t.equal(supportOf('spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution').level, 'ignored', 'inherits from an ignored ancestor');
  t.equal(supportOf('spec.containers[].volumeDevices[].devicePath').level, 'unsupported', 'inherits from an unsupported ancestor');
  t.equal(supportOf('spec.initContainers[].image').level, 'supported', 'init containers fall back to containers');
  t.equal(supportOf('spec.initContainers[].volumeDevices').reason, 'block devices');
  t.equal(supportOf('spec.initContainers[].livenessProbe.grpc.service').level, 'supported', 'grpc probes, for sidecars too');
  t.equal(supportOf('spec.containers[].notAField').level, 'unsupported', 'a missing entry under a supported parent is unsupported');
  t.equal(supportOf('spec.hostNetwork').level, 'supported', 'hostNetwork: guest sockets are host sockets');
  t.ok(supportOf('spec.hostPID').accept?.(false));
  t.notOk(supportOf('spec.hostPID').accept?.(true));
});

t.test('a table can be swapped in, as flipping an entry does', async (t) => {
  const flipped = { ...SUPPORT, 'spec.os': { level: 'supported' as const } };
  t.equal(supportOf('spec.os', flipped).level, 'supported');
  t.equal(supportOf('spec.os.name', flipped).reason, 'wasmpod does not know this field yet',
    'children of a flipped entry must then be listed too');
});
