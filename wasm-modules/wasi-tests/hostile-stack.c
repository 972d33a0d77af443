/* Hostile guest: unbounded recursion that overflows the engine's call stack (the calls go
 * through a volatile function pointer, so the compiler can neither inline them nor turn them
 * into a loop, and no frame lives in linear memory). The runtime must report exit code 134,
 * reason "Error" and a message naming the stack overflow, and keep running other guests. */
#include <stdint.h>

static uint32_t recurse(uint32_t depth);
static uint32_t (*volatile next)(uint32_t) = recurse;

static uint32_t recurse(uint32_t depth) {
    return next(depth + 1) + depth;
}

int main(void) {
    return (int)next(0);
}
