/* Copies stdin to stdout until EOF: checks that a container's stdin carries bytes and then ends. */
#include <unistd.h>

int main(void) {
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(1, buf + done, n - done);
            if (w < 0) return 1;
            done += w;
        }
    }
    return n < 0 ? 2 : 0;
}
