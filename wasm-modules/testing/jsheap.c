/* A guest that asks the host for millions of iovecs: one fd_write with argv[1] empty iovecs (default 8 Mi).
 * More than IOV_MAX (1024) is EINVAL, as writev answers; the runtime goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 8u << 20;
    __wasi_ciovec_t *iov = calloc(n, sizeof *iov);
    if (!iov) { fprintf(stderr, "no memory for %zu iovecs\n", n); return 1; }
    static const char empty[1];
    for (size_t i = 0; i < n; i++) { iov[i].buf = (const uint8_t *)empty; iov[i].buf_len = 0; }
    printf("writing %zu iovecs\n", n);
    fflush(stdout);
    __wasi_size_t written = 0;
    __wasi_errno_t err = __wasi_fd_write(1, iov, n, &written);
    printf("fd_write returned %d, %u bytes\n", err, (unsigned)written);
    return 0;
}
