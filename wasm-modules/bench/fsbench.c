// File-system throughput from inside a guest: sequential write and read of one large file in 64 KiB
// blocks, then many small files written and read back. Times come from the guest's monotonic clock, so
// start-up is not counted. Prints one JSON object on stdout.
// Usage: fsbench DIR [SEQ_MIB] [SMALL_FILES] [SMALL_BYTES]
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path) {
  fprintf(stderr, "fsbench: %s %s failed\n", what, path);
  exit(1);
}

static void write_all(int fd, const char *buf, size_t n, const char *path) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w <= 0) die("write", path);
    buf += w;
    n -= (size_t)w;
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: fsbench DIR [SEQ_MIB] [SMALL_FILES] [SMALL_BYTES]\n");
    return 2;
  }
  const char *dir = argv[1];
  long mib = argc > 2 ? atol(argv[2]) : 256;
  long files = argc > 3 ? atol(argv[3]) : 2000;
  long small = argc > 4 ? atol(argv[4]) : 4096;
  static char block[BLOCK];
  for (int i = 0; i < BLOCK; i++) block[i] = (char)(i * 31 + 7);
  char path[512];

  snprintf(path, sizeof path, "%s/seq.bin", dir);
  double t0 = now();
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open", path);
  for (long i = 0; i < mib * 16; i++) write_all(fd, block, BLOCK, path);
  close(fd);
  double t1 = now();
  fd = open(path, O_RDONLY);
  if (fd < 0) die("open", path);
  long long got = 0;
  for (;;) {
    ssize_t r = read(fd, block, BLOCK);
    if (r < 0) die("read", path);
    if (r == 0) break;
    got += r;
  }
  close(fd);
  double t2 = now();
  if (got != (long long)mib * 1024 * 1024) die("read size of", path);
  unlink(path);

  double t3 = now();
  for (long i = 0; i < files; i++) {
    snprintf(path, sizeof path, "%s/f%ld", dir, i);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("open", path);
    write_all(fd, block, (size_t)small, path);
    close(fd);
  }
  double t4 = now();
  for (long i = 0; i < files; i++) {
    snprintf(path, sizeof path, "%s/f%ld", dir, i);
    fd = open(path, O_RDONLY);
    if (fd < 0) die("open", path);
    if (read(fd, block, (size_t)small) != small) die("read", path);
    close(fd);
  }
  double t5 = now();
  for (long i = 0; i < files; i++) {
    snprintf(path, sizeof path, "%s/f%ld", dir, i);
    unlink(path);
  }
  printf("{\"seqWriteMiBs\":%.1f,\"seqReadMiBs\":%.1f,\"smallWritePerSec\":%.0f,\"smallReadPerSec\":%.0f}\n",
         mib / (t1 - t0), mib / (t2 - t1), files / (t4 - t3), files / (t5 - t4));
  return 0;
}
