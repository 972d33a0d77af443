/* wasmpod's subPath helper (the kubelet's fix for CVE-2017-1002101): resolves a path beneath a volume root one
   component at a time without following a symbolic link (openat O_PATH|O_NOFOLLOW, each component checked with
   fstat), so a directory a container swapped for a symlink (to /etc, or ../../..) is refused, then bind-mounts the
   opened inode itself (/proc/self/fd/N) onto a private staging path that the OCI runtime is given as the source.

   subpath [--userns USERNS_PATH] ROOT REL TARGET [ROOT REL TARGET ...]

   As root it mounts in the host's mount namespace and exits 0. With --userns (rootless: a user may not mount on
   the host) it joins the pod's user namespace, makes a new mount namespace owned by it, resolves and mounts there,
   says "ready" on stdout and closes it, then holds that namespace (which the container's runtime joins by
   /proc/PID/ns/mnt) until its stdin ends or SIGTERM. A refused path exits 2 with "INDEX\tREASON" on stderr
   (INDEX of its triple, from 0); any other failure exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int failure(const char *what, const char *arg) {
  fprintf(stderr, "subpath: %s %s: %s\n", what, arg, strerror(errno));
  return 1;
}

static int refuse(int index, const char *reason, const char *component) {
  if (component) fprintf(stderr, "%d\t\"%s\" %s\n", index, component, reason);
  else fprintf(stderr, "%d\t%s\n", index, reason);
  return 2;
}

/* Opens REL beneath ROOT without following symlinks: the O_PATH fd of its last component, or -1 (*rc says why). */
static int open_beneath(int index, const char *root, const char *rel, int *rc, mode_t *type) {
  char buf[PATH_MAX], real_root[PATH_MAX], at[PATH_MAX], fdpath[64];
  struct stat st;
  if (strlen(rel) >= sizeof buf) { *rc = refuse(index, "the path is too long", NULL); return -1; }
  strcpy(buf, rel);
  /* The volume root is the runtime's own (or the hostPath the pod names): symlinks in it are trusted. */
  int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) { *rc = failure("cannot open volume root", root); return -1; }
  if (fstat(dfd, &st) != 0) { *rc = failure("cannot stat", root); close(dfd); return -1; }
  if (!realpath(root, real_root)) { *rc = failure("cannot resolve", root); close(dfd); return -1; }
  for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0) continue;
    if (strcmp(c, "..") == 0) { close(dfd); *rc = refuse(index, "climbs out of the volume", c); return -1; }
    if (!S_ISDIR(st.st_mode)) { close(dfd); *rc = refuse(index, "is not a directory", c); return -1; }
    int fd = openat(dfd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(dfd);
    if (fd < 0) {
      *rc = refuse(index, err == ENOENT ? "does not exist (it was removed or renamed)" : strerror(err), c);
      return -1;
    }
    if (fstat(fd, &st) != 0) { *rc = failure("cannot stat", c); close(fd); return -1; }
    if (S_ISLNK(st.st_mode)) { close(fd); *rc = refuse(index, "is a symbolic link", c); return -1; }
    dfd = fd;
  }
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) { close(dfd); *rc = refuse(index, "is neither a directory nor a regular file", NULL); return -1; }
  /* Belt and braces: the kernel's name for what was opened must still lie in the volume. */
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", dfd);
  ssize_t n = readlink(fdpath, at, sizeof at - 1);
  if (n < 0) { *rc = failure("cannot read", fdpath); close(dfd); return -1; }
  at[n] = '\0';
  size_t rl = strlen(real_root);
  if (strcmp(real_root, "/") != 0 && (strncmp(at, real_root, rl) != 0 || (at[rl] != '\0' && at[rl] != '/'))) {
    close(dfd);
    *rc = refuse(index, "leaves the volume", NULL);
    return -1;
  }
  *type = st.st_mode & S_IFMT;
  return dfd;
}

/* Resolves one triple and bind-mounts what it found (recursively, as runc's rbind would) onto TARGET, made first. */
static int stage(int index, const char *root, const char *rel, const char *target) {
  int rc = 0;
  mode_t type = 0;
  int fd = open_beneath(index, root, rel, &rc, &type);
  if (fd < 0) return rc;
  if (type == S_IFDIR) {
    if (mkdir(target, 0700) != 0 && errno != EEXIST) { close(fd); return failure("cannot make", target); }
  } else {
    int t = open(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (t < 0) { close(fd); return failure("cannot make", target); }
    close(t);
  }
  char source[64];
  snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
  if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) { close(fd); return failure("cannot bind-mount the subPath onto", target); }
  close(fd);
  /* Private: nothing mounted later below the volume's path on the host propagates into the staging mount. */
  if (mount(NULL, target, NULL, MS_PRIVATE | MS_REC, NULL) != 0) return failure("cannot make private", target);
  return 0;
}

static int join_userns(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure("cannot open", path);
  if (setns(fd, CLONE_NEWUSER) != 0) { close(fd); return failure("cannot join the user namespace", path); }
  close(fd);
  if (unshare(CLONE_NEWNS) != 0) return failure("cannot make a mount namespace in", path);
  return 0;
}

int main(int argc, char **argv) {
  int i = 1;
  const char *userns = NULL;
  if (argc > 2 && strcmp(argv[1], "--userns") == 0) { userns = argv[2]; i = 3; }
  if (argc - i < 3 || (argc - i) % 3 != 0) {
    fprintf(stderr, "usage: subpath [--userns USERNS_PATH] ROOT REL TARGET [ROOT REL TARGET ...]\n");
    return 1;
  }
  if (userns && join_userns(userns) != 0) return 1;
  for (int k = 0; i < argc; i += 3, k++) {
    int rc = stage(k, argv[i], argv[i + 1], argv[i + 2]);
    if (rc != 0) return rc;
  }
  if (!userns) return 0;
  printf("ready\n");
  fflush(stdout);
  fclose(stdout);
  /* Holds the mount namespace until the runtime has joined it: wasmpod ends our stdin (or dies, which ends it). */
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {}
  return 0;
}
