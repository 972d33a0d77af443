/*
 * A scriptable file tool for the volume tests: runs the operations given as arguments, in order,
 * printing one line per operation ("op path: ok" or "op path: <errno name>"), and exits 0.
 *   cat PATH          print the file's contents (then "\n")
 *   write PATH TEXT   create or truncate PATH, write TEXT
 *   append PATH TEXT N  append "TEXT\n" N times, one write per line (O_APPEND)
 *   fill PATH BYTES   write BYTES zero bytes in 4 KiB writes; prints how many were written
 *   ls DIR            print the sorted names in DIR (without . and ..), space separated
 *   mkdir PATH | rm PATH | rmdir PATH | symlink TARGET PATH | rename FROM TO | link FROM TO | mode PATH | env NAME
 *   truncate PATH BYTES | touch PATH (set both times to now) | sleep MS (prints nothing)
 *   follow COUNT PATH PREFIX  print each line of PATH prefixed as it appears, until COUNT lines (or, with the
 *                     termination notice, until stopped): a log forwarder
 *   failonce PATH     if PATH does not exist, create it and exit 1 (to make a container restart once)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *err_name(int e) {
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EACCES: return "EACCES";
    case EROFS: return "EROFS"; case ENOSPC: return "ENOSPC"; case EBUSY: return "EBUSY";
    case ENOTCAPABLE: return "ENOTCAPABLE"; case EXDEV: return "EXDEV"; case ELOOP: return "ELOOP";
    case EEXIST: return "EEXIST"; case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR";
    default: return strerror(e);
    }
}

static void result(const char *op, const char *path, int rc) {
    if (rc < 0) printf("%s %s: %s\n", op, path, err_name(errno));
    else printf("%s %s: ok\n", op, path);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return result("ls", dir, -1);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("ls %s:", dir);
    for (int i = 0; i < n; i++) printf(" %s", names[i]);
    printf("\n");
}

static void cat(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return result("cat", path, -1);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
    if (n < 0) result("read", path, -1);
    close(fd);
    printf("\n");
}

static int write_text(const char *path, const char *text, int flags, int times) {
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    if (fd < 0) return -1;
    for (int i = 0; i < times; i++) {
        if (write(fd, text, strlen(text)) < 0) { int e = errno; close(fd); errno = e; return -1; }
    }
    return close(fd);
}

static void fill(const char *path, long bytes) {
    static char zero[4096];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return result("fill", path, -1);
    long done = 0;
    while (done < bytes) {
        long chunk = bytes - done < 4096 ? bytes - done : 4096;
        ssize_t w = write(fd, zero, chunk);
        if (w < 0) { printf("fill %s: %ld %s\n", path, done, err_name(errno)); close(fd); return; }
        done += w;
    }
    close(fd);
    printf("fill %s: %ld ok\n", path, done);
}

static void follow(int count, const char *path, const char *prefix) {
    /* Forwards each line of PATH once, prefixed, as it appears. A forwarder that declares WASMPOD_TERMINATION_FD
     * runs until its pod stops it and then reads the file once more, so lines written just before the app exited
     * are not lost (what a log shipper does on SIGTERM); a sidecar that ended by itself after COUNT lines would be
     * restarted, and forward them again. Without the notice it ends once COUNT lines are forwarded. */
    const char *tenv = getenv("WASMPOD_TERMINATION_FD");
    struct pollfd notice = {tenv ? atoi(tenv) : -1, POLLIN, 0};
    /* Polled first of all: until it has been, the pod's stop request ends the forwarder at once (SIGTERM's
     * default action), as a log shipper stopped before it installed its handler. */
    if (notice.fd >= 0) poll(&notice, 1, 0);
    char buf[8192];
    int forwarded = 0;
    for (int tries = 0; tries < 2000; tries++) {
        int stopping = notice.revents != 0;
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0) close(fd);
        buf[n > 0 ? n : 0] = 0;
        int line = 0;
        for (char *p = buf, *eol; (eol = strchr(p, '\n')); p = eol + 1, line++) {
            if (line >= forwarded) printf("%s%.*s\n", prefix, (int)(eol - p), p);
        }
        forwarded = line;
        if (stopping || (notice.fd < 0 && forwarded >= count)) return;
        if (notice.fd >= 0) {
            poll(&notice, 1, 10);
        } else {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    printf("follow %s: timed out\n", path);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        const char *a = i + 1 < argc ? argv[i + 1] : "";
        const char *b = i + 2 < argc ? argv[i + 2] : "";
        if (!strcmp(op, "cat")) { cat(a); i += 1; }
        else if (!strcmp(op, "ls")) { list(a); i += 1; }
        else if (!strcmp(op, "write")) { result(op, a, write_text(a, b, O_TRUNC, 1)); i += 2; }
        else if (!strcmp(op, "append")) {
            char line[1024];
            snprintf(line, sizeof line, "%s\n", b);
            result(op, a, write_text(a, line, O_APPEND, atoi(argv[i + 3])));
            i += 3;
        }
        else if (!strcmp(op, "fill")) { fill(a, atol(b)); i += 2; }
        else if (!strcmp(op, "mkdir")) { result(op, a, mkdir(a, 0755)); i += 1; }
        else if (!strcmp(op, "rm")) { result(op, a, unlink(a)); i += 1; }
        else if (!strcmp(op, "rmdir")) { result(op, a, rmdir(a)); i += 1; }
        else if (!strcmp(op, "symlink")) { result(op, b, symlink(a, b)); i += 2; }
        else if (!strcmp(op, "rename")) { result(op, a, rename(a, b)); i += 2; }
        else if (!strcmp(op, "link")) { result(op, b, link(a, b)); i += 2; }
        else if (!strcmp(op, "truncate")) { result(op, a, truncate(a, atol(b))); i += 2; }
        else if (!strcmp(op, "touch")) { result(op, a, utimensat(AT_FDCWD, a, NULL, 0)); i += 1; }
        else if (!strcmp(op, "mode")) {
            struct stat st;
            if (stat(a, &st) < 0) result(op, a, -1);
            else printf("mode %s: %o\n", a, (unsigned)(st.st_mode & 0777));
            i += 1;
        }
        else if (!strcmp(op, "env")) { const char *v = getenv(a); printf("env %s: %s\n", a, v ? v : "(unset)"); i += 1; }
        else if (!strcmp(op, "failonce")) {
            if (access(a, F_OK) < 0) { write_text(a, "", 0, 0); printf("failonce %s: exit 1\n", a); return 1; }
            i += 1;
        }
        else if (!strcmp(op, "follow")) { follow(atoi(a), b, argv[i + 3]); i += 3; }
        else if (!strcmp(op, "sleep")) {
            long ms = atol(a);
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            i += 1;
        }
        else { printf("unknown op %s\n", op); return 2; }
    }
    return 0;
}
