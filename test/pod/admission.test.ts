// Admission arithmetic: a pod's requests as the kubelet sums them (app containers and sidecars, or the largest init container), against the node.
import t from 'tap';
import * as os from 'node:os';
import { NodeResources, machineCapacity, podRequests } from '../../dist/src/pod/admission.js';

const Mi = 1024 * 1024;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const c = (name: string, mem: string, cpu?: string, extra: Record<string, unknown> = {}): any =>
  ({ name, image: 'x.wasm', resources: { requests: { memory: mem, ...(cpu ? { cpu } : {}) } }, ...extra });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pod = (containers: unknown[], initContainers: unknown[] = []): any => ({ metadata: { name: 'p' }, spec: { containers, initContainers } });

t.test('app containers and sidecars are summed; a plain init container counts alone, beside the sidecars started before it', async (t) => {
  t.same(podRequests(pod([c('a', '10Mi', '100m'), c('b', '20Mi', '200m')])), { memory: 30 * Mi, cpu: 300 });
  t.same(podRequests(pod([c('a', '10Mi')], [c('side', '5Mi', undefined, { restartPolicy: 'Always' })])), { memory: 15 * Mi, cpu: 0 },
    'a sidecar runs beside the app: summed');
  t.same(podRequests(pod([c('a', '10Mi', '100m')], [c('init', '64Mi', '50m')])), { memory: 64 * Mi, cpu: 100 },
    'the largest init container, if larger (each resource on its own)');
  t.same(podRequests(pod([c('a', '10Mi')], [c('side', '8Mi', undefined, { restartPolicy: 'Always' }), c('init', '40Mi')])), { memory: 48 * Mi, cpu: 0 },
    'an init container after a sidecar runs beside it');
  t.same(podRequests(pod([c('a', '10Mi')], [c('init', '40Mi'), c('side', '8Mi', undefined, { restartPolicy: 'Always' })])), { memory: 40 * Mi, cpu: 0 },
    'an init container before the sidecar runs alone');
  const limitOnly = { name: 'l', image: 'x.wasm', resources: { limits: { memory: '32Mi', cpu: '1' } } };
  t.same(podRequests(pod([limitOnly])), { memory: 32 * Mi, cpu: 1000 }, 'a limit without a request requests the limit');
});

t.test('the node admits pods against what is left, says why in the kubelet\'s words, and gets it back on release', async (t) => {
  const node = new NodeResources({ memory: 100 * Mi, cpu: 1000 });
  t.equal(node.admit({ memory: 60 * Mi, cpu: 500 }), undefined);
  t.same(node.admit({ memory: 50 * Mi, cpu: 100 }), {
    reason: 'OutOfmemory',
    scheduler: '0/1 nodes are available: 1 Insufficient memory.',
    message: `Node didn't have enough resource: memory, requested: ${50 * Mi}, used: ${60 * Mi}, capacity: ${100 * Mi}`,
  });
  t.match(node.admit({ memory: 10 * Mi, cpu: 600 }), { reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 600, used: 500, capacity: 1000" });
  node.release({ memory: 60 * Mi, cpu: 500 });
  t.equal(node.admit({ memory: 100 * Mi, cpu: 1000 }), undefined, 'released: the whole node fits');
  t.same(machineCapacity(), { memory: os.totalmem(), cpu: os.cpus().length * 1000 }, 'the default capacity is the machine\'s');
});
