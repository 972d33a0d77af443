/* The IPC tests' guest. Subcommands:
 *   errors                 every errno case one container can provoke; prints "ok"
 *   open-segment NAME      opens NAME without creating it; prints "errno N"
 *   open-queue NAME        opens queue NAME without creating it; prints "errno N"
 *   hold-segment NAME MS   creates NAME and keeps running MS milliseconds
 *   lock-and-die NAME      locks the mutex at offset 0 of NAME, sets word 4, then traps while holding it
 *   lock-after NAME        waits for word 4 of NAME, then locks offset 0; prints "lock errno N"
 *   count-runs NAME N      adds 1 to word 0 of NAME; fails until it is the Nth run, then prints "run N"
 *   echo IN OUT            receives one message from queue IN and sends it back on queue OUT with "echo: " before it */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wasmpod_ipc.h"

#define RDWR WASMPOD_IPC_RDWR
#define CREAT WASMPOD_IPC_CREAT
#define N(s) s, (uint32_t)strlen(s)

static int failures;
#define EXPECT(expr, want) do { int got_ = (expr); if (got_ != (want)) { \
    fprintf(stderr, "ipc-check.c:%d: %s: got %d, want %d\n", __LINE__, #expr, got_, (want)); failures++; } } while (0)

enum { OK = 0, EAGAIN_ = 6, EBADF_ = 8, EDEADLK_ = 16, EEXIST_ = 20, EINVAL_ = 28, EMSGSIZE_ = 35,
       ENAMETOOLONG_ = 37, ENOENT_ = 44, EOWNERDEAD_ = 62, EPERM_ = 63, ETIMEDOUT_ = 73 };

static double now_ms(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int errors(void) {
    wasmpod_ipc_handle q, ro, wo, s, sem, h;
    char big[64] = { 0 }, buf[64];
    uint32_t len, prio, v;
    int32_t old;
    /* queues */
    EXPECT(wasmpod_mq_open(N("/missing"), RDWR, 4, 16, &q), ENOENT_);
    EXPECT(wasmpod_mq_open(N("/q"), CREAT, 4, 16, &q), EINVAL_);                  /* neither READ nor WRITE */
    EXPECT(wasmpod_mq_open(N("/a/b"), CREAT | RDWR, 4, 16, &q), EINVAL_);
    EXPECT(wasmpod_mq_open(N("/q"), CREAT | RDWR, 0, 16, &q), EINVAL_);
    EXPECT(wasmpod_mq_open(N("/q"), CREAT | RDWR, 2, 16, &q), OK);
    EXPECT(wasmpod_mq_open(N("/q"), CREAT | WASMPOD_IPC_EXCL | RDWR, 2, 16, &h), EEXIST_);
    EXPECT(wasmpod_mq_send(q, big, 17, 0, 0), EMSGSIZE_);
    EXPECT(wasmpod_mq_receive(q, buf, 15, &len, &prio, 0), EMSGSIZE_);
    EXPECT(wasmpod_mq_receive(q, buf, sizeof buf, &len, &prio, 0), EAGAIN_);
    double t0 = now_ms();
    EXPECT(wasmpod_mq_receive(q, buf, sizeof buf, &len, &prio, 50000000), ETIMEDOUT_);
    if (now_ms() - t0 < 45) { fprintf(stderr, "receive timed out after %.1f ms\n", now_ms() - t0); failures++; }
    EXPECT(wasmpod_mq_send(q, "low", 3, 1, 0), OK);
    EXPECT(wasmpod_mq_send(q, "high", 4, 9, 0), OK);
    EXPECT(wasmpod_mq_send(q, "full", 4, 0, 0), EAGAIN_);
    EXPECT(wasmpod_mq_send(q, "full", 4, 0, 30000000), ETIMEDOUT_);
    EXPECT(wasmpod_mq_send(q, "x", 1, WASMPOD_MQ_PRIO_MAX, 0), EINVAL_);
    wasmpod_mq_attr attr;
    EXPECT(wasmpod_mq_getattr(q, &attr), OK);
    EXPECT((int)attr.curmsgs, 2);
    EXPECT((int)attr.msgsize, 16);
    EXPECT(wasmpod_mq_receive(q, buf, sizeof buf, &len, &prio, 0), OK);
    EXPECT((int)prio, 9);
    EXPECT(memcmp(buf, "high", 4), 0);
    EXPECT(wasmpod_mq_receive(q, buf, sizeof buf, &len, &prio, 0), OK);
    EXPECT((int)len, 3);
    EXPECT(wasmpod_mq_open(N("/q"), WASMPOD_IPC_READ, 0, 0, &ro), OK);
    EXPECT(wasmpod_mq_open(N("q"), WASMPOD_IPC_WRITE | WASMPOD_IPC_NONBLOCK, 0, 0, &wo), OK);  /* "/q" and "q" are one name */
    EXPECT(wasmpod_mq_send(ro, "x", 1, 0, 0), EBADF_);
    EXPECT(wasmpod_mq_receive(wo, buf, sizeof buf, &len, &prio, 0), EBADF_);
    EXPECT(wasmpod_mq_send(wo, "1", 1, 0, WASMPOD_IPC_FOREVER), OK);
    EXPECT(wasmpod_mq_send(wo, "2", 1, 0, WASMPOD_IPC_FOREVER), OK);
    EXPECT(wasmpod_mq_send(wo, "3", 1, 0, WASMPOD_IPC_FOREVER), EAGAIN_);         /* NONBLOCK: never waits */
    EXPECT(wasmpod_mq_unlink(N("/q")), OK);
    EXPECT(wasmpod_mq_unlink(N("/q")), ENOENT_);
    EXPECT(wasmpod_mq_receive(ro, buf, sizeof buf, &len, &prio, 0), OK);          /* open handles outlive the name */
    EXPECT(wasmpod_mq_open(N("/q"), RDWR, 0, 0, &h), ENOENT_);
    EXPECT(wasmpod_ipc_close(ro), OK);
    EXPECT(wasmpod_ipc_close(ro), EBADF_);
    EXPECT(wasmpod_mq_receive(ro, buf, sizeof buf, &len, &prio, 0), EBADF_);
    char longname[300]; memset(longname, 'n', sizeof longname);
    EXPECT(wasmpod_mq_open(longname, sizeof longname, CREAT | RDWR, 0, 0, &h), ENAMETOOLONG_);
    /* segments */
    EXPECT(wasmpod_shm_open(N("/seg"), RDWR, 64, &s), ENOENT_);
    EXPECT(wasmpod_shm_open(N("/seg"), CREAT | RDWR, 0, &s), EINVAL_);
    EXPECT(wasmpod_shm_open(N("/seg"), CREAT | RDWR, 62, &s), OK);
    EXPECT(wasmpod_shm_size(s, &v), OK);
    EXPECT((int)v, 64);
    EXPECT(wasmpod_shm_write(s, 60, "abcd", 4), OK);
    EXPECT(wasmpod_shm_write(s, 61, "abcd", 4), EINVAL_);
    EXPECT(wasmpod_shm_read(s, 60, buf, 4), OK);
    EXPECT(memcmp(buf, "abcd", 4), 0);
    EXPECT(wasmpod_shm_atomic(s, WASMPOD_ATOMIC_ADD, 2, 1, 0, &old), EINVAL_);     /* misaligned */
    EXPECT(wasmpod_shm_atomic(s, WASMPOD_ATOMIC_ADD, 0, 5, 0, &old), OK);
    EXPECT(wasmpod_shm_atomic(s, WASMPOD_ATOMIC_CAS, 0, 5, 7, &old), OK);
    EXPECT(old, 5);
    EXPECT(wasmpod_shm_atomic(s, 99, 0, 0, 0, &old), EINVAL_);
    EXPECT(wasmpod_shm_futex_wait(s, 0, 6, WASMPOD_IPC_FOREVER), EAGAIN_);         /* the word holds 7 */
    t0 = now_ms();
    EXPECT(wasmpod_shm_futex_wait(s, 0, 7, 30000000), ETIMEDOUT_);
    if (now_ms() - t0 < 25) { fprintf(stderr, "futex timed out after %.1f ms\n", now_ms() - t0); failures++; }
    EXPECT(wasmpod_shm_mutex_lock(s, 8, 0), OK);
    EXPECT(wasmpod_shm_mutex_lock(s, 8, 0), EDEADLK_);
    EXPECT(wasmpod_shm_mutex_unlock(s, 8), OK);
    EXPECT(wasmpod_shm_mutex_unlock(s, 8), EPERM_);
    EXPECT(wasmpod_shm_open(N("/seg"), WASMPOD_IPC_READ, 0, &h), OK);
    EXPECT(wasmpod_shm_write(h, 0, "x", 1), EBADF_);
    EXPECT(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_LOAD, 0, 0, 0, &old), OK);
    EXPECT(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_STORE, 0, 0, 0, &old), EBADF_);
    EXPECT(wasmpod_sem_wait(s, 0), EBADF_);                                       /* a segment is not a semaphore */
    /* semaphores */
    EXPECT(wasmpod_sem_open(N("/sem"), CREAT | RDWR, 1, &sem), OK);
    EXPECT(wasmpod_sem_wait(sem, 0), OK);
    EXPECT(wasmpod_sem_wait(sem, 0), EAGAIN_);
    EXPECT(wasmpod_sem_wait(sem, 20000000), ETIMEDOUT_);
    EXPECT(wasmpod_sem_post(sem), OK);
    EXPECT(wasmpod_sem_getvalue(sem, &v), OK);
    EXPECT((int)v, 1);
    if (failures) return 1;
    printf("ok\n");
    return 0;
}

static void sleep_ms(int ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, 0);
}

int main(int argc, char **argv) {
    const char *cmd = argc > 1 ? argv[1] : "";
    wasmpod_ipc_handle h;
    int32_t old;
    int e;
    if (!strcmp(cmd, "errors")) return errors();
    if (!strcmp(cmd, "open-segment") && argc > 2) {
        printf("errno %d\n", wasmpod_shm_open(N(argv[2]), RDWR, 0, &h));
        return 0;
    }
    if (!strcmp(cmd, "open-queue") && argc > 2) {
        printf("errno %d\n", wasmpod_mq_open(N(argv[2]), RDWR, 0, 0, &h));
        return 0;
    }
    if (!strcmp(cmd, "hold-segment") && argc > 3) {
        if ((e = wasmpod_shm_open(N(argv[2]), CREAT | RDWR, 64, &h))) { printf("errno %d\n", e); return 1; }
        printf("holding %s\n", argv[2]);
        fflush(stdout);
        sleep_ms(atoi(argv[3]));
        return 0;
    }
    if (!strcmp(cmd, "lock-and-die") && argc > 2) {
        if ((e = wasmpod_shm_open(N(argv[2]), CREAT | RDWR, 64, &h))) { printf("errno %d\n", e); return 1; }
        EXPECT(wasmpod_shm_mutex_lock(h, 0, WASMPOD_IPC_FOREVER), OK);
        wasmpod_shm_atomic(h, WASMPOD_ATOMIC_STORE, 4, 1, 0, &old);
        uint32_t n; wasmpod_shm_futex_wake(h, 4, 1000, &n);
        printf("locked\n");
        fflush(stdout);
        sleep_ms(100);   /* let the other container start waiting for the lock */
        __builtin_trap();
    }
    if (!strcmp(cmd, "lock-after") && argc > 2) {
        if ((e = wasmpod_shm_open(N(argv[2]), CREAT | RDWR, 64, &h))) { printf("errno %d\n", e); return 1; }
        for (int i = 0; i < 100; i++) {
            wasmpod_shm_atomic(h, WASMPOD_ATOMIC_LOAD, 4, 0, 0, &old);
            if (old) break;
            wasmpod_shm_futex_wait(h, 4, 0, 100000000);
        }
        printf("lock errno %d\n", wasmpod_shm_mutex_lock(h, 0, 10000000000ll));
        printf("unlock errno %d\n", wasmpod_shm_mutex_unlock(h, 0));
        return 0;
    }
    if (!strcmp(cmd, "count-runs") && argc > 3) {
        if ((e = wasmpod_shm_open(N(argv[2]), CREAT | RDWR, 64, &h))) { printf("errno %d\n", e); return 1; }
        wasmpod_shm_atomic(h, WASMPOD_ATOMIC_ADD, 0, 1, 0, &old);
        if (old + 1 < atoi(argv[3])) return 1;
        printf("run %d\n", old + 1);
        return 0;
    }
    if (!strcmp(cmd, "echo") && argc > 3) {
        wasmpod_ipc_handle in, out;
        char buf[256] = "echo: ";
        uint32_t len, prio;
        if ((e = wasmpod_mq_open(N(argv[2]), CREAT | RDWR, 8, 128, &in))) { printf("errno %d\n", e); return 1; }
        if ((e = wasmpod_mq_open(N(argv[3]), CREAT | RDWR, 8, 256, &out))) { printf("errno %d\n", e); return 1; }
        if ((e = wasmpod_mq_receive(in, buf + 6, 128, &len, &prio, 10000000000ll))) { printf("errno %d\n", e); return 1; }
        if ((e = wasmpod_mq_send(out, buf, len + 6, prio, WASMPOD_IPC_FOREVER))) { printf("errno %d\n", e); return 1; }
        printf("echoed %u bytes\n", len);
        return 0;
    }
    fprintf(stderr, "ipc-check: bad arguments\n");
    return 64;
}
