/* poll_oneoff on stdin that is open but empty, then has data, then reaches EOF.
 *
 * The runner attaches a stdin it keeps open and watches stdout: when the program prints
 * "waiting", the runner writes "ping\n" to stdin; when it prints "got ping", the runner closes
 * stdin. Checks: while stdin is empty and open, a poll on it with a 200 ms clock reports only
 * the clock (after at least 200 ms); once data arrives, a poll with a 20 s clock reports stdin
 * readable (FD_READ, no error, nbytes at least 1, no HANGUP) and not the clock, and fd_read returns
 * exactly those bytes; after the runner closes stdin, stdin is readable again (nbytes 0 or 1,
 * HANGUP allowed, as poll.c accepts for EOF) and fd_read returns 0 bytes.
 */
#include "check.h"

#define MS 1000000ull
#define SEC 1000000000ull

static __wasi_timestamp_t now(void) {
    __wasi_timestamp_t t;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
    return t;
}

/* Polls stdin for reading beside a relative monotonic clock of `timeout` ns. */
static size_t poll_stdin(__wasi_timestamp_t timeout, __wasi_event_t out[2], __wasi_timestamp_t *elapsed) {
    __wasi_subscription_t in[2];
    memset(in, 0, sizeof in);
    in[0].userdata = 1;
    in[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    in[0].u.u.fd_read.file_descriptor = 0;
    in[1].userdata = 2;
    in[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    in[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    in[1].u.u.clock.timeout = timeout;
    size_t n = 0;
    __wasi_timestamp_t t0 = now();
    CHECK_OK(__wasi_poll_oneoff(in, out, 2, &n));
    *elapsed = now() - t0;
    CHECK(n >= 1 && n <= 2);
    return n;
}

int main(void) {
    __wasi_event_t out[2];
    __wasi_timestamp_t elapsed;

    /* Open and empty: only the clock fires. */
    size_t n = poll_stdin(200 * MS, out, &elapsed);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0].userdata, 2);
    CHECK_EQ(out[0].type, __WASI_EVENTTYPE_CLOCK);
    CHECK_EQ(out[0].error, __WASI_ERRNO_SUCCESS);
    CHECK_MSG(elapsed >= 200 * MS, "the 200 ms clock fired after %llu ms",
              (unsigned long long)(elapsed / MS));

    write_all(1, "waiting\n", 8);

    /* Data arrives: stdin is readable and the 20 s clock does not fire. */
    n = poll_stdin(20 * SEC, out, &elapsed);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0].userdata, 1);
    CHECK_EQ(out[0].type, __WASI_EVENTTYPE_FD_READ);
    CHECK_EQ(out[0].error, __WASI_ERRNO_SUCCESS);
    CHECK_MSG(out[0].fd_readwrite.nbytes >= 1, "stdin with data: nbytes %llu",
              (unsigned long long)out[0].fd_readwrite.nbytes);
    CHECK_EQ(out[0].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP, 0);
    CHECK_MSG(elapsed < 15 * SEC, "stdin became readable only after %llu ms",
              (unsigned long long)(elapsed / MS));

    char buf[16];
    size_t have = 0;
    while (have < 5) {
        __wasi_iovec_t iov = {(uint8_t *)buf + have, sizeof buf - have};
        size_t got = 0;
        CHECK_OK(__wasi_fd_read(0, &iov, 1, &got));
        CHECK_MSG(got > 0, "stdin reached EOF after %zu bytes", have);
        have += got;
    }
    CHECK_EQ(have, 5);
    CHECK_MEM_EQ(buf, "ping\n", 5);

    write_all(1, "got ping\n", 9);

    /* Closed: stdin is readable at EOF and reads 0 bytes. */
    n = poll_stdin(20 * SEC, out, &elapsed);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0].userdata, 1);
    CHECK_EQ(out[0].type, __WASI_EVENTTYPE_FD_READ);
    CHECK_EQ(out[0].error, __WASI_ERRNO_SUCCESS);
    CHECK_MSG(out[0].fd_readwrite.nbytes <= 1 &&
                  (out[0].fd_readwrite.flags & ~__WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP) == 0,
              "stdin at EOF: nbytes %llu flags 0x%x",
              (unsigned long long)out[0].fd_readwrite.nbytes, out[0].fd_readwrite.flags);
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    size_t got = 99;
    CHECK_OK(__wasi_fd_read(0, &iov, 1, &got));
    CHECK_EQ(got, 0);
    return pass();
}
