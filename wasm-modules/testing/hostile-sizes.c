/* A guest that hands the host huge lengths and counts, each of which once made the host allocate JS objects in
 * proportion (exhausting the worker's JS heap, which Node 24 treats as fatal for the whole process). Each mode
 * prints the errno it got; the runtime goes on.
 *   hostile-sizes path LEN     path_open on the preopen fd 3 with a path "././." of LEN bytes (>= 4096: ENAMETOOLONG)
 *   hostile-sizes poll N       poll_oneoff with N clock subscriptions (> 16385: EINVAL)
 *   hostile-sizes fds          opens "." until it fails (EMFILE at fd 8192; a file is then not created),
 *                              closes them, then opens sockets likewise
 *   hostile-sizes resolve LEN  the WASIX resolve of a name of LEN bytes (> 512: ENAMETOOLONG) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define P1(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

P1(path_open) int32_t raw_path_open(int32_t fd, int32_t dirflags, const char *path, size_t len, int32_t oflags,
                                    int64_t base, int64_t inheriting, int32_t fdflags, int32_t *out);
P1(poll_oneoff) int32_t raw_poll_oneoff(const void *in, void *out, size_t n, size_t *nevents);
P1(fd_close) int32_t raw_fd_close(int32_t fd);
WASIX(sock_open) int32_t raw_sock_open(int32_t af, int32_t type, int32_t proto, int32_t *fd);
WASIX(resolve) int32_t raw_resolve(const char *host, size_t len, int32_t port, void *addrs, size_t naddrs, size_t *count);

static size_t arg(int argc, char **argv, size_t dflt) {
    return argc > 2 ? strtoul(argv[2], NULL, 10) : dflt;
}

static int path_mode(size_t len) {
    char *p = malloc(len);
    if (!p) { printf("no memory for %zu bytes\n", len); return 1; }
    for (size_t i = 0; i < len; i++) p[i] = i % 2 ? '/' : '.';
    int32_t fd = -1;
    int32_t err = raw_path_open(3, 0, p, len, __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd);
    printf("path_open of %zu bytes: errno %d\n", len, err);
    if (err == 0) raw_fd_close(fd);
    return 0;
}

static int poll_mode(size_t n) {
    __wasi_subscription_t *subs = calloc(n, sizeof *subs);
    __wasi_event_t *events = calloc(n, sizeof *events);
    if (!subs || !events) { printf("no memory for %zu subscriptions\n", n); return 1; }
    for (size_t i = 0; i < n; i++) {
        subs[i].userdata = i;
        subs[i].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[i].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[i].u.u.clock.timeout = 0;
    }
    size_t nevents = 0;
    int32_t err = raw_poll_oneoff(subs, events, n, &nevents);
    printf("poll_oneoff of %zu subscriptions: errno %d, %zu events\n", n, err, nevents);
    return 0;
}

static int fds_mode(void) {
    int32_t fd = -1, last = -1, err;
    size_t n = 0;
    while ((err = raw_path_open(3, 0, ".", 1, __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd)) == 0) { last = fd; n++; }
    printf("opened %zu directories, the last fd %d: errno %d\n", n, last, err);
    err = raw_path_open(3, 0, "new", 3, __WASI_OFLAGS_CREAT, 0, 0, 0, &fd);
    printf("creating a file with no fd free: errno %d\n", err);
    for (int32_t i = 4; i <= last; i++) raw_fd_close(i);
    err = raw_path_open(3, 0, "new", 3, 0, 0, 0, 0, &fd);
    printf("then opening it: errno %d\n", err);
    if (err == 0) raw_fd_close(fd);
    n = 0;
    last = -1;
    while ((err = raw_sock_open(1, 1, 0, &fd)) == 0) { last = fd; n++; }
    printf("opened %zu sockets, the last fd %d: errno %d\n", n, last, err);
    return 0;
}

static int resolve_mode(size_t len) {
    char *name = malloc(len);
    static uint8_t addrs[4][110];
    if (!name) { printf("no memory for %zu bytes\n", len); return 1; }
    /* "0:0:0:...": it looks like an IPv6 literal, which the host would split at every colon. */
    for (size_t i = 0; i < len; i++) name[i] = i % 2 ? ':' : '0';
    size_t count = 0;
    int32_t err = raw_resolve(name, len, 0, addrs, 4, &count);
    printf("resolve of a name of %zu bytes: errno %d\n", len, err);
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "path") == 0) return path_mode(arg(argc, argv, 64u << 20));
    if (strcmp(mode, "poll") == 0) return poll_mode(arg(argc, argv, 2u << 20));
    if (strcmp(mode, "fds") == 0) return fds_mode();
    if (strcmp(mode, "resolve") == 0) return resolve_mode(arg(argc, argv, 192u << 20));
    fprintf(stderr, "usage: hostile-sizes path|poll|fds|resolve [N]\n");
    return 2;
}
