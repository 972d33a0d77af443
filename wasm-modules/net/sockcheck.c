/* sockcheck: checks wasmpod_socket.h's BSD calls end to end inside one container (and, built natively, against
 * Linux, to show the checks themselves are right): getaddrinfo, getsockname/getpeername, accept4 with
 * SOCK_NONBLOCK and EAGAIN, half-close, IPv6, UDP sendto/recvfrom with source addresses, SO_RCVTIMEO,
 * SO_TYPE, EADDRINUSE, bad options and families. Prints one line per check; exits with the number that failed. */
#define _GNU_SOURCE /* accept4, natively */
#include "wasmpod_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

/* Evaluates `cond` once (it has side effects); a failure also shows errno. */
#define CHECK(cond, ...) do { \
    int ok_ = (cond), errno_ = errno; \
    printf(ok_ ? "ok   " : "FAIL "); \
    printf(__VA_ARGS__); \
    if (!ok_) { printf(" (errno: %s)", strerror(errno_)); failures++; } \
    printf("\n"); } while (0)

static struct sockaddr_in v4(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int port_of(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void check_names(void) {
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo("localhost", "80", &hints, &res);
    int v4_loop = 0;
    for (ai = rc == 0 ? res : NULL; ai; ai = ai->ai_next) {
        struct sockaddr_in *in = (struct sockaddr_in *)ai->ai_addr;
        if (ai->ai_family == AF_INET && in->sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(in->sin_port) == 80) v4_loop = 1;
    }
    CHECK(rc == 0 && v4_loop, "getaddrinfo(localhost, 80) gives 127.0.0.1:80");
    if (rc == 0) freeaddrinfo(res);
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = AF_INET;
    rc = getaddrinfo(NULL, "8080", &hints, &res);
    CHECK(rc == 0 && ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr == htonl(INADDR_ANY), "getaddrinfo(NULL, 8080, AI_PASSIVE) gives 0.0.0.0");
    if (rc == 0) freeaddrinfo(res);
    hints.ai_flags = 0;
    CHECK(getaddrinfo("no-such-host.invalid", "80", &hints, &res) == EAI_NONAME, "an unknown name is EAI_NONAME");
    CHECK(getaddrinfo("localhost", "no-such-service", &hints, &res) != 0, "an unknown service fails");
}

static void check_tcp(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = v4("127.0.0.1", 0);
    CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0, "listen on 127.0.0.1:0");
    int port = port_of(l);
    CHECK(port > 0, "getsockname gives the ephemeral port %d", port);
    int again = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in same = v4("127.0.0.1", port);
    CHECK(bind(again, (struct sockaddr *)&same, sizeof same) != 0 && errno == EADDRINUSE, "a second bind to the port is EADDRINUSE");
    close(again);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&same, sizeof same) == 0, "connect to it");
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int s = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK);
    CHECK(s >= 0 && plen == sizeof peer && peer.sin_family == AF_INET, "accept4 returns the peer's address");
    CHECK(ntohs(peer.sin_port) == port_of(c), "the peer's port is the client's own (%d)", port_of(c));
    struct sockaddr_in pn;
    socklen_t pnlen = sizeof pn;
    CHECK(getpeername(c, (struct sockaddr *)&pn, &pnlen) == 0 && ntohs(pn.sin_port) == port, "getpeername on the client gives the server port");
    char buf[16];
    CHECK(recv(s, buf, sizeof buf, 0) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "recv on an empty SOCK_NONBLOCK socket is EAGAIN");
    CHECK(send(c, "hello", 5, 0) == 5, "send 5 bytes");
    ssize_t n = -1;
    for (int i = 0; i < 1000 && n < 0; i++) n = recv(s, buf, sizeof buf, 0);  /* nonblocking: retry until it arrived */
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "the server received them");
    CHECK(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
    int flags = fcntl(s, F_GETFL);
    fcntl(s, F_SETFL, flags & ~O_NONBLOCK);
    CHECK(recv(s, buf, sizeof buf, 0) == 0, "then the server reads EOF");
    CHECK(send(s, "bye", 3, 0) == 3 && recv(c, buf, sizeof buf, 0) == 3, "the other direction still works after the half-close");
    struct timeval tv = { 0, 50 * 1000 };
    CHECK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO 50 ms");
    double t0 = now_ms();
    CHECK(recv(c, buf, sizeof buf, 0) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && now_ms() - t0 >= 40, "a recv then times out with EAGAIN");
    int type = 0;
    socklen_t tlen = sizeof type;
    CHECK(getsockopt(c, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_STREAM, "SO_TYPE is SOCK_STREAM");
    int one = 1;
    CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "TCP_NODELAY");
    CHECK(setsockopt(c, SOL_SOCKET, 12345, &one, sizeof one) != 0 && errno == ENOPROTOOPT, "an unknown option is ENOPROTOOPT");
    close(c);
    close(s);
    close(l);
}

static void check_ipv6(void) {
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0, "listen on [::1]:0");
    a.sin6_port = htons((unsigned short)port_of(l));
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect to [::1]:%d", ntohs(a.sin6_port));
    struct sockaddr_in6 peer;
    socklen_t plen = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &plen);
    CHECK(s >= 0 && peer.sin6_family == AF_INET6 && memcmp(&peer.sin6_addr, &in6addr_loopback, 16) == 0, "the peer is ::1");
    close(c);
    close(s);
    close(l);
}

static void check_udp(void) {
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = v4("127.0.0.1", 0);
    CHECK(bind(a, (struct sockaddr *)&any, sizeof any) == 0 && bind(b, (struct sockaddr *)&any, sizeof any) == 0, "two UDP sockets bound");
    struct sockaddr_in to = v4("127.0.0.1", port_of(b));
    CHECK(sendto(a, "one", 3, 0, (struct sockaddr *)&to, sizeof to) == 3 && sendto(a, "second", 6, 0, (struct sockaddr *)&to, sizeof to) == 6, "sendto twice");
    char buf[16];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n1 = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    CHECK(n1 == 3 && ntohs(from.sin_port) == port_of(a), "recvfrom: the first datagram alone, from the sender's port");
    CHECK(recvfrom(b, buf, sizeof buf, 0, NULL, NULL) == 6, "then the second, its boundary kept");
    int type = 0;
    socklen_t tlen = sizeof type;
    CHECK(getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_DGRAM, "SO_TYPE is SOCK_DGRAM");
    close(a);
    close(b);
}

int main(void) {
    check_names();
    check_tcp();
    check_ipv6();
    check_udp();
    CHECK(socket(12345, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT, "an unknown address family is EAFNOSUPPORT");
    printf("%d failed\n", failures);
    return failures;
}
