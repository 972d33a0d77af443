/* The IPC benchmark's guest (bench/ipc.js runs it): round trips and throughput between two containers.
 *   qping N SIZE / qpong N SIZE   N round trips of SIZE-byte messages over queues /ping and /pong
 *   qblast N SIZE / qsink N SIZE  N one-way messages of SIZE bytes over queue /blast (64 slots)
 *   fping N / fpong N             N round trips through one word of segment /futex with futex wait/wake
 *   rblast N SIZE / rsink N SIZE  N one-way SIZE-byte records through a 1 MiB ring in segment /ring-SIZE, each side
 *                                 moving every record it can in one copy and sleeping on a futex only when it cannot
 * The measuring side prints one line: "name n=N size=S p50_us=.. p99_us=.. total_ms=.. msgs_per_s=.. MiB_per_s=.." */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wasmpod_ipc.h"

#define RDWR_CREAT (WASMPOD_IPC_CREAT | WASMPOD_IPC_RDWR)
#define N(s) s, (uint32_t)strlen(s)

static uint64_t now_ns(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
static void check(int e, const char *what) { if (e) { fprintf(stderr, "ipc-bench: %s: errno %d\n", what, e); exit(1); } }
static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}
static void report(const char *name, uint32_t n, uint32_t size, uint64_t *lat, uint64_t total) {
    double p50 = 0, p99 = 0;
    if (lat) { qsort(lat, n, sizeof *lat, cmp); p50 = lat[n / 2] / 1e3; p99 = lat[(uint64_t)n * 99 / 100] / 1e3; }
    double secs = total / 1e9;
    printf("%s n=%u size=%u p50_us=%.2f p99_us=%.2f total_ms=%.1f msgs_per_s=%.0f MiB_per_s=%.1f\n", name, n, size,
           p50, p99, total / 1e6, n / secs, (double)n * size / secs / 1048576.0);
}

static char buf[1 << 20];

/* The ring: words HEAD (records consumed), TAIL (records produced), and a flag per side saying it is asleep (so the
 * other side calls futex_wake only then), then the records. */
enum { HEAD = 0, TAIL = 4, CONSUMER_ASLEEP = 8, PRODUCER_ASLEEP = 12, RING_DATA = 64, RING_BYTES = 1 << 20 };

static int32_t load(wasmpod_ipc_handle h, uint32_t off) {
    int32_t v; check(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_LOAD, off, 0, 0, &v), "load"); return v;
}
static void store(wasmpod_ipc_handle h, uint32_t off, int32_t v) {
    int32_t old; check(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_STORE, off, v, 0, &old), "store");
}
static void sleep_on(wasmpod_ipc_handle h, uint32_t flag, uint32_t word, int32_t seen) {
    store(h, flag, 1);
    if (load(h, word) == seen) wasmpod_shm_futex_wait(h, word, seen, WASMPOD_IPC_FOREVER);
    store(h, flag, 0);
}

static int ring(int producer, uint32_t n, uint32_t size) {
    char name[32];
    snprintf(name, sizeof name, "/ring-%u", size);
    if (size < 4 || size > RING_BYTES / 4) { fprintf(stderr, "ipc-bench: ring record size 4..%u\n", RING_BYTES / 4); exit(64); }
    uint32_t cap = RING_BYTES / size, woken;
    wasmpod_ipc_handle h;
    check(wasmpod_shm_open(name, (uint32_t)strlen(name), RDWR_CREAT, RING_DATA + cap * size, &h), "shm_open");
    uint64_t start = 0;
    for (uint32_t done = 0; done < n;) {
        int32_t head = load(h, HEAD), tail = load(h, TAIL);
        uint32_t ready = producer ? cap - (uint32_t)(tail - head) : (uint32_t)(tail - head);
        if (ready == 0) {
            if (producer) sleep_on(h, PRODUCER_ASLEEP, HEAD, head); else sleep_on(h, CONSUMER_ASLEEP, TAIL, tail);
            continue;
        }
        uint32_t at = (uint32_t)(producer ? tail : head) % cap, k = ready;
        if (k > n - done) k = n - done;
        if (k > cap - at) k = cap - at;          /* one contiguous copy */
        if (producer) {
            for (uint32_t i = 0; i < k; i++) { uint32_t seq = done + i; memcpy(buf + i * size, &seq, 4); }
            check(wasmpod_shm_write(h, RING_DATA + at * size, buf, k * size), "shm_write");
            store(h, TAIL, tail + (int32_t)k);
            if (load(h, CONSUMER_ASLEEP)) wasmpod_shm_futex_wake(h, TAIL, 1, &woken);
        } else {
            if (!start) start = now_ns();
            check(wasmpod_shm_read(h, RING_DATA + at * size, buf, k * size), "shm_read");
            for (uint32_t i = 0; i < k; i++) {
                uint32_t seq; memcpy(&seq, buf + i * size, 4);
                if (seq != done + i) { fprintf(stderr, "ipc-bench: record %u where %u was due\n", seq, done + i); exit(2); }
            }
            store(h, HEAD, head + (int32_t)k);
            if (load(h, PRODUCER_ASLEEP)) wasmpod_shm_futex_wake(h, HEAD, 1, &woken);
        }
        done += k;
    }
    if (!producer) report("segment-ring-throughput", n, size, 0, now_ns() - start);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ipc-bench MODE N [SIZE]\n"); return 64; }
    const char *mode = argv[1];
    uint32_t n = (uint32_t)strtoul(argv[2], 0, 10), size = argc > 3 ? (uint32_t)strtoul(argv[3], 0, 10) : 16;
    uint32_t len, prio;
    if (!strcmp(mode, "qping") || !strcmp(mode, "qpong")) {
        wasmpod_ipc_handle ping, pong;
        check(wasmpod_mq_open(N("/ping"), RDWR_CREAT, 16, size, &ping), "mq_open");
        check(wasmpod_mq_open(N("/pong"), RDWR_CREAT, 16, size, &pong), "mq_open");
        if (mode[1] == 'p' && mode[2] == 'o') {
            for (uint32_t i = 0; i < n; i++) {
                check(wasmpod_mq_receive(ping, buf, size, &len, &prio, WASMPOD_IPC_FOREVER), "receive");
                check(wasmpod_mq_send(pong, buf, len, 0, WASMPOD_IPC_FOREVER), "send");
            }
            return 0;
        }
        uint64_t *lat = malloc(sizeof(uint64_t) * n);
        uint64_t start = now_ns();
        for (uint32_t i = 0; i < n; i++) {
            uint64_t t = now_ns();
            check(wasmpod_mq_send(ping, buf, size, 0, WASMPOD_IPC_FOREVER), "send");
            check(wasmpod_mq_receive(pong, buf, size, &len, &prio, WASMPOD_IPC_FOREVER), "receive");
            lat[i] = now_ns() - t;
        }
        report("queue-round-trip", n, size, lat, now_ns() - start);
        return 0;
    }
    if (!strcmp(mode, "qblast") || !strcmp(mode, "qsink")) {
        wasmpod_ipc_handle q;
        check(wasmpod_mq_open(N("/blast"), RDWR_CREAT, 64, size, &q), "mq_open");
        if (mode[1] == 'b') {
            for (uint32_t i = 0; i < n; i++) check(wasmpod_mq_send(q, buf, size, 0, WASMPOD_IPC_FOREVER), "send");
            return 0;
        }
        check(wasmpod_mq_receive(q, buf, size, &len, &prio, WASMPOD_IPC_FOREVER), "receive");
        uint64_t start = now_ns();
        for (uint32_t i = 1; i < n; i++) check(wasmpod_mq_receive(q, buf, size, &len, &prio, WASMPOD_IPC_FOREVER), "receive");
        report("queue-throughput", n - 1, size, 0, now_ns() - start);
        return 0;
    }
    if (!strcmp(mode, "fping") || !strcmp(mode, "fpong")) {
        wasmpod_ipc_handle h;
        int32_t v, old;
        uint32_t woken;
        check(wasmpod_shm_open(N("/futex"), RDWR_CREAT, 64, &h), "shm_open");
        int pinger = mode[1] == 'p' && mode[2] == 'i';
        uint64_t *lat = pinger ? malloc(sizeof(uint64_t) * n) : 0;
        uint64_t start = now_ns();
        for (uint32_t i = 0; i < n; i++) {
            uint64_t t = now_ns();
            int32_t mine = (int32_t)(2 * i + (pinger ? 1 : 2)), theirs = pinger ? mine + 1 : mine - 1;
            if (!pinger) {   /* wait for the ping, then answer */
                for (;;) { check(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_LOAD, 0, 0, 0, &v), "load"); if (v == theirs) break;
                           wasmpod_shm_futex_wait(h, 0, v, WASMPOD_IPC_FOREVER); }
            }
            check(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_STORE, 0, mine, 0, &old), "store");
            check(wasmpod_shm_futex_wake(h, 0, 1, &woken), "wake");
            if (pinger) {
                for (;;) { check(wasmpod_shm_atomic(h, WASMPOD_ATOMIC_LOAD, 0, 0, 0, &v), "load"); if (v == theirs) break;
                           wasmpod_shm_futex_wait(h, 0, v, WASMPOD_IPC_FOREVER); }
                lat[i] = now_ns() - t;
            }
        }
        if (pinger) report("futex-round-trip", n, 4, lat, now_ns() - start);
        return 0;
    }
    if (!strcmp(mode, "rblast") || !strcmp(mode, "rsink")) return ring(mode[1] == 'b', n, size);
    fprintf(stderr, "ipc-bench: unknown mode %s\n", mode);
    return 64;
}
