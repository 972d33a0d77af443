/* poll_oneoff.
 *
 * The runner gives this program an empty stdin (EOF at once) and a scratch directory. Checks:
 * zero subscriptions answer INVAL; a relative MONOTONIC (and REALTIME) clock actually waits
 * about its timeout (never less, not seconds more) and reports a CLOCK event with its userdata;
 * an absolute deadline waits until then, one in the past returns at once, a zero timeout
 * returns at once; of several clocks only the earliest fires; stdout and stderr are writable
 * at once; stdin at EOF is readable at once (wasmtime reports nbytes 1 and no flags for
 * stdin, others nbytes 0 or FD_READWRITE_HANGUP: any of these is accepted) and fd_read then
 * returns 0 bytes; a regular file is readable and writable at once; an fd that is not open
 * gives BADF (for the whole call or in its event); an unknown subscription tag answers INVAL.
 */
#include "check.h"

#define MS 1000000ull
#define SEC 1000000000ull

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, __wasi_subclockflags_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type,
                                    __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = type;
    if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
    else s.u.u.fd_write.file_descriptor = fd;
    return s;
}

/* Polls; returns the number of events and the MONOTONIC time the call took. */
static size_t poll(const __wasi_subscription_t *in, __wasi_event_t *out, size_t n,
                   __wasi_timestamp_t *elapsed) {
    memset(out, 0xEE, n * sizeof *out);
    __wasi_timestamp_t t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    size_t nevents = 999;
    CHECK_OK(__wasi_poll_oneoff(in, out, n, &nevents));
    *elapsed = now_ns(__WASI_CLOCKID_MONOTONIC) - t0;
    CHECK(nevents >= 1 && nevents <= n);
    return nevents;
}

static const __wasi_event_t *find_event(const __wasi_event_t *ev, size_t n,
                                        __wasi_userdata_t ud) {
    for (size_t i = 0; i < n; i++)
        if (ev[i].userdata == ud) return &ev[i];
    return NULL;
}

static void check_clock_event(const __wasi_event_t *e, __wasi_userdata_t ud) {
    CHECK_MSG(e != NULL, "no event for userdata 0x%llx", (unsigned long long)ud);
    CHECK_EQ(e->userdata, ud);
    CHECK_EQ(e->error, __WASI_ERRNO_SUCCESS);
    CHECK_EQ(e->type, __WASI_EVENTTYPE_CLOCK);
}

static void check_waits(__wasi_timestamp_t elapsed, __wasi_timestamp_t want, const char *what) {
    CHECK_MSG(elapsed + MS >= want, "%s: returned after %llu ms, wanted at least %llu ms", what,
              (unsigned long long)(elapsed / MS), (unsigned long long)(want / MS));
    CHECK_MSG(elapsed < want + 2 * SEC, "%s: returned after %llu ms, wanted about %llu ms", what,
              (unsigned long long)(elapsed / MS), (unsigned long long)(want / MS));
}

static void check_clocks(void) {
    __wasi_subscription_t in[4];
    __wasi_event_t out[4];
    __wasi_timestamp_t elapsed;
    size_t n;

    CHECK_ERRNO(__wasi_poll_oneoff(in, out, 0, &n), __WASI_ERRNO_INVAL);

    in[0] = clock_sub(0x1111222233334444ull, __WASI_CLOCKID_MONOTONIC, 100 * MS, 0);
    n = poll(in, out, 1, &elapsed);
    CHECK_EQ(n, 1);
    check_clock_event(&out[0], 0x1111222233334444ull);
    check_waits(elapsed, 100 * MS, "relative MONOTONIC 100 ms");

    in[0] = clock_sub(7, __WASI_CLOCKID_REALTIME, 50 * MS, 0);
    n = poll(in, out, 1, &elapsed);
    check_clock_event(&out[0], 7);
    check_waits(elapsed, 50 * MS, "relative REALTIME 50 ms");

    __wasi_timestamp_t deadline = now_ns(__WASI_CLOCKID_MONOTONIC) + 80 * MS;
    in[0] = clock_sub(8, __WASI_CLOCKID_MONOTONIC, deadline,
                      __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    n = poll(in, out, 1, &elapsed);
    check_clock_event(&out[0], 8);
    CHECK_MSG(now_ns(__WASI_CLOCKID_MONOTONIC) + MS >= deadline, "absolute deadline: too early");
    CHECK(elapsed < 2 * SEC);

    in[0] = clock_sub(9, __WASI_CLOCKID_MONOTONIC, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    n = poll(in, out, 1, &elapsed);
    check_clock_event(&out[0], 9);
    CHECK_MSG(elapsed < 500 * MS, "an absolute deadline in the past waited %llu ms",
              (unsigned long long)(elapsed / MS));

    in[0] = clock_sub(10, __WASI_CLOCKID_MONOTONIC, 0, 0);
    n = poll(in, out, 1, &elapsed);
    check_clock_event(&out[0], 10);
    CHECK(elapsed < 500 * MS);

    /* Only the earliest of several clocks fires. */
    in[0] = clock_sub(21, __WASI_CLOCKID_MONOTONIC, 1500 * MS, 0);
    in[1] = clock_sub(22, __WASI_CLOCKID_MONOTONIC, 60 * MS, 0);
    in[2] = clock_sub(23, __WASI_CLOCKID_MONOTONIC, 3000 * MS, 0);
    n = poll(in, out, 3, &elapsed);
    CHECK_EQ(n, 1);
    check_clock_event(&out[0], 22);
    check_waits(elapsed, 60 * MS, "earliest of three clocks");
    CHECK(elapsed < 1500 * MS);
}

static void check_fds(__wasi_fd_t dir) {
    __wasi_subscription_t in[4];
    __wasi_event_t out[4];
    __wasi_timestamp_t elapsed;
    size_t n;

    /* stdout and stderr are writable at once; the 5 s clock never fires. */
    in[0] = fd_sub(31, __WASI_EVENTTYPE_FD_WRITE, 1);
    in[1] = fd_sub(32, __WASI_EVENTTYPE_FD_WRITE, 2);
    in[2] = clock_sub(33, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    n = poll(in, out, 3, &elapsed);
    CHECK_MSG(elapsed < 2 * SEC, "stdout/stderr not writable for %llu ms",
              (unsigned long long)(elapsed / MS));
    CHECK(find_event(out, n, 33) == NULL);
    const __wasi_event_t *e = find_event(out, n, 31);
    CHECK_MSG(e != NULL, "stdout is not reported writable");
    CHECK_EQ(e->type, __WASI_EVENTTYPE_FD_WRITE);
    CHECK_EQ(e->error, __WASI_ERRNO_SUCCESS);

    /* stdin at EOF is readable at once, and reading it gives 0 bytes. */
    in[0] = fd_sub(41, __WASI_EVENTTYPE_FD_READ, 0);
    in[1] = clock_sub(42, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    n = poll(in, out, 2, &elapsed);
    CHECK_MSG(elapsed < 2 * SEC, "stdin at EOF not readable for %llu ms",
              (unsigned long long)(elapsed / MS));
    e = find_event(out, n, 41);
    CHECK_MSG(e != NULL, "stdin at EOF is not reported readable");
    CHECK_EQ(e->type, __WASI_EVENTTYPE_FD_READ);
    CHECK_EQ(e->error, __WASI_ERRNO_SUCCESS);
    CHECK_MSG(e->fd_readwrite.nbytes <= 1 &&
                  (e->fd_readwrite.flags & ~__WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP) == 0,
              "stdin at EOF: nbytes %llu flags 0x%x", (unsigned long long)e->fd_readwrite.nbytes,
              e->fd_readwrite.flags);
    char c;
    __wasi_iovec_t iov = {(uint8_t *)&c, 1};
    size_t got = 99;
    CHECK_OK(__wasi_fd_read(0, &iov, 1, &got));
    CHECK_EQ(got, 0);

    /* Regular files are always ready. */
    create_file(dir, "f", "0123456789");
    __wasi_fd_t fd = open_file(dir, "f", 0, RIGHTS_FILE_ALL, 0);
    in[0] = fd_sub(51, __WASI_EVENTTYPE_FD_READ, fd);
    in[1] = fd_sub(52, __WASI_EVENTTYPE_FD_WRITE, fd);
    in[2] = clock_sub(53, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    n = poll(in, out, 3, &elapsed);
    CHECK(elapsed < 2 * SEC);
    CHECK_EQ(n, 2);
    e = find_event(out, n, 51);
    CHECK(e != NULL && e->type == __WASI_EVENTTYPE_FD_READ && e->error == 0);
    e = find_event(out, n, 52);
    CHECK(e != NULL && e->type == __WASI_EVENTTYPE_FD_WRITE && e->error == 0);
    CHECK_OK(__wasi_fd_close(fd));

    /* An fd that is not open: BADF for the call, or in the event. */
    in[0] = fd_sub(61, __WASI_EVENTTYPE_FD_READ, 1234);
    in[1] = clock_sub(62, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    __wasi_errno_t err = __wasi_poll_oneoff(in, out, 2, &n);
    CHECK_ERRNO2(err, __WASI_ERRNO_BADF, __WASI_ERRNO_SUCCESS);
    if (err == __WASI_ERRNO_SUCCESS) {
        e = find_event(out, n, 61);
        CHECK_MSG(e != NULL, "no event for a subscription on a closed fd");
        CHECK_EQ(e->error, __WASI_ERRNO_BADF);
    }

    /* An unknown event type. */
    in[0] = clock_sub(71, __WASI_CLOCKID_MONOTONIC, 0, 0);
    in[0].u.tag = 3;
    CHECK_ERRNO(__wasi_poll_oneoff(in, out, 1, &n), __WASI_ERRNO_INVAL);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_clocks();
    check_fds(dir);
    return pass();
}
