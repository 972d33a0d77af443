/* h2-write.h: what the server side of an HTTP/2 connection (h2-conn.h) holds and sends: the connection and
 * stream state, frames (SETTINGS, PING, GOAWAY, RST_STREAM, WINDOW_UPDATE, HEADERS, DATA) and gRPC responses,
 * whose headers are HPACK literals without indexing and without Huffman coding, so no encoder state is kept.
 * Header-only so that build.sh can keep building one .wasm per .c file. */
#ifndef H2_WRITE_H
#define H2_WRITE_H

#include "hpack-decode.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H2_FRAME_MAX 16384       /* SETTINGS_MAX_FRAME_SIZE: the default, which we keep */
#define H2_MAX_STREAMS 8         /* SETTINGS_MAX_CONCURRENT_STREAMS we announce */
#define H2_BODY_MAX 4096         /* a larger request body is refused with RESOURCE_EXHAUSTED */
#define H2_BLOCK_MAX 16384       /* a header block (HEADERS + CONTINUATION) */

enum { H2_DATA, H2_HEADERS, H2_PRIORITY, H2_RST_STREAM, H2_SETTINGS, H2_PUSH_PROMISE, H2_PING, H2_GOAWAY,
       H2_WINDOW_UPDATE, H2_CONTINUATION };
enum { H2_END_STREAM = 0x1, H2_ACK = 0x1, H2_END_HEADERS = 0x4, H2_PADDED = 0x8, H2_PRIORITY_FLAG = 0x20 };
enum { H2_PROTOCOL_ERROR = 1, H2_FRAME_SIZE_ERROR = 6, H2_REFUSED_STREAM = 7, H2_COMPRESSION_ERROR = 9 };

struct h2_stream {
    uint32_t id;                 /* 0: a free slot */
    char path[256], content_type[96];
    uint8_t body[H2_BODY_MAX + 5];
    size_t body_len;
    int too_big;
};

struct h2_conn;
typedef void (*h2_request_fn)(struct h2_conn *c, struct h2_stream *s);

struct h2_conn {
    int fd;                      /* -1: a free slot */
    int mute, preface_ok, closing;
    h2_request_fn on_request;
    uint8_t in[H2_FRAME_MAX + 9];
    size_t in_len;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    struct hpack_table hpack;
    uint8_t block[H2_BLOCK_MAX];
    size_t block_len;
    uint32_t block_stream;       /* a header block awaiting CONTINUATION, or 0 */
    int block_end_stream;
    uint32_t last_stream;
    struct h2_stream streams[H2_MAX_STREAMS];
};

static const char H2_PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static int h2_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *out = v; return 0; }
    }
    return -1;
}

static void h2_put(struct h2_conn *c, const void *data, size_t len) {
    if (c->mute || c->fd < 0) return;
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 1024;
        while (cap < c->out_len + len) cap *= 2;
        uint8_t *p = realloc(c->out, cap);
        if (!p) { c->closing = 1; return; }
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

static void h2_frame(struct h2_conn *c, int type, int flags, uint32_t stream, const void *payload, size_t len) {
    uint8_t h[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, (uint8_t)type, (uint8_t)flags,
                     (uint8_t)(stream >> 24 & 0x7f), (uint8_t)(stream >> 16), (uint8_t)(stream >> 8), (uint8_t)stream };
    h2_put(c, h, 9);
    if (len) h2_put(c, payload, len);
}

static void h2_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* A connection error: GOAWAY with the last stream we saw, then close once it is sent. */
static void h2_goaway(struct h2_conn *c, uint32_t code) {
    uint8_t p[8];
    h2_u32(p, c->last_stream);
    h2_u32(p + 4, code);
    h2_frame(c, H2_GOAWAY, 0, 0, p, 8);
    c->closing = 1;
}

static void h2_rst(struct h2_conn *c, uint32_t stream, uint32_t code) {
    uint8_t p[4];
    h2_u32(p, code);
    h2_frame(c, H2_RST_STREAM, 0, stream, p, 4);
}

static void h2_window_update(struct h2_conn *c, uint32_t stream, uint32_t n) {
    uint8_t p[4];
    h2_u32(p, n);
    h2_frame(c, H2_WINDOW_UPDATE, 0, stream, p, 4);
}

/* HPACK output: an integer with an N-bit prefix under `first`'s high bits; a string, never Huffman-coded. */
static size_t hp_int(uint8_t *out, uint8_t first, int prefix, size_t v) {
    size_t max = ((size_t)1 << prefix) - 1, n = 0;
    if (v < max) { out[n++] = (uint8_t)(first | v); return n; }
    out[n++] = (uint8_t)(first | max);
    for (v -= max; v >= 128; v >>= 7) out[n++] = (uint8_t)(v % 128 + 128);
    out[n++] = (uint8_t)v;
    return n;
}

static size_t hp_str(uint8_t *out, const char *s, size_t len) {
    size_t n = hp_int(out, 0, 7, len);
    memcpy(out + n, s, len);
    return n + len;
}

/* A literal field without indexing (RFC 7541 6.2.2): by static name index, or (index 0) with its name. */
static size_t hp_field(uint8_t *out, int index, const char *name, const char *value) {
    size_t n = hp_int(out, 0, 4, (size_t)index);
    if (index == 0) n += hp_str(out + n, name, strlen(name));
    return n + hp_str(out + n, value, strlen(value));
}

/* grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself. */
static void h2_percent_encode(char *out, size_t cap, const char *in) {
    size_t n = 0;
    for (; *in && n + 4 < cap; in++) {
        unsigned char ch = (unsigned char)*in;
        if (ch < 0x20 || ch > 0x7e || ch == '%') n += (size_t)snprintf(out + n, cap - n, "%%%02X", ch);
        else out[n++] = (char)ch;
    }
    out[n] = 0;
}

/* The response headers :status 200 and content-type application/grpc, then `extra` fields. */
static void h2_grpc_headers(struct h2_conn *c, uint32_t stream, int flags, const uint8_t *extra, size_t extra_len) {
    uint8_t b[1024];
    size_t n = hp_field(b, 8, NULL, "200");                       /* :status */
    n += hp_field(b + n, 31, NULL, "application/grpc");            /* content-type */
    if (extra_len > sizeof b - n) extra_len = 0;
    if (extra_len) memcpy(b + n, extra, extra_len);
    h2_frame(c, H2_HEADERS, flags | H2_END_HEADERS, stream, b, n + extra_len);
}

/* A successful unary response: headers, one gRPC message (already framed by the caller), trailers grpc-status 0. */
static void h2_respond_message(struct h2_conn *c, uint32_t stream, const uint8_t *msg, size_t len) {
    h2_grpc_headers(c, stream, 0, NULL, 0);
    h2_frame(c, H2_DATA, 0, stream, msg, len);
    uint8_t t[64];
    size_t n = hp_field(t, 0, "grpc-status", "0");
    h2_frame(c, H2_HEADERS, H2_END_STREAM | H2_END_HEADERS, stream, t, n);
}

/* An error: a trailers-only response (one HEADERS frame with grpc-status and grpc-message, END_STREAM). */
static void h2_respond_error(struct h2_conn *c, uint32_t stream, int code, const char *message) {
    char num[12], enc[600];
    uint8_t t[800];
    snprintf(num, sizeof num, "%d", code);
    h2_percent_encode(enc, sizeof enc, message);
    size_t n = hp_field(t, 0, "grpc-status", num);
    n += hp_field(t + n, 0, "grpc-message", enc);
    h2_grpc_headers(c, stream, H2_END_STREAM, t, n);
}

/* A plain HTTP answer with no body (for a request that is not gRPC at all). */
static void h2_respond_http(struct h2_conn *c, uint32_t stream, const char *status) {
    uint8_t b[64];
    size_t n = hp_field(b, 8, NULL, status);
    h2_frame(c, H2_HEADERS, H2_END_STREAM | H2_END_HEADERS, stream, b, n);
}

#endif
