/* A module that imports a function no WASI host provides: wasmpod must refuse it before the pod
 * starts, naming the import (env.launch_missiles). */
__attribute__((import_module("env"), import_name("launch_missiles"))) int launch_missiles(int);

int main(void) {
    return launch_missiles(1);
}
