/* A guest that prints "sleeping", sleeps argv[1] milliseconds (default: a very long time) and exits 0:
 * a container that stays Running for lifecycle and deletion tests. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 1000L * 3600 * 24;
    printf("sleeping %ld ms\n", ms);
    fflush(stdout);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    printf("woke\n");
    return 0;
}
