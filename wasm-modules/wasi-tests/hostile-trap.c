/* Hostile guest: executes `unreachable` (__builtin_trap) after writing one line.
 * The runtime must report exit code 134, reason "Error", the trap's message, keep the line
 * already written, and keep running other guests. */
#include <string.h>
#include <wasi/api.h>

int main(void) {
    static const char line[] = "about to trap\n";
    __wasi_ciovec_t iov = {(const uint8_t *)line, sizeof line - 1};
    size_t n;
    (void)__wasi_fd_write(1, &iov, 1, &n);
    __builtin_trap();
}
