/* clock_res_get and clock_time_get.
 *
 * Checks: REALTIME and MONOTONIC have a non-zero resolution of at most 1 ms; REALTIME reads
 * a plausible wall-clock time (between 2020 and 2200); MONOTONIC never goes backwards and
 * advances while we spin, and REALTIME advances by about the same amount; the precision
 * argument is only a hint (0 and UINT64_MAX both work); the CPU-time clocks either work or
 * answer INVAL (the spec: "for unsupported clocks, return errno::inval"); clock ids outside
 * the enum answer INVAL; libc's time() agrees with REALTIME.
 */
#include <time.h>
#include "check.h"

#define MS 1000000ull
#define SEC 1000000000ull

static void check_resolution(void) {
    __wasi_timestamp_t res = 0;
    CHECK_OK(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
    CHECK(res > 0 && res <= MS);
    res = 0;
    CHECK_OK(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
    CHECK(res > 0 && res <= MS);

    CHECK_ERRNO(__wasi_clock_res_get(4, &res), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_res_get(0xffffffffu, &res), __WASI_ERRNO_INVAL);
}

static void check_cputime(__wasi_clockid_t id) {
    __wasi_timestamp_t res = 0, t = 0;
    __wasi_errno_t e = __wasi_clock_res_get(id, &res);
    CHECK_ERRNO2(e, __WASI_ERRNO_SUCCESS, __WASI_ERRNO_INVAL);
    if (e == __WASI_ERRNO_SUCCESS) {
        CHECK(res > 0);
        CHECK_OK(__wasi_clock_time_get(id, 0, &t));
    } else {
        CHECK_ERRNO(__wasi_clock_time_get(id, 0, &t), __WASI_ERRNO_INVAL);
    }
}

static void check_time(void) {
    __wasi_timestamp_t t = 0;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t));
    CHECK_MSG(t > 1577836800ull * SEC && t < 7258118400ull * SEC,
              "REALTIME %llu ns is not between 2020 and 2200", (unsigned long long)t);
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, UINT64_MAX, &t));
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, UINT64_MAX, &t));
    CHECK_ERRNO(__wasi_clock_time_get(4, 0, &t), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_time_get(0xffffffffu, 0, &t), __WASI_ERRNO_INVAL);

    /* MONOTONIC never goes backwards. */
    __wasi_timestamp_t prev = now_ns(__WASI_CLOCKID_MONOTONIC);
    for (int i = 0; i < 10000; i++) {
        __wasi_timestamp_t cur = now_ns(__WASI_CLOCKID_MONOTONIC);
        CHECK_MSG(cur >= prev, "MONOTONIC went back from %llu to %llu",
                  (unsigned long long)prev, (unsigned long long)cur);
        prev = cur;
    }

    /* Spin for 20 ms of MONOTONIC time; REALTIME moves by roughly as much. */
    __wasi_timestamp_t m0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    __wasi_timestamp_t r0 = now_ns(__WASI_CLOCKID_REALTIME);
    __wasi_timestamp_t m1 = m0;
    for (long i = 0; m1 < m0 + 20 * MS; i++) {
        CHECK_MSG(i < 100000000L, "MONOTONIC did not advance 20 ms during a long spin");
        m1 = now_ns(__WASI_CLOCKID_MONOTONIC);
    }
    __wasi_timestamp_t r1 = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK_MSG(r1 >= r0 + 10 * MS && r1 <= r0 + 2 * SEC,
              "REALTIME moved %lld ns while MONOTONIC moved %llu ns", (long long)(r1 - r0),
              (unsigned long long)(m1 - m0));

    /* libc agrees with the raw clock. */
    time_t secs = time(NULL);
    __wasi_timestamp_t r2 = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK((unsigned long long)secs + 2 >= r2 / SEC && (unsigned long long)secs <= r2 / SEC + 2);
}

int main(void) {
    check_resolution();
    check_cputime(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
    check_cputime(__WASI_CLOCKID_THREAD_CPUTIME_ID);
    check_time();
    return pass();
}
