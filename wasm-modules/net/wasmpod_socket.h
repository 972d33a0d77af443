/* wasmpod_socket.h: the BSD socket calls (socket, bind, listen, accept, connect, send, recv, sendto, recvfrom,
 * shutdown, getaddrinfo, getsockname, getpeername, setsockopt, getsockopt) for C guests, over the WASIX
 * `wasix_32v1` socket imports that wasmpod provides (docs/network.md). Built natively (not __wasi__), it only
 * includes the system's socket headers, so the same program also runs as a host process (bench/net.js).
 *
 * Why macros: wasi-libc declares, and for some defines, several of these names itself (accept, recv, send,
 * shutdown, getsockopt over WASI preview1; newer versions more). Defining functions of the same names would
 * depend on link order. So each call is a `static` function named `wasmpod_<name>`, and this header, after
 * including every system header that declares the BSD names, #defines each BSD name to its wasmpod_ one.
 * Rules that follow: include this header before any code that calls the functions, and include
 * <sys/socket.h>, <netinet/in.h>, <arpa/inet.h> and <netdb.h> only through it (or before it).
 * close(), read(), write(), poll() and fcntl(F_SETFL, O_NONBLOCK) are wasi-libc's own: sockets are fds.
 * Errors: -1 with errno set to the WASI errno, which is what wasi-libc's <errno.h> values are. */
#ifndef WASMPOD_SOCKET_H
#define WASMPOD_SOCKET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef __wasi__
#include <netdb.h>
#else

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <wasi/api.h>

#ifdef WASMPOD_HAVE_NETDB
/* a wasi-libc that ships <netdb.h> (wasi-sdk 22 and later): define WASMPOD_HAVE_NETDB before including this */
#include <netdb.h>
#else
/* Debian's wasi-libc (2022) has no <netdb.h>: the POSIX definitions getaddrinfo needs. (__has_include cannot
 * tell: clang-16 for wasm32-wasi falls back to the host's /usr/include, where it finds glibc's.) */
struct addrinfo {
    int ai_flags, ai_family, ai_socktype, ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};
#define AI_PASSIVE     0x01
#define AI_CANONNAME   0x02
#define AI_NUMERICHOST 0x04
#define AI_NUMERICSERV 0x400
#define EAI_BADFLAGS   (-1)
#define EAI_NONAME     (-2)
#define EAI_AGAIN      (-3)
#define EAI_FAIL       (-4)
#define EAI_FAMILY     (-6)
#define EAI_SOCKTYPE   (-7)
#define EAI_SERVICE    (-8)
#define EAI_MEMORY     (-10)
#define EAI_SYSTEM     (-11)
#endif

/* Options and flags the WASI headers leave out, with Linux's values. */
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#define SO_ERROR     4
#define SO_BROADCAST 6
#define SO_SNDBUF    7
#define SO_RCVBUF    8
#define SO_KEEPALIVE 9
#define SO_LINGER    13
#define SO_REUSEPORT 15
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x40
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000  /* accepted and ignored: a wasm guest gets EPIPE, never a signal */
#endif
#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif

#define WASMPOD_WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

/* __wasi_addr_port_t: 110 bytes; tag @0 (1 INET4, 2 INET6), port @2 (little-endian), address @4. */
typedef struct { _Alignas(2) uint8_t b[110]; } wasmpod_addr_port;
/* __wasi_addr_t (resolve's results): tag @0, address @2. */
typedef struct { _Alignas(2) uint8_t b[110]; } wasmpod_addr;

int32_t wasmpod_wasix_sock_open(int32_t af, int32_t type, int32_t proto, int32_t *fd) WASMPOD_WASIX(sock_open);
int32_t wasmpod_wasix_sock_bind(int32_t fd, const wasmpod_addr_port *a) WASMPOD_WASIX(sock_bind);
int32_t wasmpod_wasix_sock_listen(int32_t fd, int32_t backlog) WASMPOD_WASIX(sock_listen);
int32_t wasmpod_wasix_sock_connect(int32_t fd, const wasmpod_addr_port *a) WASMPOD_WASIX(sock_connect);
int32_t wasmpod_wasix_sock_accept_v2(int32_t fd, int32_t fdflags, int32_t *out, wasmpod_addr_port *peer) WASMPOD_WASIX(sock_accept_v2);
int32_t wasmpod_wasix_sock_send(int32_t fd, const __wasi_ciovec_t *iov, int32_t n, int32_t flags, uint32_t *sent) WASMPOD_WASIX(sock_send);
int32_t wasmpod_wasix_sock_recv(int32_t fd, const __wasi_iovec_t *iov, int32_t n, int32_t flags, uint32_t *got, uint16_t *oflags) WASMPOD_WASIX(sock_recv);
int32_t wasmpod_wasix_sock_send_to(int32_t fd, const __wasi_ciovec_t *iov, int32_t n, int32_t flags, const wasmpod_addr_port *to, uint32_t *sent) WASMPOD_WASIX(sock_send_to);
int32_t wasmpod_wasix_sock_recv_from(int32_t fd, const __wasi_iovec_t *iov, int32_t n, int32_t flags, uint32_t *got, uint16_t *oflags, wasmpod_addr_port *from) WASMPOD_WASIX(sock_recv_from);
int32_t wasmpod_wasix_sock_shutdown(int32_t fd, int32_t how) WASMPOD_WASIX(sock_shutdown);
int32_t wasmpod_wasix_sock_addr_local(int32_t fd, wasmpod_addr_port *a) WASMPOD_WASIX(sock_addr_local);
int32_t wasmpod_wasix_sock_addr_peer(int32_t fd, wasmpod_addr_port *a) WASMPOD_WASIX(sock_addr_peer);
int32_t wasmpod_wasix_sock_set_opt_flag(int32_t fd, int32_t opt, int32_t flag) WASMPOD_WASIX(sock_set_opt_flag);
int32_t wasmpod_wasix_sock_get_opt_flag(int32_t fd, int32_t opt, uint8_t *flag) WASMPOD_WASIX(sock_get_opt_flag);
int32_t wasmpod_wasix_sock_set_opt_size(int32_t fd, int32_t opt, int64_t size) WASMPOD_WASIX(sock_set_opt_size);
int32_t wasmpod_wasix_sock_get_opt_size(int32_t fd, int32_t opt, uint64_t *size) WASMPOD_WASIX(sock_get_opt_size);
int32_t wasmpod_wasix_sock_set_opt_time(int32_t fd, int32_t opt, const void *time) WASMPOD_WASIX(sock_set_opt_time);
int32_t wasmpod_wasix_resolve(const char *host, int32_t len, int32_t port, wasmpod_addr *addrs, int32_t n, uint32_t *got) WASMPOD_WASIX(resolve);

#include "wasmpod_socket_impl.h"

#define socket      wasmpod_socket
#define bind        wasmpod_bind
#define listen      wasmpod_listen
#define accept      wasmpod_accept
#define accept4     wasmpod_accept4
#define connect     wasmpod_connect
#define send        wasmpod_send
#define recv        wasmpod_recv
#define sendto      wasmpod_sendto
#define recvfrom    wasmpod_recvfrom
#define shutdown    wasmpod_shutdown
#define getsockname wasmpod_getsockname
#define getpeername wasmpod_getpeername
#define setsockopt  wasmpod_setsockopt
#define getsockopt  wasmpod_getsockopt
#define getaddrinfo wasmpod_getaddrinfo
#define freeaddrinfo wasmpod_freeaddrinfo
#define gai_strerror wasmpod_gai_strerror

#endif /* __wasi__ */
#endif
