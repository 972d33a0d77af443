/* fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times.
 *
 * Checks: a file's filestat has type REGULAR_FILE, its size, one link, a non-zero inode, and
 * agrees with path_filestat_get (dev, ino, size); a directory's has type DIRECTORY;
 * set_size grows with zeros and shrinks, without moving the fd's offset; set_times stores
 * timestamps to the nanosecond (1700000000.123456789 s must read back exactly: node:wasi and
 * libuv's utimes keep only microseconds), sets only the timestamps its flags name, ATIM_NOW /
 * MTIM_NOW use the current REALTIME, ATIM with ATIM_NOW (or MTIM with MTIM_NOW) answers INVAL
 * and changes nothing, unknown flag bits answer INVAL, and flags 0 changes nothing.
 */
#include "check.h"

#define SEC 1000000000ull

static __wasi_filestat_t fstat_fd(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    memset(&st, 0xEE, sizeof st);
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    return st;
}

static void check_get(__wasi_fd_t dir, __wasi_fd_t fd) {
    __wasi_filestat_t st = fstat_fd(fd);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.size, 5);
    CHECK_EQ(st.nlink, 1);
    CHECK_NE(st.ino, 0);
    __wasi_filestat_t ps = stat_path(dir, 0, "f");
    CHECK_EQ(ps.dev, st.dev);
    CHECK_EQ(ps.ino, st.ino);
    CHECK_EQ(ps.size, st.size);
    CHECK_EQ(ps.filetype, st.filetype);

    __wasi_filestat_t ds = fstat_fd(dir);
    CHECK_EQ(ds.filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_NE(ds.ino, st.ino);
}

static void check_set_size(__wasi_fd_t fd) {
    __wasi_filesize_t pos;
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK_EQ(pos, 5);

    CHECK_OK(__wasi_fd_filestat_set_size(fd, 100));
    CHECK_EQ(fstat_fd(fd).size, 100);
    static uint8_t buf[128];
    memset(buf, 0x77, sizeof buf);
    __wasi_iovec_t iov = {buf, sizeof buf};
    size_t n = 0;
    CHECK_OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
    CHECK_EQ(n, 100);
    CHECK_MEM_EQ(buf, "hello", 5);
    for (size_t i = 5; i < 100; i++) CHECK_EQ(buf[i], 0);

    CHECK_OK(__wasi_fd_filestat_set_size(fd, 3));
    CHECK_EQ(fstat_fd(fd).size, 3);
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK_EQ(pos, 5);

    /* Writing at offset 5 of a 3-byte file leaves a 2-byte hole. */
    write_all(fd, "!", 1);
    CHECK_OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
    CHECK_EQ(n, 6);
    CHECK_MEM_EQ(buf, "hel\0\0!", 6);

    CHECK_OK(__wasi_fd_filestat_set_size(fd, 0));
    CHECK_EQ(fstat_fd(fd).size, 0);
}

static int near(__wasi_timestamp_t t, __wasi_timestamp_t lo, __wasi_timestamp_t hi) {
    /* File systems take "now" from their own clock and may round it: allow 2 s either side. */
    return t + 2 * SEC >= lo && t <= hi + 2 * SEC;
}

static void check_set_times(__wasi_fd_t fd) {
    const __wasi_timestamp_t atim = 1700000000ull * SEC + 123456789ull;
    const __wasi_timestamp_t mtim = 1600000000ull * SEC + 987654321ull;
    CHECK_OK(__wasi_fd_filestat_set_times(fd, atim, mtim,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    __wasi_filestat_t st = fstat_fd(fd);
    CHECK_EQ(st.atim, atim);
    CHECK_EQ(st.mtim, mtim);

    /* Only the named timestamp changes. */
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 0, mtim + 1, __WASI_FSTFLAGS_MTIM));
    st = fstat_fd(fd);
    CHECK_EQ(st.atim, atim);
    CHECK_EQ(st.mtim, mtim + 1);
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 123456789ull, 0, __WASI_FSTFLAGS_ATIM));
    st = fstat_fd(fd);
    CHECK_EQ(st.atim, 123456789ull);
    CHECK_EQ(st.mtim, mtim + 1);
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 1, 2, 0));
    st = fstat_fd(fd);
    CHECK_EQ(st.atim, 123456789ull);
    CHECK_EQ(st.mtim, mtim + 1);

    /* Both ways of setting one timestamp at once are refused, and nothing changes. */
    CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 5, 6,
                                             __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 5, 6,
                                             __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 5, 6,
                                             __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW |
                                                 __WASI_FSTFLAGS_MTIM),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 5, 6, 0x10), __WASI_ERRNO_INVAL);
    st = fstat_fd(fd);
    CHECK_EQ(st.atim, 123456789ull);
    CHECK_EQ(st.mtim, mtim + 1);

    /* The NOW flags: the timestamp argument is ignored, REALTIME is used. */
    __wasi_timestamp_t before = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 5, 0, __WASI_FSTFLAGS_ATIM_NOW));
    __wasi_timestamp_t after = now_ns(__WASI_CLOCKID_REALTIME);
    st = fstat_fd(fd);
    CHECK_MSG(near(st.atim, before, after), "ATIM_NOW set atim to %llu, now is %llu",
              (unsigned long long)st.atim, (unsigned long long)after);
    CHECK_EQ(st.mtim, mtim + 1);

    __wasi_timestamp_t atim_now = st.atim;
    before = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 0, 5, __WASI_FSTFLAGS_MTIM_NOW));
    after = now_ns(__WASI_CLOCKID_REALTIME);
    st = fstat_fd(fd);
    CHECK_MSG(near(st.mtim, before, after), "MTIM_NOW set mtim to %llu, now is %llu",
              (unsigned long long)st.mtim, (unsigned long long)after);
    CHECK_EQ(st.atim, atim_now);

    /* A timestamp and NOW for the other one in one call. */
    CHECK_OK(__wasi_fd_filestat_set_times(fd, atim, 0,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM_NOW));
    st = fstat_fd(fd);
    CHECK_EQ(st.atim, atim);
    CHECK(near(st.mtim, before, now_ns(__WASI_CLOCKID_REALTIME)));
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    __wasi_fd_t fd = open_file(dir, "f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               RIGHTS_FILE_ALL, 0);
    write_all(fd, "hello", 5);
    check_get(dir, fd);
    check_set_size(fd);
    check_set_times(fd);
    CHECK_OK(__wasi_fd_close(fd));
    return pass();
}
