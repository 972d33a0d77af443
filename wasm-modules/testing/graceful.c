/* A guest that handles the termination notice (docs/lifecycle.md): it finds the notice's fd in
 * WASMPOD_TERMINATION_FD and waits on it with poll_oneoff. `graceful` cleans up and exits 0 when the
 * notice comes; `graceful ignore` arms the notice (polls it once) and then never stops by itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    const char *env = getenv("WASMPOD_TERMINATION_FD");
    if (!env) { fprintf(stderr, "WASMPOD_TERMINATION_FD is not set\n"); return 2; }
    int fd = atoi(env);
    int ignore = argc > 1 && strcmp(argv[1], "ignore") == 0;
    __wasi_subscription_t sub = { .userdata = 1, .u = { .tag = __WASI_EVENTTYPE_FD_READ, .u = { .fd_read = { .file_descriptor = fd } } } };
    /* Polling the notice once arms it (the handler is installed) before the line below says so: a pod
     * deleted right after it sees the line gets the notice, not SIGTERM's default action. */
    __wasi_subscription_t subs[2] = { sub, { .userdata = 2, .u = { .tag = __WASI_EVENTTYPE_CLOCK,
        .u = { .clock = { .id = __WASI_CLOCKID_MONOTONIC, .timeout = 0 } } } } };
    __wasi_event_t evs[2];
    __wasi_size_t got;
    (void)!__wasi_poll_oneoff(subs, evs, 2, &got);
    printf("waiting on fd %d\n", fd);
    fflush(stdout);
    if (ignore) {
        __wasi_event_t ev[2];
        __wasi_size_t n;
        for (;;) {
            __wasi_subscription_t nap = { .userdata = 3, .u = { .tag = __WASI_EVENTTYPE_CLOCK,
                .u = { .clock = { .id = __WASI_CLOCKID_MONOTONIC, .timeout = 1000000000ull } } } };
            (void)!__wasi_poll_oneoff(&nap, ev, 1, &n);
        }
    }
    __wasi_event_t ev;
    __wasi_size_t n;
    __wasi_errno_t err = __wasi_poll_oneoff(&sub, &ev, 1, &n);
    if (err) { fprintf(stderr, "poll_oneoff: %d\n", err); return 3; }
    printf("termination notice received, cleaning up\n");
    return 0;
}
