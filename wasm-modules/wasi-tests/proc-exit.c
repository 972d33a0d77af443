/* proc_exit.
 *
 * Run with the exit code as argv[1]. Writes "before exit\n" to stdout and "on stderr\n" to
 * stderr, then calls proc_exit(code): the runner must see exactly that exit code and exactly
 * those bytes; the lines after proc_exit never run (they would print "after exit" and return
 * a different code). Nothing is left in libc's buffers: the output is written with fd_write.
 */
#include "check.h"

static void say(__wasi_fd_t fd, const char *s) {
    write_all(fd, s, strlen(s));
}

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: proc-exit.wasm CODE");
    int code = atoi(argv[1]);
    say(1, "before exit\n");
    say(2, "on stderr\n");
    __wasi_proc_exit((__wasi_exitcode_t)code);
    say(1, "after exit\n");
    return 99;
}
