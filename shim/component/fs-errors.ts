// The wasi:filesystem error-code and descriptor-type names for the preview1 errno and filetype values the shared fs layer uses.
import { Errno, WasiError } from '../wasi/errno.js';
import { Filetype } from '../wasi/constants.js';
import { IoError } from './io.js';

const CODES: Partial<Record<number, string>> = {
  [Errno.ACCES]: 'access', [Errno.AGAIN]: 'would-block', [Errno.ALREADY]: 'already', [Errno.BADF]: 'bad-descriptor',
  [Errno.BUSY]: 'busy', [Errno.DEADLK]: 'deadlock', [Errno.DQUOT]: 'quota', [Errno.EXIST]: 'exist',
  [Errno.FBIG]: 'file-too-large', [Errno.ILSEQ]: 'illegal-byte-sequence', [Errno.INPROGRESS]: 'in-progress',
  [Errno.INTR]: 'interrupted', [Errno.INVAL]: 'invalid', [Errno.IO]: 'io', [Errno.ISDIR]: 'is-directory',
  [Errno.LOOP]: 'loop', [Errno.MLINK]: 'too-many-links', [Errno.MSGSIZE]: 'message-size',
  [Errno.NAMETOOLONG]: 'name-too-long', [Errno.NODEV]: 'no-device', [Errno.NOENT]: 'no-entry',
  [Errno.NOLCK]: 'no-lock', [Errno.NOMEM]: 'insufficient-memory', [Errno.NOSPC]: 'insufficient-space',
  [Errno.NOTDIR]: 'not-directory', [Errno.NOTEMPTY]: 'not-empty', [Errno.NOTRECOVERABLE]: 'not-recoverable',
  [Errno.NOTSUP]: 'unsupported', [Errno.NOSYS]: 'unsupported', [Errno.NOTTY]: 'no-tty', [Errno.NXIO]: 'no-such-device',
  [Errno.OVERFLOW]: 'overflow', [Errno.PERM]: 'not-permitted', [Errno.NOTCAPABLE]: 'not-permitted', [Errno.PIPE]: 'pipe',
  [Errno.ROFS]: 'read-only', [Errno.SPIPE]: 'invalid-seek', [Errno.TXTBSY]: 'text-file-busy', [Errno.XDEV]: 'cross-device',
};

export function errorCode(errno: number): string {
  return CODES[errno] ?? 'io';
}

/** Runs a filesystem operation; a WasiError becomes the error-code the WIT result carries (thrown as a plain value). */
export function fsCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WasiError) throw errorCode(err.errno);
    throw err;
  }
}

/** wasi:filesystem/types `filesystem-error-code`: what a stream error was, when it came from a file. */
export function filesystemErrorCode(err: IoError): string | undefined {
  return err instanceof IoError ? errorCode(err.errno) : undefined;
}

export function descriptorType(t: Filetype): string {
  switch (t) {
    case Filetype.BLOCK_DEVICE: return 'block-device';
    case Filetype.CHARACTER_DEVICE: return 'character-device';
    case Filetype.DIRECTORY: return 'directory';
    case Filetype.REGULAR_FILE: return 'regular-file';
    case Filetype.SYMBOLIC_LINK: return 'symbolic-link';
    case Filetype.SOCKET_DGRAM:
    case Filetype.SOCKET_STREAM: return 'socket';
    default: return 'unknown';
  }
}
