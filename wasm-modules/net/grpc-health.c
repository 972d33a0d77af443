/* grpc-health: a gRPC health server (grpc.health.v1.Health/Check) over plaintext HTTP/2 (h2c, prior
 * knowledge), in C over BSD sockets (wasmpod_socket.h on wasm, the system's natively), to test grpc probes.
 *
 * Usage: grpc-health [-p PORT] [--serving a,b] [--not-serving c,d] [--down-file PATH] [--service-unknown]
 *                    [--hang | --mute]
 *   -p PORT           port to listen on; without -p, the listeners passed in LISTEN_FDS (wasmpod pre-opens one
 *                     per declared containerPort), else 50051
 *   --serving LIST    services (comma-separated) that answer SERVING; the server as a whole ("") always does
 *   --not-serving L   services that answer NOT_SERVING (an empty name in the list: the server as a whole)
 *   --down-file PATH  while PATH exists, every known service answers NOT_SERVING (grpc-go's Shutdown())
 *   --service-unknown a service not listed answers SERVICE_UNKNOWN; without it, the gRPC error NOT_FOUND
 *                     "unknown service", as grpc-go's health server answers Check
 *   --hang            speak HTTP/2 (SETTINGS, PING) but never answer a request
 *   --mute            accept connections but never send a byte (not even SETTINGS)
 * Other methods of grpc.health.v1.Health, and other services, get UNIMPLEMENTED (grpc-status 12); a request
 * that is not application/grpc gets HTTP 415. Each call is logged on stdout: `Check "svc" SERVING`.
 * With WASMPOD_TERMINATION_FD declared (docs/lifecycle.md) it exits 0 when the pod asks it to stop. */
#include "wasmpod_socket.h"
#include "h2-conn.h"
#include "listeners.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONNS 32
#define MAX_LISTENERS 8
#define MAX_NAMES 32

static const char *serving[MAX_NAMES], *not_serving[MAX_NAMES];
static int n_serving, n_not_serving, service_unknown, hang, mute;
static const char *down_file;
static struct h2_conn conns[MAX_CONNS];

static int split(char *list, const char **out, int n) {
    for (char *p = list;; ) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        if (n < MAX_NAMES) out[n++] = p;
        if (!comma) return n;
        p = comma + 1;
    }
}

static int listed(const char **names, int n, const char *name) {
    for (int i = 0; i < n; i++) if (strcmp(names[i], name) == 0) return 1;
    return 0;
}

/* The answer to Check(service): a ServingStatus (1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN), or -1: NOT_FOUND. */
static int health_of(const char *service) {
    int status;
    if (listed(not_serving, n_not_serving, service)) status = 2;
    else if (service[0] == 0 || listed(serving, n_serving, service)) status = 1;
    else return service_unknown ? 3 : -1;
    struct stat st;
    if (down_file && stat(down_file, &st) == 0) status = 2;
    return status;
}

static const char *status_name(int s) {
    return s == 1 ? "SERVING" : s == 2 ? "NOT_SERVING" : s == 3 ? "SERVICE_UNKNOWN" : "UNKNOWN";
}

/* HealthCheckRequest: field 1 (service, a string); other fields skipped. 0, or -1 when malformed. */
static int parse_request(const uint8_t *p, size_t len, char *service, size_t cap) {
    const uint8_t *end = p + len;
    service[0] = 0;
    while (p < end) {
        uint64_t key, v;
        if (h2_varint(&p, end, &key) != 0) return -1;
        switch (key & 7) {
        case 0: if (h2_varint(&p, end, &v) != 0) return -1; break;
        case 1: if (end - p < 8) return -1; p += 8; break;
        case 5: if (end - p < 4) return -1; p += 4; break;
        case 2:
            if (h2_varint(&p, end, &v) != 0 || v > (uint64_t)(end - p)) return -1;
            if (key >> 3 == 1) {
                if (v >= cap) return -1;
                memcpy(service, p, v);
                service[v] = 0;
            }
            p += v;
            break;
        default: return -1;
        }
    }
    return 0;
}

/* Answers one complete request stream. */
static void answer(struct h2_conn *c, struct h2_stream *s) {
    const char *prefix = "/grpc.health.v1.Health/";
    if (strncmp(s->content_type, "application/grpc", 16) != 0 ||
        (s->content_type[16] != 0 && s->content_type[16] != '+' && s->content_type[16] != ';')) {
        h2_respond_http(c, s->id, "415");
        return;
    }
    if (strncmp(s->path, prefix, strlen(prefix)) != 0) {
        char msg[300];
        const char *svc = s->path[0] == '/' ? s->path + 1 : s->path;
        const char *slash = strchr(svc, '/');
        snprintf(msg, sizeof msg, "unknown service %.*s", slash ? (int)(slash - svc) : (int)strlen(svc), svc);
        printf("%s UNIMPLEMENTED\n", s->path);
        h2_respond_error(c, s->id, 12, msg);
        return;
    }
    const char *method = s->path + strlen(prefix);
    if (strcmp(method, "Check") != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "unknown method %s for service grpc.health.v1.Health", method);
        printf("%s UNIMPLEMENTED\n", s->path);
        h2_respond_error(c, s->id, 12, msg);
        return;
    }
    /* One gRPC message: flag 0 (no compression), a 4-byte big-endian length, the message. */
    char service[256];
    if (s->body_len < 5 || s->body[0] != 0 ||
        ((uint32_t)s->body[1] << 24 | (uint32_t)s->body[2] << 16 | (uint32_t)s->body[3] << 8 | s->body[4]) != s->body_len - 5 ||
        parse_request(s->body + 5, s->body_len - 5, service, sizeof service) != 0) {
        printf("Check: malformed request\n");
        h2_respond_error(c, s->id, 13, "grpc: error unmarshalling request");
        return;
    }
    int status = health_of(service);
    if (status < 0) {
        printf("Check \"%s\" NOT_FOUND\n", service);
        h2_respond_error(c, s->id, 5, "unknown service");
        return;
    }
    printf("Check \"%s\" %s\n", service, status_name(status));
    uint8_t msg[7] = { 0, 0, 0, 0, 2, 0x08, (uint8_t)status };   /* HealthCheckResponse{status}: field 1, varint */
    h2_respond_message(c, s->id, msg, sizeof msg);
}

/* h2-conn.h calls this for each complete request; the log line is out before the answer is sent. */
static void on_request(struct h2_conn *c, struct h2_stream *s) {
    if (hang) return;
    answer(c, s);
    fflush(stdout);
}

static void accept_all(int lfd) {
    for (;;) {
        int slot = -1;
        for (int i = 0; i < MAX_CONNS; i++) if (conns[i].fd < 0) { slot = i; break; }
        if (slot < 0) return;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) perror("grpc-health: accept");
            return;
        }
        if (set_nonblocking(fd) != 0) { close(fd); continue; }
        h2_open(&conns[slot], fd, on_request, mute);
    }
}

static int usage(void) {
    fprintf(stderr, "usage: grpc-health [-p PORT] [--serving a,b] [--not-serving c] [--down-file PATH] "
                    "[--service-unknown] [--hang | --mute]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *port = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "-p") == 0 && more) port = argv[++i];
        else if (strcmp(a, "--serving") == 0 && more) n_serving = split(argv[++i], serving, n_serving);
        else if (strcmp(a, "--not-serving") == 0 && more) n_not_serving = split(argv[++i], not_serving, n_not_serving);
        else if (strcmp(a, "--down-file") == 0 && more) down_file = argv[++i];
        else if (strcmp(a, "--service-unknown") == 0) service_unknown = 1;
        else if (strcmp(a, "--hang") == 0) hang = 1;
        else if (strcmp(a, "--mute") == 0) mute = 1;
        else return usage();
    }
    int lfds[MAX_LISTENERS], nl = port ? 0 : inherited_listeners(lfds, MAX_LISTENERS);
    if (nl == 0) {
        if ((lfds[nl++] = listen_on("grpc-health", "0.0.0.0", port ? port : "50051", 64)) < 0) return 1;
        printf("grpc-health: listening on port %s\n", port ? port : "50051");
    } else {
        printf("grpc-health: serving %d listener(s) from LISTEN_FDS\n", nl);
    }
    fflush(stdout);
    for (int i = 0; i < nl; i++) if (set_nonblocking(lfds[i]) != 0) { perror("grpc-health: fcntl"); return 1; }
    const char *tenv = getenv("WASMPOD_TERMINATION_FD");
    int term_fd = tenv ? atoi(tenv) : -1;
    for (int i = 0; i < MAX_CONNS; i++) conns[i].fd = -1;

    struct pollfd pfds[MAX_CONNS + MAX_LISTENERS + 1];
    int owner[MAX_CONNS + MAX_LISTENERS + 1];
    for (;;) {
        int n = 0;
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0) continue;
            pfds[n] = (struct pollfd){ conns[i].fd, (short)(h2_wants_write(&conns[i]) ? POLLIN | POLLOUT : POLLIN), 0 };
            owner[n++] = i;
        }
        int first_listener = n, tidx = -1;
        for (int i = 0; i < nl; i++) pfds[n++] = (struct pollfd){ lfds[i], POLLIN, 0 };
        int end_listeners = n;
        if (term_fd >= 0) { tidx = n; pfds[n++] = (struct pollfd){ term_fd, POLLIN, 0 }; }
        if (poll(pfds, n, -1) < 0) {
            if (errno == EINTR) continue;
            perror("grpc-health: poll");
            return 1;
        }
        if (tidx >= 0 && pfds[tidx].revents) {
            printf("grpc-health: asked to stop\n");
            fflush(stdout);
            return 0;
        }
        for (int k = 0; k < first_listener; k++) {
            if (pfds[k].revents) h2_step(&conns[owner[k]], pfds[k].revents);
        }
        fflush(stdout);
        for (int k = first_listener; k < end_listeners; k++) {
            if (pfds[k].revents) accept_all(pfds[k].fd);
        }
    }
}
