/* wget: fetch one http:// URL with GET and print (or save) the body; a small wget/curl for pods' sidecars.
 *
 * Usage: wget [-O FILE] [-q] [-S] [-t TRIES] [-w MS] [-T SECONDS] [-H "Name: value"]... URL
 *   -O FILE  write the body to FILE ("-", the default, is stdout)
 *   -q       print nothing on stderr but errors
 *   -S       print the response's status line and headers on stderr
 *   -t TRIES connection attempts (default 1); refused or unreachable ones are retried after -w MS (default 200)
 *   -T SECS  give up when the server sends nothing for SECS seconds (default 30)
 *   -H HDR   add a request header (repeatable)
 * Exit status, as GNU wget's: 0 success (2xx), 1 other error, 2 usage or URL error, 4 network failure
 * (cannot resolve, cannot connect, connection broken or timed out, body shorter than Content-Length),
 * 8 the server answered with an error status (>= 400). Understands Content-Length, chunked and read-to-close bodies. */
#include "wasmpod_socket.h"
#include "http-client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXTRA 16

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Connects to host:port, trying every address; the socket, or -1 with errno from the last attempt. */
static int dial(const struct url *u, int silent) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "wget: cannot resolve %s: %s\n", u->host, gai_strerror(rc));
        errno = 0;
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) { err = errno; continue; }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (!silent) fprintf(stderr, "wget: cannot connect to %s:%s: %s\n", u->host, u->port, strerror(err));
        errno = err ? err : ECONNREFUSED;
    }
    return fd;
}

int main(int argc, char **argv) {
    const char *out_path = "-";
    const char *extra[MAX_EXTRA];
    int nextra = 0, quiet = 0, show = 0, tries = 1, timeout_s = 30, opt;
    long wait_ms = 200;
    while ((opt = getopt(argc, argv, "O:qSt:w:T:H:")) != -1) {
        switch (opt) {
        case 'O': out_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'S': show = 1; break;
        case 't': tries = atoi(optarg); break;
        case 'w': wait_ms = atol(optarg); break;
        case 'T': timeout_s = atoi(optarg); break;
        case 'H':
            if (nextra == MAX_EXTRA || !strchr(optarg, ':') || strpbrk(optarg, "\r\n")) {
                fprintf(stderr, "wget: bad or too many -H headers: %s\n", optarg);
                return 2;
            }
            extra[nextra++] = optarg;
            break;
        default: goto usage;
        }
    }
    if (optind != argc - 1 || tries < 1 || timeout_s < 1) goto usage;
    struct url u;
    const char *why = parse_url(argv[optind], &u);
    if (why) {
        fprintf(stderr, "wget: %s: %s\n", argv[optind], why);
        return 2;
    }
    int fd = -1;
    for (int i = 0; i < tries && fd < 0; i++) {
        if (i > 0) sleep_ms(wait_ms);
        fd = dial(&u, i + 1 < tries);  /* only the last failure is reported */
        if (fd < 0 && errno != ECONNREFUSED && errno != ENETUNREACH && errno != EHOSTUNREACH) break;
    }
    if (fd < 0) return 4;
    FILE *out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "wb");
    if (!out) {
        perror(out_path);
        close(fd);
        return 1;
    }
    struct response resp;
    int rc = http_get(fd, &u, extra, nextra, timeout_s * 1000, out, show ? stderr : NULL, &resp);
    close(fd);
    if (fclose(out) != 0 && rc == 0) {
        perror(out_path);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "wget: %s: %s\n", argv[optind], resp.error);
        return rc;
    }
    if (!quiet) fprintf(stderr, "wget: %s: %d, %lld bytes\n", argv[optind], resp.status, resp.body_bytes);
    return resp.status >= 400 ? 8 : resp.status >= 200 && resp.status < 300 ? 0 : 1;

usage:
    fprintf(stderr, "usage: wget [-O FILE] [-q] [-S] [-t TRIES] [-w MS] [-T SECONDS] [-H 'Name: value'] http://HOST[:PORT]/PATH\n");
    return 2;
}
