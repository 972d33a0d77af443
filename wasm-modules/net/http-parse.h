/* http-parse.h: HTTP/1.1 message parsing (RFC 9112) shared by httpd.c and wget.c: request line, status line,
 * header fields, Content-Length, Connection; plus reason phrases, content types and safe path decoding.
 * Parsers work in place on a buffer and never copy; every pointer they return points into it. */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HEADERS 64
#define PARSE_INCOMPLETE 0
#define PARSE_DONE (-1)

struct header {
    const char *name, *value;
    size_t name_len, value_len;
};

struct request {
    const char *raw;            /* the buffer: head then body */
    const char *method, *target;
    size_t method_len, target_len;
    int minor;                  /* HTTP/1.<minor> */
    struct header headers[MAX_HEADERS];
    size_t nheaders;
    size_t head_len;            /* up to and including the empty line */
    size_t body_len;            /* from Content-Length (0 without it) */
    int keep_alive;
};

/* RFC 9110 tchar: the characters of a method or a field name. */
static inline int is_tchar(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* Offset just past the first CRLF CRLF in buf[0, len), or 0. */
static inline size_t find_head_end(const char *buf, size_t len) {
    for (size_t i = 3; i < len; i++) {
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') return i + 1;
    }
    return 0;
}

/* Case-insensitive lookup of a header's value; NULL when absent. */
static inline const struct header *find_header(const struct header *h, size_t n, const char *name) {
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        if (h[i].name_len == len && strncasecmp(h[i].name, name, len) == 0) return &h[i];
    }
    return NULL;
}

/* Whether a comma-separated header value (Connection) holds `token`, case-insensitively. */
static inline int has_token(const struct header *h, const char *token) {
    size_t len = strlen(token), i = 0;
    while (h && i < h->value_len) {
        while (i < h->value_len && (h->value[i] == ' ' || h->value[i] == '\t' || h->value[i] == ',')) i++;
        size_t start = i;
        while (i < h->value_len && h->value[i] != ',' && h->value[i] != ' ' && h->value[i] != '\t') i++;
        if (i - start == len && strncasecmp(h->value + start, token, len) == 0) return 1;
    }
    return 0;
}

/* A Content-Length value: 0 with *out, or -1 when it is not a plain decimal number below 2^53. */
static inline int parse_length(const struct header *h, unsigned long long *out) {
    if (h->value_len == 0 || h->value_len > 15) return -1;
    unsigned long long v = 0;
    for (size_t i = 0; i < h->value_len; i++) {
        if (h->value[i] < '0' || h->value[i] > '9') return -1;
        v = v * 10 + (unsigned)(h->value[i] - '0');
    }
    *out = v;
    return 0;
}

/* Header lines from p up to the empty line at end: 0, or the HTTP status a server answers (400, 431). */
static inline int parse_fields(const char *p, const char *end, struct header *h, size_t *n) {
    *n = 0;
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p));
        if (!eol || eol + 1 >= end || eol[1] != '\n') return 400;
        if (eol == p) return 0;  /* the empty line */
        if (*n == MAX_HEADERS) return 431;
        const char *colon = p;
        while (colon < eol && is_tchar((unsigned char)*colon)) colon++;
        if (colon == p || colon == eol || *colon != ':') return 400;  /* includes obs-fold and space before ':' */
        const char *v = colon + 1, *ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t')) v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        for (const char *q = v; q < ve; q++) {
            if ((unsigned char)*q < 0x20 && *q != '\t') return 400;
        }
        h[*n] = (struct header){ p, v, (size_t)(colon - p), (size_t)(ve - v) };
        (*n)++;
        p = eol + 2;
    }
    return 400;
}

/* The request line "METHOD SP TARGET SP HTTP/1.x": 0, or the status to answer. */
static inline int parse_request_line(const char *p, const char *eol, struct request *r) {
    const char *q = p;
    while (q < eol && is_tchar((unsigned char)*q)) q++;
    if (q == p || q == eol || *q != ' ') return 400;
    r->method = p;
    r->method_len = (size_t)(q - p);
    const char *t = ++q;
    while (q < eol && (unsigned char)*q > 0x20 && *q != 0x7f) q++;
    if (q == t || q == eol || *q != ' ') return 400;
    r->target = t;
    r->target_len = (size_t)(q - t);
    q++;
    if (eol - q != 8 || memcmp(q, "HTTP/", 5) != 0 || q[6] != '.' || q[5] < '0' || q[5] > '9' || q[7] < '0' || q[7] > '9') return 400;
    if (q[5] != '1') return 505;
    r->minor = q[7] - '0';
    return 0;
}

/* Parses the request at the start of buf: PARSE_INCOMPLETE, PARSE_DONE (r filled, body complete), or the
 * HTTP status a server must answer (400, 413, 431, 501, 505), with r's method and target set when known. */
static inline int parse_request(const char *buf, size_t len, struct request *r, size_t head_max, size_t body_max) {
    memset(r, 0, sizeof *r);
    r->raw = buf;
    size_t end = find_head_end(buf, len < head_max ? len : head_max);
    size_t scan = end ? end : len;
    const char *eol = memchr(buf, '\r', scan), *lf = memchr(buf, '\n', scan);
    if (lf && (!eol || lf < eol)) return 400;  /* a bare LF */
    if (eol && eol + 1 < buf + len) {
        if (eol[1] != '\n') return 400;
        int st = parse_request_line(buf, eol, r);
        if (st != 0) return st;
    } else if (len >= head_max) {
        return 431;
    }
    if (!end) return len >= head_max ? 431 : PARSE_INCOMPLETE;
    r->head_len = end;
    int st = parse_fields(eol + 2, buf + end, r->headers, &r->nheaders);
    if (st != 0) return st;
    if (find_header(r->headers, r->nheaders, "transfer-encoding")) return 501;
    unsigned long long body = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        const struct header *h = &r->headers[i];
        if (h->name_len != 14 || strncasecmp(h->name, "content-length", 14) != 0) continue;
        unsigned long long v;
        if (parse_length(h, &v) != 0 || (body != 0 && v != body)) return 400;
        body = v;
    }
    if (body > body_max) return 413;
    int hosts = 0;
    for (size_t i = 0; i < r->nheaders; i++) hosts += r->headers[i].name_len == 4 && strncasecmp(r->headers[i].name, "host", 4) == 0;
    if (r->minor >= 1 && hosts != 1) return 400;  /* RFC 9112 3.2 */
    r->body_len = (size_t)body;
    const struct header *conn = find_header(r->headers, r->nheaders, "connection");
    r->keep_alive = r->minor >= 1 ? !has_token(conn, "close") : has_token(conn, "keep-alive");
    return len >= r->head_len + r->body_len ? PARSE_DONE : PARSE_INCOMPLETE;
}

static inline int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* The path of an origin-form target, percent-decoded, without its query, into out: 0, or 400 (not
 * origin-form, bad escape, NUL, a ".." segment) or 414 (too long). */
static inline int decode_path(const char *t, size_t len, char *out, size_t cap) {
    if (len == 0 || t[0] != '/') return 400;
    size_t o = 0;
    for (size_t i = 0; i < len && t[i] != '?'; i++) {
        char ch = t[i];
        if (ch == '%') {
            int hi = i + 2 < len ? hex_digit(t[i + 1]) : -1, lo = i + 2 < len ? hex_digit(t[i + 2]) : -1;
            if (hi < 0 || lo < 0) return 400;
            ch = (char)(hi * 16 + lo);
            if (ch == 0) return 400;
            i += 2;
        }
        if (o + 1 >= cap) return 414;
        out[o++] = ch;
    }
    out[o] = 0;
    for (const char *p = out; (p = strstr(p, "..")) != NULL; p += 2) {
        if (p[-1] == '/' && (p[2] == '/' || p[2] == 0)) return 400;
    }
    return 0;
}

static inline const char *http_reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 418: return "I'm a teapot";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return status < 300 ? "Success" : status < 400 ? "Redirection" : status < 500 ? "Client Error" : "Server Error";
    }
}

static inline const char *content_type(const char *path) {
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"}, {".css", "text/css"}, {".js", "text/javascript"},
        {".json", "application/json"}, {".png", "image/png"}, {".jpg", "image/jpeg"},
        {".svg", "image/svg+xml"}, {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/')) {
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            if (strcasecmp(dot, types[i][0]) == 0) return types[i][1];
        }
    }
    return "application/octet-stream";
}

#endif
