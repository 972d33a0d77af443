/* path_open: oflags, lookup flags, errors and sandboxing.
 *
 * Checks: CREAT makes an empty regular file and leaves an existing one alone; CREAT|EXCL on
 * anything that exists (file, directory, even a dangling symlink) answers EXIST; TRUNC empties;
 * DIRECTORY on a file answers NOTDIR; a directory opened with the write right answers ISDIR
 * (with read rights only, or none, it opens); missing paths and the empty path answer NOENT;
 * a file used as a directory answers NOTDIR (mid-path, with a trailing slash, or as dirfd);
 * without SYMLINK_FOLLOW a symlink as last component answers LOOP (node:wasi follows it),
 * with it the target opens, and symlinks in the middle of a path are always followed; `..`
 * and absolute paths that leave the preopen answer PERM (ERRNO_ESCAPE: wasmtime and the
 * official suite) while `..` that stays inside works; a NUL byte inside the path (the length
 * counts past it) answers INVAL for path_open, path_create_directory and path_unlink_file;
 * unknown oflags bits answer INVAL; a 255-byte name works, 256 bytes answer NAMETOOLONG;
 * UTF-8 names round-trip; many opens get distinct fds above 2.
 */
#include "check.h"

static __wasi_errno_t try_open(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                               __wasi_oflags_t of, __wasi_rights_t rights, __wasi_fd_t *out) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(dir, lf, path, of, rights, 0, 0, &fd);
    if (e == 0) {
        if (out) *out = fd;
        else CHECK_OK(__wasi_fd_close(fd));
    }
    return e;
}

/* path_open must fail with `want`; reported with the path and flags rather than the
 * macro-expanded call. */
static void open_err(int line, __wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                     __wasi_oflags_t of, __wasi_rights_t rights, __wasi_errno_t want) {
    __wasi_errno_t got = try_open(dir, lf, path, of, rights, NULL);
    if (got != want)
        check_fail(__FILE__, line, "path_open(\"%s\", lookupflags 0x%x, oflags 0x%x): expected "
                   "errno %s (%u), got %s (%u)", path, lf, of, errno_name(want), want,
                   errno_name(got), got);
}

#define OPEN_ERR(dir, lf, path, of, rights, want) \
    open_err(__LINE__, dir, lf, path, of, rights, want)

static void check_create_excl_trunc(__wasi_fd_t dir) {
    __wasi_fd_t fd;
    CHECK_OK(try_open(dir, 0, "new", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, &fd));
    CHECK(fd > 2);
    __wasi_filestat_t st;
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.size, 0);
    write_all(fd, "0123456789", 10);
    CHECK_OK(__wasi_fd_close(fd));

    CHECK_OK(try_open(dir, 0, "new", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, NULL));
    CHECK_EQ(stat_path(dir, 0, "new").size, 10);

    OPEN_ERR(dir, 0, "new", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE_ALL,
             __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_create_directory(dir, "dir"));
    OPEN_ERR(dir, 0, "dir", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE_ALL,
             __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_symlink("nowhere", dir, "dangling"));
    OPEN_ERR(dir, 0, "dangling", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE_ALL,
             __WASI_ERRNO_EXIST);
    OPEN_ERR(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling",
             __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_FILE_ALL, __WASI_ERRNO_EXIST);

    CHECK_OK(try_open(dir, 0, "new", __WASI_OFLAGS_TRUNC, RIGHTS_FILE_ALL, NULL));
    CHECK_EQ(stat_path(dir, 0, "new").size, 0);
}

static void check_directories(__wasi_fd_t dir) {
    create_file(dir, "file", "contents");
    OPEN_ERR(dir, 0, "file", __WASI_OFLAGS_DIRECTORY, 0, __WASI_ERRNO_NOTDIR);

    __wasi_fd_t fd;
    CHECK_OK(try_open(dir, 0, "dir", __WASI_OFLAGS_DIRECTORY, 0, &fd));
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_OK(try_open(dir, 0, "dir", 0, __WASI_RIGHTS_FD_READ, NULL));
    CHECK_OK(try_open(dir, 0, ".", 0, 0, NULL));
    CHECK_OK(try_open(dir, 0, "dir/", 0, 0, NULL));
    CHECK_OK(try_open(dir, 0, "dir//", __WASI_OFLAGS_DIRECTORY, 0, NULL));

    OPEN_ERR(dir, 0, "dir", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
             __WASI_ERRNO_ISDIR);
    OPEN_ERR(dir, 0, "dir", __WASI_OFLAGS_DIRECTORY,
             __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, __WASI_ERRNO_ISDIR);
    OPEN_ERR(dir, 0, ".", 0, __WASI_RIGHTS_FD_WRITE, __WASI_ERRNO_ISDIR);
}

static void check_missing_and_notdir(__wasi_fd_t dir) {
    OPEN_ERR(dir, 0, "missing", 0, RIGHTS_FILE_READ, __WASI_ERRNO_NOENT);
    OPEN_ERR(dir, 0, "missing/x", 0, RIGHTS_FILE_READ, __WASI_ERRNO_NOENT);
    OPEN_ERR(dir, 0, "missing/x", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, __WASI_ERRNO_NOENT);
    /* openat(fd, "") is ENOENT in POSIX; INVAL is accepted as well. */
    CHECK_ERRNO2(try_open(dir, 0, "", 0, RIGHTS_FILE_READ, NULL), __WASI_ERRNO_NOENT,
                 __WASI_ERRNO_INVAL);
    OPEN_ERR(dir, 0, "file/x", 0, RIGHTS_FILE_READ, __WASI_ERRNO_NOTDIR);
    OPEN_ERR(dir, 0, "file/x", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO2(try_open(dir, 0, "file/", 0, RIGHTS_FILE_READ, NULL), __WASI_ERRNO_NOTDIR,
                 __WASI_ERRNO_NOENT);

    __wasi_fd_t file = open_file(dir, "file", 0, RIGHTS_FILE_READ, 0);
    OPEN_ERR(file, 0, "foo", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, __WASI_ERRNO_NOTDIR);
    CHECK_OK(__wasi_fd_close(file));
}

static void check_symlinks(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_symlink("file", dir, "lnk"));
    CHECK_OK(__wasi_path_symlink("dir", dir, "dlnk"));
    create_file(dir, "dir/inner", "inner");

    OPEN_ERR(dir, 0, "lnk", 0, RIGHTS_FILE_READ, __WASI_ERRNO_LOOP);
    OPEN_ERR(dir, 0, "lnk", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, __WASI_ERRNO_LOOP);
    OPEN_ERR(dir, 0, "dangling", 0, RIGHTS_FILE_READ, __WASI_ERRNO_LOOP);
    CHECK_ERRNO2(try_open(dir, 0, "lnk", __WASI_OFLAGS_DIRECTORY, 0, NULL), __WASI_ERRNO_LOOP,
                 __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO2(try_open(dir, 0, "dlnk", __WASI_OFLAGS_DIRECTORY, 0, NULL), __WASI_ERRNO_LOOP,
                 __WASI_ERRNO_NOTDIR);

    __wasi_fd_t fd;
    CHECK_OK(try_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "lnk", 0, RIGHTS_FILE_READ, &fd));
    char buf[16];
    CHECK_EQ(read_up_to(fd, buf, sizeof buf), 8);
    CHECK_MEM_EQ(buf, "contents", 8);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_OK(try_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dlnk", __WASI_OFLAGS_DIRECTORY,
                      0, NULL));
    OPEN_ERR(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "lnk", __WASI_OFLAGS_DIRECTORY, 0,
             __WASI_ERRNO_NOTDIR);
    OPEN_ERR(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", 0, RIGHTS_FILE_READ,
             __WASI_ERRNO_NOENT);

    /* A symlink that is not the last component is followed whatever the flags. */
    CHECK_OK(try_open(dir, 0, "dlnk/inner", 0, RIGHTS_FILE_READ, &fd));
    CHECK_EQ(read_up_to(fd, buf, sizeof buf), 5);
    CHECK_MEM_EQ(buf, "inner", 5);
    CHECK_OK(__wasi_fd_close(fd));
}

static void check_escapes(__wasi_fd_t dir) {
    OPEN_ERR(dir, 0, "..", __WASI_OFLAGS_DIRECTORY, 0, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "../x", 0, RIGHTS_FILE_READ, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "../x", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "dir/../../x", 0, RIGHTS_FILE_READ, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "dir/../..", __WASI_OFLAGS_DIRECTORY, 0, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "/file", 0, RIGHTS_FILE_READ, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "/", __WASI_OFLAGS_DIRECTORY, 0, ERRNO_ESCAPE);
    OPEN_ERR(dir, 0, "/tmp/x", __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, ERRNO_ESCAPE);

    /* `..` that stays inside the preopen is fine. */
    CHECK_OK(try_open(dir, 0, "dir/..", __WASI_OFLAGS_DIRECTORY, 0, NULL));
    CHECK_OK(try_open(dir, 0, "./dir/./../file", 0, RIGHTS_FILE_READ, NULL));
    CHECK_OK(try_open(dir, 0, "dir/.//../dir/inner", 0, RIGHTS_FILE_READ, NULL));
}

static void check_nul(__wasi_fd_t dir) {
    static const char with_nul[] = "file\0junk";
    int32_t fd = -1;
    CHECK_ERRNO(raw_path_open(dir, 0, PTR(with_nul), 9, 0, RIGHTS_FILE_READ, 0, 0, PTR(&fd)),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(raw_path_open(dir, 0, PTR(with_nul), 5, 0, RIGHTS_FILE_READ, 0, 0, PTR(&fd)),
                __WASI_ERRNO_INVAL);
    static const char create_nul[] = "made\0here";
    CHECK_ERRNO(raw_path_open(dir, 0, PTR(create_nul), 9, __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL,
                              0, 0, PTR(&fd)),
                __WASI_ERRNO_INVAL);
    OPEN_ERR(dir, 0, "made", 0, RIGHTS_FILE_READ, __WASI_ERRNO_NOENT);
    CHECK_ERRNO(raw_path_create_directory(dir, PTR(create_nul), 9), __WASI_ERRNO_INVAL);
    OPEN_ERR(dir, 0, "made", 0, RIGHTS_FILE_READ, __WASI_ERRNO_NOENT);
    CHECK_ERRNO(raw_path_unlink_file(dir, PTR(with_nul), 5), __WASI_ERRNO_INVAL);
    CHECK_EQ(stat_path(dir, 0, "file").size, 8);

    /* The length, not a terminating NUL, delimits the path. */
    static const char prefix[] = "filexyz";
    CHECK_OK(raw_path_open(dir, 0, PTR(prefix), 4, 0, RIGHTS_FILE_READ, 0, 0, PTR(&fd)));
    CHECK_OK(__wasi_fd_close((__wasi_fd_t)fd));
}

static void check_misc(__wasi_fd_t dir) {
    OPEN_ERR(dir, 0, "file", 0x10, RIGHTS_FILE_READ, __WASI_ERRNO_INVAL);

    char name[300];
    memset(name, 'n', 255);
    name[255] = 0;
    CHECK_OK(try_open(dir, 0, name, __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, NULL));
    name[255] = 'n';
    name[256] = 0;
    OPEN_ERR(dir, 0, name, __WASI_OFLAGS_CREAT, RIGHTS_FILE_ALL, __WASI_ERRNO_NAMETOOLONG);

    create_file(dir, "naïve-файл-😀", "utf8");
    CHECK_EQ(stat_path(dir, 0, "naïve-файл-😀").size, 4);

    __wasi_fd_t fds[40];
    for (int i = 0; i < 40; i++) {
        CHECK_OK(try_open(dir, 0, "file", 0, RIGHTS_FILE_READ, &fds[i]));
        CHECK(fds[i] > 2 && fds[i] != dir);
        for (int j = 0; j < i; j++) CHECK_NE(fds[i], fds[j]);
    }
    for (int i = 0; i < 40; i++) CHECK_OK(__wasi_fd_close(fds[i]));
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_create_excl_trunc(dir);
    check_directories(dir);
    check_missing_and_notdir(dir);
    check_symlinks(dir);
    check_escapes(dir);
    check_nul(dir);
    check_misc(dir);
    return pass();
}
