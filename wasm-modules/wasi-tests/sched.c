/* sched_yield.
 *
 * Checks: sched_yield succeeds, also many times in a row, and does not block (10000 calls
 * take well under 5 seconds).
 */
#include "check.h"

int main(void) {
    __wasi_timestamp_t t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
    for (int i = 0; i < 10000; i++) CHECK_OK(__wasi_sched_yield());
    __wasi_timestamp_t elapsed = now_ns(__WASI_CLOCKID_MONOTONIC) - t0;
    CHECK_MSG(elapsed < 5000000000ull, "10000 sched_yield calls took %llu ms",
              (unsigned long long)(elapsed / 1000000));
    return pass();
}
