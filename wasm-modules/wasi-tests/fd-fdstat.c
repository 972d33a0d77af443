/* fd_fdstat_get, fd_fdstat_set_flags, fd_fdstat_set_rights.
 *
 * Checks: a preopened directory reports DIRECTORY, no flags, the base and inheriting rights
 * the official test suite requires of preopens, and no fd_filestat_set_size right; stdin
 * reports the read right and stdout/stderr the write right; a file opened with APPEND reports
 * APPEND (node:wasi does not) and appends whatever the offset; set_flags(0) turns APPEND off
 * and set_flags(APPEND) turns it on; unknown flag bits answer INVAL; set_rights may only
 * narrow: the narrowed rights are reported and enforced (BADF or NOTCAPABLE), widening base
 * or inheriting rights answers NOTCAPABLE and changes nothing; a directory whose inheriting
 * rights lack FD_WRITE cannot hand out a writable file.
 */
#include "check.h"

#define FILE_RIGHTS_WANTED                                                                   \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |           \
     __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL |   \
     __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |        \
     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |                   \
     __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE)

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    memset(&st, 0xEE, sizeof st);
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    return st;
}

static void check_preopen(__wasi_fd_t dir) {
    __wasi_fdstat_t st = fdstat(dir);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(st.fs_flags, 0);
    CHECK_EQ(st.fs_rights_base & RIGHTS_DIR_BASE, RIGHTS_DIR_BASE);
    CHECK_EQ(st.fs_rights_base & __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0);
    CHECK_EQ(st.fs_rights_inheriting & (RIGHTS_DIR_BASE | FILE_RIGHTS_WANTED),
             RIGHTS_DIR_BASE | FILE_RIGHTS_WANTED);
}

static void check_stdio(void) {
    CHECK_EQ(fdstat(0).fs_rights_base & __WASI_RIGHTS_FD_READ, __WASI_RIGHTS_FD_READ);
    CHECK_EQ(fdstat(1).fs_rights_base & __WASI_RIGHTS_FD_WRITE, __WASI_RIGHTS_FD_WRITE);
    CHECK_EQ(fdstat(2).fs_rights_base & __WASI_RIGHTS_FD_WRITE, __WASI_RIGHTS_FD_WRITE);
}

static void check_contents(__wasi_fd_t fd, const char *want) {
    char buf[64];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    size_t n = 0;
    CHECK_OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
    CHECK_EQ(n, strlen(want));
    CHECK_MEM_EQ(buf, want, n);
}

static void check_append(__wasi_fd_t dir) {
    __wasi_fd_t fd = open_file(dir, "log", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               RIGHTS_FILE_ALL, __WASI_FDFLAGS_APPEND);
    __wasi_fdstat_t st = fdstat(fd);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.fs_flags, __WASI_FDFLAGS_APPEND);
    CHECK_EQ(st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
             __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE);
    CHECK_EQ(st.fs_rights_base & ~(__wasi_rights_t)RIGHTS_FILE_ALL, 0);

    __wasi_filesize_t pos;
    write_all(fd, "aaa", 3);
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    write_all(fd, "bbb", 3);
    check_contents(fd, "aaabbb");
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK_EQ(pos, 6);

    CHECK_OK(__wasi_fd_fdstat_set_flags(fd, 0));
    CHECK_EQ(fdstat(fd).fs_flags, 0);
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    write_all(fd, "XY", 2);
    check_contents(fd, "XYabbb");

    CHECK_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    CHECK_EQ(fdstat(fd).fs_flags, __WASI_FDFLAGS_APPEND);
    CHECK_OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos));
    write_all(fd, "!", 1);
    check_contents(fd, "XYabbb!");

    CHECK_ERRNO(__wasi_fd_fdstat_set_flags(fd, 0x20), __WASI_ERRNO_INVAL);
    CHECK_EQ(fdstat(fd).fs_flags, __WASI_FDFLAGS_APPEND);
    CHECK_OK(__wasi_fd_close(fd));

    /* A fresh fd on the same file has no APPEND: the flag belongs to the descriptor. */
    fd = open_file(dir, "log", 0, RIGHTS_FILE_ALL, 0);
    CHECK_EQ(fdstat(fd).fs_flags, 0);
    CHECK_OK(__wasi_fd_close(fd));
}

static void check_set_rights(__wasi_fd_t dir) {
    const __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                               __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                               __WASI_RIGHTS_FD_FILESTAT_GET;
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    CHECK_OK(__wasi_path_open(dir, 0, "log", 0, rw, 0, 0, &fd));
    CHECK_EQ(fdstat(fd).fs_rights_base, rw);
    CHECK_EQ(fdstat(fd).fs_rights_inheriting, 0);

    /* Same rights: a no-op that succeeds. */
    CHECK_OK(__wasi_fd_fdstat_set_rights(fd, rw, 0));

    const __wasi_rights_t ro = rw & ~__WASI_RIGHTS_FD_WRITE;
    CHECK_OK(__wasi_fd_fdstat_set_rights(fd, ro, 0));
    CHECK_EQ(fdstat(fd).fs_rights_base, ro);

    char b[2];
    __wasi_iovec_t in = {(uint8_t *)b, 2};
    __wasi_ciovec_t out = {(const uint8_t *)"zz", 2};
    size_t n = 0;
    CHECK_OK(__wasi_fd_read(fd, &in, 1, &n));
    CHECK_EQ(n, 2);
    CHECK_ERRNO2(__wasi_fd_write(fd, &out, 1, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);

    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, rw, 0), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, ro, __WASI_RIGHTS_FD_READ),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_EQ(fdstat(fd).fs_rights_base, ro);
    CHECK_EQ(fdstat(fd).fs_rights_inheriting, 0);

    CHECK_OK(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_FILESTAT_GET, 0));
    CHECK_ERRNO2(__wasi_fd_read(fd, &in, 1, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_close(fd));
}

static void check_inherited_rights(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "narrow"));
    __wasi_fd_t sub = open_dir(dir, "narrow");
    __wasi_fdstat_t st = fdstat(sub);
    __wasi_rights_t inh = st.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE;
    CHECK_OK(__wasi_fd_fdstat_set_rights(sub, st.fs_rights_base, inh));
    CHECK_EQ(fdstat(sub).fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE, 0);

    /* Asking for more than the directory may hand out: either refused, or granted without
     * the missing right (and then writing fails). */
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(sub, 0, "f", __WASI_OFLAGS_CREAT,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0,
                                        &fd);
    CHECK_ERRNO2(e, __WASI_ERRNO_SUCCESS, __WASI_ERRNO_NOTCAPABLE);
    if (e == __WASI_ERRNO_SUCCESS) {
        CHECK_EQ(fdstat(fd).fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0);
        __wasi_ciovec_t out = {(const uint8_t *)"zz", 2};
        size_t n;
        CHECK_ERRNO2(__wasi_fd_write(fd, &out, 1, &n), __WASI_ERRNO_BADF,
                     __WASI_ERRNO_NOTCAPABLE);
        CHECK_OK(__wasi_fd_close(fd));
    }
    CHECK_OK(__wasi_fd_close(sub));
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_preopen(dir);
    check_stdio();
    check_append(dir);
    check_set_rights(dir);
    check_inherited_rights(dir);
    return pass();
}
