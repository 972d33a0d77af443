// WASI preview1 errno values (typenames.witx `errno`), the error class that carries one, and the map from host error codes.
export const enum Errno {
  SUCCESS = 0, TOOBIG = 1, ACCES = 2, ADDRINUSE = 3, ADDRNOTAVAIL = 4, AFNOSUPPORT = 5, AGAIN = 6,
  ALREADY = 7, BADF = 8, BADMSG = 9, BUSY = 10, CANCELED = 11, CHILD = 12, CONNABORTED = 13,
  CONNREFUSED = 14, CONNRESET = 15, DEADLK = 16, DESTADDRREQ = 17, DOM = 18, DQUOT = 19, EXIST = 20,
  FAULT = 21, FBIG = 22, HOSTUNREACH = 23, IDRM = 24, ILSEQ = 25, INPROGRESS = 26, INTR = 27,
  INVAL = 28, IO = 29, ISCONN = 30, ISDIR = 31, LOOP = 32, MFILE = 33, MLINK = 34, MSGSIZE = 35,
  MULTIHOP = 36, NAMETOOLONG = 37, NETDOWN = 38, NETRESET = 39, NETUNREACH = 40, NFILE = 41,
  NOBUFS = 42, NODEV = 43, NOENT = 44, NOEXEC = 45, NOLCK = 46, NOLINK = 47, NOMEM = 48, NOMSG = 49,
  NOPROTOOPT = 50, NOSPC = 51, NOSYS = 52, NOTCONN = 53, NOTDIR = 54, NOTEMPTY = 55,
  NOTRECOVERABLE = 56, NOTSOCK = 57, NOTSUP = 58, NOTTY = 59, NXIO = 60, OVERFLOW = 61,
  OWNERDEAD = 62, PERM = 63, PIPE = 64, PROTO = 65, PROTONOSUPPORT = 66, PROTOTYPE = 67, RANGE = 68,
  ROFS = 69, SPIPE = 70, SRCH = 71, STALE = 72, TIMEDOUT = 73, TXTBSY = 74, XDEV = 75, NOTCAPABLE = 76,
}

/**
 * An errno for the guest, thrown by domain code; the ABI layer turns it into the errno the guest sees.
 * Thrown on every failing syscall, so it captures no stack trace (capturing one costs more than the
 * syscall itself); a host bug is never a WasiError and keeps its stack.
 */
export class WasiError extends Error {
  readonly errno: Errno;

  constructor(errno: Errno) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`wasi errno ${errno}`);
    Error.stackTraceLimit = limit;
    this.errno = errno;
  }
}

// Host (libuv/POSIX) error codes by name; anything not listed becomes EIO.
const HOST: Record<string, Errno> = {
  E2BIG: Errno.TOOBIG, EACCES: Errno.ACCES, EADDRINUSE: Errno.ADDRINUSE, EADDRNOTAVAIL: Errno.ADDRNOTAVAIL,
  EAGAIN: Errno.AGAIN, EWOULDBLOCK: Errno.AGAIN, EALREADY: Errno.ALREADY, EBADF: Errno.BADF,
  EBUSY: Errno.BUSY, ECANCELED: Errno.CANCELED, ECONNREFUSED: Errno.CONNREFUSED,
  ECONNRESET: Errno.CONNRESET, EDQUOT: Errno.DQUOT, EEXIST: Errno.EXIST, EFAULT: Errno.FAULT,
  EFBIG: Errno.FBIG, EINTR: Errno.INTR, EINVAL: Errno.INVAL, EIO: Errno.IO, EISDIR: Errno.ISDIR,
  ELOOP: Errno.LOOP, EMFILE: Errno.MFILE, EMLINK: Errno.MLINK, ENAMETOOLONG: Errno.NAMETOOLONG,
  ENFILE: Errno.NFILE, ENODEV: Errno.NODEV, ENOENT: Errno.NOENT, ENOMEM: Errno.NOMEM,
  ENOSPC: Errno.NOSPC, ENOSYS: Errno.NOSYS, ENOTDIR: Errno.NOTDIR, ENOTEMPTY: Errno.NOTEMPTY,
  ENOTSUP: Errno.NOTSUP, EOPNOTSUPP: Errno.NOTSUP, ENXIO: Errno.NXIO, EOVERFLOW: Errno.OVERFLOW,
  EPERM: Errno.PERM, EPIPE: Errno.PIPE, ERANGE: Errno.RANGE, EROFS: Errno.ROFS, ESPIPE: Errno.SPIPE,
  ETXTBSY: Errno.TXTBSY, EXDEV: Errno.XDEV, ETIMEDOUT: Errno.TIMEDOUT,
};

/** Converts an exception from `node:fs` into a WasiError; rethrows anything that is not a host error. */
export function fromHost(err: unknown): WasiError {
  if (err instanceof WasiError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return new WasiError(HOST[code] ?? Errno.IO);
  throw err;
}

/** Runs a host call and converts its failure into a WasiError. */
export function host<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fromHost(err);
  }
}
