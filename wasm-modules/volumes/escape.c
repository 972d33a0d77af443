/*
 * A hostile guest: tries every way out of its mounts it can think of and prints one line per
 * attempt, "escaped: ..." when it could read a file outside (the tests plant a marker file
 * "outside.txt" beside the volume's host directory), "refused: ... (<errno>)" otherwise.
 * argv[1] is the guest directory to attack (a mount point, such as /data).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int escaped = 0;

static void try_read(const char *what, const char *path) {
    char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("refused: %s (%s)\n", what, strerror(errno)); return; }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    if (strstr(buf, "OUTSIDE")) { printf("escaped: %s\n", what); escaped = 1; }
    else printf("refused: %s (read something else)\n", what);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/data";
    char p[512], link[512];

    snprintf(p, sizeof p, "%s/../outside.txt", dir);
    try_read("dotdot", p);
    snprintf(p, sizeof p, "%s/../../../../../../outside.txt", dir);
    try_read("many dotdots", p);

    /* A relative link climbing out of the mount, created by the guest. */
    snprintf(link, sizeof link, "%s/up", dir);
    if (symlink("..", link) < 0) printf("refused: symlink .. (%s)\n", strerror(errno));
    snprintf(p, sizeof p, "%s/up/outside.txt", dir);
    try_read("guest symlink to ..", p);

    /* An absolute link: would name the host's tree. */
    snprintf(link, sizeof link, "%s/abs", dir);
    if (symlink("/etc", link) < 0) printf("refused: absolute symlink (%s)\n", strerror(errno));
    snprintf(p, sizeof p, "%s/abs/passwd", dir);
    try_read("absolute symlink", p);

    /* Links planted on the host by the test (absolute and relative, pointing outside). */
    snprintf(p, sizeof p, "%s/planted-abs", dir);
    try_read("host-planted absolute symlink", p);
    snprintf(p, sizeof p, "%s/planted-rel", dir);
    try_read("host-planted relative symlink", p);

    /* Writing through them must fail as well. */
    snprintf(p, sizeof p, "%s/up/created-outside.txt", dir);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) { printf("escaped: created a file through ..\n"); escaped = 1; close(fd); }
    else printf("refused: create through guest symlink (%s)\n", strerror(errno));

    printf(escaped ? "ESCAPED\n" : "CONTAINED\n");
    return escaped;
}
