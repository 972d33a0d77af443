// Turns a container of the pod spec into what a backend runs: argv, environment, and mounts of checked hostPath volumes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Container, Pod, Volume } from '../spec/types.js';
import type { ContainerConfig } from '../runtime/sandbox.js';
import type { MountSpec } from '../../shim/fs/vfs.js';
import { HostPathError } from '../errors.js';

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

/**
 * Checks a hostPath volume's `type` as the kubelet does before any container starts, creating what
 * DirectoryOrCreate and FileOrCreate ask for.
 */
export function prepareHostPath(v: Volume): void {
  const hp = v.hostPath!;
  const type = hp.type ?? '';
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(hp.path);
  } catch {
    st = undefined;
  }
  const fail = (msg: string): never => { throw new HostPathError(v.name, `hostPath ${hp.path}: ${msg}`); };
  switch (type) {
    case '':
      if (!st) fail('does not exist');
      break;
    case 'DirectoryOrCreate':
      if (!st) fs.mkdirSync(hp.path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) fail('exists and is not a directory');
      break;
    case 'Directory':
      if (!st?.isDirectory()) fail(st ? 'is not a directory' : 'directory does not exist');
      break;
    case 'FileOrCreate':
      if (!st) {
        fs.mkdirSync(path.dirname(hp.path), { recursive: true });
        fs.writeFileSync(hp.path, '', { mode: 0o644, flag: 'wx' });
      } else if (!st.isFile()) fail('exists and is not a file');
      break;
    case 'File':
      if (!st?.isFile()) fail(st ? 'is not a file' : 'file does not exist');
      break;
    default:
      fail(`type ${type} is not supported by the wasm backend (a WASI guest cannot open sockets or devices by path)`);
  }
  if (!fs.statSync(hp.path).isDirectory()) {
    fail('is a file: the wasm backend mounts directories only (a WASI preopen is a directory)');
  }
}

export function mountsOf(pod: Pod, c: Container): MountSpec[] {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  return (c.volumeMounts ?? []).map((m) => {
    const v = volumes.get(m.name)!;
    return { mountPath: m.mountPath, hostPath: v.hostPath!.path, readOnly: m.readOnly === true };
  });
}

export function containerConfig(pod: Pod, c: Container): ContainerConfig {
  return {
    name: c.name, image: c.image, argv: argvOf(c), env: envOf(c), mounts: mountsOf(pod, c), stdin: c.stdin === true,
  };
}
