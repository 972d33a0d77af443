/* A guest for pod lifecycle tests: prints "NAME run" (NAME from argv[1]), then, if a file is given,
 * appends NAME to it (so tests see the order containers ran in), and exits with argv[2]. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "exit";
    int code = argc > 2 ? atoi(argv[2]) : 0;
    printf("%s run\n", name);
    if (argc > 3) {
        FILE *f = fopen(argv[3], "a");
        if (!f) { perror(argv[3]); return 99; }
        fprintf(f, "%s\n", name);
        fclose(f);
    }
    fprintf(stderr, "%s exits %d\n", name, code);
    return code;
}
