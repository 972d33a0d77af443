/* nettool: the network tests' guest. One command per run (argv[1]); results as plain lines on stdout.
 *
 *   echo PORT N            listen; serve N connections one after another (0: forever), echoing, then "[eof]"
 *   echo-fail PORT N       the same, then exit with status 3 (to be restarted)
 *   http PORT N            answer N HTTP/1.1 requests with "hello from the pod: <request line>"
 *   connect-bind PORT      once something listens on PORT, try to bind it too; prints "bind errno=E"
 *   client HOST PORT MSG   connect, send MSG, shut down writing, print everything read back
 *   bind PORT              try to bind PORT; prints "bind errno=E"; on success keeps it (sleeps)
 *   bind2 PORT             bind PORT twice in one process; prints both errnos
 *   blast HOST PORT BYTES  connect, send BYTES of a pattern, shut down, print the sink's verdict
 *   blast-forever HOST PORT  connect and send until a send fails; prints the errno
 *   sink PORT DELAY_MS     accept one connection, read slowly, check the pattern, reply "ok N" / "bad N"
 *   drain PORT             accept one connection, read until it ends; prints "eof N" or "errno=E N"
 *   die-after PORT BYTES   accept one connection, read BYTES, then trap without closing anything
 *   nonblock PORT          EAGAIN from accept and recv on non-blocking sockets
 *   poll PORT              poll_oneoff on a listener, a connection and a clock together
 *   udp-echo PORT N        bind a datagram socket; echo N datagrams to their senders
 *   udp-client HOST PORT   send datagrams of several sizes; print the sizes that come back
 *   many HOST PORT N [retry]  N connections: connect, send a byte, read it back, close (retry: redo reset ones)
 *   badfd                  errno of socket calls on a bad fd and on a non-socket
 *   hoard PORT N           open (and accept) up to N connections to itself without closing any
 *   resolve NAME           the addresses NAME resolves to
 *   hostname               the hostname the runtime gave (HOSTNAME), then what it resolves to
 *   addrs HOST PORT        connect and print the local and peer addresses
 *   try HOST PORT          connect once; prints "connect errno=E" (0 when it connected)
 * Commands that connect retry for a while when refused (the server may not be listening yet), but `try`.
 */
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix_net.h"

static char buf[65536];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
}

static int resolve4(const char *host, const char **ip_out, char *text) {
  wx_addr found[4];
  uint32_t n = 0;
  int32_t e = wx_resolve(host, (uint32_t)strlen(host), 0, found, 4, &n);
  if (e) return e;
  for (uint32_t i = 0; i < n; i++) {
    if (found[i].tag == WX_INET4) {
      sprintf(text, "%u.%u.%u.%u", found[i].addr[0], found[i].addr[1], found[i].addr[2], found[i].addr[3]);
      *ip_out = text;
      return 0;
    }
  }
  return 44;
}

static int32_t open_stream(void) {
  int32_t fd;
  int32_t e = wx_sock_open(WX_INET4, WX_STREAM, 0, &fd);
  if (e) { say("sock_open errno=%d\n", e); exit(1); }
  return fd;
}

static int32_t listen_on(int port) {
  int32_t fd = open_stream();
  wx_addr_port a = wx_ip4("0.0.0.0", (uint16_t)port);
  int32_t e = wx_sock_bind(fd, &a);
  if (!e) e = wx_sock_listen(fd, 16);
  if (e) { say("listen errno=%d\n", e); exit(1); }
  say("listening %d\n", port);
  return fd;
}

/* Connects to HOST:PORT once; returns the fd, or -errno. */
static int32_t dial_once(const char *host, int port) {
  char text[32];
  const char *ip;
  int32_t e = resolve4(host, &ip, text);
  if (e) return -e;
  int32_t fd = open_stream();
  wx_addr_port a = wx_ip4(ip, (uint16_t)port);
  e = wx_sock_connect(fd, &a);
  if (e) { close(fd); return -e; }
  return fd;
}

/* Connects, retrying for up to 10 s while nothing listens yet (the server may still be starting). */
static int32_t dial(const char *host, int port) {
  for (int i = 0;; i++) {
    int32_t fd = dial_once(host, port);
    if (fd != -14 || i >= 500) return fd;
    usleep(20000);
  }
}

static int32_t dial_or_die(const char *host, int port) {
  int32_t fd = dial(host, port);
  if (fd < 0) { say("connect errno=%d\n", -fd); exit(1); }
  return fd;
}

static int32_t accept_one(int32_t lfd) {
  int32_t fd;
  wx_addr_port peer;
  int32_t e = wx_sock_accept_v2(lfd, 0, &fd, &peer);
  if (e) { say("accept errno=%d\n", e); exit(1); }
  return fd;
}

static int32_t send_all(int32_t fd, const void *p, uint32_t len) {
  while (len > 0) {
    wx_ciovec v = {p, len};
    uint32_t n = 0;
    int32_t e = wx_sock_send(fd, &v, 1, 0, &n);
    if (e) return e;
    p = (const char *)p + n;
    len -= n;
  }
  return 0;
}

/* recv into buf; returns bytes (0 at EOF) or -errno. */
static int32_t recv_some(int32_t fd, void *p, uint32_t len) {
  wx_iovec v = {p, len};
  uint32_t n = 0;
  uint16_t ro = 0;
  int32_t e = wx_sock_recv(fd, &v, 1, 0, &n, &ro);
  return e ? -e : (int32_t)n;
}

static unsigned char pattern(uint64_t i) { return (unsigned char)(i * 7 + 3); }

static void serve_echo(int32_t fd) {
  for (;;) {
    int32_t n = recv_some(fd, buf, sizeof buf);
    if (n <= 0) break;
    if (send_all(fd, buf, (uint32_t)n)) break;
  }
  send_all(fd, "[eof]\n", 6);
  close(fd);
}

static int cmd_echo(int port, int count, int status) {
  int32_t lfd = listen_on(port);
  for (int i = 0; count == 0 || i < count; i++) serve_echo(accept_one(lfd));
  return status;
}

/* A minimal HTTP/1.1 responder: reads a request head, answers 200 with the request line, closes. */
static int cmd_http(int port, int count) {
  int32_t lfd = listen_on(port);
  for (int i = 0; count == 0 || i < count; i++) {
    int32_t fd = accept_one(lfd);
    size_t got = 0;
    while (got < sizeof buf - 1) {
      int32_t n = recv_some(fd, buf + got, (uint32_t)(sizeof buf - 1 - got));
      if (n <= 0) break;
      got += (size_t)n;
      buf[got] = 0;
      if (strstr(buf, "\r\n\r\n")) break;
    }
    char *eol = strstr(buf, "\r\n");
    if (eol) *eol = 0;
    char body[512];
    int blen = snprintf(body, sizeof body, "hello from the pod: %s\n", buf);
    char head[256];
    int hlen = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", blen);
    send_all(fd, head, (uint32_t)hlen);
    send_all(fd, body, (uint32_t)blen);
    close(fd);
  }
  return 0;
}

/* Waits until something listens on PORT (by connecting), then tries to bind PORT itself. */
static int cmd_connect_bind(int port) {
  int32_t c = dial("localhost", port);
  if (c < 0) { say("connect errno=%d\n", -c); return 1; }
  int32_t fd = open_stream();
  wx_addr_port a = wx_ip4("0.0.0.0", (uint16_t)port);
  say("bind errno=%d\n", wx_sock_bind(fd, &a));
  close(c);
  return 0;
}

static int cmd_client(const char *host, int port, const char *msg) {
  int32_t fd = dial_or_die(host, port);
  send_all(fd, msg, (uint32_t)strlen(msg));
  int32_t e = wx_sock_shutdown(fd, 2);
  if (e) say("shutdown errno=%d\n", e);
  size_t got = 0;
  for (;;) {
    int32_t n = recv_some(fd, buf + got, (uint32_t)(sizeof buf - 1 - got));
    if (n < 0) { say("recv errno=%d\n", -n); return 1; }
    if (n == 0) break;
    got += (size_t)n;
  }
  buf[got] = 0;
  say("reply %s", buf);
  return 0;
}

static int cmd_bind(int port, int twice) {
  int32_t fd = open_stream();
  wx_addr_port a = wx_ip4("0.0.0.0", (uint16_t)port);
  int32_t e = wx_sock_bind(fd, &a);
  if (twice) {
    int32_t fd2 = open_stream();
    int32_t e2 = wx_sock_bind(fd2, &a);
    say("bind errno=%d then errno=%d\n", e, e2);
    return 0;
  }
  say("bind errno=%d\n", e);
  if (e == 0) for (;;) sleep(60);
  return 0;
}

static int cmd_blast(const char *host, int port, uint64_t bytes) {
  int32_t fd = dial_or_die(host, port);
  uint64_t sent = 0;
  while (sent < bytes) {
    uint32_t chunk = bytes - sent > sizeof buf ? (uint32_t)sizeof buf : (uint32_t)(bytes - sent);
    for (uint32_t i = 0; i < chunk; i++) buf[i] = (char)pattern(sent + i);
    int32_t e = send_all(fd, buf, chunk);
    if (e) { say("send errno=%d after %llu\n", e, (unsigned long long)sent); return 1; }
    sent += chunk;
  }
  wx_sock_shutdown(fd, 2);
  int32_t n = recv_some(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  say("sent %llu verdict %s\n", (unsigned long long)sent, buf);
  return 0;
}

static int cmd_blast_forever(const char *host, int port) {
  int32_t fd = dial_or_die(host, port);
  memset(buf, 'z', sizeof buf);
  uint64_t sent = 0;
  for (;;) {
    int32_t e = send_all(fd, buf, sizeof buf);
    if (e) { say("send errno=%d after %llu\n", e, (unsigned long long)sent); return 0; }
    sent += sizeof buf;
  }
}

static int cmd_sink(int port, int delay_ms) {
  int32_t fd = accept_one(listen_on(port));
  uint64_t got = 0;
  int ok = 1;
  for (int reads = 0;; reads++) {
    int32_t n = recv_some(fd, buf, 4096);
    if (n < 0) { say("recv errno=%d\n", -n); return 1; }
    if (n == 0) break;
    for (int32_t i = 0; i < n; i++) if ((unsigned char)buf[i] != pattern(got + (uint64_t)i)) ok = 0;
    got += (uint64_t)n;
    if (delay_ms && reads % 16 == 0) usleep((useconds_t)delay_ms * 1000);
  }
  char reply[64];
  int len = sprintf(reply, "%s %llu", ok ? "ok" : "bad", (unsigned long long)got);
  send_all(fd, reply, (uint32_t)len);
  say("received %llu %s\n", (unsigned long long)got, ok ? "ok" : "bad");
  close(fd);
  return 0;
}

static int cmd_drain(int port) {
  int32_t fd = accept_one(listen_on(port));
  uint64_t got = 0;
  for (;;) {
    int32_t n = recv_some(fd, buf, sizeof buf);
    if (n == 0) { say("eof %llu\n", (unsigned long long)got); return 0; }
    if (n < 0) { say("errno=%d %llu\n", -n, (unsigned long long)got); return 0; }
    got += (uint64_t)n;
  }
}

static int cmd_die_after(int port, uint64_t bytes) {
  int32_t fd = accept_one(listen_on(port));
  uint64_t got = 0;
  while (got < bytes) {
    int32_t n = recv_some(fd, buf, 4096);
    if (n <= 0) break;
    got += (uint64_t)n;
  }
  say("dying after %llu\n", (unsigned long long)got);
  __builtin_trap();
}

static int cmd_nonblock(int port) {
  int32_t lfd = listen_on(port);
  fcntl(lfd, F_SETFL, O_NONBLOCK);
  int32_t fd;
  wx_addr_port peer;
  int32_t e1 = wx_sock_accept_v2(lfd, 0, &fd, &peer);
  int32_t c = dial_or_die("127.0.0.1", port);
  int32_t e2 = wx_sock_accept_v2(lfd, 4, &fd, &peer);
  int32_t r1 = recv_some(fd, buf, 16);
  send_all(c, "x", 1);
  int32_t r2 = recv_some(fd, buf, 16);
  uint16_t ro;
  uint32_t n;
  wx_iovec v = {buf, 16};
  int32_t e3 = wx_sock_recv(c, &v, 1, 8 /* DONT_WAIT */, &n, &ro);
  say("accept-empty errno=%d accept errno=%d recv-empty %d recv %d dontwait errno=%d\n", e1, e2, r1, r2, e3);
  return 0;
}

static int cmd_poll(int port) {
  int32_t lfd = listen_on(port);
  struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}};
  int n0 = poll(p, 1, 150);
  int32_t c = dial_or_die("127.0.0.1", port);
  int n1 = poll(p, 1, 5000);
  int l_ready = (p[0].revents & POLLIN) != 0;
  int32_t fd = accept_one(lfd);
  p[0].fd = fd;
  p[0].events = POLLIN;
  p[0].revents = 0;
  int n2 = poll(p, 1, 100);
  send_all(c, "ping", 4);
  int n3 = poll(p, 1, 5000);
  int d_ready = (p[0].revents & POLLIN) != 0;
  say("timeout n=%d listener n=%d ready=%d idle n=%d data n=%d ready=%d\n", n0, n1, l_ready, n2, n3, d_ready);
  return 0;
}

static int cmd_udp_echo(int port, int count) {
  int32_t fd;
  if (wx_sock_open(WX_INET4, WX_DGRAM, 0, &fd)) return 1;
  wx_addr_port a = wx_ip4("0.0.0.0", (uint16_t)port);
  int32_t e = wx_sock_bind(fd, &a);
  if (e) { say("bind errno=%d\n", e); return 1; }
  say("listening %d\n", port);
  for (int i = 0; i < count; i++) {
    wx_iovec v = {buf, sizeof buf};
    uint32_t n = 0;
    uint16_t ro = 0;
    wx_addr_port from;
    e = wx_sock_recv_from(fd, &v, 1, 0, &n, &ro, &from);
    if (e) { say("recv_from errno=%d\n", e); return 1; }
    wx_ciovec out = {buf, n};
    uint32_t sent;
    wx_sock_send_to(fd, &out, 1, 0, &from, &sent);
  }
  return 0;
}

static int cmd_udp_client(const char *host, int port) {
  char text[32];
  const char *ip;
  if (resolve4(host, &ip, text)) { say("resolve failed\n"); return 1; }
  int32_t fd;
  wx_sock_open(WX_INET4, WX_DGRAM, 0, &fd);
  wx_addr_port to = wx_ip4(ip, (uint16_t)port);
  static const uint32_t sizes[] = {1, 100, 1000, 1400, 9000};
  /* Datagrams to a port nobody has bound yet are dropped: resend until the echo comes (200 ms timeout). */
  wx_opt_time t = {.tag = 1, .ns = 200000000ull};
  wx_sock_set_opt_time(fd, 19, &t);
  say("got");
  for (int i = 0; i < 5; i++) {
    uint32_t n = 0;
    int32_t e = 6;
    for (int tries = 0; e == 6 && tries < 50; tries++) {
      memset(buf, 'a' + i, sizes[i]);
      wx_ciovec out = {buf, sizes[i]};
      uint32_t sent;
      e = wx_sock_send_to(fd, &out, 1, 0, &to, &sent);
      if (e) { say(" send-errno=%d\n", e); return 1; }
      wx_iovec v = {buf, sizeof buf};
      uint16_t ro = 0;
      wx_addr_port from;
      e = wx_sock_recv_from(fd, &v, 1, 0, &n, &ro, &from);
    }
    if (e) { say(" recv-errno=%d\n", e); return 1; }
    int same = 1;
    for (uint32_t k = 0; k < n; k++) if (buf[k] != 'a' + i) same = 0;
    say(" %u%s", n, same ? "" : "!");
  }
  /* A datagram larger than the buffer is cut, and says so. */
  memset(buf, 'q', 500);
  wx_ciovec out = {buf, 500};
  uint32_t sent;
  wx_sock_send_to(fd, &out, 1, 0, &to, &sent);
  wx_iovec v = {buf, 10};
  uint32_t n = 0;
  uint16_t ro = 0;
  wx_addr_port from;
  wx_sock_recv_from(fd, &v, 1, 0, &n, &ro, &from);
  say(" truncated %u flags=%u\n", n, ro);
  return 0;
}

static int cmd_many(const char *host, int port, int count, int retry_reset) {
  for (int i = 0; i < count; i++) {
    int32_t fd = dial(host, port);
    if (fd < 0) { say("connect %d errno=%d\n", i, -fd); return 1; }
    /* A server that ends with our connection still in its backlog resets it, before our send or after it:
     * try again (with "retry"). */
    if (send_all(fd, "x", 1)) {
      close(fd);
      if (retry_reset) { i--; usleep(10000); continue; }
      say("send %d failed\n", i);
      return 1;
    }
    int32_t n = recv_some(fd, buf, 1);
    close(fd);
    if (n == -15 && retry_reset) { i--; usleep(10000); continue; }
    if (n != 1) { say("recv %d got %d\n", i, n); return 1; }
  }
  say("done %d\n", count);
  return 0;
}

/* Opens connections to its own listener, accepting each, closing none, until one fails. */
static int cmd_hoard(int port, int limit) {
  int32_t lfd = listen_on(port);
  int n = 0;
  for (; n < limit; n++) {
    int32_t c = dial_once("127.0.0.1", port);
    if (c < 0) { say("held %d then errno=%d\n", n, -c); return 0; }
    accept_one(lfd);
  }
  say("held %d\n", n);
  return 0;
}

static int cmd_badfd(void) {
  __wasi_size_t n;
  uint16_t ro;
  __wasi_iovec_t v = {(uint8_t *)buf, 4};
  int e1 = __wasi_sock_recv(99, &v, 1, 0, &n, &ro);
  int e2 = __wasi_sock_recv(1, &v, 1, 0, &n, &ro);
  __wasi_fd_t out;
  int e3 = __wasi_sock_accept(0, 0, &out);
  int e4 = __wasi_sock_shutdown(2, __WASI_SDFLAGS_WR);
  wx_addr_port a = wx_ip4("0.0.0.0", 80);
  int e5 = wx_sock_bind(1, &a);
  int e6 = wx_sock_bind(77, &a);
  int32_t fd = open_stream();
  int e7 = wx_sock_shutdown(fd, 2);
  wx_addr_port bad = a;
  bad.tag = 3; /* a UNIX address: not offered */
  int e8 = wx_sock_bind(fd, &bad);
  wx_addr_port elsewhere = wx_ip4("8.8.8.8", 80);
  int e9 = wx_sock_bind(fd, &elsewhere);
  say("recv-badf=%d recv-notsock=%d accept-notsock=%d shutdown-notsock=%d bind-notsock=%d bind-badf=%d "
      "shutdown-notconn=%d bind-unix=%d bind-foreign=%d\n", e1, e2, e3, e4, e5, e6, e7, e8, e9);
  return 0;
}

static int cmd_resolve(const char *name) {
  wx_addr found[4];
  uint32_t n = 0;
  int32_t e = wx_resolve(name, (uint32_t)strlen(name), 0, found, 4, &n);
  if (e) { say("resolve errno=%d\n", e); return 0; }
  say("%s ->", name);
  for (uint32_t i = 0; i < n; i++) {
    if (found[i].tag == WX_INET4) say(" %u.%u.%u.%u", found[i].addr[0], found[i].addr[1], found[i].addr[2], found[i].addr[3]);
    else say(" v6:%02x..%02x", found[i].addr[0], found[i].addr[15]);
  }
  say("\n");
  return 0;
}

static int cmd_hostname(void) {
  const char *h = getenv("HOSTNAME");
  if (!h) { say("no HOSTNAME\n"); return 1; }
  say("hostname %s\n", h);
  return cmd_resolve(h);
}

static void print_addr(const char *what, const wx_addr_port *a) {
  say("%s %u.%u.%u.%u:%u", what, a->addr[0], a->addr[1], a->addr[2], a->addr[3], a->port);
}

static int cmd_addrs(const char *host, int port) {
  int32_t fd = dial_or_die(host, port);
  wx_addr_port l, p;
  wx_sock_addr_local(fd, &l);
  wx_sock_addr_peer(fd, &p);
  print_addr("local", &l);
  print_addr(" peer", &p);
  uint8_t st = 9;
  wx_sock_status(fd, &st);
  uint64_t type = 0;
  wx_sock_get_opt_size(fd, 25, &type);
  wx_sock_set_opt_flag(fd, 3, 1);
  uint8_t nodelay = 0;
  wx_sock_get_opt_flag(fd, 3, &nodelay);
  wx_opt_time t = {.tag = 1, .ns = 2500000000ull}, back;
  wx_sock_set_opt_time(fd, 19, &t);
  wx_sock_get_opt_time(fd, 19, &back);
  int wrong = wx_sock_set_opt_size(fd, 3, 1);
  say(" status=%u type=%llu nodelay=%u rcvtimeo=%llu wrong-setter=%d\n", st, (unsigned long long)type, nodelay,
      (unsigned long long)back.ns, wrong);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) { say("usage: nettool COMMAND ...\n"); return 2; }
  const char *c = argv[1];
#define ARG(i) (argc > (i) ? argv[i] : "0")
  if (!strcmp(c, "echo")) return cmd_echo(atoi(ARG(2)), atoi(ARG(3)), 0);
  if (!strcmp(c, "echo-fail")) return cmd_echo(atoi(ARG(2)), atoi(ARG(3)), 3);
  if (!strcmp(c, "http")) return cmd_http(atoi(ARG(2)), atoi(ARG(3)));
  if (!strcmp(c, "connect-bind")) return cmd_connect_bind(atoi(ARG(2)));
  if (!strcmp(c, "client")) return cmd_client(ARG(2), atoi(ARG(3)), ARG(4));
  if (!strcmp(c, "bind")) return cmd_bind(atoi(ARG(2)), 0);
  if (!strcmp(c, "bind2")) return cmd_bind(atoi(ARG(2)), 1);
  if (!strcmp(c, "blast")) return cmd_blast(ARG(2), atoi(ARG(3)), strtoull(ARG(4), NULL, 10));
  if (!strcmp(c, "blast-forever")) return cmd_blast_forever(ARG(2), atoi(ARG(3)));
  if (!strcmp(c, "sink")) return cmd_sink(atoi(ARG(2)), atoi(ARG(3)));
  if (!strcmp(c, "drain")) return cmd_drain(atoi(ARG(2)));
  if (!strcmp(c, "die-after")) return cmd_die_after(atoi(ARG(2)), strtoull(ARG(3), NULL, 10));
  if (!strcmp(c, "nonblock")) return cmd_nonblock(atoi(ARG(2)));
  if (!strcmp(c, "poll")) return cmd_poll(atoi(ARG(2)));
  if (!strcmp(c, "udp-echo")) return cmd_udp_echo(atoi(ARG(2)), atoi(ARG(3)));
  if (!strcmp(c, "udp-client")) return cmd_udp_client(ARG(2), atoi(ARG(3)));
  if (!strcmp(c, "many")) return cmd_many(ARG(2), atoi(ARG(3)), atoi(ARG(4)), argc > 5 && !strcmp(argv[5], "retry"));
  if (!strcmp(c, "badfd")) return cmd_badfd();
  if (!strcmp(c, "hoard")) return cmd_hoard(atoi(ARG(2)), atoi(ARG(3)));
  if (!strcmp(c, "resolve")) return cmd_resolve(ARG(2));
  if (!strcmp(c, "hostname")) return cmd_hostname();
  if (!strcmp(c, "addrs")) return cmd_addrs(ARG(2), atoi(ARG(3)));
  if (!strcmp(c, "try")) {
    int32_t fd = dial_once(ARG(2), atoi(ARG(3)));
    say("connect errno=%d\n", fd < 0 ? -fd : 0);
    return 0;
  }
  say("unknown command %s\n", c);
  return 2;
}
