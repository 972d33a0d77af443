/* path_filestat_get and path_filestat_set_times.
 *
 * Checks: path_filestat_get describes files (type, size, nlink) and directories, agrees with
 * fd_filestat_get on an open fd, resolves through a symlinked directory mid-path, answers
 * NOENT for a missing path, NOTDIR for `file/` and for a file used as a directory, and PERM
 * (ERRNO_ESCAPE) outside the preopen; path_filestat_set_times stores nanosecond timestamps on
 * files and directories, sets only the named timestamps, honours ATIM_NOW/MTIM_NOW, answers
 * INVAL for ATIM with ATIM_NOW or MTIM with MTIM_NOW (changing nothing), and without
 * SYMLINK_FOLLOW changes the symlink itself and not its target (with it, the target).
 */
#include "check.h"

#define SEC 1000000000ull
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static void check_get(__wasi_fd_t dir) {
    create_file(dir, "file", "12345");
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    create_file(dir, "d/inner", "abc");
    CHECK_OK(__wasi_path_symlink("d", dir, "sd"));

    __wasi_filestat_t st = stat_path(dir, 0, "file");
    CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.size, 5);
    CHECK_EQ(st.nlink, 1);
    __wasi_fd_t fd = open_file(dir, "file", 0, RIGHTS_FILE_READ, 0);
    __wasi_filestat_t fst;
    CHECK_OK(__wasi_fd_filestat_get(fd, &fst));
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_EQ(fst.dev, st.dev);
    CHECK_EQ(fst.ino, st.ino);
    CHECK_EQ(fst.mtim, st.mtim);

    CHECK_EQ(stat_path(dir, 0, "d").filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(stat_path(dir, 0, ".").filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(stat_path(dir, 0, "sd/inner").size, 3);
    CHECK_EQ(stat_path(dir, 0, "sd/inner").ino, stat_path(dir, 0, "d/inner").ino);

    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "missing", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "file/", &st), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "file/x", &st), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "..", &st), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "d/../../x", &st), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "/file", &st), ERRNO_ESCAPE);
}

static void set_times_on(__wasi_fd_t dir, const char *path) {
    const __wasi_timestamp_t atim = 1700000000ull * SEC + 111222333ull;
    const __wasi_timestamp_t mtim = 1500000000ull * SEC + 444555666ull;
    CHECK_OK(__wasi_path_filestat_set_times(dir, 0, path, atim, mtim,
                                            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    __wasi_filestat_t st = stat_path(dir, 0, path);
    CHECK_EQ(st.atim, atim);
    CHECK_EQ(st.mtim, mtim);

    CHECK_OK(__wasi_path_filestat_set_times(dir, 0, path, 0, mtim + 7, __WASI_FSTFLAGS_MTIM));
    st = stat_path(dir, 0, path);
    CHECK_EQ(st.atim, atim);
    CHECK_EQ(st.mtim, mtim + 7);

    CHECK_ERRNO(__wasi_path_filestat_set_times(dir, 0, path, 1, 2,
                                               __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_filestat_set_times(dir, 0, path, 1, 2,
                                               __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_INVAL);
    st = stat_path(dir, 0, path);
    CHECK_EQ(st.atim, atim);
    CHECK_EQ(st.mtim, mtim + 7);

    __wasi_timestamp_t before = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK_OK(__wasi_path_filestat_set_times(dir, 0, path, 0, 0,
                                            __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
    __wasi_timestamp_t after = now_ns(__WASI_CLOCKID_REALTIME);
    st = stat_path(dir, 0, path);
    CHECK_MSG(st.mtim + 2 * SEC >= before && st.mtim <= after + 2 * SEC,
              "%s: MTIM_NOW gave %llu, now is %llu", path, (unsigned long long)st.mtim,
              (unsigned long long)after);
    CHECK(st.atim + 2 * SEC >= before && st.atim <= after + 2 * SEC);
}

static void check_set_times(__wasi_fd_t dir) {
    set_times_on(dir, "file");
    set_times_on(dir, "d");

    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_set_times(dir, 0, "missing", 0, 0, __WASI_FSTFLAGS_MTIM),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_filestat_set_times(dir, 0, "../x", 0, 0, __WASI_FSTFLAGS_MTIM),
                ERRNO_ESCAPE);
    (void)st;
}

static void check_symlink_times(__wasi_fd_t dir) {
    create_file(dir, "target", "t");
    const __wasi_timestamp_t t0 = 1400000000ull * SEC + 5ull;
    CHECK_OK(__wasi_path_filestat_set_times(dir, 0, "target", t0, t0,
                                            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(__wasi_path_symlink("target", dir, "link"));

    /* Without SYMLINK_FOLLOW: the link's own mtim changes, the target's does not. */
    const __wasi_timestamp_t t1 = 1300000000ull * SEC + 999999999ull;
    CHECK_OK(__wasi_path_filestat_set_times(dir, 0, "link", 0, t1, __WASI_FSTFLAGS_MTIM));
    CHECK_EQ(stat_path(dir, 0, "link").mtim, t1);
    CHECK_EQ(stat_path(dir, 0, "target").mtim, t0);
    CHECK_EQ(stat_path(dir, FOLLOW, "link").mtim, t0);

    /* With it: the target changes, the link keeps its own. */
    const __wasi_timestamp_t t2 = 1200000000ull * SEC + 1ull;
    CHECK_OK(__wasi_path_filestat_set_times(dir, FOLLOW, "link", 0, t2, __WASI_FSTFLAGS_MTIM));
    CHECK_EQ(stat_path(dir, 0, "target").mtim, t2);
    CHECK_EQ(stat_path(dir, 0, "link").mtim, t1);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_get(dir);
    check_set_times(dir);
    check_symlink_times(dir);
    return pass();
}
