/* wasmpod_getaddrinfo.h: getaddrinfo, freeaddrinfo and gai_strerror over WASIX `resolve`; included by wasmpod_socket_impl.h.
 * Names resolve as the pod network says (docs/network.md): localhost, the pod's own name, other pods' names,
 * address literals. Services are port numbers, or "http" and "https". */
#ifndef WASMPOD_GETADDRINFO_H
#define WASMPOD_GETADDRINFO_H

#define WASMPOD_MAX_ADDRS 16

struct wasmpod_addrinfo_entry {
    struct addrinfo ai;
    struct sockaddr_storage ss;
};

static inline void wasmpod_freeaddrinfo(struct addrinfo *ai) {
    while (ai) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free(ai);
        ai = next;
    }
}

static inline const char *wasmpod_gai_strerror(int code) {
    switch (code) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Invalid flags";
    case EAI_NONAME: return "Name does not resolve";
    case EAI_AGAIN: return "Try again";
    case EAI_FAIL: return "Non-recoverable error";
    case EAI_FAMILY: return "Unrecognized address family or invalid length";
    case EAI_SOCKTYPE: return "Unrecognized socket type";
    case EAI_SERVICE: return "Unrecognized service";
    case EAI_MEMORY: return "Out of memory";
    case EAI_SYSTEM: return "System error";
    default: return "Unknown error";
    }
}

/* The port a service names: 0..65535, or -1. */
static inline int wasmpod_service_port(const char *service, int numeric_only) {
    if (!service) return 0;
    if (*service >= '0' && *service <= '9') {
        char *end;
        long p = strtol(service, &end, 10);
        return *end == 0 && p <= 65535 ? (int)p : -1;
    }
    if (numeric_only) return -1;
    if (strcmp(service, "http") == 0) return 80;
    if (strcmp(service, "https") == 0) return 443;
    return -1;
}

/* One result: address `a` (a __wasi_addr_t: tag @0, bytes @2) with `port`, appended after *tail. */
static inline int wasmpod_add_result(const wasmpod_addr *a, int port, int socktype, struct addrinfo ***tail) {
    struct wasmpod_addrinfo_entry *e = calloc(1, sizeof *e);
    if (!e) return EAI_MEMORY;
    wasmpod_addr_port ap;
    memset(&ap, 0, sizeof ap);
    uint16_t p = (uint16_t)port;
    ap.b[0] = a->b[0];
    memcpy(ap.b + 2, &p, 2);
    memcpy(ap.b + 4, a->b + 2, a->b[0] == WASMPOD_AF_INET6 ? 16 : 4);
    socklen_t len = sizeof e->ss;
    wasmpod_from_wasix(&ap, (struct sockaddr *)&e->ss, &len);
    e->ai.ai_family = e->ss.ss_family;
    e->ai.ai_socktype = socktype;
    e->ai.ai_protocol = socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    e->ai.ai_addrlen = len;
    e->ai.ai_addr = (struct sockaddr *)&e->ss;
    **tail = &e->ai;
    *tail = &e->ai.ai_next;
    return 0;
}

/* The addresses a node names, without ports, into out: their count, or an EAI_ error (< 0). */
static inline int wasmpod_node_addrs(const char *node, int flags, wasmpod_addr *out) {
    memset(out, 0, sizeof *out * 2);
    if (!node) {
        static const uint8_t loop6[16] = { [15] = 1 };
        out[0].b[0] = WASMPOD_AF_INET4;
        out[1].b[0] = WASMPOD_AF_INET6;
        if (!(flags & AI_PASSIVE)) {
            memcpy(out[0].b + 2, (const uint8_t[]){ 127, 0, 0, 1 }, 4);
            memcpy(out[1].b + 2, loop6, 16);
        }
        return 2;
    }
    if (inet_pton(AF_INET, node, out[0].b + 2) == 1) { out[0].b[0] = WASMPOD_AF_INET4; return 1; }
    if (inet_pton(AF_INET6, node, out[0].b + 2) == 1) { out[0].b[0] = WASMPOD_AF_INET6; return 1; }
    if (flags & AI_NUMERICHOST) return EAI_NONAME;
    uint32_t n = 0;
    int32_t err = wasmpod_wasix_resolve(node, (int32_t)strlen(node), 0, out, WASMPOD_MAX_ADDRS, &n);
    if (err == ENOENT) return EAI_NONAME;
    if (err == EAGAIN) return EAI_AGAIN;
    if (err) {
        errno = err;
        return EAI_SYSTEM;
    }
    return (int)n;
}

static inline int wasmpod_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    int flags = hints ? hints->ai_flags : 0, family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    *res = NULL;
    if (!node && !service) return EAI_NONAME;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) return EAI_SOCKTYPE;
    int port = wasmpod_service_port(service, flags & AI_NUMERICSERV);
    if (port < 0) return flags & AI_NUMERICSERV ? EAI_NONAME : EAI_SERVICE;
    wasmpod_addr addrs[WASMPOD_MAX_ADDRS];
    int n = wasmpod_node_addrs(node, flags, addrs);
    if (n < 0) return n;
    struct addrinfo *head = NULL, **tail = &head;
    for (int i = 0; i < n; i++) {
        int af = addrs[i].b[0] == WASMPOD_AF_INET6 ? AF_INET6 : addrs[i].b[0] == WASMPOD_AF_INET4 ? AF_INET : 0;
        if (!af || (family != AF_UNSPEC && family != af)) continue;
        for (int k = 0; k < 2; k++) {
            int st = socktype ? socktype : k == 0 ? SOCK_STREAM : SOCK_DGRAM;
            if (socktype && k == 1) break;
            int rc = wasmpod_add_result(&addrs[i], port, st, &tail);
            if (rc) {
                wasmpod_freeaddrinfo(head);
                return rc;
            }
        }
    }
    if (!head) return EAI_NONAME;
    if ((flags & AI_CANONNAME) && node && !(head->ai_canonname = strdup(node))) {
        wasmpod_freeaddrinfo(head);
        return EAI_MEMORY;
    }
    *res = head;
    return 0;
}

#endif
