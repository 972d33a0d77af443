// Admits a pod as one unit against the node's capacity, as the kubelet does: requests of app containers and
// sidecars summed, or the largest init container if larger.
import * as os from 'node:os';
import type { Container, Pod } from '../spec/types.js';
import { cpuMillis, memoryBytes } from '../spec/index.js';

export interface Capacity {
  /** Bytes of memory the node offers pods (default: the machine's total memory). */
  memory: number;
  /** Millicores the node offers pods (default: 1000 per CPU). */
  cpu: number;
}

export function machineCapacity(): Capacity {
  return { memory: os.totalmem(), cpu: os.cpus().length * 1000 };
}

/** A container's requests; a resource with only a limit requests its limit (the API server's default). */
function requests(c: Container): Capacity {
  const r = c.resources ?? {};
  const q = (name: 'memory' | 'cpu'): string | number | undefined => r.requests?.[name] ?? r.limits?.[name];
  const mem = q('memory');
  const cpu = q('cpu');
  return { memory: mem === undefined ? 0 : memoryBytes(mem), cpu: cpu === undefined ? 0 : cpuMillis(cpu) };
}

export function podRequests(pod: Pod): Capacity {
  const sum: Capacity = { memory: 0, cpu: 0 };
  const add = (c: Container): void => {
    const r = requests(c);
    sum.memory += r.memory;
    sum.cpu += r.cpu;
  };
  pod.spec.containers.forEach(add);
  const inits = pod.spec.initContainers ?? [];
  inits.filter((c) => c.restartPolicy === 'Always').forEach(add);
  // A plain init container runs alone, beside the sidecars started before it.
  let sidecars: Capacity = { memory: 0, cpu: 0 };
  for (const c of inits) {
    const r = requests(c);
    if (c.restartPolicy === 'Always') {
      sidecars = { memory: sidecars.memory + r.memory, cpu: sidecars.cpu + r.cpu };
    } else {
      sum.memory = Math.max(sum.memory, sidecars.memory + r.memory);
      sum.cpu = Math.max(sum.cpu, sidecars.cpu + r.cpu);
    }
  }
  return sum;
}

/** Tracks what admitted pods request; says why a pod does not fit, in the kubelet's words. */
export class NodeResources {
  private used: Capacity = { memory: 0, cpu: 0 };

  constructor(readonly capacity: Capacity) {}

  /** Reserves the pod's requests, or returns the kubelet's rejection reason and message (its event's; the status says `Pod was rejected: ` first). */
  admit(req: Capacity): { reason: string; message: string; scheduler: string } | undefined {
    for (const res of ['memory', 'cpu'] as const) {
      if (this.used[res] + req[res] > this.capacity[res]) {
        return {
          reason: `OutOf${res}`,
          // What the scheduler says of a pod no node fits (its FailedScheduling event).
          scheduler: `0/1 nodes are available: 1 Insufficient ${res}.`,
          message: `Node didn't have enough resource: ${res}, requested: ${req[res]}, used: ${this.used[res]}, capacity: ${this.capacity[res]}`,
        };
      }
    }
    this.used = { memory: this.used.memory + req.memory, cpu: this.used.cpu + req.cpu };
    return undefined;
  }

  release(req: Capacity): void {
    this.used = { memory: this.used.memory - req.memory, cpu: this.used.cpu - req.cpu };
  }
}
