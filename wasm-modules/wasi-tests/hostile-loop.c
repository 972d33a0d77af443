/* Hostile guest: spins forever without calling the host. Only deleting the pod stops it; the
 * runtime must be able to terminate a worker that never yields, and keep running others. */
#include <stdint.h>

volatile uint64_t spins;

int main(void) {
    for (;;) spins++;
}
