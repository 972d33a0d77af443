/* args_sizes_get, args_get, environ_sizes_get, environ_get.
 *
 * The runner starts this program with exactly these arguments and this environment (and
 * nothing else in the environment):
 *   argv[1..] = "alpha", "", "with space", "ünïcödé", "a=b"
 *   env       = HOME=/home/guest, EMPTY=, WITH_EQ=x=y=z, UNICODE=ü
 * Checks: the counts and buffer sizes (each string's bytes plus its NUL), every string byte for
 * byte, argv[0] names the module file, pointers land inside the caller's buffer, the host
 * writes no byte past the size it reported, and libc's getenv sees the same values.
 */
#include "check.h"

static const char *const want_args[] = {"alpha", "", "with space", "ünïcödé", "a=b"};
static const char *const want_env[] = {"HOME=/home/guest", "EMPTY=", "WITH_EQ=x=y=z",
                                       "UNICODE=ü"};
#define N_ARGS (sizeof want_args / sizeof want_args[0])
#define N_ENV (sizeof want_env / sizeof want_env[0])

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The pointer lies in [buf, buf + size) and its string ends before buf + size. */
static void check_inside(const uint8_t *p, const uint8_t *buf, size_t size) {
    CHECK(p >= buf && p < buf + size);
    CHECK(memchr(p, 0, (size_t)(buf + size - p)) != NULL);
}

static void check_args(void) {
    size_t argc = 0, size = 0;
    CHECK_OK(__wasi_args_sizes_get(&argc, &size));
    CHECK_EQ(argc, N_ARGS + 1);

    static uint8_t buf[4096];
    static uint8_t *argv[32];
    memset(buf, 0xAA, sizeof buf);
    CHECK_OK(__wasi_args_get(argv, buf));

    size_t want_size = strlen((const char *)argv[0]) + 1;
    for (size_t i = 0; i < N_ARGS; i++) want_size += strlen(want_args[i]) + 1;
    CHECK_EQ(size, want_size);

    for (size_t i = 0; i < argc; i++) check_inside(argv[i], buf, size);
    CHECK_MSG(ends_with((const char *)argv[0], "args-environ.wasm"),
              "argv[0] should name the module file, got \"%s\"", (const char *)argv[0]);
    for (size_t i = 0; i < N_ARGS; i++) CHECK_STR_EQ((const char *)argv[i + 1], want_args[i]);
    for (size_t i = size; i < size + 16; i++) CHECK_EQ(buf[i], 0xAA);
}

static void check_environ(void) {
    size_t count = 0, size = 0;
    CHECK_OK(__wasi_environ_sizes_get(&count, &size));
    CHECK_EQ(count, N_ENV);
    size_t want_size = 0;
    for (size_t i = 0; i < N_ENV; i++) want_size += strlen(want_env[i]) + 1;
    CHECK_EQ(size, want_size);

    static uint8_t buf[4096];
    static uint8_t *env[32];
    memset(buf, 0xAA, sizeof buf);
    CHECK_OK(__wasi_environ_get(env, buf));
    for (size_t i = size; i < size + 16; i++) CHECK_EQ(buf[i], 0xAA);

    /* The order of variables is not specified: match each expected one exactly once. */
    int seen[N_ENV] = {0};
    for (size_t i = 0; i < count; i++) {
        check_inside(env[i], buf, size);
        size_t j = 0;
        while (j < N_ENV && strcmp((const char *)env[i], want_env[j]) != 0) j++;
        CHECK_MSG(j < N_ENV, "unexpected environment entry \"%s\"", (const char *)env[i]);
        CHECK_MSG(!seen[j], "environment entry \"%s\" appears twice", want_env[j]);
        seen[j] = 1;
    }

    CHECK(getenv("HOME") && strcmp(getenv("HOME"), "/home/guest") == 0);
    CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0);
    CHECK(getenv("WITH_EQ") && strcmp(getenv("WITH_EQ"), "x=y=z") == 0);
    CHECK(getenv("UNICODE") && strcmp(getenv("UNICODE"), "ü") == 0);
    CHECK(getenv("PATH") == NULL);
}

int main(int argc, char **argv) {
    check_args();
    check_environ();
    /* libc's own view agrees with the raw calls. */
    CHECK_EQ(argc, N_ARGS + 1);
    CHECK_STR_EQ(argv[4], "ünïcödé");
    return pass();
}
