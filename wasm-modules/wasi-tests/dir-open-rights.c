/* path_open of a directory: which requested rights are errors and which are dropped.
 *
 * Run with the scratch mount path as argv[1] (preopened as fd 3). The witx says path_open may
 * return fewer rights than asked for "if and only if those rights do not apply to the type of
 * file being opened"; only asking to write a directory's data (FD_WRITE, or the APPEND fdflag)
 * is an error, ISDIR as in POSIX. Checks: reopening "." with the preopen's own base and
 * inheriting rights works and gives a directory without FD_WRITE; file-only rights such as
 * FD_ALLOCATE and FD_FILESTAT_SET_SIZE are dropped rather than refused; O_DIRECTORY with no
 * rights or FD_READ works; FD_WRITE (with or without O_DIRECTORY) and APPEND answer ISDIR.
 */
#include "check.h"

static __wasi_fd_t open_dir_checked(__wasi_fd_t at, const char *path, __wasi_oflags_t oflags,
                            __wasi_rights_t base, __wasi_rights_t inheriting,
                            __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = 0;
    CHECK_OK(__wasi_path_open(at, 0, path, oflags, base, inheriting, fdflags, &fd));
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0);
    CHECK_EQ(st.fs_rights_base & ~base, 0);
    return fd;
}

int main(int argc, char **argv) {
    CHECK_MSG(argc >= 2, "usage: dir-open-rights.wasm MOUNT_PATH");
    const __wasi_fd_t pre = 3;
    __wasi_fdstat_t pst;
    CHECK_OK(__wasi_fd_fdstat_get(pre, &pst));
    CHECK_EQ(pst.fs_rights_base & RIGHTS_DIR_BASE, RIGHTS_DIR_BASE);

    /* The preopen's own rights, as the official suite's helpers reopen it. */
    __wasi_fd_t fd = open_dir_checked(pre, ".", 0, pst.fs_rights_base, pst.fs_rights_inheriting, 0);
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ(st.fs_rights_base & RIGHTS_DIR_BASE, RIGHTS_DIR_BASE);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_OK(__wasi_fd_close(open_dir_checked(pre, ".", __WASI_OFLAGS_DIRECTORY, pst.fs_rights_base,
                                      pst.fs_rights_inheriting, 0)));

    /* Rights that only apply to files are dropped. */
    const __wasi_rights_t file_only = __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
    fd = open_dir_checked(pre, ".", 0, __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_FD_DATASYNC | file_only, 0, 0);
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK_EQ(st.fs_rights_base & file_only, 0);
    CHECK_EQ(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR, __WASI_RIGHTS_FD_READDIR);
    CHECK_OK(__wasi_fd_close(fd));

    CHECK_OK(__wasi_path_create_directory(pre, "sub"));
    CHECK_OK(__wasi_fd_close(open_dir_checked(pre, "sub", __WASI_OFLAGS_DIRECTORY, 0, 0, 0)));
    CHECK_OK(__wasi_fd_close(open_dir_checked(pre, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0)));

    /* Writing a directory's data is refused. */
    __wasi_fd_t bad = 0;
    CHECK_ERRNO(__wasi_path_open(pre, 0, "sub", __WASI_OFLAGS_DIRECTORY,
                                 __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &bad),
                __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_open(pre, 0, "sub", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &bad),
                __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_open(pre, 0, ".", 0, pst.fs_rights_base | __WASI_RIGHTS_FD_WRITE,
                                 0, 0, &bad),
                __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_open(pre, 0, "sub", 0, __WASI_RIGHTS_FD_READ, 0,
                                 __WASI_FDFLAGS_APPEND, &bad),
                __WASI_ERRNO_ISDIR);

    CHECK_OK(__wasi_path_remove_directory(pre, "sub"));
    return pass();
}
