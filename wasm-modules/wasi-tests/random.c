/* random_get.
 *
 * Checks: a zero-length request succeeds and writes nothing; a request fills exactly the bytes
 * asked for (the guard bytes around it stay untouched); a 1 MiB request succeeds in one call
 * (the host must chunk it if its own source is limited, as crypto.getRandomValues is to
 * 64 KiB); the bytes look random (every byte value appears in 1 MiB, no value far too often,
 * two requests differ); an out-of-bounds buffer answers FAULT.
 */
#include "check.h"

#define BIG (1024 * 1024)
static uint8_t big[BIG + 32];

int main(void) {
    uint8_t small[64];
    memset(small, 0x5A, sizeof small);
    CHECK_OK(__wasi_random_get(small + 8, 0));
    for (size_t i = 0; i < sizeof small; i++) CHECK_EQ(small[i], 0x5A);

    /* Exactly buf_len bytes: the 16 guard bytes on each side are never written. Checked
     * on a few draws so that a random 0x5A at the edge does not hide a bug. */
    int edge_changed = 0;
    for (int round = 0; round < 8; round++) {
        memset(small, 0x5A, sizeof small);
        CHECK_OK(__wasi_random_get(small + 16, 32));
        for (size_t i = 0; i < 16; i++) CHECK_EQ(small[i], 0x5A);
        for (size_t i = 48; i < 64; i++) CHECK_EQ(small[i], 0x5A);
        if (small[16] != 0x5A || small[47] != 0x5A) edge_changed = 1;
    }
    CHECK_MSG(edge_changed, "random_get never wrote the first or last byte of its buffer");

    memset(big, 0, sizeof big);
    CHECK_OK(__wasi_random_get(big, BIG));
    for (size_t i = BIG; i < BIG + 32; i++) CHECK_EQ(big[i], 0);
    static uint32_t counts[256];
    for (size_t i = 0; i < BIG; i++) counts[big[i]]++;
    /* Expected 4096 per value; a fair source stays far inside [3000, 5200]. */
    for (int v = 0; v < 256; v++)
        CHECK_MSG(counts[v] > 3000 && counts[v] < 5200, "byte 0x%02x appeared %u times in 1 MiB",
                  v, counts[v]);
    /* The last 64 KiB are random too (a host that fills only the first chunk fails here). */
    size_t zeros = 0;
    for (size_t i = BIG - 65536; i < BIG; i++) zeros += big[i] == 0;
    CHECK_MSG(zeros < 1024, "%zu zero bytes in the last 64 KiB", zeros);

    uint8_t a[32], b[32];
    CHECK_OK(__wasi_random_get(a, sizeof a));
    CHECK_OK(__wasi_random_get(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);

    uint32_t end = memory_end();
    CHECK_ERRNO(__wasi_random_get((uint8_t *)(uintptr_t)(end - 8), 16), __WASI_ERRNO_FAULT);
    CHECK_ERRNO(__wasi_random_get((uint8_t *)(uintptr_t)0xfffffff0u, 32), __WASI_ERRNO_FAULT);
    return pass();
}
