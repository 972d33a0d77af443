/* proc_raise.
 *
 * Run with a signal number (the witx `signal` enum) as argv[1]. Checks first: signal 0 (NONE)
 * and the signals whose default action is to be ignored (CHLD, CONT, URG, WINCH) return SUCCESS
 * and the program goes on; the stopping signals (STOP, TSTP, TTIN, TTOU), which a container
 * cannot be stopped by, answer NOTSUP; numbers outside the enum (31, 255, 0xffffffff) answer
 * INVAL. Then it prints "ok" and raises argv[1]: a fatal signal ends the program there (the
 * runner sees exit code 128 + the Linux signal number and the message "terminated by SIGxxx");
 * if proc_raise returns, the program prints "returned" and exits 99.
 */
#include "check.h"

WASI_IMPORT("proc_raise")
int32_t raw_proc_raise(int32_t sig);

enum { SIG_NONE = 0, SIG_STOP = 18, SIG_TSTP = 19, SIG_TTIN = 20, SIG_TTOU = 21,
       SIG_CHLD = 16, SIG_CONT = 17, SIG_URG = 22, SIG_WINCH = 27 };

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: proc-raise.wasm SIGNAL");
    int sig = atoi(argv[1]);

    CHECK_OK(raw_proc_raise(SIG_NONE));
    CHECK_OK(raw_proc_raise(SIG_CHLD));
    CHECK_OK(raw_proc_raise(SIG_CONT));
    CHECK_OK(raw_proc_raise(SIG_URG));
    CHECK_OK(raw_proc_raise(SIG_WINCH));
    CHECK_ERRNO(raw_proc_raise(SIG_STOP), __WASI_ERRNO_NOTSUP);
    CHECK_ERRNO(raw_proc_raise(SIG_TSTP), __WASI_ERRNO_NOTSUP);
    CHECK_ERRNO(raw_proc_raise(SIG_TTIN), __WASI_ERRNO_NOTSUP);
    CHECK_ERRNO(raw_proc_raise(SIG_TTOU), __WASI_ERRNO_NOTSUP);
    CHECK_ERRNO(raw_proc_raise(31), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(raw_proc_raise(255), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(raw_proc_raise((int32_t)0xffffffffu), __WASI_ERRNO_INVAL);

    write_all(1, "ok\n", 3);
    int32_t err = raw_proc_raise(sig);
    char line[64];
    int n = snprintf(line, sizeof line, "returned %d\n", (int)err);
    write_all(1, line, (size_t)n);
    return 99;
}
