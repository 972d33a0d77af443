/* httpd: a small HTTP/1.1 server for pods, in C over BSD sockets (wasmpod_socket.h on wasm, the system's natively).
 *
 * Usage: httpd [-p PORT] [-b ADDR] [-r ROOT] [-v]
 *   -p PORT  port to listen on; without -p, the listeners passed in LISTEN_FDS (wasmpod pre-opens one per
 *            declared containerPort, docs/network.md; systemd socket activation natively), else 8080
 *   -b ADDR  address to bind with -p (default 0.0.0.0)
 *   -r ROOT  directory to serve GET and HEAD from (default: none, every file is 404)
 *   -v       log every request header, not only the request line
 * Routes: /echo... answers 200 with the request itself (request line, headers, body) as text/plain;
 * /status/NNN answers status NNN; anything else is a file under ROOT (a directory serves its index.html).
 * Many clients at once through one poll() loop (poll_oneoff on wasm) over non-blocking sockets; keep-alive
 * and pipelining per HTTP/1.1; 400 for a malformed request, 404, 405, 413, 431, 501, 505 as the RFCs say.
 * Each response is logged to stdout as "METHOD TARGET STATUS BYTES". When WASMPOD_TERMINATION_FD is set
 * (docs/lifecycle.md) the server polls it too and exits 0 when the pod asks it to stop. */
#include "wasmpod_socket.h"
#include "http-server.h"
#include "listeners.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_LISTENERS 8

static struct conn conns[MAX_CONNS];

static void accept_all(int lfd) {
    for (;;) {
        int slot = -1;
        for (int i = 0; i < MAX_CONNS; i++) if (conns[i].fd < 0) { slot = i; break; }
        if (slot < 0) return;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) perror("httpd: accept");
            return;
        }
        if (set_nonblocking(fd) != 0) {
            perror("httpd: fcntl O_NONBLOCK");
            close(fd);
            continue;
        }
        conn_open(&conns[slot], fd);
    }
}

int main(int argc, char **argv) {
    const char *port = NULL, *addr = "0.0.0.0";
    struct server srv = { .root = NULL, .verbose = 0 };
    int opt;
    while ((opt = getopt(argc, argv, "p:b:r:v")) != -1) {
        switch (opt) {
        case 'p': port = optarg; break;
        case 'b': addr = optarg; break;
        case 'r': srv.root = optarg; break;
        case 'v': srv.verbose = 1; break;
        default:
            fprintf(stderr, "usage: httpd [-p PORT] [-b ADDR] [-r ROOT] [-v]\n");
            return 2;
        }
    }
    int lfds[MAX_LISTENERS], nl = port ? 0 : inherited_listeners(lfds, MAX_LISTENERS);
    if (nl == 0) {
        lfds[0] = listen_on("httpd", addr, port ? port : "8080", 128);
        if (lfds[nl++] < 0) return 1;
        printf("httpd: listening on %s:%s", addr, port ? port : "8080");
    } else {
        printf("httpd: serving %d listener(s) from LISTEN_FDS", nl);
    }
    for (int i = 0; i < nl; i++) {
        if (set_nonblocking(lfds[i]) != 0) {
            perror("httpd: fcntl O_NONBLOCK");
            return 1;
        }
    }
    printf("%s%s\n", srv.root ? ", files from " : "", srv.root ? srv.root : "");
    fflush(stdout);
    const char *tenv = getenv("WASMPOD_TERMINATION_FD");
    int term_fd = tenv ? atoi(tenv) : -1;
    for (int i = 0; i < MAX_CONNS; i++) conns[i].fd = -1;

    struct pollfd pfds[MAX_CONNS + MAX_LISTENERS + 1];
    int owner[MAX_CONNS + MAX_LISTENERS + 1];
    for (;;) {
        /* A lingering connection is closed at its deadline even if its client never sends or closes. */
        long long next = -1, now = now_ms();
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0 || !conns[i].linger_until) continue;
            if (conns[i].linger_until <= now) { conn_close(&conns[i]); continue; }
            if (next < 0 || conns[i].linger_until - now < next) next = conns[i].linger_until - now;
        }
        int n = 0, active = 0;
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0) continue;
            active++;
            pfds[n] = (struct pollfd){ conns[i].fd, conn_wants_write(&conns[i]) ? POLLOUT : POLLIN, 0 };
            owner[n++] = i;
        }
        int first_listener = n, tidx = -1;
        if (active < MAX_CONNS) {
            for (int i = 0; i < nl; i++) pfds[n++] = (struct pollfd){ lfds[i], POLLIN, 0 };
        }
        int end_listeners = n;
        if (term_fd >= 0) { tidx = n; pfds[n++] = (struct pollfd){ term_fd, POLLIN, 0 }; }
        if (poll(pfds, n, (int)next) < 0) {
            if (errno == EINTR) continue;
            perror("httpd: poll");
            return 1;
        }
        if (tidx >= 0 && pfds[tidx].revents) {
            printf("httpd: asked to stop, closing %d connection(s)\n", active);
            fflush(stdout);
            for (int i = 0; i < MAX_CONNS; i++) if (conns[i].fd >= 0) conn_close(&conns[i]);
            for (int i = 0; i < nl; i++) close(lfds[i]);
            return 0;
        }
        for (int k = 0; k < first_listener; k++) {
            if (pfds[k].revents) conn_step(&srv, &conns[owner[k]]);
        }
        for (int k = first_listener; k < end_listeners; k++) {
            if (pfds[k].revents) accept_all(pfds[k].fd);
        }
    }
}
