/* fd_readdir.
 *
 * Checks: a listing holds `.` and `..` (node:wasi leaves them out) and every entry once, each
 * with the right d_type (including SYMBOLIC_LINK for a symlink, which is not followed), d_namlen
 * in bytes (a UTF-8 name), and d_ino equal to the inode path_filestat_get reports (for `.`,
 * the directory's own); an empty directory lists exactly `.` and `..`; each entry's d_next
 * cookie resumes the listing right after that entry, cookie 0 restarts it, the last cookie
 * gives an empty read; a buffer too small for the listing is filled completely, the last
 * entry cut short (buf_used == buf_len, the bytes equal to the start of the full listing) and
 * nothing past buf_len is written; 300 files read through a 256-byte buffer arrive exactly
 * once each; fd_readdir on a regular file fails (NOTDIR, BADF or NOTCAPABLE).
 */
#include "check.h"

#define DIRENT_SIZE 24 /* sizeof(__wasi_dirent_t): d_next u64, d_ino u64, d_namlen u32, d_type */

typedef struct {
    __wasi_dircookie_t next;
    __wasi_inode_t ino;
    uint32_t namlen;
    uint8_t type;
    char name[256];
} entry_t;

/* Parses the complete entries in buf[0..used); returns how many. */
static size_t parse(const uint8_t *buf, size_t used, entry_t *out, size_t cap) {
    size_t n = 0, off = 0;
    while (off + DIRENT_SIZE <= used && n < cap) {
        __wasi_dirent_t d;
        memcpy(&d, buf + off, DIRENT_SIZE);
        if (off + DIRENT_SIZE + d.d_namlen > used) break; /* cut short by the buffer */
        CHECK(d.d_namlen < sizeof out[n].name);
        out[n].next = d.d_next;
        out[n].ino = d.d_ino;
        out[n].namlen = d.d_namlen;
        out[n].type = d.d_type;
        memcpy(out[n].name, buf + off + DIRENT_SIZE, d.d_namlen);
        out[n].name[d.d_namlen] = 0;
        n++;
        off += DIRENT_SIZE + d.d_namlen;
    }
    return n;
}

/* got[0..len) equals full[0..len), ignoring the 3 padding bytes that end each dirent header
 * (their value is not specified). */
static void check_prefix(const uint8_t *got, const uint8_t *full, size_t full_len, size_t len) {
    size_t off = 0;
    while (off < len && off < full_len) {
        __wasi_dirent_t d;
        memcpy(&d, full + off, DIRENT_SIZE);
        size_t end = off + DIRENT_SIZE + d.d_namlen;
        for (size_t i = off; i < end && i < len; i++) {
            if (i >= off + 21 && i < off + DIRENT_SIZE) continue;
            CHECK_MSG(got[i] == full[i], "listing byte %zu: expected 0x%02x, got 0x%02x", i,
                      full[i], got[i]);
        }
        off = end;
    }
}

static size_t readdir(__wasi_fd_t fd, uint8_t *buf, size_t len, __wasi_dircookie_t cookie) {
    size_t used = (size_t)-1;
    CHECK_OK(__wasi_fd_readdir(fd, buf, len, cookie, &used));
    CHECK(used <= len);
    return used;
}

static const entry_t *find(const entry_t *e, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0) return &e[i];
    FAIL("entry \"%s\" missing from the listing", name);
    return NULL;
}

static void check_empty(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "empty"));
    __wasi_fd_t fd = open_dir(dir, "empty");
    uint8_t buf[512];
    entry_t e[8];
    size_t used = readdir(fd, buf, sizeof buf, 0);
    CHECK(used < sizeof buf);
    size_t n = parse(buf, used, e, 8);
    CHECK_EQ(n, 2);
    const entry_t *dot = find(e, n, "."), *dotdot = find(e, n, "..");
    CHECK_EQ(dot->type, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(dotdot->type, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(dot->namlen, 1);
    CHECK_EQ(dotdot->namlen, 2);
    __wasi_filestat_t st;
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    CHECK_EQ(dot->ino, st.ino);
    CHECK_OK(__wasi_fd_close(fd));
}

static const char *const names[] = {".", "..", "a", "bb", "sub", "ln", "Действие"};
static const uint8_t types[] = {__WASI_FILETYPE_DIRECTORY, __WASI_FILETYPE_DIRECTORY,
                                __WASI_FILETYPE_REGULAR_FILE, __WASI_FILETYPE_REGULAR_FILE,
                                __WASI_FILETYPE_DIRECTORY, __WASI_FILETYPE_SYMBOLIC_LINK,
                                __WASI_FILETYPE_REGULAR_FILE};
#define N_NAMES (sizeof names / sizeof names[0])

static void check_listing(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    create_file(dir, "d/a", "a");
    create_file(dir, "d/bb", "bb");
    create_file(dir, "d/Действие", "unicode");
    CHECK_OK(__wasi_path_create_directory(dir, "d/sub"));
    CHECK_OK(__wasi_path_symlink("a", dir, "d/ln"));
    __wasi_fd_t fd = open_dir(dir, "d");

    static uint8_t full[4096];
    memset(full, 0xCC, sizeof full);
    size_t total = readdir(fd, full, sizeof full, 0);
    CHECK(total < sizeof full);
    entry_t e[16];
    size_t n = parse(full, total, e, 16);
    CHECK_EQ(n, N_NAMES);
    /* Every byte the host returned belongs to an entry. */
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += DIRENT_SIZE + e[i].namlen;
    CHECK_EQ(sum, total);

    __wasi_filestat_t self;
    CHECK_OK(__wasi_fd_filestat_get(fd, &self));
    for (size_t i = 0; i < N_NAMES; i++) {
        const entry_t *x = find(e, n, names[i]);
        CHECK_MSG(x->type == types[i], "entry \"%s\": expected d_type %u, got %u", names[i],
                  types[i], x->type);
        CHECK_EQ(x->namlen, strlen(names[i]));
        if (i == 0) CHECK_EQ(x->ino, self.ino);
        if (i >= 2) {
            char path[64];
            snprintf(path, sizeof path, "d/%s", names[i]);
            CHECK_MSG(x->ino == stat_path(dir, 0, path).ino, "entry \"%s\": d_ino %llu differs "
                      "from path_filestat_get", names[i], (unsigned long long)x->ino);
        }
    }

    /* Cookies: resuming after entry i lists exactly entries i+1.. in the same order. */
    for (size_t i = 0; i < n; i++) {
        static uint8_t buf[4096];
        entry_t rest[16];
        size_t used = readdir(fd, buf, sizeof buf, e[i].next);
        size_t m = parse(buf, used, rest, 16);
        CHECK_MSG(m == n - i - 1, "after cookie of entry %zu (\"%s\"): expected %zu entries, "
                  "got %zu", i, e[i].name, n - i - 1, m);
        for (size_t j = 0; j < m; j++) CHECK_STR_EQ(rest[j].name, e[i + 1 + j].name);
        for (size_t j = 0; j < i; j++) CHECK_NE(e[j].next, e[i].next);
    }
    static uint8_t again[4096];
    CHECK_EQ(readdir(fd, again, sizeof again, 0), total);
    check_prefix(again, full, total, total);

    /* Small buffers: filled to the last byte with the start of the full listing. */
    const size_t sizes[] = {1, 8, 23, 24, 25, 30, DIRENT_SIZE + 1 + DIRENT_SIZE, total - 1, total};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        static uint8_t buf[4096];
        memset(buf, 0xCC, sizeof buf);
        size_t used = readdir(fd, buf, sizes[k], 0);
        CHECK_MSG(used == sizes[k], "fd_readdir with buf_len %zu: buf_used %zu (the listing is "
                  "%zu bytes)", sizes[k], used, total);
        check_prefix(buf, full, total, used);
        for (size_t i = used; i < used + 16; i++) CHECK_EQ(buf[i], 0xCC);
    }

    /* The last cookie: nothing left. */
    static uint8_t buf[64];
    CHECK_EQ(readdir(fd, buf, sizeof buf, e[n - 1].next), 0);
    CHECK_OK(__wasi_fd_close(fd));
}

static void check_many(__wasi_fd_t dir) {
    enum { COUNT = 300 };
    CHECK_OK(__wasi_path_create_directory(dir, "many"));
    for (int i = 0; i < COUNT; i++) {
        char path[64];
        snprintf(path, sizeof path, "many/file-%03d", i);
        create_file(dir, path, "");
    }
    __wasi_fd_t fd = open_dir(dir, "many");
    static int seen[COUNT];
    int dots = 0, total = 0;
    __wasi_dircookie_t cookie = 0;
    for (int round = 0;; round++) {
        CHECK(round < 1000);
        uint8_t buf[256];
        entry_t e[16];
        size_t used = readdir(fd, buf, sizeof buf, cookie);
        size_t n = parse(buf, used, e, 16);
        for (size_t i = 0; i < n; i++) {
            int k;
            total++;
            if (strcmp(e[i].name, ".") == 0 || strcmp(e[i].name, "..") == 0) {
                dots++;
            } else {
                CHECK_MSG(sscanf(e[i].name, "file-%d", &k) == 1 && k >= 0 && k < COUNT,
                          "unexpected entry \"%s\"", e[i].name);
                CHECK_MSG(!seen[k], "entry \"%s\" listed twice", e[i].name);
                seen[k] = 1;
            }
        }
        if (used < sizeof buf) break;
        CHECK_MSG(n > 0, "a full 256-byte buffer held no complete entry");
        cookie = e[n - 1].next;
    }
    CHECK_EQ(dots, 2);
    CHECK_EQ(total, COUNT + 2);
    CHECK_OK(__wasi_fd_close(fd));
}

static void check_not_a_directory(__wasi_fd_t dir) {
    __wasi_fd_t fd = open_file(dir, "d/a", 0, RIGHTS_FILE_ALL | __WASI_RIGHTS_FD_READDIR, 0);
    uint8_t buf[128];
    size_t used;
    /* A file fd may lack the readdir right altogether (rights that do not apply to a file
     * may be dropped at path_open), hence NOTCAPABLE is fine too. */
    CHECK_ERRNO3(__wasi_fd_readdir(fd, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR,
                 __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_close(fd));
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_empty(dir);
    check_listing(dir);
    check_many(dir);
    check_not_a_directory(dir);
    return pass();
}
