/* h2-conn.h: the server side of one HTTP/2 connection (RFC 9113) over a non-blocking socket, as much as a
 * gRPC unary server needs: the client preface, SETTINGS (ours, and ACKs of the client's), PING, WINDOW_UPDATE
 * (flow control given back as data arrives), RST_STREAM, GOAWAY, PRIORITY ignored, HEADERS + CONTINUATION
 * decoded with HPACK, DATA collected per stream; a complete request goes to a callback, which answers it with
 * h2_respond_* (h2-write.h). Header-only so that build.sh can keep building one .wasm per .c file. */
#ifndef H2_CONN_H
#define H2_CONN_H

#include "h2-write.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

static struct h2_stream *h2_find(struct h2_conn *c, uint32_t id) {
    for (int i = 0; i < H2_MAX_STREAMS; i++) if (c->streams[i].id == id) return &c->streams[i];
    return NULL;
}

static void h2_open(struct h2_conn *c, int fd, h2_request_fn on_request, int mute) {
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->mute = mute;
    c->on_request = on_request;
    hpack_table_init(&c->hpack);
    uint8_t s[6] = { 0, 3, 0, 0, 0, H2_MAX_STREAMS };              /* SETTINGS_MAX_CONCURRENT_STREAMS */
    h2_frame(c, H2_SETTINGS, 0, 0, s, sizeof s);                   /* the server preface */
}

static void h2_close(struct h2_conn *c) {
    close(c->fd);
    hpack_table_free(&c->hpack);
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = c->out_cap = 0;
    c->fd = -1;
}

static int h2_wants_write(const struct h2_conn *c) {
    return c->out_off < c->out_len;
}

static void h2_field(void *arg, const char *name, size_t nl, const char *value, size_t vl) {
    struct h2_stream *s = arg;
    if (!s) return;
    char *into = NULL;
    size_t cap = 0;
    if (nl == 5 && memcmp(name, ":path", 5) == 0) { into = s->path; cap = sizeof s->path; }
    else if (nl == 12 && memcmp(name, "content-type", 12) == 0) { into = s->content_type; cap = sizeof s->content_type; }
    if (!into) return;
    if (vl >= cap) vl = cap - 1;
    memcpy(into, value, vl);
    into[vl] = 0;
}

static void h2_finish(struct h2_conn *c, struct h2_stream *s) {
    if (s->too_big) h2_respond_error(c, s->id, 8, "grpc: received message larger than max");
    else c->on_request(c, s);
    s->id = 0;
}

/* A complete header block for `stream`: decoded (always, to keep the HPACK table in step), then acted on. */
static void h2_headers_done(struct h2_conn *c, uint32_t stream, int end_stream) {
    struct h2_stream *s = h2_find(c, stream);
    int is_new = !s && stream > c->last_stream;
    if (is_new) {
        c->last_stream = stream;
        if ((s = h2_find(c, 0)) != NULL) {
            memset(s, 0, offsetof(struct h2_stream, body));
            s->body_len = 0;
            s->too_big = 0;
            s->id = stream;
        }
    }
    if (hpack_decode(&c->hpack, c->block, c->block_len, h2_field, s) != 0) {
        h2_goaway(c, H2_COMPRESSION_ERROR);
        return;
    }
    c->block_len = 0;
    c->block_stream = 0;
    if (!s) {
        /* A new stream beyond our limit is refused; headers on a stream we already closed are dropped. */
        if (is_new) h2_rst(c, stream, H2_REFUSED_STREAM);
        return;
    }
    if (end_stream) h2_finish(c, s);
}

/* Handles one frame; the payload is `len` bytes at p. */
static void h2_frame_in(struct h2_conn *c, int type, int flags, uint32_t stream, const uint8_t *p, size_t len) {
    if (c->block_stream && (type != H2_CONTINUATION || stream != c->block_stream)) {
        h2_goaway(c, H2_PROTOCOL_ERROR);
        return;
    }
    switch (type) {
    case H2_DATA: {
        if (stream == 0) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
        size_t pad = 0;
        if (flags & H2_PADDED) {
            if (len < 1 || (pad = p[0]) >= len) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
            p++; len -= 1 + pad;
        }
        if (len + pad > 0) h2_window_update(c, 0, (uint32_t)(len + pad + ((flags & H2_PADDED) ? 1 : 0)));
        struct h2_stream *s = h2_find(c, stream);
        if (!s) return;
        if (s->body_len + len > sizeof s->body) s->too_big = 1;
        else { memcpy(s->body + s->body_len, p, len); s->body_len += len; }
        if (flags & H2_END_STREAM) h2_finish(c, s);
        else if (len + pad > 0) h2_window_update(c, stream, (uint32_t)(len + pad + ((flags & H2_PADDED) ? 1 : 0)));
        return;
    }
    case H2_HEADERS: {
        if (stream == 0 || !(stream & 1)) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
        size_t pad = 0;
        if (flags & H2_PADDED) {
            if (len < 1) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
            pad = p[0]; p++; len--;
        }
        if (flags & H2_PRIORITY_FLAG) {
            if (len < 5) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
            p += 5; len -= 5;
        }
        if (pad > len) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
        len -= pad;
        memcpy(c->block, p, len);
        c->block_len = len;
        c->block_end_stream = flags & H2_END_STREAM;
        if (flags & H2_END_HEADERS) h2_headers_done(c, stream, c->block_end_stream);
        else c->block_stream = stream;
        return;
    }
    case H2_CONTINUATION:
        if (stream != c->block_stream) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
        if (c->block_len + len > sizeof c->block) { h2_goaway(c, H2_COMPRESSION_ERROR); return; }
        memcpy(c->block + c->block_len, p, len);
        c->block_len += len;
        if (flags & H2_END_HEADERS) h2_headers_done(c, stream, c->block_end_stream);
        return;
    case H2_RST_STREAM: {
        struct h2_stream *s = stream ? h2_find(c, stream) : NULL;
        if (s) s->id = 0;
        return;
    }
    case H2_SETTINGS:
        if (stream != 0) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
        if ((flags & H2_ACK) ? len != 0 : len % 6 != 0) { h2_goaway(c, H2_FRAME_SIZE_ERROR); return; }
        if (!(flags & H2_ACK)) h2_frame(c, H2_SETTINGS, H2_ACK, 0, NULL, 0);
        return;
    case H2_PING:
        if (stream != 0) { h2_goaway(c, H2_PROTOCOL_ERROR); return; }
        if (len != 8) { h2_goaway(c, H2_FRAME_SIZE_ERROR); return; }
        if (!(flags & H2_ACK)) h2_frame(c, H2_PING, H2_ACK, 0, p, 8);
        return;
    case H2_GOAWAY:
        c->closing = 1;
        return;
    case H2_PUSH_PROMISE:
        h2_goaway(c, H2_PROTOCOL_ERROR);
        return;
    default:                     /* PRIORITY, WINDOW_UPDATE (our answers fit any window), unknown types */
        return;
    }
}

/* Consumes whole frames from the input buffer. */
static void h2_process(struct h2_conn *c) {
    size_t at = 0;
    if (!c->preface_ok) {
        size_t want = sizeof H2_PREFACE - 1;
        size_t have = c->in_len < want ? c->in_len : want;
        if (memcmp(c->in, H2_PREFACE, have) != 0) { h2_goaway(c, H2_PROTOCOL_ERROR); c->in_len = 0; return; }
        if (c->in_len < want) return;
        c->preface_ok = 1;
        at = want;
    }
    while (!c->closing && c->in_len - at >= 9) {
        const uint8_t *h = c->in + at;
        size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
        if (len > H2_FRAME_MAX) { h2_goaway(c, H2_FRAME_SIZE_ERROR); break; }
        if (c->in_len - at < 9 + len) break;
        uint32_t stream = ((uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8]) & 0x7fffffff;
        h2_frame_in(c, h[3], h[4], stream, h + 9, len);
        at += 9 + len;
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
}

static void h2_flush(struct h2_conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            c->closing = 1;
            c->out_off = c->out_len;
            break;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
}

/* The socket is readable or writable (poll's revents): read, answer, write; closes the connection when done. */
static void h2_step(struct h2_conn *c, short revents) {
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        for (;;) {
            if (c->in_len == sizeof c->in) break;        /* a whole frame is buffered: process before reading on */
            ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
            if (n < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK) { h2_close(c); return; }
                break;
            }
            if (n == 0) { c->closing = 1; break; }  /* the peer is done: send what is queued, then close */
            if (c->mute) continue;
            c->in_len += (size_t)n;
            h2_process(c);
            if (c->closing) break;
        }
    }
    h2_flush(c);
    if (c->closing && !h2_wants_write(c)) h2_close(c);
}

#endif
