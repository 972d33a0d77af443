// Host-side IPC failures for embedders: one class carrying the POSIX name of what went wrong as a stable `code`.
import { WasmpodError } from '../errors.js';
import { Errno } from '../../shim/wasi/errno.js';

const NAMES: Partial<Record<Errno, string>> = {
  [Errno.NOENT]: 'ENOENT', [Errno.EXIST]: 'EEXIST', [Errno.INVAL]: 'EINVAL', [Errno.NAMETOOLONG]: 'ENAMETOOLONG',
  [Errno.MSGSIZE]: 'EMSGSIZE', [Errno.AGAIN]: 'EAGAIN', [Errno.TIMEDOUT]: 'ETIMEDOUT', [Errno.NOSPC]: 'ENOSPC',
  [Errno.NFILE]: 'ENFILE', [Errno.BADF]: 'EBADF', [Errno.NOSYS]: 'ENOSYS',
};

/** `code` is `ERR_IPC_` plus the POSIX name (`ERR_IPC_ENOENT`, `ERR_IPC_EMSGSIZE`, ...); `errno` is the WASI value. */
export class IpcError extends WasmpodError {
  override readonly code: string;
  constructor(readonly errno: number, what: string) {
    const name = NAMES[errno as Errno] ?? `E${errno}`;
    super(`${what}: ${name}`);
    this.code = `ERR_IPC_${name}`;
  }
}
