/* A many-purpose guest for lifecycle tests, since exec hooks and probes run the container's own module
 * with new argv: `tool sleep [MS]` stays up (default: a day), `tool exit CODE` exits with CODE,
 * `tool append FILE TEXT` appends a line to FILE and exits 0, `tool cat` copies stdin to stdout until EOF
 * (for exec with stdin), `tool runs` prints how many times main has run in this instance (1 unless an
 * instance is run twice). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int runs;

int main(int argc, char **argv) {
    const char *cmd = argc > 1 ? argv[1] : "sleep";
    runs++;
    if (strcmp(cmd, "runs") == 0) {
        printf("runs %d\n", runs);
        return 0;
    }
    if (strcmp(cmd, "exit") == 0) return argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(cmd, "append") == 0 && argc > 3) {
        FILE *f = fopen(argv[2], "a");
        if (!f) { perror(argv[2]); return 1; }
        fprintf(f, "%s\n", argv[3]);
        return fclose(f) == 0 ? 0 : 1;
    }
    if (strcmp(cmd, "cat") == 0) {
        /* read(2), not fread: each chunk is echoed as it arrives, without waiting for a full buffer. */
        char buf[4096];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0) {
            for (ssize_t at = 0; at < n;) {
                ssize_t w = write(1, buf + at, (size_t)(n - at));
                if (w < 0) return 1;
                at += w;
            }
        }
        return n < 0 ? 1 : 0;
    }
    if (strcmp(cmd, "sleep") == 0) {
        long ms = argc > 2 ? atol(argv[2]) : 1000L * 3600 * 24;
        printf("tool sleeping\n");
        fflush(stdout);
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        return 0;
    }
    fprintf(stderr, "tool: unknown command %s\n", cmd);
    return 2;
}
