// The pod cgroup's limits from its containers', as the kubelet sizes a pod cgroup.
import type { Container, Pod } from '../../spec/types.js';
import { cpuMillis, memoryBytes } from '../../spec/index.js';
import type { CgroupLimits } from './cgroups/cgroup.js';
import { CPU_PERIOD_US } from './cgroups/cgroup.js';

/**
 * A limit applies to the pod only when every container has one: the larger of the sum over app
 * containers and sidecars (which run together) and the largest init container (which runs alone).
 */
function podLimit(pod: Pod, of: (c: Container) => number | undefined): number | undefined {
  const init = pod.spec.initContainers ?? [];
  const together = [...pod.spec.containers, ...init.filter((c) => c.restartPolicy === 'Always')];
  const alone = init.filter((c) => c.restartPolicy !== 'Always');
  const values = [...together, ...alone].map(of);
  if (values.some((v) => v === undefined)) return undefined;
  const sum = together.reduce((a, c) => a + of(c)!, 0);
  return Math.max(sum, ...alone.map((c) => of(c)!));
}

/** The pod cgroup's limits; `pids` is the runtime's per-pod process limit. */
export function podLimits(pod: Pod, pids: number): CgroupLimits {
  const limits: CgroupLimits = { pids };
  const mem = podLimit(pod, (c) => (c.resources?.limits?.memory !== undefined ? memoryBytes(c.resources.limits.memory) : undefined));
  if (mem !== undefined) limits.memoryBytes = mem;
  const cpu = podLimit(pod, (c) => (c.resources?.limits?.cpu !== undefined ? cpuMillis(c.resources.limits.cpu) : undefined));
  if (cpu !== undefined) limits.cpuQuotaUs = Math.max(1000, (cpu * CPU_PERIOD_US) / 1000);
  return limits;
}
