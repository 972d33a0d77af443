/* Shared by the preview1 conformance programs: CHECK macros that report the failing line,
 * expression, expected and got values on stderr and exit 1, plus small fixture helpers.
 *
 * Conventions of every program in this directory:
 *   - the raw `__wasi_*` functions from <wasi/api.h> are called, so errno values are exact;
 *   - a failure prints one line `file:line: ...` to stderr and exits with code 1;
 *   - success prints a final line `ok` on stdout and exits 0;
 *   - a program that needs files gets a scratch directory preopened; its name (the mount path)
 *     is argv[1], "/sandbox" when no argument is given. The program creates its own fixtures.
 */
#ifndef WASI_TESTS_CHECK_H
#define WASI_TESTS_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define UNUSED __attribute__((unused))

/* Where failure reports go; fd-renumber moves stderr and points this at its new number. */
static int check_report_fd UNUSED = 2;

/* ---- raw imports taking explicit (pointer, length) pairs ------------------------------
 * <wasi/api.h> computes string lengths with strlen, so it cannot pass a path containing a NUL
 * byte nor an out-of-bounds pointer. These declare the same imports with the ABI's own
 * signature (every pointer and length an i32). */
#define WASI_IMPORT(name) \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

WASI_IMPORT("path_open")
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t rights_base, int64_t rights_inheriting, int32_t fdflags,
                      int32_t ret_fd);
WASI_IMPORT("path_create_directory")
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t path_len);
WASI_IMPORT("path_unlink_file")
int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t path_len);
WASI_IMPORT("path_filestat_get")
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t path_len,
                              int32_t ret_filestat);
WASI_IMPORT("path_symlink")
int32_t raw_path_symlink(int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path,
                         int32_t new_len);
WASI_IMPORT("fd_write")
int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t ret_nwritten);
WASI_IMPORT("fd_read")
int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t ret_nread);

#define PTR(p) ((int32_t)(uintptr_t)(p))

/* ---- reporting ---------------------------------------------------------------------- */

static const char *const errno_names[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN",
    "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED",
    "CONNRESET", "DEADLK", "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG",
    "HOSTUNREACH", "IDRM", "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR",
    "LOOP", "MFILE", "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET",
    "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM",
    "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE",
    "NOTSOCK", "NOTSUP", "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO",
    "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT",
    "TXTBSY", "XDEV", "NOTCAPABLE",
};

static UNUSED const char *errno_name(unsigned e) {
    return e < sizeof errno_names / sizeof errno_names[0] ? errno_names[e] : "?";
}

/* Built with -DCHECK_CONTINUE (only for comparing runtimes by hand), a failure is reported and
 * the program goes on, so one run lists every failing check; the exit code is then 1. */
#ifdef CHECK_CONTINUE
static int check_failures = 0;
#define CHECK_NORETURN
#else
#define CHECK_NORETURN _Noreturn
#endif

static UNUSED CHECK_NORETURN void check_fail(const char *file, int line, const char *fmt, ...) {
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "%s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof msg - 2) n = (int)sizeof msg - 2;
    msg[n++] = '\n';
    __wasi_ciovec_t iov = {(const uint8_t *)msg, (size_t)n};
    size_t written;
    (void)__wasi_fd_write((__wasi_fd_t)check_report_fd, &iov, 1, &written);
#ifdef CHECK_CONTINUE
    check_failures++;
#else
    fflush(stdout);
    __wasi_proc_exit(1);
#endif
}

#define FAIL(...) check_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond) \
    do { if (!(cond)) FAIL("CHECK(%s) failed", #cond); } while (0)

#define CHECK_MSG(cond, ...) \
    do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)

/* Compares as unsigned 64-bit integers, so sizes, timestamps, inodes and fds all fit. */
#define CHECK_EQ(got_expr, want_expr) do { \
    unsigned long long got_ = (unsigned long long)(got_expr); \
    unsigned long long want_ = (unsigned long long)(want_expr); \
    if (got_ != want_) \
        FAIL("%s == %s: expected %llu (0x%llx), got %llu (0x%llx)", #got_expr, #want_expr, \
             want_, want_, got_, got_); \
} while (0)

#define CHECK_NE(got_expr, other_expr) do { \
    unsigned long long got_ = (unsigned long long)(got_expr); \
    unsigned long long other_ = (unsigned long long)(other_expr); \
    if (got_ == other_) \
        FAIL("%s != %s: both are %llu", #got_expr, #other_expr, got_); \
} while (0)

/* Runs a call returning an errno and compares it with the expected errno. */
#define CHECK_ERRNO(call, want_errno) do { \
    unsigned got_ = (unsigned)(call); \
    unsigned want_ = (unsigned)(want_errno); \
    if (got_ != want_) \
        FAIL("%s: expected errno %s (%u), got %s (%u)", #call, errno_name(want_), want_, \
             errno_name(got_), got_); \
} while (0)

#define CHECK_OK(call) CHECK_ERRNO(call, __WASI_ERRNO_SUCCESS)

/* For behaviour the spec leaves open and the official test suite accepts several answers to. */
#define CHECK_ERRNO2(call, e1, e2) do { \
    unsigned got_ = (unsigned)(call); \
    if (got_ != (unsigned)(e1) && got_ != (unsigned)(e2)) \
        FAIL("%s: expected errno %s or %s, got %s (%u)", #call, errno_name(e1), \
             errno_name(e2), errno_name(got_), got_); \
} while (0)

#define CHECK_ERRNO3(call, e1, e2, e3) do { \
    unsigned got_ = (unsigned)(call); \
    if (got_ != (unsigned)(e1) && got_ != (unsigned)(e2) && got_ != (unsigned)(e3)) \
        FAIL("%s: expected errno %s, %s or %s, got %s (%u)", #call, errno_name(e1), \
             errno_name(e2), errno_name(e3), errno_name(got_), got_); \
} while (0)

#define CHECK_MEM_EQ(got_ptr, want_ptr, len) do { \
    const unsigned char *g_ = (const unsigned char *)(got_ptr); \
    const unsigned char *w_ = (const unsigned char *)(want_ptr); \
    size_t n_ = (size_t)(len); \
    for (size_t i_ = 0; i_ < n_; i_++) \
        if (g_[i_] != w_[i_]) \
            FAIL("%s == %s (%zu bytes): differ at byte %zu: expected 0x%02x, got 0x%02x", \
                 #got_ptr, #want_ptr, n_, i_, w_[i_], g_[i_]); \
} while (0)

#define CHECK_STR_EQ(got_str, want_str) do { \
    const char *g_ = (got_str); \
    const char *w_ = (want_str); \
    if (strcmp(g_, w_) != 0) \
        FAIL("%s == %s: expected \"%s\", got \"%s\"", #got_str, #want_str, w_, g_); \
} while (0)

static UNUSED int pass(void) {
#ifdef CHECK_CONTINUE
    if (check_failures) return 1;
#endif
    printf("ok\n");
    return 0;
}

/* ---- rights ------------------------------------------------------------------------- */

#define RIGHTS_FILE_ALL                                                                     \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |          \
     __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL |  \
     __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |       \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |                  \
     __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE)

#define RIGHTS_FILE_READ                                                                    \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |              \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_POLL_FD_READWRITE)

/* The rights the official test suite requires a preopened directory to report. */
#define RIGHTS_DIR_BASE                                                                     \
    (__WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |               \
     __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |                     \
     __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_READLINK |    \
     __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |                 \
     __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |                    \
     __WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET |                    \
     __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_FILESTAT_GET |               \
     __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)

#define RIGHTS_DIR_ALL (RIGHTS_DIR_BASE | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE)

/* Escaping the preopen (by an absolute path, by `..`, or by following a symlink that leads
 * outside) fails with PERM: wasmtime returns it, and the official wasi-testsuite
 * (interesting_paths) requires it. Older runtimes (node:wasi/uvwasi) return NOTCAPABLE. */
#ifndef ERRNO_ESCAPE
#define ERRNO_ESCAPE __WASI_ERRNO_PERM
#endif

/* ---- fixtures ----------------------------------------------------------------------- */

/* The preopened directory whose name is `name`; fails the program when there is none. */
static UNUSED __wasi_fd_t preopen_named(const char *name) {
    for (__wasi_fd_t fd = 3;; fd++) {
        __wasi_prestat_t st;
        if (__wasi_fd_prestat_get(fd, &st) != 0) break;
        if (st.tag != __WASI_PREOPENTYPE_DIR) continue;
        char buf[256];
        size_t len = st.u.dir.pr_name_len;
        if (len >= sizeof buf) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != 0) continue;
        buf[len] = 0;
        if (strcmp(buf, name) == 0) return fd;
    }
    FAIL("no preopened directory named \"%s\"", name);
    return (__wasi_fd_t)-1;
}

static UNUSED __wasi_fd_t scratch_dir(int argc, char **argv) {
    return preopen_named(argc > 1 ? argv[1] : "/sandbox");
}

static UNUSED __wasi_fd_t open_file(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                                    __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(dir, 0, path, oflags, rights, rights, fdflags, &fd);
    if (e != 0) FAIL("path_open(\"%s\") failed: %s (%u)", path, errno_name(e), e);
    return fd;
}

static UNUSED __wasi_fd_t open_dir(__wasi_fd_t dir, const char *path) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(dir, 0, path, __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR_ALL,
                                        RIGHTS_DIR_ALL | RIGHTS_FILE_ALL, 0, &fd);
    if (e != 0) FAIL("path_open(\"%s\", DIRECTORY) failed: %s (%u)", path, errno_name(e), e);
    return fd;
}

static UNUSED void write_all(__wasi_fd_t fd, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len > 0) {
        __wasi_ciovec_t iov = {p, len};
        size_t n = 0;
        __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
        if (e != 0) FAIL("fd_write(%u) failed: %s (%u)", fd, errno_name(e), e);
        if (n == 0) FAIL("fd_write(%u) wrote 0 bytes", fd);
        p += n;
        len -= n;
    }
}

/* Creates (or truncates) `path` under `dir` and writes `content` into it. */
static UNUSED void create_file(__wasi_fd_t dir, const char *path, const char *content) {
    __wasi_fd_t fd = open_file(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               RIGHTS_FILE_ALL, 0);
    write_all(fd, content, strlen(content));
    CHECK_OK(__wasi_fd_close(fd));
}

/* Reads from the fd's position until EOF or `cap` bytes; returns the count. */
static UNUSED size_t read_up_to(__wasi_fd_t fd, void *buf, size_t cap) {
    size_t total = 0;
    while (total < cap) {
        __wasi_iovec_t iov = {(uint8_t *)buf + total, cap - total};
        size_t n = 0;
        __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
        if (e != 0) FAIL("fd_read(%u) failed: %s (%u)", fd, errno_name(e), e);
        if (n == 0) break;
        total += n;
    }
    return total;
}

static UNUSED __wasi_filestat_t stat_path(__wasi_fd_t dir, __wasi_lookupflags_t flags,
                                          const char *path) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(dir, flags, path, &st);
    if (e != 0) FAIL("path_filestat_get(\"%s\") failed: %s (%u)", path, errno_name(e), e);
    return st;
}

static UNUSED __wasi_timestamp_t now_ns(__wasi_clockid_t clock) {
    __wasi_timestamp_t t = 0;
    __wasi_errno_t e = __wasi_clock_time_get(clock, 1, &t);
    if (e != 0) FAIL("clock_time_get(%u) failed: %s (%u)", clock, errno_name(e), e);
    return t;
}

/* Size of linear memory in bytes: the first address a host call must refuse. */
static UNUSED uint32_t memory_end(void) {
    return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

#endif
