/* Standard input, output and error.
 *
 * Run with stdin = N bytes where byte i is (i % 251), and N as argv[1] (the runner uses 70001,
 * more than one 64 KiB chunk). Checks: fd_read on fd 0, with odd-sized reads split over two
 * iovecs, returns exactly those bytes and then 0 (EOF), and 0 again; fds 0, 1 and 2 have the
 * read / write rights. Then writes, for the runner to compare byte for byte:
 *   stdout: bytes 0x00..0x7f, then "é😀\n" (UTF-8), then 100000 bytes where byte i is '\n'
 *           if i % 100 == 99 and 'a' + i % 26 otherwise, then "ok\n";
 *   stderr: "err:" then bytes 0x00..0x7f then "\n".
 * The first stdout part is written with a gather write of three iovecs (one empty).
 */
#include "check.h"

static void check_stdin(size_t want) {
    static uint8_t data[1 << 20];
    CHECK(want <= sizeof data);
    size_t total = 0;
    for (;;) {
        size_t chunk = 4093; /* odd sizes: not aligned with any host chunking */
        size_t room = sizeof data - total;
        size_t a = room < 17 ? room : 17, b = room - a < chunk ? room - a : chunk;
        __wasi_iovec_t iov[2] = {{data + total, a}, {data + total + a, b}};
        size_t n = 0;
        CHECK_OK(__wasi_fd_read(0, iov, 2, &n));
        if (n == 0) break;
        total += n;
        CHECK(total <= want);
    }
    CHECK_EQ(total, want);
    for (size_t i = 0; i < total; i++)
        CHECK_MSG(data[i] == i % 251, "stdin byte %zu: expected 0x%02zx, got 0x%02x", i, i % 251,
                  data[i]);
    uint8_t c;
    __wasi_iovec_t one = {&c, 1};
    size_t n = 99;
    CHECK_OK(__wasi_fd_read(0, &one, 1, &n));
    CHECK_EQ(n, 0);
}

static void check_rights(void) {
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(0, &st));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
    CHECK_OK(__wasi_fd_fdstat_get(1, &st));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
    CHECK_OK(__wasi_fd_fdstat_get(2, &st));
    CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
}

static void write_outputs(void) {
    uint8_t ascii[128];
    for (int i = 0; i < 128; i++) ascii[i] = (uint8_t)i;
    static const char utf8[] = "é😀\n";

    __wasi_ciovec_t parts[3] = {{ascii, sizeof ascii}, {ascii, 0},
                                {(const uint8_t *)utf8, sizeof utf8 - 1}};
    size_t n = 0;
    CHECK_OK(__wasi_fd_write(1, parts, 3, &n));
    CHECK_EQ(n, sizeof ascii + sizeof utf8 - 1);

    static uint8_t big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = i % 100 == 99 ? '\n' : (uint8_t)('a' + i % 26);
    write_all(1, big, sizeof big);

    write_all(2, "err:", 4);
    write_all(2, ascii, sizeof ascii);
    write_all(2, "\n", 1);
}

int main(int argc, char **argv) {
    CHECK_MSG(argc == 2, "usage: stdio.wasm STDIN_LENGTH");
    check_stdin((size_t)atol(argv[1]));
    check_rights();
    write_outputs();
    return pass();
}
