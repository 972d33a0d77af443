/* netbench: the two ends of bench/net.js's socket benchmark, the same C built for wasm and natively.
 *
 *   netbench server PORT [CONNS]        serve CONNS connections one after another (default 2; 0: forever).
 *                                       A connection's first byte picks the test: 'B' bulk (read to EOF,
 *                                       answer the byte count as 8 bytes little-endian), 'P' ping-pong
 *                                       (answer each byte with one byte until EOF).
 *   netbench bulk HOST PORT BYTES CHUNK send BYTES in CHUNK-byte writes, half-close, check the server's count.
 *   netbench rr HOST PORT COUNT         COUNT 1-byte round trips, each timed.
 * The clients print one JSON line: bulk {"bytes","seconds","MiBps"}; rr {"count","p50_us","p99_us","mean_us"}.
 * Clients retry the connection for up to 10 s, so server and client can start together. */
#include "wasmpod_socket.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "netbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void send_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, 0);
        if (k < 0) die("send");
        c += k;
        n -= (size_t)k;
    }
}

static void recv_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t k = recv(fd, c, n, 0);
        if (k < 0) die("recv");
        if (k == 0) {
            fprintf(stderr, "netbench: connection closed early\n");
            exit(1);
        }
        c += k;
        n -= (size_t)k;
    }
}

static void no_delay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("setsockopt TCP_NODELAY");
}

static int dial(const char *host, const char *port) {
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "netbench: %s: %s\n", host, gai_strerror(rc));
        exit(1);
    }
    for (int attempt = 0; attempt < 1000; attempt++) {
        int fd = socket(res->ai_family, res->ai_socktype, 0);
        if (fd < 0) die("socket");
        if (connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
            freeaddrinfo(res);
            no_delay(fd);
            return fd;
        }
        if (errno != ECONNREFUSED) die("connect");
        close(fd);
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    die("connect (gave up after 10 s)");
    return -1;
}

static void serve_one(int fd) {
    static char buf[1 << 16];
    char mode;
    no_delay(fd);
    recv_all(fd, &mode, 1);
    if (mode == 'B') {
        uint64_t total = 0;
        for (;;) {
            ssize_t k = recv(fd, buf, sizeof buf, 0);
            if (k < 0) die("recv");
            if (k == 0) break;
            total += (uint64_t)k;
        }
        unsigned char le[8];
        for (int i = 0; i < 8; i++) le[i] = (unsigned char)(total >> (8 * i));
        send_all(fd, le, 8);
    } else if (mode == 'P') {
        for (;;) {
            ssize_t k = recv(fd, buf, 1, 0);
            if (k < 0) die("recv");
            if (k == 0) break;
            send_all(fd, buf, 1);
        }
    } else {
        fprintf(stderr, "netbench: unknown mode byte %d\n", mode);
    }
    close(fd);
}

static int server(const char *port, int conns) {
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if (getaddrinfo(NULL, port, &hints, &res) != 0) die("getaddrinfo");
    int lfd = socket(res->ai_family, res->ai_socktype, 0);
    int one = 1;
    if (lfd < 0) die("socket");
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, res->ai_addr, res->ai_addrlen) != 0) die("bind");
    if (listen(lfd, 16) != 0) die("listen");
    freeaddrinfo(res);
    for (int served = 0; conns == 0 || served < conns; served++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) die("accept");
        serve_one(fd);
    }
    close(lfd);
    return 0;
}

static int bulk(const char *host, const char *port, uint64_t bytes, size_t chunk) {
    char *buf = malloc(chunk);
    if (!buf || chunk == 0) die("malloc");
    memset(buf, 'x', chunk);
    int fd = dial(host, port);
    double t0 = now_s();
    send_all(fd, "B", 1);
    for (uint64_t left = bytes; left > 0;) {
        size_t n = left < chunk ? (size_t)left : chunk;
        send_all(fd, buf, n);
        left -= n;
    }
    if (shutdown(fd, SHUT_WR) != 0) die("shutdown");
    unsigned char le[8];
    recv_all(fd, le, 8);
    double dt = now_s() - t0;
    uint64_t got = 0;
    for (int i = 0; i < 8; i++) got |= (uint64_t)le[i] << (8 * i);
    close(fd);
    if (got != bytes) {
        fprintf(stderr, "netbench: server counted %llu bytes, sent %llu\n", (unsigned long long)got, (unsigned long long)bytes);
        return 1;
    }
    printf("{\"bytes\":%llu,\"seconds\":%.6f,\"MiBps\":%.1f}\n", (unsigned long long)bytes, dt, (double)bytes / dt / 1048576.0);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int rr(const char *host, const char *port, int count) {
    double *t = malloc(sizeof(double) * (size_t)count);
    if (!t) die("malloc");
    int fd = dial(host, port);
    send_all(fd, "P", 1);
    double sum = 0;
    for (int i = 0; i < count; i++) {
        char c = (char)i;
        double t0 = now_s();
        send_all(fd, &c, 1);
        recv_all(fd, &c, 1);
        t[i] = (now_s() - t0) * 1e6;
        sum += t[i];
    }
    close(fd);
    qsort(t, (size_t)count, sizeof *t, cmp_double);
    printf("{\"count\":%d,\"p50_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f}\n", count, t[count / 2],
           t[(int)((double)count * 0.99)], sum / count);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "server") == 0) return server(argv[2], argc > 3 ? atoi(argv[3]) : 2);
    if (argc == 6 && strcmp(argv[1], "bulk") == 0) return bulk(argv[2], argv[3], strtoull(argv[4], NULL, 10), (size_t)atol(argv[5]));
    if (argc == 5 && strcmp(argv[1], "rr") == 0 && atoi(argv[4]) > 0) return rr(argv[2], argv[3], atoi(argv[4]));
    fprintf(stderr, "usage: netbench server PORT [CONNS] | bulk HOST PORT BYTES CHUNK | rr HOST PORT COUNT\n");
    return 2;
}
