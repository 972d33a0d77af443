/* A read-only mount (a volumeMount with readOnly: true).
 *
 * The runtime promises ROFS (errno 69) for every attempt to change a read-only mount: creating
 * a file, opening one for writing (or with TRUNC), unlinking, creating or removing a
 * directory, renaming, making a symlink or a hard link, and setting times or size (by path or
 * on an fd opened for reading; a request for the set-size right may instead be refused with
 * ROFS at path_open). Reading keeps working.
 *
 * Run with the mount path as argv[1]. The runner fills the mount beforehand with
 * `existing.txt` ("read-only data"), an empty directory `emptydir`, and `sub/inner.txt`
 * ("inner"); afterwards it checks on the host that nothing changed. This program also checks,
 * through the runtime, that every refused attempt left no trace, and that libc reports EROFS
 * for open(O_CREAT|O_WRONLY) and mkdir on an absolute path under the mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define ROFS(call) CHECK_ERRNO(call, __WASI_ERRNO_ROFS)

static __wasi_errno_t try_open(__wasi_fd_t dir, const char *path, __wasi_oflags_t of,
                               __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, 0, path, of, rights, 0, fdflags, &fd);
    if (e == 0) CHECK_OK(__wasi_fd_close(fd));
    return e;
}

static void check_reads(__wasi_fd_t dir) {
    __wasi_fd_t fd = open_file(dir, "existing.txt", 0, RIGHTS_FILE_READ, 0);
    char buf[64];
    size_t n = read_up_to(fd, buf, sizeof buf);
    CHECK_EQ(n, 14);
    CHECK_MEM_EQ(buf, "read-only data", 14);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_EQ(stat_path(dir, 0, "sub/inner.txt").size, 5);
    __wasi_fd_t sub = open_dir(dir, "sub");
    uint8_t dirbuf[256];
    size_t used = 0;
    CHECK_OK(__wasi_fd_readdir(sub, dirbuf, sizeof dirbuf, 0, &used));
    CHECK(used > 0);
    CHECK_OK(__wasi_fd_close(sub));
}

static void check_refusals(__wasi_fd_t dir) {
    const __wasi_rights_t rw = RIGHTS_FILE_READ | __WASI_RIGHTS_FD_WRITE;
    ROFS(try_open(dir, "new.txt", __WASI_OFLAGS_CREAT, rw, 0));
    ROFS(try_open(dir, "new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, rw, 0));
    ROFS(try_open(dir, "sub/new.txt", __WASI_OFLAGS_CREAT, rw, 0));
    ROFS(try_open(dir, "existing.txt", 0, rw, 0));
    ROFS(try_open(dir, "existing.txt", 0, __WASI_RIGHTS_FD_WRITE, __WASI_FDFLAGS_APPEND));
    ROFS(try_open(dir, "existing.txt", __WASI_OFLAGS_TRUNC, rw, 0));
    ROFS(__wasi_path_unlink_file(dir, "existing.txt"));
    ROFS(__wasi_path_unlink_file(dir, "sub/inner.txt"));
    ROFS(__wasi_path_create_directory(dir, "newdir"));
    ROFS(__wasi_path_remove_directory(dir, "emptydir"));
    ROFS(__wasi_path_rename(dir, "existing.txt", dir, "renamed.txt"));
    ROFS(__wasi_path_rename(dir, "emptydir", dir, "renamed-dir"));
    ROFS(__wasi_path_symlink("existing.txt", dir, "link"));
    ROFS(__wasi_path_link(dir, 0, "existing.txt", dir, "hard"));
    ROFS(__wasi_path_filestat_set_times(dir, 0, "existing.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    ROFS(__wasi_path_filestat_set_times(dir, 0, "emptydir", 1, 1,
                                        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));

    /* An fd opened for reading cannot change the file's times. */
    __wasi_fd_t fd = open_file(dir, "existing.txt", 0,
                               RIGHTS_FILE_READ | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES, 0);
    ROFS(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    ROFS(__wasi_fd_filestat_set_times(fd, 5, 5, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(__wasi_fd_close(fd));

    /* Nor its size: asking for the set-size right is refused at open (as a host read-only
     * file system does), or granted and refused at fd_filestat_set_size. */
    __wasi_errno_t e = __wasi_path_open(dir, 0, "existing.txt", 0,
                                        RIGHTS_FILE_READ | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0,
                                        0, &fd);
    CHECK_ERRNO2(e, __WASI_ERRNO_SUCCESS, __WASI_ERRNO_ROFS);
    if (e == __WASI_ERRNO_SUCCESS) {
        ROFS(__wasi_fd_filestat_set_size(fd, 0));
        ROFS(__wasi_fd_filestat_set_size(fd, 100));
        CHECK_OK(__wasi_fd_close(fd));
    }
    ROFS(__wasi_fd_filestat_set_times(dir, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
}

static void check_unchanged(__wasi_fd_t dir) {
    static const char *const gone[] = {"new.txt", "sub/new.txt", "newdir", "renamed.txt",
                                       "renamed-dir", "link", "hard"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        __wasi_filestat_t st;
        CHECK_MSG(__wasi_path_filestat_get(dir, 0, gone[i], &st) == __WASI_ERRNO_NOENT,
                  "\"%s\" exists after a refused change", gone[i]);
    }
    __wasi_filestat_t st = stat_path(dir, 0, "existing.txt");
    CHECK_EQ(st.size, 14);
    CHECK_EQ(st.nlink, 1);
    CHECK_EQ(stat_path(dir, 0, "emptydir").filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(stat_path(dir, 0, "sub/inner.txt").size, 5);
}

static void check_libc(const char *mount) {
    char path[256];
    snprintf(path, sizeof path, "%s/libc-new.txt", mount);
    errno = 0;
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    CHECK_MSG(fd == -1 && errno == EROFS, "open(\"%s\", O_CREAT|O_WRONLY): fd %d, errno %d", path,
              fd, errno);
    snprintf(path, sizeof path, "%s/libc-dir", mount);
    errno = 0;
    CHECK_MSG(mkdir(path, 0755) == -1 && errno == EROFS, "mkdir(\"%s\"): errno %d", path, errno);
    snprintf(path, sizeof path, "%s/existing.txt", mount);
    errno = 0;
    CHECK_MSG(unlink(path) == -1 && errno == EROFS, "unlink(\"%s\"): errno %d", path, errno);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_reads(dir);
    check_refusals(dir);
    check_unchanged(dir);
    check_libc(argc > 1 ? argv[1] : "/sandbox");
    return pass();
}
