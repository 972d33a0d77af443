/* A guest that eats memory: allocates and touches 1 MiB blocks until malloc fails (then it reports
 * and exits 1, as a program out of memory does) or until argv[1] MiB are held (then it exits 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every block is chained to the last one, and the chain hangs off a volatile global, so the
 * compiler cannot drop the allocations as unused. */
static void *volatile chain;

int main(int argc, char **argv) {
    long want = argc > 1 ? atol(argv[1]) : 1L << 30;
    long held = 0;
    while (held < want) {
        void **p = malloc(1 << 20);
        if (!p) {
            fprintf(stderr, "out of memory after %ld MiB\n", held);
            return 1;
        }
        memset(p, 1, 1 << 20);
        *p = chain;
        chain = p;
        held++;
    }
    printf("held %ld MiB\n", held);
    return 0;
}
