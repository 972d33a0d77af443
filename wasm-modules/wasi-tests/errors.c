/* Error paths shared by all functions: BADF for fds that are not open, FAULT for pointers
 * outside linear memory.
 *
 * Checks: every function that takes an fd answers BADF when it is not open (a closed fd, a
 * never-opened number, 0x7fffffff, 0xffffffff), including as the second fd of fd_renumber,
 * path_link and path_rename (which then change nothing), and poll_oneoff on such an fd (BADF
 * for the call or in the event); the host validates guest memory instead of trapping: an
 * iovec array or buffer that runs past the end of memory, an iovec count whose byte size
 * overflows 32 bits, a path or result pointer past the end, all answer FAULT (21), write
 * nothing to the fd (the runner checks stdout is exactly "ok\n") and the program keeps running.
 */
#include "check.h"

static void check_badf(__wasi_fd_t bad, __wasi_fd_t dir, __wasi_fd_t good) {
    char buf[32];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
    size_t n;
    __wasi_filesize_t pos;
    __wasi_fdstat_t fdst;
    __wasi_filestat_t st;
    __wasi_prestat_t pre;
    __wasi_fd_t out_fd;
    __wasi_roflags_t roflags;
#define BADF(call) CHECK_ERRNO(call, __WASI_ERRNO_BADF)
    BADF(__wasi_fd_advise(bad, 0, 1, __WASI_ADVICE_NORMAL));
    BADF(__wasi_fd_allocate(bad, 0, 1));
    BADF(__wasi_fd_close(bad));
    BADF(__wasi_fd_datasync(bad));
    BADF(__wasi_fd_fdstat_get(bad, &fdst));
    BADF(__wasi_fd_fdstat_set_flags(bad, 0));
    BADF(__wasi_fd_fdstat_set_rights(bad, 0, 0));
    BADF(__wasi_fd_filestat_get(bad, &st));
    BADF(__wasi_fd_filestat_set_size(bad, 0));
    BADF(__wasi_fd_filestat_set_times(bad, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    BADF(__wasi_fd_pread(bad, &iov, 1, 0, &n));
    BADF(__wasi_fd_prestat_get(bad, &pre));
    BADF(__wasi_fd_prestat_dir_name(bad, (uint8_t *)buf, sizeof buf));
    BADF(__wasi_fd_pwrite(bad, &ciov, 1, 0, &n));
    BADF(__wasi_fd_read(bad, &iov, 1, &n));
    BADF(__wasi_fd_readdir(bad, (uint8_t *)buf, sizeof buf, 0, &n));
    BADF(__wasi_fd_renumber(bad, good));
    BADF(__wasi_fd_renumber(good, bad));
    BADF(__wasi_fd_seek(bad, 0, __WASI_WHENCE_SET, &pos));
    BADF(__wasi_fd_sync(bad));
    BADF(__wasi_fd_tell(bad, &pos));
    BADF(__wasi_fd_write(bad, &ciov, 1, &n));
    BADF(__wasi_path_create_directory(bad, "newdir"));
    BADF(__wasi_path_filestat_get(bad, 0, "plain", &st));
    BADF(__wasi_path_filestat_set_times(bad, 0, "plain", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    BADF(__wasi_path_link(bad, 0, "plain", dir, "link"));
    BADF(__wasi_path_link(dir, 0, "plain", bad, "link"));
    BADF(__wasi_path_open(bad, 0, "plain", 0, RIGHTS_FILE_READ, 0, 0, &out_fd));
    BADF(__wasi_path_readlink(bad, "lnk", (uint8_t *)buf, sizeof buf, &n));
    BADF(__wasi_path_remove_directory(bad, "d"));
    BADF(__wasi_path_rename(bad, "plain", dir, "renamed"));
    BADF(__wasi_path_rename(dir, "plain", bad, "renamed"));
    BADF(__wasi_path_symlink("plain", bad, "newlink"));
    BADF(__wasi_path_unlink_file(bad, "plain"));
    BADF(__wasi_sock_accept(bad, 0, &out_fd));
    BADF(__wasi_sock_recv(bad, &iov, 1, 0, &n, &roflags));
    BADF(__wasi_sock_send(bad, &ciov, 1, 0, &n));
    BADF(__wasi_sock_shutdown(bad, __WASI_SDFLAGS_WR));
#undef BADF

    /* Nothing happened through the good fds either. */
    CHECK_OK(__wasi_fd_fdstat_get(good, &fdst));
    CHECK_EQ(stat_path(dir, 0, "plain").size, 5);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "link", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "renamed", &st), __WASI_ERRNO_NOENT);

    __wasi_subscription_t sub;
    __wasi_event_t ev[2];
    memset(&sub, 0, sizeof sub);
    sub.userdata = 77;
    sub.u.tag = __WASI_EVENTTYPE_FD_READ;
    sub.u.u.fd_read.file_descriptor = bad;
    __wasi_errno_t e = __wasi_poll_oneoff(&sub, ev, 1, &n);
    CHECK_ERRNO2(e, __WASI_ERRNO_BADF, __WASI_ERRNO_SUCCESS);
    if (e == __WASI_ERRNO_SUCCESS) {
        CHECK_EQ(n, 1);
        CHECK_EQ(ev[0].userdata, 77);
        CHECK_EQ(ev[0].error, __WASI_ERRNO_BADF);
    }
}

static void check_fault(__wasi_fd_t dir, __wasi_fd_t file) {
    const uint32_t end = memory_end();
    int32_t n = 0;
    static __wasi_ciovec_t ciov;
    static __wasi_iovec_t iov;
    static char buf[64];
#define FAULT(call) CHECK_ERRNO(call, __WASI_ERRNO_FAULT)

    /* fd_write: the iovec array straddles the end, lies past it, or its byte size wraps;
     * an iovec's buffer straddles the end. */
    FAULT(raw_fd_write(1, (int32_t)(end - 4), 1, PTR(&n)));
    FAULT(raw_fd_write(1, (int32_t)(end + 64), 1, PTR(&n)));
    FAULT(raw_fd_write(1, (int32_t)0xfffffff8u, 1, PTR(&n)));
    ciov.buf = (const uint8_t *)"x";
    ciov.buf_len = 1;
    FAULT(raw_fd_write(1, PTR(&ciov), 0x20000001, PTR(&n)));
    ciov.buf = (const uint8_t *)(uintptr_t)(end - 2);
    ciov.buf_len = 16;
    FAULT(raw_fd_write(1, PTR(&ciov), 1, PTR(&n)));
    /* The result pointer is checked too; an empty write, so that a host that writes first
     * and stores the count afterwards does not put a byte on stdout. */
    ciov.buf = (const uint8_t *)"x";
    ciov.buf_len = 0;
    FAULT(raw_fd_write(1, PTR(&ciov), 1, (int32_t)end));

    /* fd_read / fd_pread into memory that is not there (from a file with data). */
    iov.buf = (uint8_t *)(uintptr_t)(end - 1);
    iov.buf_len = 8;
    FAULT(raw_fd_read(file, PTR(&iov), 1, PTR(&n)));
    FAULT(raw_fd_read(file, (int32_t)(end - 4), 1, PTR(&n)));
    FAULT(__wasi_fd_pread(file, &iov, 1, 0, (size_t *)&n));

    /* Results written past the end. */
    void *past = (void *)(uintptr_t)(end - 2);
    FAULT(__wasi_args_sizes_get((size_t *)past, (size_t *)&n));
    FAULT(__wasi_environ_sizes_get((size_t *)&n, (size_t *)past));
    FAULT(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, (__wasi_timestamp_t *)past));
    FAULT(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, (__wasi_timestamp_t *)past));
    FAULT(__wasi_fd_fdstat_get(1, (__wasi_fdstat_t *)past));
    FAULT(__wasi_fd_filestat_get(file, (__wasi_filestat_t *)past));
    FAULT(__wasi_fd_prestat_get(dir, (__wasi_prestat_t *)past));
    FAULT(__wasi_fd_seek(file, 0, __WASI_WHENCE_SET, (__wasi_filesize_t *)past));
    FAULT(__wasi_fd_tell(file, (__wasi_filesize_t *)past));
    FAULT(__wasi_path_filestat_get(dir, 0, "plain", (__wasi_filestat_t *)past));

    /* Buffers that run past the end. */
    FAULT(__wasi_fd_prestat_dir_name(dir, (uint8_t *)past, 32));
    FAULT(__wasi_fd_readdir(dir, (uint8_t *)past, 256, 0, (size_t *)&n));
    FAULT(__wasi_path_readlink(dir, "lnk", (uint8_t *)past, 32, (size_t *)&n));
    FAULT(__wasi_random_get((uint8_t *)past, 64));

    /* Paths past the end, or longer than what is left of memory. */
    int32_t fd_out;
    FAULT(raw_path_open(dir, 0, (int32_t)(end + 16), 5, 0, RIGHTS_FILE_READ, 0, 0,
                        PTR(&fd_out)));
    FAULT(raw_path_open(dir, 0, (int32_t)(end - 3), 10, 0, RIGHTS_FILE_READ, 0, 0,
                        PTR(&fd_out)));
    FAULT(raw_path_open(dir, 0, PTR("plain"), 5, 0, RIGHTS_FILE_READ, 0, 0, (int32_t)end));
    FAULT(raw_path_filestat_get(dir, 0, (int32_t)(end - 1), 4, PTR(buf)));
    FAULT(raw_path_create_directory(dir, (int32_t)0xfffffff0u, 32));
    FAULT(raw_path_symlink(PTR("plain"), 5, dir, (int32_t)(end - 2), 8));

    /* poll_oneoff with subscriptions or events past the end. */
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    __wasi_event_t ev;
    FAULT(__wasi_poll_oneoff((const __wasi_subscription_t *)(uintptr_t)(end - 16), &ev, 1,
                             (size_t *)&n));
    FAULT(__wasi_poll_oneoff(&sub, (__wasi_event_t *)(uintptr_t)(end - 16), 1, (size_t *)&n));
#undef FAULT

    /* The program is alive and the fds still work. */
    CHECK_EQ(stat_path(dir, 0, "plain").size, 5);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "newdir", &st), __WASI_ERRNO_NOENT);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    create_file(dir, "plain", "12345");
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    CHECK_OK(__wasi_path_symlink("plain", dir, "lnk"));
    __wasi_fd_t file = open_file(dir, "plain", 0, RIGHTS_FILE_ALL, 0);
    __wasi_fd_t closed = open_file(dir, "plain", 0, RIGHTS_FILE_READ, 0);
    CHECK_OK(__wasi_fd_close(closed));

    check_badf(closed, dir, file);
    check_badf(4321, dir, file);
    check_badf(0x7fffffff, dir, file);
    check_badf(0xffffffff, dir, file);
    check_fault(dir, file);
    CHECK_OK(__wasi_fd_close(file));
    return pass();
}
