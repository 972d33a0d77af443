/* wasmpod_socket_impl.h: the bodies of wasmpod_socket.h's BSD calls over wasix_32v1; include wasmpod_socket.h, not this. */
#ifndef WASMPOD_SOCKET_IMPL_H
#define WASMPOD_SOCKET_IMPL_H

/* WASIX constants (docs/network.md) */
#define WASMPOD_AF_INET4 1
#define WASMPOD_AF_INET6 2
#define WASMPOD_SOCK_STREAM 1
#define WASMPOD_SOCK_DGRAM 2
#define WASMPOD_FDFLAG_NONBLOCK 4
#define WASMPOD_SEND_DONT_WAIT 1
#define WASMPOD_RECV_PEEK 1
#define WASMPOD_RECV_WAITALL 2
#define WASMPOD_RECV_DONT_WAIT 8

static inline int wasmpod_fail(int32_t err) {
    errno = err;
    return -1;
}

/* A sockaddr as __wasi_addr_port_t: 0, or an errno. */
static inline int32_t wasmpod_to_wasix(const struct sockaddr *sa, socklen_t len, wasmpod_addr_port *out) {
    memset(out, 0, sizeof *out);
    if (!sa) return EFAULT;
    if (sa->sa_family == AF_INET) {
        if (len < sizeof(struct sockaddr_in)) return EINVAL;
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uint16_t port = ntohs(in->sin_port);
        out->b[0] = WASMPOD_AF_INET4;
        memcpy(out->b + 2, &port, 2);
        memcpy(out->b + 4, &in->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        if (len < sizeof(struct sockaddr_in6)) return EINVAL;
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        uint16_t port = ntohs(in6->sin6_port);
        out->b[0] = WASMPOD_AF_INET6;
        memcpy(out->b + 2, &port, 2);
        memcpy(out->b + 4, &in6->sin6_addr, 16);
        return 0;
    }
    return EAFNOSUPPORT;
}

/* A __wasi_addr_port_t into a caller's sockaddr buffer, truncated to *len as POSIX says; *len gets the full size. */
static inline void wasmpod_from_wasix(const wasmpod_addr_port *a, struct sockaddr *sa, socklen_t *len) {
    if (!sa || !len) return;
    struct sockaddr_storage ss;
    socklen_t size;
    uint16_t port;
    memset(&ss, 0, sizeof ss);
    memcpy(&port, a->b + 2, 2);
    if (a->b[0] == WASMPOD_AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, a->b + 4, 16);
        size = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, a->b + 4, 4);
        size = sizeof *in;
    }
    memcpy(sa, &ss, *len < size ? *len : size);
    *len = size;
}

static inline int wasmpod_socket(int domain, int type, int protocol) {
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    int32_t af = domain == AF_INET ? WASMPOD_AF_INET4 : domain == AF_INET6 ? WASMPOD_AF_INET6 : 0;
    int32_t st = base == SOCK_STREAM ? WASMPOD_SOCK_STREAM : base == SOCK_DGRAM ? WASMPOD_SOCK_DGRAM : 0;
    if (!af) return wasmpod_fail(EAFNOSUPPORT);
    if (!st) return wasmpod_fail(EPROTONOSUPPORT);
    int32_t fd;
    int32_t err = wasmpod_wasix_sock_open(af, st, protocol, &fd);
    if (err) return wasmpod_fail(err);
    if ((type & SOCK_NONBLOCK) && (err = __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK)) != 0) {
        close(fd);
        return wasmpod_fail(err);
    }
    return fd;
}

static inline int wasmpod_bind(int fd, const struct sockaddr *sa, socklen_t len) {
    wasmpod_addr_port a;
    int32_t err = wasmpod_to_wasix(sa, len, &a);
    if (!err) err = wasmpod_wasix_sock_bind(fd, &a);
    return err ? wasmpod_fail(err) : 0;
}

static inline int wasmpod_connect(int fd, const struct sockaddr *sa, socklen_t len) {
    wasmpod_addr_port a;
    int32_t err = wasmpod_to_wasix(sa, len, &a);
    if (!err) err = wasmpod_wasix_sock_connect(fd, &a);
    return err ? wasmpod_fail(err) : 0;
}

static inline int wasmpod_listen(int fd, int backlog) {
    int32_t err = wasmpod_wasix_sock_listen(fd, backlog);
    return err ? wasmpod_fail(err) : 0;
}

static inline int wasmpod_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags) {
    int32_t out;
    wasmpod_addr_port peer;
    int32_t err = wasmpod_wasix_sock_accept_v2(fd, (flags & SOCK_NONBLOCK) ? WASMPOD_FDFLAG_NONBLOCK : 0, &out, &peer);
    if (err) return wasmpod_fail(err);
    wasmpod_from_wasix(&peer, sa, len);
    return out;
}

static inline int wasmpod_accept(int fd, struct sockaddr *sa, socklen_t *len) {
    return wasmpod_accept4(fd, sa, len, 0);
}

static inline ssize_t wasmpod_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa, socklen_t salen) {
    __wasi_ciovec_t iov = { (const uint8_t *)buf, len };
    int32_t sflags = (flags & MSG_DONTWAIT) ? WASMPOD_SEND_DONT_WAIT : 0;
    uint32_t sent = 0;
    int32_t err;
    if (sa) {
        wasmpod_addr_port a;
        err = wasmpod_to_wasix(sa, salen, &a);
        if (!err) err = wasmpod_wasix_sock_send_to(fd, &iov, 1, sflags, &a, &sent);
    } else {
        err = wasmpod_wasix_sock_send(fd, &iov, 1, sflags, &sent);
    }
    return err ? wasmpod_fail(err) : (ssize_t)sent;
}

static inline ssize_t wasmpod_send(int fd, const void *buf, size_t len, int flags) {
    return wasmpod_sendto(fd, buf, len, flags, NULL, 0);
}

static inline ssize_t wasmpod_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *sa, socklen_t *salen) {
    __wasi_iovec_t iov = { (uint8_t *)buf, len };
    int32_t rflags = ((flags & MSG_PEEK) ? WASMPOD_RECV_PEEK : 0) | ((flags & MSG_WAITALL) ? WASMPOD_RECV_WAITALL : 0) |
                     ((flags & MSG_DONTWAIT) ? WASMPOD_RECV_DONT_WAIT : 0);
    uint32_t got = 0;
    uint16_t oflags = 0;
    int32_t err;
    if (sa && salen) {
        wasmpod_addr_port from;
        err = wasmpod_wasix_sock_recv_from(fd, &iov, 1, rflags, &got, &oflags, &from);
        if (!err) wasmpod_from_wasix(&from, sa, salen);
    } else {
        err = wasmpod_wasix_sock_recv(fd, &iov, 1, rflags, &got, &oflags);
    }
    return err ? wasmpod_fail(err) : (ssize_t)got;
}

static inline ssize_t wasmpod_recv(int fd, void *buf, size_t len, int flags) {
    return wasmpod_recvfrom(fd, buf, len, flags, NULL, NULL);
}

static inline int wasmpod_shutdown(int fd, int how) {
    int32_t bits = how == SHUT_RD ? 1 : how == SHUT_WR ? 2 : how == SHUT_RDWR ? 3 : 0;
    if (!bits) return wasmpod_fail(EINVAL);
    int32_t err = wasmpod_wasix_sock_shutdown(fd, bits);
    return err ? wasmpod_fail(err) : 0;
}

static inline int wasmpod_getsockname(int fd, struct sockaddr *sa, socklen_t *len) {
    wasmpod_addr_port a;
    int32_t err = wasmpod_wasix_sock_addr_local(fd, &a);
    if (err) return wasmpod_fail(err);
    wasmpod_from_wasix(&a, sa, len);
    return 0;
}

static inline int wasmpod_getpeername(int fd, struct sockaddr *sa, socklen_t *len) {
    wasmpod_addr_port a;
    int32_t err = wasmpod_wasix_sock_addr_peer(fd, &a);
    if (err) return wasmpod_fail(err);
    wasmpod_from_wasix(&a, sa, len);
    return 0;
}

/* How a (level, name) pair maps onto a WASIX option: kind 'f' flag, 's' size, 't' time (timeval), 'l' linger. */
static inline int wasmpod_option(int level, int name, int32_t *opt, char *kind) {
    static const struct { int level, name; int32_t opt; char kind; } map[] = {
        { SOL_SOCKET, SO_REUSEPORT, 1, 'f' }, { SOL_SOCKET, SO_REUSEADDR, 2, 'f' },
        { SOL_SOCKET, SO_BROADCAST, 6, 'f' }, { SOL_SOCKET, SO_KEEPALIVE, 12, 'f' },
        { SOL_SOCKET, SO_LINGER, 13, 'l' }, { SOL_SOCKET, SO_RCVBUF, 15, 's' }, { SOL_SOCKET, SO_SNDBUF, 16, 's' },
        { SOL_SOCKET, SO_RCVTIMEO, 19, 't' }, { SOL_SOCKET, SO_SNDTIMEO, 20, 't' },
        { SOL_SOCKET, SO_ERROR, 11, 's' }, { SOL_SOCKET, SO_TYPE, 25, 's' },
        { IPPROTO_TCP, TCP_NODELAY, 3, 'f' }, { IPPROTO_IPV6, IPV6_V6ONLY, 5, 'f' }, { IPPROTO_IP, IP_TTL, 23, 's' },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (map[i].level == level && map[i].name == name) {
            *opt = map[i].opt;
            *kind = map[i].kind;
            return 1;
        }
    }
    return 0;
}

static inline int wasmpod_setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    int32_t opt, err;
    char kind;
    if (!wasmpod_option(level, name, &opt, &kind) || name == SO_ERROR || name == SO_TYPE) return wasmpod_fail(ENOPROTOOPT);
    if (!val) return wasmpod_fail(EFAULT);
    struct { uint8_t tag; uint8_t pad[7]; uint64_t ns; } t = { 0, {0}, 0 };
    if (kind == 't') {
        if (len < sizeof(struct timeval)) return wasmpod_fail(EINVAL);
        const struct timeval *tv = val;
        if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000) return wasmpod_fail(EDOM);
        t.ns = (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
        t.tag = t.ns != 0;  /* a zero timeval means "no timeout" */
        err = wasmpod_wasix_sock_set_opt_time(fd, opt, &t);
    } else if (kind == 'l') {
        if (len < sizeof(struct linger)) return wasmpod_fail(EINVAL);
        const struct linger *l = val;
        t.tag = l->l_onoff != 0;
        t.ns = (uint64_t)(l->l_linger < 0 ? 0 : l->l_linger) * 1000000000u;
        err = wasmpod_wasix_sock_set_opt_time(fd, opt, &t);
    } else {
        if (len < sizeof(int)) return wasmpod_fail(EINVAL);
        int v = *(const int *)val;
        err = kind == 'f' ? wasmpod_wasix_sock_set_opt_flag(fd, opt, v != 0) : wasmpod_wasix_sock_set_opt_size(fd, opt, v);
    }
    return err ? wasmpod_fail(err) : 0;
}

/* Flags and sizes (SO_TYPE answers SOCK_STREAM or SOCK_DGRAM, SO_ERROR the pending error); times are not readable here. */
static inline int wasmpod_getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
    int32_t opt, err;
    char kind;
    if (!wasmpod_option(level, name, &opt, &kind) || kind == 't' || kind == 'l') return wasmpod_fail(ENOPROTOOPT);
    if (!val || !len) return wasmpod_fail(EFAULT);
    if (*len < sizeof(int)) return wasmpod_fail(EINVAL);
    int v;
    if (kind == 'f') {
        uint8_t flag = 0;
        err = wasmpod_wasix_sock_get_opt_flag(fd, opt, &flag);
        v = flag;
    } else {
        uint64_t size = 0;
        err = wasmpod_wasix_sock_get_opt_size(fd, opt, &size);
        v = (int)size;
        if (name == SO_TYPE && level == SOL_SOCKET) v = size == WASMPOD_SOCK_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
    }
    if (err) return wasmpod_fail(err);
    *(int *)val = v;
    *len = sizeof(int);
    return 0;
}

#include "wasmpod_getaddrinfo.h"

#endif
