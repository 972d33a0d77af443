/* The two-container example's guest. `relay write FILE TEXT` writes TEXT to FILE through a rename, so a
 * reader never sees half a message; `relay read FILE` waits (up to 10 s) for FILE and prints it. Two
 * containers of one pod use it to pass a message through the volume they share. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int do_write(const char *file, const char *text) {
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    FILE *f = fopen(tmp, "w");
    if (!f) { fprintf(stderr, "relay: cannot create %s: %s\n", tmp, strerror(errno)); return 1; }
    fprintf(f, "%s\n", text);
    fclose(f);
    if (rename(tmp, file) != 0) { fprintf(stderr, "relay: rename: %s\n", strerror(errno)); return 1; }
    printf("wrote %zu bytes to %s\n", strlen(text) + 1, file);
    return 0;
}

static int do_read(const char *file) {
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(file, "r");
        if (f) {
            char line[512];
            while (fgets(line, sizeof line, f)) printf("received: %s", line);
            fclose(f);
            unlink(file);
            return 0;
        }
        nanosleep(&pause, NULL);
    }
    fprintf(stderr, "relay: %s did not appear within 10 s\n", file);
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "write") == 0) return do_write(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "read") == 0) return do_read(argv[2]);
    fprintf(stderr, "usage: relay write FILE TEXT | relay read FILE\n");
    return 2;
}
