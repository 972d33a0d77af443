/*
 * Listening sockets for the C server guests (httpd, grpc-health): one opened on an address and port, or
 * those handed over in LISTEN_FDS; and O_NONBLOCK. Plain BSD calls, so the same code builds natively.
 */
#ifndef WASMPOD_LISTENERS_H
#define WASMPOD_LISTENERS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A listening TCP socket on the numeric `addr` and `port`, or -1 after a message prefixed with `prog`. */
static inline int listen_on(const char *prog, const char *addr, const char *port, int backlog) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    int rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "%s: bad address %s port %s: %s\n", prog, addr, port, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype, 0), one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) fprintf(stderr, "%s: cannot listen on %s:%s: %s\n", prog, addr, port, strerror(errno));
    freeaddrinfo(res);
    return fd;
}

static inline int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* The stream listeners handed over in LISTEN_FDS (from LISTEN_FDS_START, systemd's 3 when unset): their count. */
static inline int inherited_listeners(int *lfds, int max) {
    const char *n = getenv("LISTEN_FDS"), *start = getenv("LISTEN_FDS_START");
    int count = n ? atoi(n) : 0, first = start ? atoi(start) : 3, found = 0;
    for (int i = 0; i < count && found < max; i++) {
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(first + i, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM) lfds[found++] = first + i;
    }
    return found;
}

#endif
