/* Hostile guest: calls proc_exit(3) from 5000 frames deep. The runtime must unwind it all and
 * report exit code 3 (reason "Error"), with "entering\n" on stdout and nothing from after the
 * call, and keep running other guests. */
#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

static void out(const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    size_t n;
    (void)__wasi_fd_write(1, &iov, 1, &n);
}

static uint32_t descend(uint32_t depth);
static uint32_t (*volatile next)(uint32_t) = descend;

static uint32_t descend(uint32_t depth) {
    if (depth == 5000) __wasi_proc_exit(3);
    uint32_t r = next(depth + 1);
    out("returned from proc_exit\n");
    return r + depth;
}

int main(void) {
    out("entering\n");
    next(0);
    out("after descend\n");
    return 0;
}
