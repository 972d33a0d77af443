// Turns a container of the pod spec into what a backend runs: argv, environment, and mounts of checked hostPath volumes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Container, Pod } from '../spec/types.js';
import type { BeneathMount, ContainerConfig } from '../runtime/sandbox.js';
import type { MountSpec } from '../../shim/fs/vfs.js';
import type { PodVolumes } from '../volume/pod-volumes.js';
import { containerMounts } from '../volume/mounts.js';
import { containerEnv } from '../volume/env.js';
import { cpuMillis, memoryBytes } from '../spec/index.js';

export { prepareHostPath } from '../volume/host-path.js';

/** argv: command then args; without a command, argv[0] is the module's file name (there is no image entrypoint). */
export function argvOf(c: Container): string[] {
  const command = c.command ?? [path.basename(c.image)];
  return [...command, ...(c.args ?? [])];
}

/** The guest's environment: exactly the container's env list, later duplicates winning as in Kubernetes. */
export function envOf(c: Container): string[] {
  const env = new Map<string, string>();
  for (const e of c.env ?? []) env.set(e.name, e.value ?? '');
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export function mountsOf(pod: Pod, c: Container): MountSpec[] {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  return (c.volumeMounts ?? []).map((m) => {
    const v = volumes.get(m.name)!;
    if (!v.hostPath) throw new Error(`container "${c.name}": volume "${m.name}" has no host path without the pod's volumes`);
    return { mountPath: m.mountPath, hostPath: v.hostPath.path, readOnly: m.readOnly === true };
  });
}

/**
 * A wasm guest has no uname(): a hostNetwork pod's containers learn the node's hostname, which is theirs,
 * from HOSTNAME, as container runtimes set it (unless the container's env sets it itself).
 */
function withHostname(pod: Pod, env: string[]): string[] {
  if (!pod.spec.hostNetwork || pod.spec.runtimeClassName === 'linux' || env.some((e) => e.startsWith('HOSTNAME='))) return env;
  return [...env, `HOSTNAME=${os.hostname()}`];
}

const realpath = (p: string): string | undefined => {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
};

/**
 * The container's volume mounts whose (real) host path lies below the real path of a volume of the pod: a
 * subPath, or a hostPath inside another volume. Each is resolved beneath the outermost such volume, the one
 * a container could swap a directory of for a symlink (see ContainerConfig.beneath).
 */
function beneathOf(c: Container, mounts: MountSpec[], volumes: PodVolumes): BeneathMount[] {
  const roots = [...volumes.byName.values()].flatMap((v) => realpath(v.hostPath) ?? []);
  const out: BeneathMount[] = [];
  for (const [i, vm] of (c.volumeMounts ?? []).entries()) {
    const real = mounts[i] && realpath(mounts[i].hostPath);
    if (!real) continue;
    const root = roots.filter((r) => r !== real && real.startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => a.length - b.length)[0];
    if (root) out.push({ mount: i, root, rel: path.relative(root, real), volume: vm.name, ...(vm.subPath ? { subPath: vm.subPath } : {}) });
  }
  return out;
}

/** With the pod's volumes set up, mounts and env come from src/volume (subPath, valueFrom, envFrom). */
export function containerConfig(pod: Pod, c: Container, volumes?: PodVolumes): ContainerConfig {
  const env = withHostname(pod, volumes ? containerEnv(pod, c, volumes.lookup) : envOf(c));
  const mounts = volumes ? containerMounts(c, volumes) : mountsOf(pod, c);
  const beneath = volumes ? beneathOf(c, mounts, volumes) : [];
  const mem = c.resources?.limits?.memory;
  const cpuLimit = c.resources?.limits?.cpu;
  const cpuRequest = c.resources?.requests?.cpu;
  return {
    name: c.name, image: c.image, argv: argvOf(c), env, mounts, stdin: c.stdin === true,
    ...(beneath.length > 0 ? { beneath } : {}),
    ...(mem !== undefined ? { memoryLimit: memoryBytes(mem) } : {}),
    ...(c.workingDir !== undefined ? { workingDir: c.workingDir } : {}),
    ...(cpuLimit !== undefined ? { cpuLimitMillis: cpuMillis(cpuLimit) } : {}),
    ...(cpuRequest !== undefined ? { cpuRequestMillis: cpuMillis(cpuRequest) } : {}),
    ports: (c.ports ?? []).map((p) => ({
      port: p.containerPort, protocol: p.protocol === 'UDP' ? 'UDP' as const : 'TCP' as const, ...(p.name ? { name: p.name } : {}),
    })),
  };
}
