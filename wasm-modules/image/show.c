/* A guest for image tests: prints its argv and its environment, one per line ("argv: X", "env: K=V"),
 * so a test sees what the image config's Entrypoint, Cmd and Env became. */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv: %s\n", argv[i]);
    for (char **e = environ; *e; e++) printf("env: %s\n", *e);
    return 0;
}
