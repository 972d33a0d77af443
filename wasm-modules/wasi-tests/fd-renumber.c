/* fd_renumber.
 *
 * Checks: renumber(from, to) makes `to` refer to what `from` referred to (same contents, same
 * fdstat: type, flags, rights) and closes `from` (closing it again answers BADF); the file
 * `to` referred to before is merely closed, not touched; an unknown `from` or an unknown `to`
 * answers BADF and changes nothing; stderr can be moved to another number (the runner checks
 * that "moved stderr" arrives on the container's stderr, and that nothing else does); a
 * subdirectory can be renumbered over a preopen (as the official overwrite_preopen test does),
 * after which that number refers to the subdirectory.
 */
#include "check.h"

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    return st;
}

static void check_files(__wasi_fd_t dir) {
    __wasi_fd_t a = open_file(dir, "A", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                              RIGHTS_FILE_ALL, __WASI_FDFLAGS_APPEND);
    write_all(a, "AAAA", 4);
    create_file(dir, "B", "BBBB");
    __wasi_fd_t b = open_file(dir, "B", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0);
    CHECK_NE(a, b);
    __wasi_fdstat_t st_a = fdstat(a);

    CHECK_OK(__wasi_fd_renumber(a, b));
    CHECK_ERRNO(__wasi_fd_close(a), __WASI_ERRNO_BADF);
    __wasi_fdstat_t st_b = fdstat(b);
    CHECK_EQ(st_b.fs_filetype, st_a.fs_filetype);
    CHECK_EQ(st_b.fs_flags, st_a.fs_flags);
    CHECK_EQ(st_b.fs_rights_base, st_a.fs_rights_base);
    CHECK_EQ(st_b.fs_rights_inheriting, st_a.fs_rights_inheriting);

    /* `b` now writes to A, in append mode, at A's offset. */
    write_all(b, "aa", 2);
    char buf[16];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    size_t n = 0;
    CHECK_OK(__wasi_fd_pread(b, &iov, 1, 0, &n));
    CHECK_EQ(n, 6);
    CHECK_MEM_EQ(buf, "AAAAaa", 6);
    CHECK_EQ(stat_path(dir, 0, "B").size, 4);

    /* Unknown numbers on either side: BADF, and `b` stays open. */
    CHECK_ERRNO(__wasi_fd_renumber(a, b), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_renumber(b, 1234), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_renumber(b, 0x7fffffff), __WASI_ERRNO_BADF);
    CHECK_EQ(fdstat(b).fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_OK(__wasi_fd_close(b));
}

static void check_stderr(__wasi_fd_t dir) {
    __wasi_fd_t x = open_file(dir, "E", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, 0);
    CHECK_OK(__wasi_fd_renumber(2, x));
    check_report_fd = (int)x; /* failures from here on are reported on the moved stderr */
    __wasi_fdstat_t st;
    CHECK_ERRNO(__wasi_fd_fdstat_get(2, &st), __WASI_ERRNO_BADF);
    write_all(x, "moved stderr\n", 13);
    CHECK_EQ(stat_path(dir, 0, "E").size, 0);
}

static void check_over_preopen(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "sub"));
    create_file(dir, "sub/marker", "m");
    __wasi_fd_t sub = open_dir(dir, "sub");
    __wasi_filestat_t before;
    CHECK_OK(__wasi_fd_filestat_get(sub, &before));

    CHECK_OK(__wasi_fd_renumber(sub, dir));
    __wasi_filestat_t after;
    CHECK_OK(__wasi_fd_filestat_get(dir, &after));
    CHECK_EQ(after.dev, before.dev);
    CHECK_EQ(after.ino, before.ino);
    CHECK_EQ(stat_path(dir, 0, "marker").size, 1);
    CHECK_ERRNO(__wasi_fd_fdstat_get(sub, &(__wasi_fdstat_t){0}), __WASI_ERRNO_BADF);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_files(dir);
    check_stderr(dir);
    check_over_preopen(dir);
    return pass();
}
