/* Guests for the dying-sender tests (test/ipc/dying-guests.test.ts): large checksummed messages through one queue.
 *   send QUEUE SEG ID COUNT   sends COUNT messages (0: until killed) of up to 1 MiB to QUEUE as sender ID; before
 *                             message k it stores 2k+1 in word ID of segment SEG, after it 2k+2
 *   drain QUEUE               receives and checks every message until one reads "END", then prints per sender how
 *                             many it got; exits 1 at the first message that is torn, corrupt, duplicated or out of order
 * Every message is a header (magic, sender, seq, length, checksum of the rest) and a payload that differs from one
 * message to the next, so a message made of one message's start and another's end fails its checksum. The sender's
 * buffer is misaligned on purpose: the host then copies it in chunks, so a kill can land in the middle of a copy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasmpod_ipc.h"

#define N(s) s, (uint32_t)strlen(s)
#define MSG (1024 * 1024)
#define MAXMSG 8
#define MAGIC 0x70646970u
#define MAX_SENDERS 1024

struct header { uint32_t magic, sender, seq, len; uint64_t sum; };

static uint8_t raw[MSG + 8];
static uint32_t got[MAX_SENDERS];

static uint64_t checksum(const struct header *h, const uint8_t *payload, uint32_t n) {
    uint64_t x = 0xcbf29ce484222325ull ^ h->sender ^ ((uint64_t)h->seq << 32) ^ ((uint64_t)h->len << 16);
    for (uint32_t i = 0; i + 4 <= n; i += 4) {
        uint32_t w;
        memcpy(&w, payload + i, 4);
        x = (x ^ w) * 0x100000001b3ull;
    }
    return x;
}

static int open_queue(const char *name, wasmpod_ipc_handle *q) {
    int e = wasmpod_mq_open(N(name), WASMPOD_IPC_CREAT | WASMPOD_IPC_RDWR, MAXMSG, MSG, q);
    if (e) fprintf(stderr, "mq_open %s: errno %d\n", name, e);
    return e;
}

static int do_send(const char *queue, const char *seg, uint32_t id, uint32_t count) {
    wasmpod_ipc_handle q, s;
    int32_t old;
    if (open_queue(queue, &q)) return 1;
    if (wasmpod_shm_open(N(seg), WASMPOD_IPC_CREAT | WASMPOD_IPC_RDWR, 4 * MAX_SENDERS, &s)) return 1;
    uint8_t *buf = raw + 1;     /* misaligned: see the top */
    uint32_t *base = malloc(MSG);
    uint32_t x = id * 2654435761u | 1;
    for (uint32_t i = 0; i < MSG / 4; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; base[i] = x; }
    for (uint32_t k = 0; count == 0 || k < count; k++) {
        struct header h = { MAGIC, id, k, MSG - 4 * (k % 4096), 0 };
        uint32_t salt = (k + 1) * 0x9e3779b1u, n = h.len - sizeof h;
        for (uint32_t i = 0; i < n / 4; i++) { uint32_t w = base[i] ^ salt; memcpy(buf + sizeof h + 4 * i, &w, 4); }
        h.sum = checksum(&h, buf + sizeof h, n);
        memcpy(buf, &h, sizeof h);
        wasmpod_shm_atomic(s, WASMPOD_ATOMIC_STORE, 4 * id, (int32_t)(2 * k + 1), 0, &old);
        int e = wasmpod_mq_send(q, buf, h.len, 0, WASMPOD_IPC_FOREVER);
        if (e) { fprintf(stderr, "mq_send: errno %d\n", e); return 1; }
        wasmpod_shm_atomic(s, WASMPOD_ATOMIC_STORE, 4 * id, (int32_t)(2 * k + 2), 0, &old);
    }
    printf("sent %u\n", count);
    return 0;
}

static int do_drain(const char *queue) {
    wasmpod_ipc_handle q;
    uint32_t len, prio, total = 0;
    if (open_queue(queue, &q)) return 1;
    uint8_t *buf = raw;
    for (;;) {
        int e = wasmpod_mq_receive(q, buf, MSG, &len, &prio, WASMPOD_IPC_FOREVER);
        if (e) { printf("mq_receive: errno %d\n", e); return 1; }
        if (len == 3 && !memcmp(buf, "END", 3)) break;
        struct header h;
        if (len < sizeof h) { printf("bad: a message of %u bytes\n", len); return 1; }
        memcpy(&h, buf, sizeof h);
        if (h.magic != MAGIC || h.len != len || h.sender >= MAX_SENDERS) {
            printf("bad header: magic %x sender %u seq %u len %u (received %u)\n", h.magic, h.sender, h.seq, h.len, len);
            return 1;
        }
        if (h.sum != checksum(&h, buf + sizeof h, len - sizeof h)) {
            printf("bad checksum: sender %u seq %u len %u\n", h.sender, h.seq, len);
            return 1;
        }
        if (h.seq != got[h.sender]) {
            printf("out of order: sender %u seq %u, expected %u\n", h.sender, h.seq, got[h.sender]);
            return 1;
        }
        got[h.sender]++;
        total++;
    }
    for (uint32_t i = 0; i < MAX_SENDERS; i++) if (got[i]) printf("sender %u: %u\n", i, got[i]);
    printf("total %u\n", total);
    return 0;
}

int main(int argc, char **argv) {
    const char *cmd = argc > 1 ? argv[1] : "";
    if (!strcmp(cmd, "send") && argc == 6) return do_send(argv[2], argv[3], (uint32_t)atoi(argv[4]), (uint32_t)atoi(argv[5]));
    if (!strcmp(cmd, "drain") && argc == 3) return do_drain(argv[2]);
    fprintf(stderr, "usage: ipc-torture send QUEUE SEG ID COUNT | drain QUEUE\n");
    return 2;
}
