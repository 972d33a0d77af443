/* A preview1 command wrapped into a WASI 0.2 component (build.sh): its calls reach wasmpod through wasi:cli,
 * wasi:io, wasi:clocks, wasi:random and wasi:filesystem by way of the preview1 adapter.
 *   cli hello [CODE]        greets on stdout and stderr, prints argv and $GREETING, exits with CODE
 *   cli files DIR [RODIR]   writes, reads, lists and removes in DIR; tries to escape it; writes into RODIR
 *   cli cat                 copies stdin to stdout
 *   cli trap                executes an unreachable instruction
 *   cli eat                 allocates 1 MiB blocks until malloc fails, then exits 1 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int hello(int argc, char **argv) {
  printf("hello from a component\n");
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *g = getenv("GREETING");
  printf("GREETING=%s\n", g ? g : "(unset)");
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  struct timespec d = {0, 2000000};
  nanosleep(&d, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
  printf("slept: %s\n", ns >= 2000000 ? "yes" : "no");
  unsigned char r[16];
  arc4random_buf(r, sizeof r);
  int nonzero = 0;
  for (unsigned i = 0; i < sizeof r; i++) nonzero |= r[i];
  printf("random: %s\n", nonzero ? "yes" : "no");
  printf("wall clock: %s\n", time(NULL) > 1700000000 ? "yes" : "no");
  fprintf(stderr, "to stderr\n");
  fflush(stdout);
  return argc > 2 ? atoi(argv[2]) : 0;
}

static void attempt(const char *what, const char *p, int flags) {
  int fd = open(p, flags, 0644);
  if (fd >= 0) {
    printf("escaped: %s\n", what);
    close(fd);
  } else {
    printf("refused: %s (%s)\n", what, strerror(errno));
  }
}

static int files(const char *dir, const char *ro) {
  char p[512];
  snprintf(p, sizeof p, "%s/made-by-component.txt", dir);
  FILE *f = fopen(p, "w");
  if (!f) { printf("cannot create %s: %s\n", p, strerror(errno)); return 1; }
  fprintf(f, "written through wasi:filesystem\n");
  fclose(f);
  char buf[128] = {0};
  f = fopen(p, "r");
  if (!f || !fgets(buf, sizeof buf, f)) { printf("cannot read back\n"); return 1; }
  fclose(f);
  printf("read back: %s", buf);
  snprintf(p, sizeof p, "%s/sub", dir);
  if (mkdir(p, 0755) != 0) printf("mkdir failed: %s\n", strerror(errno));
  DIR *d = opendir(dir);
  if (!d) { printf("opendir failed: %s\n", strerror(errno)); return 1; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf("entry: %s\n", e->d_name);
  }
  closedir(d);
  struct stat st;
  snprintf(p, sizeof p, "%s/host.txt", dir);
  if (stat(p, &st) == 0) printf("host.txt size: %lld\n", (long long)st.st_size);
  snprintf(p, sizeof p, "%s/../../../../etc/passwd", dir);
  attempt("dotdot", p, O_RDONLY);
  snprintf(p, sizeof p, "%s/planted/passwd", dir);
  attempt("host-planted symlink", p, O_RDONLY);
  if (ro) {
    snprintf(p, sizeof p, "%s/new.txt", ro);
    attempt("write to readOnly mount", p, O_WRONLY | O_CREAT);
  }
  snprintf(p, sizeof p, "%s/sub", dir);
  if (rmdir(p) != 0) printf("rmdir failed: %s\n", strerror(errno));
  printf("DONE\n");
  return 0;
}

static int cat(void) {
  char buf[4096];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
  return 0;
}

static int eat(void) {
  int n = 0;
  void **list = NULL;
  for (;;) {
    /* Each block links to the previous one, so the compiler cannot drop the allocations. */
    void **p = malloc(1 << 20);
    if (!p) break;
    memset(p, 1, 1 << 20);
    *p = list;
    list = p;
    n++;
  }
  printf("allocated %d MiB\n", n);
  return 1;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "hello";
  if (!strcmp(cmd, "hello")) return hello(argc, argv);
  if (!strcmp(cmd, "files") && argc > 2) return files(argv[2], argc > 3 ? argv[3] : NULL);
  if (!strcmp(cmd, "cat")) return cat();
  if (!strcmp(cmd, "trap")) __builtin_trap();
  if (!strcmp(cmd, "eat")) return eat();
  fprintf(stderr, "usage: cli hello|files DIR [RODIR]|cat|trap|eat\n");
  return 2;
}
