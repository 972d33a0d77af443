// WASI preview1 constants from typenames.witx: rights, file types, flags, whence, clocks, events, signals.
export const enum Filetype {
  UNKNOWN = 0, BLOCK_DEVICE = 1, CHARACTER_DEVICE = 2, DIRECTORY = 3, REGULAR_FILE = 4,
  SOCKET_DGRAM = 5, SOCKET_STREAM = 6, SYMBOLIC_LINK = 7,
}

export const Rights = {
  FD_DATASYNC: 1n << 0n, FD_READ: 1n << 1n, FD_SEEK: 1n << 2n, FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n, FD_TELL: 1n << 5n, FD_WRITE: 1n << 6n, FD_ADVISE: 1n << 7n, FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_DIRECTORY: 1n << 9n, PATH_CREATE_FILE: 1n << 10n, PATH_LINK_SOURCE: 1n << 11n,
  PATH_LINK_TARGET: 1n << 12n, PATH_OPEN: 1n << 13n, FD_READDIR: 1n << 14n, PATH_READLINK: 1n << 15n,
  PATH_RENAME_SOURCE: 1n << 16n, PATH_RENAME_TARGET: 1n << 17n, PATH_FILESTAT_GET: 1n << 18n,
  PATH_FILESTAT_SET_SIZE: 1n << 19n, PATH_FILESTAT_SET_TIMES: 1n << 20n, FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n, FD_FILESTAT_SET_TIMES: 1n << 23n, PATH_SYMLINK: 1n << 24n,
  PATH_REMOVE_DIRECTORY: 1n << 25n, PATH_UNLINK_FILE: 1n << 26n, POLL_FD_READWRITE: 1n << 27n,
  SOCK_SHUTDOWN: 1n << 28n, SOCK_ACCEPT: 1n << 29n,
} as const;

const R = Rights;
/** Every right a regular file can carry. */
export const FILE_RIGHTS = R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC |
  R.FD_TELL | R.FD_WRITE | R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_SIZE |
  R.FD_FILESTAT_SET_TIMES | R.POLL_FD_READWRITE;
/** Every right a directory can carry. */
export const DIR_RIGHTS = R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_ADVISE | R.PATH_CREATE_DIRECTORY |
  R.PATH_CREATE_FILE | R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET | R.PATH_OPEN | R.FD_READDIR |
  R.PATH_READLINK | R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_FILESTAT_GET |
  R.PATH_FILESTAT_SET_SIZE | R.PATH_FILESTAT_SET_TIMES | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_TIMES |
  R.PATH_SYMLINK | R.PATH_REMOVE_DIRECTORY | R.PATH_UNLINK_FILE | R.FD_DATASYNC;
/** Rights of a byte stream such as stdio: no seeking, no tell. */
export const STREAM_RIGHTS = R.FD_READ | R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET |
  R.POLL_FD_READWRITE;
/** Rights that only make sense for writing: a read-only open must not ask for them. */
export const WRITE_RIGHTS = R.FD_DATASYNC | R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE;
export const READ_RIGHTS = R.FD_READ | R.FD_READDIR;
export const ALL_RIGHTS = (1n << 30n) - 1n;

export const enum Fdflags { APPEND = 1, DSYNC = 2, NONBLOCK = 4, RSYNC = 8, SYNC = 16 }
export const enum Oflags { CREAT = 1, DIRECTORY = 2, EXCL = 4, TRUNC = 8 }
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const enum Fstflags { ATIM = 1, ATIM_NOW = 2, MTIM = 4, MTIM_NOW = 8 }
export const enum Whence { SET = 0, CUR = 1, END = 2 }
export const enum Clockid { REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME = 2, THREAD_CPUTIME = 3 }
export const enum Eventtype { CLOCK = 0, FD_READ = 1, FD_WRITE = 2 }
export const SUBCLOCK_ABSTIME = 1;
export const EVENT_FD_READWRITE_HANGUP = 1;
export const enum Sdflags { RD = 1, WR = 2 }
export const PREOPENTYPE_DIR = 0;

// Byte sizes and field offsets of the structs the ABI reads and writes.
export const FDSTAT_SIZE = 24;
export const FILESTAT_SIZE = 64;
export const DIRENT_SIZE = 24;
export const SUBSCRIPTION_SIZE = 48;
export const EVENT_SIZE = 32;
