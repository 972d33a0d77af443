/* http-client.h: wget.c's HTTP/1.1 client side: URL parsing, the GET request, and reading the response body
 * framed by Content-Length, chunked transfer coding, or the end of the connection. Header-only (see build.sh). */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include "http-parse.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_HEAD_MAX 16384

struct url {
    char host[256];
    char port[8];
    char path[2048];
};

struct response {
    int status;
    long long body_bytes;
    const char *error;          /* why http_get failed */
};

struct reader {
    int fd, timeout_ms;
    char buf[65536];
    size_t off, len;
};

/* http://HOST[:PORT][/PATH] into u: NULL, or what is wrong with it. IPv6 hosts go in brackets. */
static inline const char *parse_url(const char *s, struct url *u) {
    if (strncmp(s, "https://", 8) == 0) return "https is not supported";
    if (strncmp(s, "http://", 7) != 0) return "only http:// URLs are supported";
    s += 7;
    const char *host = s, *host_end;
    if (*s == '[') {
        host = ++s;
        host_end = strchr(s, ']');
        if (!host_end) return "unterminated [IPv6 address]";
        s = host_end + 1;
    } else {
        s += strcspn(s, ":/?#");
        host_end = s;
    }
    size_t hl = (size_t)(host_end - host);
    if (hl == 0 || hl >= sizeof u->host) return "bad host";
    memcpy(u->host, host, hl);
    u->host[hl] = 0;
    strcpy(u->port, "80");
    if (*s == ':') {
        size_t pl = strspn(++s, "0123456789");
        if (pl == 0 || pl > 5 || atoi(s) > 65535) return "bad port";
        memcpy(u->port, s, pl);
        u->port[pl] = 0;
        s += pl;
    }
    if (*s && *s != '/' && *s != '?') return "bad URL";
    int n = snprintf(u->path, sizeof u->path, "%s%.*s", *s == '/' ? "" : "/", (int)strcspn(s, "#"), s);
    if (n < 0 || (size_t)n >= sizeof u->path) return "path too long";
    for (const char *p = u->path; *p; p++) if ((unsigned char)*p <= 0x20 || *p == 0x7f) return "bad character in path";
    return NULL;
}

/* More bytes into the reader: > 0, 0 at the end of the stream, -1 on an error or a timeout (errno set). */
static inline int rd_fill(struct reader *r) {
    if (r->off == r->len) r->off = r->len = 0;
    if (r->len == sizeof r->buf) {
        memmove(r->buf, r->buf + r->off, r->len - r->off);
        r->len -= r->off;
        r->off = 0;
    }
    struct pollfd p = { r->fd, POLLIN, 0 };
    int ready = poll(&p, 1, r->timeout_ms);
    if (ready == 0) errno = ETIMEDOUT;
    if (ready <= 0) return -1;
    ssize_t n = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, 0);
    if (n < 0) return -1;
    r->len += (size_t)n;
    return (int)n;
}

static inline int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t k = send(fd, p, n, 0);
        if (k < 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Copies up to `limit` body bytes (-1: to the end of the stream) to out: 0, or -1 with errno (0: early EOF). */
static inline int copy_body(struct reader *r, long long limit, FILE *out, struct response *resp) {
    while (limit != 0) {
        if (r->off == r->len) {
            int n = rd_fill(r);
            if (n == 0 && limit < 0) return 0;
            if (n == 0) errno = 0;
            if (n <= 0) return -1;
        }
        size_t avail = r->len - r->off;
        size_t take = limit >= 0 && (long long)avail > limit ? (size_t)limit : avail;
        if (fwrite(r->buf + r->off, 1, take, out) != take) return -1;
        r->off += take;
        resp->body_bytes += (long long)take;
        if (limit > 0) limit -= (long long)take;
    }
    return 0;
}

/* One CRLF-terminated line of a chunked body into line: 0, or -1. */
static inline int rd_line(struct reader *r, char *line, size_t cap) {
    for (;;) {
        char *nl = memchr(r->buf + r->off, '\n', r->len - r->off);
        if (nl) {
            size_t n = (size_t)(nl - (r->buf + r->off));
            if (n >= cap) return -1;
            memcpy(line, r->buf + r->off, n);
            line[n > 0 && line[n - 1] == '\r' ? n - 1 : n] = 0;
            r->off += n + 1;
            return 0;
        }
        if (r->len - r->off >= cap || rd_fill(r) <= 0) return -1;
    }
}

static inline int copy_chunked(struct reader *r, FILE *out, struct response *resp) {
    char line[256];
    for (;;) {
        if (rd_line(r, line, sizeof line) != 0) return -1;
        char *end;
        long long size = strtoll(line, &end, 16);
        if (end == line || size < 0 || (*end && *end != ';')) {
            errno = EPROTO;
            return -1;
        }
        if (size == 0) break;
        if (copy_body(r, size, out, resp) != 0 || rd_line(r, line, sizeof line) != 0 || line[0]) return -1;
    }
    do {  /* trailer fields, up to the empty line */
        if (rd_line(r, line, sizeof line) != 0) return -1;
    } while (line[0]);
    return 0;
}

/* Sends GET for u on fd and copies the response body to out (the head to `show` when not NULL): 0, or the
 * exit status wget gives (4 network failure, 1 protocol error) with resp->error set. */
static inline int http_get(int fd, const struct url *u, const char **extra, int nextra, int timeout_ms, FILE *out,
                           FILE *show, struct response *resp) {
    static struct reader r;
    memset(resp, 0, sizeof *resp);
    r.fd = fd;
    r.timeout_ms = timeout_ms;
    r.off = r.len = 0;
    char req[4096];
    int v6 = strchr(u->host, ':') != NULL;
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\nUser-Agent: wasmpod-wget/1\r\nAccept: */*\r\n",
                     u->path, v6 ? "[" : "", u->host, v6 ? "]" : "", strcmp(u->port, "80") ? ":" : "",
                     strcmp(u->port, "80") ? u->port : "");
    for (int i = 0; i < nextra && n > 0 && (size_t)n < sizeof req; i++) n += snprintf(req + n, sizeof req - (size_t)n, "%s\r\n", extra[i]);
    if (n > 0 && (size_t)n < sizeof req) n += snprintf(req + n, sizeof req - (size_t)n, "Connection: close\r\n\r\n");
    if (n < 0 || (size_t)n >= sizeof req) return resp->error = "request too long", 1;
    if (send_all(fd, req, (size_t)n) != 0) return resp->error = strerror(errno), 4;
    size_t head;
    struct header h[MAX_HEADERS];
    size_t nh = 0;
    for (;;) {
        while ((head = find_head_end(r.buf + r.off, r.len - r.off)) == 0) {
            if (r.len - r.off >= CLIENT_HEAD_MAX) return resp->error = "response head too large", 1;
            int got = rd_fill(&r);
            if (got < 0) return resp->error = errno == ETIMEDOUT ? "timed out waiting for the response" : strerror(errno), 4;
            if (got == 0) return resp->error = "connection closed before a response", 4;
        }
        const char *p = r.buf + r.off, *eol = memchr(p, '\r', head);
        if (eol - p < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ') return resp->error = "not an HTTP/1.x response", 1;
        resp->status = atoi(p + 9);
        if (resp->status < 100 || resp->status > 999 || parse_fields(eol + 2, p + head, h, &nh) != 0) return resp->error = "malformed response head", 1;
        if (show) fprintf(show, "%.*s", (int)head, p);
        r.off += head;
        if (resp->status >= 200) break;  /* 1xx: an interim response, the final one follows */
    }
    int rc;
    errno = 0;
    const struct header *te = find_header(h, nh, "transfer-encoding"), *cl = find_header(h, nh, "content-length");
    unsigned long long length = 0;
    if (resp->status == 204 || resp->status == 304) rc = 0;
    else if (te && has_token(te, "chunked")) rc = copy_chunked(&r, out, resp);
    else if (cl && parse_length(cl, &length) != 0) return resp->error = "bad Content-Length", 1;
    else rc = copy_body(&r, cl ? (long long)length : -1, out, resp);
    if (rc != 0) {
        if (errno == ETIMEDOUT) resp->error = "timed out reading the body";
        else if (errno) resp->error = strerror(errno);
        else resp->error = "connection closed before the whole body arrived";
        return 4;
    }
    return 0;
}

#endif
