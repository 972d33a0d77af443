/* wasmpod's pause process: holds a pod's net (loopback up), uts (hostname) and ipc namespaces, pid with --pid,
   only ipc with --host-net; with --userns (rootless) it first makes a user namespace mapping the caller to root,
   which then owns the others;
   with --relay, carries one TCP connection between its stdio and a port of a pod's network namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_child(int sig) { (void)sig; }

static int fail(const char *what) {
  fprintf(stderr, "pause: %s: %s\n", what, strerror(errno));
  return 1;
}

static int loopback_up(void) {
  struct ifreq ifr;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  close(fd);
  return rc;
}

/* Sleeps until SIGTERM or SIGINT, reaping children: with a shared pid namespace this process is its init. */
static int hold(void) {
  sigset_t block, none;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, NULL);
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  signal(SIGCHLD, on_child);
  sigemptyset(&none);
  while (!stop_requested) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    sigsuspend(&none);
  }
  return 0;
}


/* Copies what one fd has to another; returns 0 at EOF, -1 on error, 1 when bytes moved. */
static int pump(int from, int to) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0) return n == 0 ? 0 : (errno == EINTR ? 1 : -1);
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, (size_t)(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    off += w;
  }
  return 1;
}

/* Writes `text` to a /proc file (the user namespace's id maps). */
static int write_file(const char *file, const char *text) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A new user namespace where the caller's uid and gid are 0: the one mapping an unprivileged process may
   write itself (setgroups must be denied first), as `unshare -r` makes. */
static int enter_own_userns(void) {
  char map[64];
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER) != 0) return fail("unshare(CLONE_NEWUSER)");
  if (write_file("/proc/self/setgroups", "deny") != 0) return fail("/proc/self/setgroups");
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
  if (write_file("/proc/self/uid_map", map) != 0) return fail("/proc/self/uid_map");
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
  if (write_file("/proc/self/gid_map", map) != 0) return fail("/proc/self/gid_map");
  return 0;
}

/* Joins the namespace at `path` of the given type. */
static int join(const char *path, int type) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(path);
  int rc = setns(fd, type);
  close(fd);
  return rc == 0 ? 0 : fail("setns");
}

/* Enters the network namespace at `ns`, connects to 127.0.0.1:port, says "ok" on stderr, then relays
   stdin to the socket and the socket to stdout until both directions have ended. A namespace owned by a
   rootless pod's user namespace is entered through that user namespace (`userns`), where we are root. */
static int relay(const char *ns, const char *port_text, const char *userns) {
  char *end;
  long port = strtol(port_text, &end, 10);
  if (*end != '\0' || port < 1 || port > 65535) {
    fprintf(stderr, "pause: bad port %s\n", port_text);
    return 2;
  }
  if (userns && join(userns, CLONE_NEWUSER) != 0) return 1;
  if (join(ns, CLONE_NEWNET) != 0) return 1;
  int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail("socket");
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((unsigned short)port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(sock, (struct sockaddr *)&to, sizeof to) != 0) return fail("connect");
  fprintf(stderr, "ok\n");
  int in_open = 1, out_open = 1;
  while (out_open) {
    struct pollfd fds[2] = { { in_open ? 0 : -1, POLLIN, 0 }, { sock, POLLIN, 0 } };
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return fail("poll");
    }
    if (in_open && fds[0].revents) {
      int r = pump(0, sock);
      if (r <= 0) {
        in_open = 0;
        shutdown(sock, SHUT_WR);
      }
    }
    if (fds[1].revents) {
      int r = pump(sock, 1);
      if (r <= 0) out_open = 0;
    }
  }
  close(1);
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if ((argc == 4 || argc == 5) && strcmp(argv[1], "--relay") == 0) return relay(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
  int share_pid = 0, host_net = 0, own_userns = 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--pid") == 0) share_pid = 1;
    else if (strcmp(argv[i], "--host-net") == 0) host_net = 1;
    else if (strcmp(argv[i], "--userns") == 0) own_userns = 1;
    else argc = 0;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: pause HOSTNAME [--pid] [--host-net] [--userns] | pause --relay NETNS_PATH PORT [USERNS_PATH]\n");
    return 2;
  }
  /* First, so that the namespaces made next are owned by it (and we hold every capability over them). */
  if (own_userns && enter_own_userns() != 0) return 1;
  /* hostNetwork: the pod uses the host's network and hostname, as a Kubernetes hostNetwork pod does. */
  int flags = CLONE_NEWIPC | (host_net ? 0 : CLONE_NEWNET | CLONE_NEWUTS) | (share_pid ? CLONE_NEWPID : 0);
  if (unshare(flags) != 0) return fail("unshare");
  if (!host_net && sethostname(argv[1], strlen(argv[1])) != 0) return fail("sethostname");
  if (!host_net && loopback_up() != 0) return fail("bringing up lo");
  if (!share_pid) {
    /* The runtime reads this line, then EOF, as "the namespaces are ready". */
    printf("%d\n", (int)getpid());
    fclose(stdout);
    return hold();
  }
  /* unshare(CLONE_NEWPID) applies to children: the holder is the child, pid 1 of the pod's namespace. */
  pid_t child = fork();
  if (child < 0) return fail("fork");
  if (child == 0) {
    /* Only the parent reports: the runtime waits for EOF on this pipe, so the holder must not keep it open. */
    fclose(stdout);
    return hold();
  }
  printf("%d\n", (int)child);
  fclose(stdout);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return 0;
}
