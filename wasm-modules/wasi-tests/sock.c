/* sock_accept, sock_recv, sock_send, sock_shutdown on descriptors that are not sockets.
 *
 * Checks: on a regular file, a directory (the preopen) and stdout each call answers NOTSOCK;
 * on an fd that is not open (a closed one, and large numbers) each answers BADF. The
 * descriptor's type is checked before anything else (node:wasi answers sock_shutdown without
 * looking at the fd). Nothing is written to the file.
 */
#include "check.h"

static void check_all(__wasi_fd_t fd, __wasi_errno_t want) {
    __wasi_fd_t accepted = 0;
    char buf[8];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t ciov = {(const uint8_t *)"data", 4};
    size_t n = 0;
    __wasi_roflags_t roflags = 0;
    CHECK_ERRNO(__wasi_sock_accept(fd, 0, &accepted), want);
    CHECK_ERRNO(__wasi_sock_recv(fd, &iov, 1, 0, &n, &roflags), want);
    CHECK_ERRNO(__wasi_sock_send(fd, &ciov, 1, 0, &n), want);
    CHECK_ERRNO(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR), want);
    CHECK_ERRNO(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), want);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    create_file(dir, "plain", "");
    __wasi_fd_t file = open_file(dir, "plain", 0, RIGHTS_FILE_ALL, 0);
    check_all(file, __WASI_ERRNO_NOTSOCK);
    check_all(dir, __WASI_ERRNO_NOTSOCK);
    check_all(1, __WASI_ERRNO_NOTSOCK);
    CHECK_EQ(stat_path(dir, 0, "plain").size, 0);

    CHECK_OK(__wasi_fd_close(file));
    check_all(file, __WASI_ERRNO_BADF);
    check_all(1234, __WASI_ERRNO_BADF);
    check_all(0x7fffffff, __WASI_ERRNO_BADF);
    check_all(0xffffffff, __WASI_ERRNO_BADF);
    return pass();
}
