/* A WASI preview1 server (no WASIX imports): it only has the listeners wasmpod pre-opens for its declared
 * containerPorts. It prints the LISTEN_* variables, then echoes one connection on each listener in turn. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[65536];

int main(void) {
  const char *n = getenv("LISTEN_FDS"), *s = getenv("LISTEN_FDS_START");
  const char *names = getenv("LISTEN_FDNAMES"), *ports = getenv("LISTEN_PORTS");
  printf("LISTEN_FDS=%s LISTEN_FDS_START=%s LISTEN_FDNAMES=%s LISTEN_PORTS=%s\n", n ? n : "-", s ? s : "-",
         names ? names : "-", ports ? ports : "-");
  fflush(stdout);
  if (!n || !s) return 1;
  int first = atoi(s), count = atoi(n);
  for (int k = 0; k < count; k++) {
    int fd = accept(first + k, NULL, NULL);
    if (fd < 0) {
      printf("accept fd %d: errno=%d\n", first + k, errno);
      return 1;
    }
    for (;;) {
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) break;
      send(fd, buf, (size_t)r, 0);
    }
    shutdown(fd, SHUT_WR);
    close(fd);
    printf("served fd %d\n", first + k);
    fflush(stdout);
  }
  return 0;
}
