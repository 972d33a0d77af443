/* hpack-decode.h: an HPACK (RFC 7541) decoder for one HTTP/2 connection: integers, strings with Huffman
 * decoding, the static table, the dynamic table with eviction, and table size updates.
 * Header-only so that build.sh can keep building one .wasm per .c file.
 *
 * hpack_decode() calls back once per header field; a malformed block makes it return -1 (a connection
 * error, COMPRESSION_ERROR, in HTTP/2's terms: the decoder's table is no longer in step with the peer's). */
#ifndef HPACK_DECODE_H
#define HPACK_DECODE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HPACK_STRING_MAX 8192   /* a longer name or value is refused */
#define HPACK_TABLE_MAX 4096    /* SETTINGS_HEADER_TABLE_SIZE we keep at its default */

/* RFC 7541 Appendix A. */
static const char *const hpack_static[61][2] = {
    {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
    {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
    {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
    {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""},
    {"cache-control", ""}, {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""},
    {"content-length", ""}, {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
    {"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""},
    {"if-match", ""}, {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
    {"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""},
    {"proxy-authenticate", ""}, {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""},
    {"retry-after", ""}, {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""},
    {"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
};

/* RFC 7541 Appendix B gives each symbol's code; the code is canonical (within one length, codes count up
 * in symbol order), so the lengths alone determine it. Symbols 0-255, then EOS (256). */
static const uint8_t hpack_huff_len[257] = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    30,
};

/* The canonical code's tables, built once: for each length, its first code, how many codes have it, and
 * where its symbols start in `sorted` (symbols ordered by length, then value). */
static struct {
    int ready;
    uint32_t first_code[31];
    uint16_t count[31], first_index[31];
    uint16_t sorted[257];
} hpack_huff;

static void hpack_huff_init(void) {
    if (hpack_huff.ready) return;
    int n = 0;
    uint32_t code = 0;
    for (int len = 1; len <= 30; len++) {
        code = len == 1 ? 0 : (hpack_huff.first_code[len - 1] + hpack_huff.count[len - 1]) << 1;
        hpack_huff.first_code[len] = code;
        hpack_huff.first_index[len] = (uint16_t)n;
        for (int s = 0; s < 257; s++) {
            if (hpack_huff_len[s] == len) hpack_huff.sorted[n++] = (uint16_t)s;
        }
        hpack_huff.count[len] = (uint16_t)(n - hpack_huff.first_index[len]);
    }
    hpack_huff.ready = 1;
}

/* Decodes `len` Huffman-coded bytes into out (at most `cap` bytes); the decoded length, or -1 for a bad
 * code: EOS inside the string, padding longer than 7 bits or not all ones (RFC 7541 section 5.2). */
static int hpack_huff_decode(const uint8_t *in, size_t len, char *out, size_t cap) {
    hpack_huff_init();
    size_t n = 0;
    uint32_t code = 0;
    int bits = 0, ones = 1;
    for (size_t i = 0; i < len; i++) {
        for (int b = 7; b >= 0; b--) {
            int bit = (in[i] >> b) & 1;
            code = (code << 1) | (uint32_t)bit;
            bits++;
            ones = ones && bit;
            uint32_t k = code - hpack_huff.first_code[bits];
            if (code >= hpack_huff.first_code[bits] && k < hpack_huff.count[bits]) {
                int sym = hpack_huff.sorted[hpack_huff.first_index[bits] + k];
                if (sym == 256 || n >= cap) return -1;
                out[n++] = (char)sym;
                code = 0;
                bits = 0;
                ones = 1;
            } else if (bits >= 30) {
                return -1;
            }
        }
    }
    if (bits > 7 || !ones) return -1;
    return (int)n;
}

struct hpack_entry {
    char *name, *value;
    size_t name_len, value_len;
};

/* The dynamic table: entries[0] is the newest. */
struct hpack_table {
    struct hpack_entry entries[HPACK_TABLE_MAX / 32];
    int count;
    size_t size, max;
};

static inline void hpack_table_init(struct hpack_table *t) {
    memset(t, 0, sizeof *t);
    t->max = HPACK_TABLE_MAX;
}

static void hpack_evict(struct hpack_table *t, size_t room) {
    while (t->count > 0 && t->size + room > t->max) {
        struct hpack_entry *e = &t->entries[--t->count];
        t->size -= 32 + e->name_len + e->value_len;
        free(e->name);
        free(e->value);
    }
}

static inline void hpack_table_free(struct hpack_table *t) {
    t->max = 0;
    hpack_evict(t, 0);
}

/* Adds an entry (section 4.4: one larger than the whole table empties it and is not added); -1 without memory. */
static int hpack_insert(struct hpack_table *t, const char *name, size_t nl, const char *value, size_t vl) {
    size_t size = 32 + nl + vl;
    hpack_evict(t, size > t->max ? t->max + 1 : size);
    if (size > t->max) return 0;
    char *n = malloc(nl + 1), *v = malloc(vl + 1);
    if (!n || !v) { free(n); free(v); return -1; }
    memcpy(n, name, nl); n[nl] = 0;
    memcpy(v, value, vl); v[vl] = 0;
    memmove(&t->entries[1], &t->entries[0], (size_t)t->count * sizeof t->entries[0]);
    t->entries[0] = (struct hpack_entry){ n, v, nl, vl };
    t->count++;
    t->size += size;
    return 0;
}

/* An integer with an N-bit prefix (section 5.1); -1 when truncated or too large. */
static int hpack_int(const uint8_t **p, const uint8_t *end, int prefix, uint32_t *out) {
    if (*p >= end) return -1;
    uint32_t max = (1u << prefix) - 1, v = **p & max;
    (*p)++;
    if (v < max) { *out = v; return 0; }
    for (int shift = 0; shift <= 21; shift += 7) {
        if (*p >= end) return -1;
        uint8_t b = *(*p)++;
        v += (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *out = v; return 0; }
    }
    return -1;
}

/* A string literal (section 5.2) into buf (HPACK_STRING_MAX bytes); its length, or -1. */
static int hpack_string(const uint8_t **p, const uint8_t *end, char *buf) {
    if (*p >= end) return -1;
    int huffman = **p & 0x80;
    uint32_t len;
    if (hpack_int(p, end, 7, &len) != 0 || len > (size_t)(end - *p)) return -1;
    int n;
    if (huffman) {
        n = hpack_huff_decode(*p, len, buf, HPACK_STRING_MAX);
    } else {
        if (len > HPACK_STRING_MAX) return -1;
        memcpy(buf, *p, len);
        n = (int)len;
    }
    *p += len;
    return n;
}

/* Looks an index up in the static table, then the dynamic one; 0, or -1 for an index out of range. */
static int hpack_lookup(const struct hpack_table *t, uint32_t index, const char **name, size_t *nl,
                        const char **value, size_t *vl) {
    if (index >= 1 && index <= 61) {
        *name = hpack_static[index - 1][0];
        *value = hpack_static[index - 1][1];
        *nl = strlen(*name);
        *vl = strlen(*value);
        return 0;
    }
    if (index < 62 || index - 62 >= (uint32_t)t->count) return -1;
    const struct hpack_entry *e = &t->entries[index - 62];
    *name = e->name; *nl = e->name_len;
    *value = e->value; *vl = e->value_len;
    return 0;
}

typedef void (*hpack_field_fn)(void *arg, const char *name, size_t nl, const char *value, size_t vl);

/* Decodes one complete header block, calling `fn` for each field in order; 0, or -1 for a malformed block. */
static int hpack_decode(struct hpack_table *t, const uint8_t *p, size_t len, hpack_field_fn fn, void *arg) {
    static char name_buf[HPACK_STRING_MAX], value_buf[HPACK_STRING_MAX];
    const uint8_t *end = p + len;
    int fields = 0;
    while (p < end) {
        uint8_t b = *p;
        uint32_t index;
        const char *name, *value;
        size_t nl, vl;
        if (b & 0x80) {                                 /* indexed field (6.1) */
            if (hpack_int(&p, end, 7, &index) != 0 || index == 0) return -1;
            if (hpack_lookup(t, index, &name, &nl, &value, &vl) != 0) return -1;
            fn(arg, name, nl, value, vl);
            fields++;
            continue;
        }
        if ((b & 0xe0) == 0x20) {                       /* dynamic table size update (6.3) */
            if (fields > 0 || hpack_int(&p, end, 5, &index) != 0 || index > HPACK_TABLE_MAX) return -1;
            t->max = index;
            hpack_evict(t, 0);
            continue;
        }
        int incremental = (b & 0xc0) == 0x40;           /* else without indexing or never indexed (6.2) */
        if (hpack_int(&p, end, incremental ? 6 : 4, &index) != 0) return -1;
        int n;
        if (index == 0) {
            if ((n = hpack_string(&p, end, name_buf)) < 0) return -1;
            name = name_buf;
            nl = (size_t)n;
        } else if (hpack_lookup(t, index, &name, &nl, &value, &vl) != 0) {
            return -1;
        }
        /* The name may point into the dynamic table, which the insert below can evict: copy it first. */
        if (name != name_buf) {
            memcpy(name_buf, name, nl);
            name = name_buf;
        }
        if ((n = hpack_string(&p, end, value_buf)) < 0) return -1;
        if (incremental && hpack_insert(t, name, nl, value_buf, (size_t)n) != 0) return -1;
        fn(arg, name, nl, value_buf, (size_t)n);
        fields++;
    }
    return 0;
}

#endif
