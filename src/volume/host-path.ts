// hostPath: a host directory (or file) shown as it is; its `type` is checked (and created where asked) before the pod starts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Volume } from '../spec/types.js';
import { HostPathError } from '../errors.js';
import type { PreparedVolume } from './prepared.js';

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
  // A file (File, FileOrCreate, or "" naming a file) is mounted as a file: containerMounts requires a
  // directory mount above its mountPath, since a WASI preopen is a directory.
  const end = fs.statSync(hp.path);
  if (!end.isDirectory() && !end.isFile()) fail('is neither a directory nor a regular file');
}

export function prepareHostPathVolume(v: Volume): PreparedVolume {
  prepareHostPath(v);
  // Contents belong to the host: the pod's end deletes nothing.
  return { name: v.name, hostPath: fs.realpathSync(v.hostPath!.path), readOnly: false, remove: () => undefined };
}
