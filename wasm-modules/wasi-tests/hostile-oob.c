/* Hostile guest: loads from an address past the end of linear memory, which traps
 * ("memory access out of bounds"). The runtime must report exit code 134, reason "Error"
 * and the trap's message, and keep running other guests. */
#include <stdint.h>

int main(void) {
    uintptr_t end = (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
    volatile uint32_t *p = (volatile uint32_t *)(end + 4096);
    return (int)*p;
}
