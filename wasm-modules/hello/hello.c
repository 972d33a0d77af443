/* The smallest useful guest: prints one line and exits 0. Tests run it after a hostile guest
 * to show the runtime still works; benchmarks use it to measure start-up. */
#include <stdio.h>

int main(void) {
    printf("hello from wasmpod\n");
    return 0;
}
