/* http-server.h: one HTTP/1.1 connection of httpd.c: read, parse, answer (echo, status, files), write, keep-alive.
 * Header-only so that build.sh can keep building one .wasm per .c file. */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include "http-parse.h"

#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD_MAX 16384          /* request line and headers; more is 431 */
#define BODY_MAX (1 << 20)      /* request bodies; more is 413 */
#define FILE_CHUNK 65536

struct server {
    const char *root;
    int verbose;
};

struct conn {
    int fd;                     /* -1: a free slot */
    char *in;                   /* bytes received and not yet consumed */
    size_t in_len, in_cap;
    char *out;                  /* response bytes not yet sent */
    size_t out_len, out_off, out_cap;
    int file;                   /* a file still being sent after `out`, or -1 */
    long long file_left;
    int keep;                   /* keep the connection once the response is out */
    int peer_done;              /* the client has shut down its side: answer what is buffered, then close */
    long long linger_until;     /* lingering close: our side is shut down, input is drained until then (ms) */
};

#define LINGER_MS 2000

static inline long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void conn_open(struct conn *c, int fd) {
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->file = -1;
    c->keep = 1;
}

static inline void conn_close(struct conn *c) {
    if (c->file >= 0) close(c->file);
    close(c->fd);
    free(c->in);
    free(c->out);
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->file = -1;
}

static inline int conn_wants_write(const struct conn *c) {
    return c->out_off < c->out_len || c->file >= 0;
}

/* Appends to the output buffer; 0, or -1 when memory ran out. */
static inline int out_put(struct conn *c, const void *p, size_t n) {
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        char *q = realloc(c->out, cap);
        if (!q) return -1;
        c->out = q;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

static inline int out_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int out_printf(struct conn *c, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) return -1;
    return out_put(c, line, (size_t)n);
}

static inline void log_response(const struct server *s, const struct request *r, int status, long long bytes) {
    if (!r->method_len) {
        printf("- - %d %lld\n", status, bytes);
        fflush(stdout);
        return;
    }
    printf("%.*s %.*s %d %lld\n", (int)r->method_len, r->method, (int)r->target_len, r->target, status, bytes);
    if (s->verbose) {
        for (size_t i = 0; i < r->nheaders; i++) {
            printf("  %.*s: %.*s\n", (int)r->headers[i].name_len, r->headers[i].name,
                   (int)r->headers[i].value_len, r->headers[i].value);
        }
    }
    fflush(stdout);
}

/* Queues a response head; `extra` holds more header lines (each ending in CRLF) or is "". */
static inline int respond_head(struct conn *c, int status, const char *type, long long length, const char *extra) {
    return out_printf(c, "HTTP/1.1 %d %s\r\nServer: wasmpod-httpd\r\nContent-Type: %s\r\nContent-Length: %lld\r\n%s%s\r\n",
                      status, http_reason(status), type, length, extra, c->keep ? "" : "Connection: close\r\n");
}

/* A complete response with a small body; HEAD requests get the head only. */
static inline void respond(const struct server *s, struct conn *c, const struct request *r, int status,
                    const char *type, const char *body, size_t len, const char *extra) {
    int head = r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0;
    if (respond_head(c, status, type, (long long)len, extra) != 0 || (!head && out_put(c, body, len) != 0)) c->keep = 0;
    log_response(s, r, status, head ? 0 : (long long)len);
}

static inline void respond_error(const struct server *s, struct conn *c, const struct request *r, int status, const char *extra) {
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
    respond(s, c, r, status, "text/plain", body, (size_t)n, extra);
}

/* Opens the file a GET names under the root (a directory: its index.html): 0 with *fd, *size and the
 * file's path in full, or the HTTP status to answer. */
static inline int open_target(const struct server *s, const char *path, int *fd, long long *size, char *full, size_t cap) {
    if (!s->root) return 404;
    int n = snprintf(full, cap, "%s%s", s->root, path);
    if (n < 0 || (size_t)n >= cap - 16) return 414;
    struct stat st;
    if (stat(full, &st) != 0) return errno == EACCES ? 403 : 404;
    if (S_ISDIR(st.st_mode)) {
        strcat(full, full[n - 1] == '/' ? "index.html" : "/index.html");
        if (stat(full, &st) != 0) return 404;
    }
    if (!S_ISREG(st.st_mode)) return 404;
    *fd = open(full, O_RDONLY);
    if (*fd < 0) return errno == EACCES ? 403 : 404;
    *size = (long long)st.st_size;
    return 0;
}

static inline void serve_file(const struct server *s, struct conn *c, const struct request *r, const char *path) {
    int get = r->method_len == 3 && memcmp(r->method, "GET", 3) == 0;
    int head = r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0;
    if (!get && !head) return respond_error(s, c, r, 405, "Allow: GET, HEAD\r\n");
    int fd = -1;
    long long size = 0;
    char full[4096];
    int status = open_target(s, path, &fd, &size, full, sizeof full);
    if (status != 0) return respond_error(s, c, r, status, "");
    if (respond_head(c, 200, content_type(full), size, "") != 0) c->keep = 0;
    if (head || size == 0) {
        close(fd);
    } else {
        c->file = fd;
        c->file_left = size;
    }
    log_response(s, r, 200, head ? 0 : size);
}

/* Answers one parsed request whose body (if any) is complete. */
static inline void handle(const struct server *s, struct conn *c, const struct request *r) {
    c->keep = r->keep_alive;
    char path[2048];
    int st = decode_path(r->target, r->target_len, path, sizeof path);
    if (st != 0) return respond_error(s, c, r, st, "");
    if (strncmp(path, "/echo", 5) == 0 && (path[5] == 0 || path[5] == '/')) {
        if (respond_head(c, 200, "text/plain", (long long)(r->head_len + r->body_len), "") != 0 ||
            out_put(c, r->raw, r->head_len + r->body_len) != 0) c->keep = 0;
        return log_response(s, r, 200, (long long)(r->head_len + r->body_len));
    }
    if (strncmp(path, "/status/", 8) == 0) {
        char *end;
        long code = strtol(path + 8, &end, 10);
        if (*end != 0 || code < 200 || code > 599) return respond_error(s, c, r, 400, "");
        return respond_error(s, c, r, (int)code, "");
    }
    serve_file(s, c, r, path);
}

/* Answers the first complete request in the input buffer, if there is one: 1 when it did. */
static inline int process_input(const struct server *s, struct conn *c) {
    if (!c->keep || conn_wants_write(c) || c->in_len == 0) return 0;
    struct request r;
    int st = parse_request(c->in, c->in_len, &r, HEAD_MAX, BODY_MAX);
    if (st == 0) return 0;  /* incomplete */
    if (st > 0) {
        c->keep = 0;
        respond_error(s, c, &r, st, "");
        c->in_len = 0;
        return 1;
    }
    handle(s, c, &r);
    size_t used = r.head_len + r.body_len;
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
    return 1;
}

/* Sends what it can; -1 when the connection is broken. */
static inline int flush_output(struct conn *c) {
    for (;;) {
        if (c->out_off == c->out_len && c->file >= 0) {
            size_t want = c->file_left < FILE_CHUNK ? (size_t)c->file_left : FILE_CHUNK;
            c->out_len = c->out_off = 0;
            if (c->out_cap < want) {
                char *q = realloc(c->out, want);
                if (!q) return -1;
                c->out = q;
                c->out_cap = want;
            }
            ssize_t n = read(c->file, c->out, want);
            if (n <= 0) return -1;  /* the file shrank under us: the promised length cannot be kept */
            c->out_len = (size_t)n;
            c->file_left -= n;
            if (c->file_left == 0) { close(c->file); c->file = -1; }
        }
        if (c->out_off == c->out_len) {
            c->out_len = c->out_off = 0;
            return 0;
        }
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, 0);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->out_off += (size_t)n;
    }
}

/* Reads what arrived: 1, or 0 when the peer has shut down its side, or -1 when the connection failed. */
static inline int fill_input(struct conn *c) {
    if (c->in_cap - c->in_len < 4096) {
        size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
        /* parse_request has answered 431 or 413 before the buffer could need more than this */
        if (cap > 2 * (HEAD_MAX + BODY_MAX)) return -1;
        char *q = realloc(c->in, cap);
        if (!q) return -1;
        c->in = q;
        c->in_cap = cap;
    }
    ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
    if (n == 0) return 0;
    c->in_len += (size_t)n;
    return 1;
}

/*
 * Closes a connection whose client may still be sending (an error answered before the request was read
 * whole): closing with unread input would make the kernel reset the connection, and the client could lose
 * the answer before reading it. So, as RFC 9112 section 9.6 advises, shut down our side, then read and drop
 * what still comes until the client closes or LINGER_MS pass.
 */
static inline void conn_linger(struct conn *c) {
    shutdown(c->fd, SHUT_WR);
    c->linger_until = now_ms() + LINGER_MS;
}

/* One readiness event on a lingering connection: drop what came; close at EOF, on error or at the deadline. */
static inline void conn_drain(struct conn *c) {
    char scratch[4096];
    for (;;) {
        ssize_t n = recv(c->fd, scratch, sizeof scratch, 0);
        if (n > 0) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && now_ms() < c->linger_until) return;
        return conn_close(c);
    }
}

/* One readiness event on a connection: read, answer, write; closes it when it is done or broken. */
static inline void conn_step(const struct server *s, struct conn *c) {
    if (c->linger_until) return conn_drain(c);
    if (!conn_wants_write(c)) {
        int got = fill_input(c);
        if (got < 0) return conn_close(c);
        if (got == 0) c->peer_done = 1;
    }
    for (;;) {
        int answered = process_input(s, c);
        if (flush_output(c) != 0) return conn_close(c);
        if (conn_wants_write(c)) return;  /* the rest when the socket is writable again */
        if (!c->keep && !c->peer_done) return conn_linger(c);
        if (!c->keep || (!answered && c->peer_done)) return conn_close(c);
        if (!answered) return;
    }
}

#endif
