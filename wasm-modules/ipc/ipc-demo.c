/* The IPC example's guest: a producer and a consumer moving COUNT records through a pod message queue
 * ("/jobs") or through a ring in a pod shared-memory segment ("/ring", futex wake-ups). Each side prints a
 * checksum; the consumer also checks that every record arrives once and in order.
 *   ipc-demo queue-producer COUNT | queue-consumer COUNT | ring-producer COUNT | ring-consumer COUNT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasmpod_ipc.h"

typedef struct { uint32_t seq; uint32_t tag; uint64_t value; } record;

static uint32_t tag_of(uint32_t seq) { return seq * 2654435761u ^ 0x5bd1e995u; }
static uint64_t value_of(uint32_t seq) { return (uint64_t)seq * 0x9E3779B97F4A7C15ull; }

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 0x100000001b3ull; }
    return h;
}

static void die(const char *what, int err) {
    fprintf(stderr, "ipc-demo: %s: errno %d\n", what, err);
    exit(1);
}

static record make(uint32_t seq) { record r = { seq, tag_of(seq), value_of(seq) }; return r; }

static void verify(const record *r, uint32_t want) {
    if (r->seq != want || r->tag != tag_of(want) || r->value != value_of(want)) {
        fprintf(stderr, "ipc-demo: record %u arrived where %u was due\n", r->seq, want);
        exit(2);
    }
}

#define Q "/jobs"
static int queue(int producer, uint32_t count) {
    wasmpod_ipc_handle q;
    int e = wasmpod_mq_open(Q, strlen(Q), WASMPOD_IPC_CREAT | WASMPOD_IPC_RDWR, 64, sizeof(record), &q);
    if (e) die("mq_open", e);
    uint64_t sum = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < count; i++) {
        record r;
        if (producer) {
            r = make(i);
            if ((e = wasmpod_mq_send(q, &r, sizeof r, 0, WASMPOD_IPC_FOREVER))) die("mq_send", e);
        } else {
            uint32_t len, prio;
            if ((e = wasmpod_mq_receive(q, &r, sizeof r, &len, &prio, 10000000000ll))) die("mq_receive", e);
            if (len != sizeof r) die("short message", 0);
            verify(&r, i);
        }
        sum = fnv(sum, &r, sizeof r);
    }
    printf("%s %u records through queue %s, checksum %016llx\n", producer ? "sent" : "received", count, Q,
           (unsigned long long)sum);
    return 0;
}

/* The ring's segment: four words of header, then CAP records. */
#define RING "/ring"
#define HEAD 0          /* records consumed (the producer sleeps on it when the ring is full) */
#define TAIL 4          /* records produced (the consumer sleeps on it when the ring is empty) */
#define CONSUMER_ASLEEP 8
#define PRODUCER_ASLEEP 12
#define DATA 64
#define CAP 1024u
#define BATCH 64u

static int32_t load(wasmpod_ipc_handle h, uint32_t off) {
    int32_t v; int e = wasmpod_shm_atomic(h, WASMPOD_ATOMIC_LOAD, off, 0, 0, &v);
    if (e) die("shm_atomic", e);
    return v;
}
static void store(wasmpod_ipc_handle h, uint32_t off, int32_t v) {
    int32_t old; int e = wasmpod_shm_atomic(h, WASMPOD_ATOMIC_STORE, off, v, 0, &old);
    if (e) die("shm_atomic", e);
}
static void wake(wasmpod_ipc_handle h, uint32_t flag, uint32_t word) {
    uint32_t n;
    if (load(h, flag)) wasmpod_shm_futex_wake(h, word, 1, &n);
}
/* Sleeps on `word` while it still holds `seen`, announcing it in `flag` first so the other side wakes us. */
static void sleep_on(wasmpod_ipc_handle h, uint32_t flag, uint32_t word, int32_t seen) {
    store(h, flag, 1);
    if (load(h, word) == seen) wasmpod_shm_futex_wait(h, word, seen, 1000000000ll);
    store(h, flag, 0);
}

static int ring(int producer, uint32_t count) {
    wasmpod_ipc_handle h;
    int e = wasmpod_shm_open(RING, strlen(RING), WASMPOD_IPC_CREAT | WASMPOD_IPC_RDWR, DATA + CAP * sizeof(record), &h);
    if (e) die("shm_open", e);
    static record batch[BATCH];
    uint64_t sum = 0xcbf29ce484222325ull;
    uint32_t done = 0;
    while (done < count) {
        int32_t head = load(h, HEAD), tail = load(h, TAIL);
        uint32_t ready = producer ? CAP - (uint32_t)(tail - head) : (uint32_t)(tail - head);
        if (ready == 0) {
            if (producer) sleep_on(h, PRODUCER_ASLEEP, HEAD, head);
            else sleep_on(h, CONSUMER_ASLEEP, TAIL, tail);
            continue;
        }
        uint32_t at = (uint32_t)(producer ? tail : head) % CAP;
        uint32_t n = ready < BATCH ? ready : BATCH;
        if (n > count - done) n = count - done;
        if (n > CAP - at) n = CAP - at;   /* one contiguous copy per batch */
        if (producer) {
            for (uint32_t i = 0; i < n; i++) { batch[i] = make(done + i); sum = fnv(sum, &batch[i], sizeof(record)); }
            if ((e = wasmpod_shm_write(h, DATA + at * sizeof(record), batch, n * sizeof(record)))) die("shm_write", e);
            store(h, TAIL, tail + (int32_t)n);
            wake(h, CONSUMER_ASLEEP, TAIL);
        } else {
            if ((e = wasmpod_shm_read(h, DATA + at * sizeof(record), batch, n * sizeof(record)))) die("shm_read", e);
            for (uint32_t i = 0; i < n; i++) { verify(&batch[i], done + i); sum = fnv(sum, &batch[i], sizeof(record)); }
            store(h, HEAD, head + (int32_t)n);
            wake(h, PRODUCER_ASLEEP, HEAD);
        }
        done += n;
    }
    printf("%s %u records through ring %s, checksum %016llx\n", producer ? "sent" : "received", count, RING,
           (unsigned long long)sum);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ipc-demo queue-producer|queue-consumer|ring-producer|ring-consumer COUNT\n"); return 64; }
    uint32_t count = (uint32_t)strtoul(argv[2], 0, 10);
    if (!strcmp(argv[1], "queue-producer")) return queue(1, count);
    if (!strcmp(argv[1], "queue-consumer")) return queue(0, count);
    if (!strcmp(argv[1], "ring-producer")) return ring(1, count);
    if (!strcmp(argv[1], "ring-consumer")) return ring(0, count);
    fprintf(stderr, "ipc-demo: unknown mode %s\n", argv[1]);
    return 64;
}
