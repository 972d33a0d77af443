// The node capacity flags of `run` and `serve`: what the node offers pods, against which each pod is admitted
// as the kubelet admits it (src/pod/admission.ts). Default: the machine's memory and 1000m per CPU.
import type { Command } from 'commander';
import { cpuMillis, memoryBytes } from '../spec/index.js';
import type { Capacity } from '../pod/admission.js';

export interface CapacityCliOptions {
  capacityMemory?: string;
  capacityCpu?: string;
}

export function capacityFlags(c: Command): Command {
  return c
    .option('--capacity-memory <quantity>', 'memory the node offers pods, a Kubernetes quantity such as 4Gi (default: the machine\'s memory)')
    .option('--capacity-cpu <quantity>', 'CPU the node offers pods, such as 2 or 1500m (default: 1 per CPU of the machine)');
}

/** The capacity the flags give (only what they set), or an error naming the flag and the value. */
export function capacityOption(opts: CapacityCliOptions): Partial<Capacity> | undefined {
  const out: Partial<Capacity> = {};
  const parse = (flag: string, v: string, f: (q: string) => number): number => {
    let n: number;
    try {
      n = f(v);
    } catch (err) {
      throw new Error(`${flag} "${v}": ${(err as Error).message}`);
    }
    if (!(n > 0)) throw new Error(`${flag} must be more than zero, not "${v}"`);
    return n;
  };
  if (opts.capacityMemory !== undefined) out.memory = parse('--capacity-memory', opts.capacityMemory, memoryBytes);
  if (opts.capacityCpu !== undefined) out.cpu = parse('--capacity-cpu', opts.capacityCpu, cpuMillis);
  return Object.keys(out).length > 0 ? out : undefined;
}
