/* Lists a directory with readdir(3) (wasi-libc's, over fd_readdir and its cookies) and prints what it saw:
 *   count-dir DIR   "DIR: N entries (F regular files, D directories), dots D0, sorted S" where dots counts "." and
 *                   "..", and S is "yes" if the other names came in strictly increasing bytewise order;
 *                   or "DIR: errno E after N entries" if opendir or readdir failed. Exits 0 either way.
 * Names are compared as they arrive, so the guest holds one name, however large the directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    DIR *d = opendir(dir);
    if (!d) { printf("%s: errno %d after 0 entries\n", dir, errno); return 0; }
    static char last[1024];
    int have_last = 0, sorted = 1;
    unsigned long n = 0, files = 0, dirs = 0, dots = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) break;
        n++;
        if (e->d_type == DT_REG) files++;
        if (e->d_type == DT_DIR) dirs++;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) { dots++; continue; }
        if (have_last && strcmp(last, e->d_name) >= 0) sorted = 0;
        snprintf(last, sizeof last, "%s", e->d_name);
        have_last = 1;
    }
    if (errno) printf("%s: errno %d after %lu entries\n", dir, errno, n);
    else printf("%s: %lu entries (%lu regular files, %lu directories), dots %lu, sorted %s\n", dir, n, files, dirs,
                dots, sorted ? "yes" : "no");
    closedir(d);
    return 0;
}
