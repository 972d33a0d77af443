/* fd_prestat_get and fd_prestat_dir_name.
 *
 * Run with the mount paths as arguments, in mount order (e.g. `/sandbox /data/second`); the
 * runtime preopens mount i as fd 3+i, named by its mount path. Checks: each preopen reports tag
 * DIR and the length of its name; dir_name writes exactly the name, with no NUL after it; a
 * larger buffer also works; a buffer too small answers NAMETOOLONG (wasmtime; INVAL is also
 * accepted by the official suite); the fd after the last preopen, stdio fds, directories
 * opened later, files and huge numbers answer BADF; a preopen can be closed, after which it
 * answers BADF.
 */
#include "check.h"

static void check_preopen(__wasi_fd_t fd, const char *name) {
    size_t len = strlen(name);
    __wasi_prestat_t st;
    memset(&st, 0xEE, sizeof st);
    CHECK_OK(__wasi_fd_prestat_get(fd, &st));
    CHECK_EQ(st.tag, __WASI_PREOPENTYPE_DIR);
    CHECK_EQ(st.u.dir.pr_name_len, len);

    char buf[300];
    memset(buf, 0xCC, sizeof buf);
    CHECK_OK(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len));
    CHECK_MEM_EQ(buf, name, len);
    CHECK_EQ((unsigned char)buf[len], 0xCC);

    memset(buf, 0xCC, sizeof buf);
    CHECK_OK(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len + 10));
    CHECK_MEM_EQ(buf, name, len);

    CHECK_ERRNO2(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len - 1),
                 __WASI_ERRNO_NAMETOOLONG, __WASI_ERRNO_INVAL);
    CHECK_ERRNO2(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, 0), __WASI_ERRNO_NAMETOOLONG,
                 __WASI_ERRNO_INVAL);

    __wasi_fdstat_t fst;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &fst));
    CHECK_EQ(fst.fs_filetype, __WASI_FILETYPE_DIRECTORY);
}

static void check_badf(__wasi_fd_t fd) {
    __wasi_prestat_t st;
    char buf[64];
    CHECK_ERRNO(__wasi_fd_prestat_get(fd, &st), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, sizeof buf), __WASI_ERRNO_BADF);
}

int main(int argc, char **argv) {
    CHECK_MSG(argc >= 2, "usage: prestat.wasm MOUNT_PATH...");
    int count = argc - 1;
    for (int i = 0; i < count; i++) check_preopen((__wasi_fd_t)(3 + i), argv[1 + i]);
    __wasi_fd_t last = (__wasi_fd_t)(3 + count - 1);

    check_badf((__wasi_fd_t)(3 + count));
    check_badf(0);
    check_badf(1);
    check_badf(2);
    check_badf(0x7fffffff);
    check_badf(0xffffffff);

    /* Directories and files opened later are not preopens. */
    __wasi_fd_t self = open_dir(3, ".");
    check_badf(self);
    CHECK_OK(__wasi_fd_close(self));
    create_file(3, "plain", "x");
    __wasi_fd_t file = open_file(3, "plain", 0, RIGHTS_FILE_READ, 0);
    check_badf(file);
    CHECK_OK(__wasi_fd_close(file));

    /* A preopen can be closed like any fd. */
    CHECK_OK(__wasi_fd_close(last));
    check_badf(last);
    CHECK_ERRNO(__wasi_fd_close(last), __WASI_ERRNO_BADF);
    return pass();
}
