/* Minimal declarations of the WASIX socket imports (module wasix_32v1) the network tests use; see docs/network.md. */
#ifndef WASIX_NET_H
#define WASIX_NET_H
#include <stdint.h>
#include <string.h>

#define WX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

/* __wasi_addr_port_t: tag @0, padding @1, port (little-endian) @2, address bytes @4; 110 bytes. */
typedef struct {
  uint8_t tag;
  uint8_t pad;
  uint16_t port;
  uint8_t addr[106];
} wx_addr_port;

/* __wasi_addr_t (resolve's results): tag @0, address bytes @2. */
typedef struct {
  uint8_t tag;
  uint8_t pad;
  uint8_t addr[108];
} wx_addr;

typedef struct { const void *buf; uint32_t len; } wx_ciovec;
typedef struct { void *buf; uint32_t len; } wx_iovec;
typedef struct { uint8_t tag; uint8_t pad[7]; uint64_t ns; } wx_opt_time;

#define WX_INET4 1
#define WX_INET6 2
#define WX_STREAM 1
#define WX_DGRAM 2

int32_t wx_sock_open(int32_t af, int32_t type, int32_t proto, int32_t *fd) WX(sock_open);
int32_t wx_sock_bind(int32_t fd, const wx_addr_port *addr) WX(sock_bind);
int32_t wx_sock_listen(int32_t fd, int32_t backlog) WX(sock_listen);
int32_t wx_sock_connect(int32_t fd, const wx_addr_port *addr) WX(sock_connect);
int32_t wx_sock_accept_v2(int32_t fd, int32_t flags, int32_t *out, wx_addr_port *peer) WX(sock_accept_v2);
int32_t wx_sock_send(int32_t fd, const wx_ciovec *iov, int32_t n, int32_t flags, uint32_t *sent) WX(sock_send);
int32_t wx_sock_recv(int32_t fd, const wx_iovec *iov, int32_t n, int32_t flags, uint32_t *got, uint16_t *roflags) WX(sock_recv);
int32_t wx_sock_send_to(int32_t fd, const wx_ciovec *iov, int32_t n, int32_t flags, const wx_addr_port *to, uint32_t *sent) WX(sock_send_to);
int32_t wx_sock_recv_from(int32_t fd, const wx_iovec *iov, int32_t n, int32_t flags, uint32_t *got, uint16_t *roflags, wx_addr_port *from) WX(sock_recv_from);
int32_t wx_sock_shutdown(int32_t fd, int32_t how) WX(sock_shutdown);
int32_t wx_sock_status(int32_t fd, uint8_t *status) WX(sock_status);
int32_t wx_sock_addr_local(int32_t fd, wx_addr_port *addr) WX(sock_addr_local);
int32_t wx_sock_addr_peer(int32_t fd, wx_addr_port *addr) WX(sock_addr_peer);
int32_t wx_sock_set_opt_flag(int32_t fd, int32_t opt, int32_t flag) WX(sock_set_opt_flag);
int32_t wx_sock_get_opt_flag(int32_t fd, int32_t opt, uint8_t *flag) WX(sock_get_opt_flag);
int32_t wx_sock_set_opt_size(int32_t fd, int32_t opt, uint64_t size) WX(sock_set_opt_size);
int32_t wx_sock_get_opt_size(int32_t fd, int32_t opt, uint64_t *size) WX(sock_get_opt_size);
int32_t wx_sock_set_opt_time(int32_t fd, int32_t opt, const wx_opt_time *t) WX(sock_set_opt_time);
int32_t wx_sock_get_opt_time(int32_t fd, int32_t opt, wx_opt_time *t) WX(sock_get_opt_time);
int32_t wx_resolve(const char *host, uint32_t len, int32_t port, wx_addr *addrs, uint32_t n, uint32_t *found) WX(resolve);

/* An INET4 address from a dotted quad (no checking: test code). */
static inline wx_addr_port wx_ip4(const char *ip, uint16_t port) {
  wx_addr_port a;
  memset(&a, 0, sizeof a);
  a.tag = WX_INET4;
  a.port = port;
  unsigned b[4] = {0, 0, 0, 0};
  int i = 0;
  for (const char *p = ip; *p && i < 4; p++) {
    if (*p == '.') i++;
    else b[i] = b[i] * 10 + (unsigned)(*p - '0');
  }
  for (i = 0; i < 4; i++) a.addr[i] = (uint8_t)b[i];
  return a;
}
#endif
