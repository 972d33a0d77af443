/* fd_write, fd_read, fd_pwrite, fd_pread, fd_seek, fd_tell, fd_sync, fd_datasync, fd_advise,
 * fd_allocate on a regular file.
 *
 * Checks: scatter/gather with several iovecs (including empty ones and zero iovecs); reads
 * return 0 at EOF; seek with SET/CUR/END returns the new offset, a negative result or an
 * unknown whence answers INVAL and leaves the offset alone; writing past EOF leaves a hole of
 * zeros; pread/pwrite use their own offset and leave the fd's offset unchanged; a 256 KiB
 * round trip; sync/datasync succeed; every advice value is accepted and an unknown one answers
 * INVAL; fd_allocate either extends the file to offset+len with zeros (never shrinks) or
 * answers NOTSUP (as wasmtime does) and leaves the size unchanged; an fd without the read
 * (write) right cannot read (write): BADF, or NOTCAPABLE where the official suite allows it;
 * read/write/seek/tell/allocate/set_size on a directory fail (BADF as wasmtime; ISDIR or
 * NOTCAPABLE are accepted by the official suite).
 */
#include "check.h"

static __wasi_filesize_t tell(__wasi_fd_t fd) {
    __wasi_filesize_t pos = 12345;
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    return pos;
}

static __wasi_filesize_t seek(__wasi_fd_t fd, __wasi_filedelta_t off, __wasi_whence_t whence) {
    __wasi_filesize_t pos = 12345;
    __wasi_errno_t e = __wasi_fd_seek(fd, off, whence, &pos);
    if (e != 0) FAIL("fd_seek(%lld, %u) failed: %s", (long long)off, whence, errno_name(e));
    return pos;
}

static size_t pread_at(__wasi_fd_t fd, void *buf, size_t len, __wasi_filesize_t off) {
    __wasi_iovec_t iov = {buf, len};
    size_t n = 999;
    CHECK_OK(__wasi_fd_pread(fd, &iov, 1, off, &n));
    return n;
}

static __wasi_filesize_t size_of(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    CHECK_OK(__wasi_fd_filestat_get(fd, &st));
    return st.size;
}

static void check_read_write_seek(__wasi_fd_t fd) {
    __wasi_ciovec_t out[3] = {{(const uint8_t *)"hello", 5}, {(const uint8_t *)"", 0},
                              {(const uint8_t *)", world", 7}};
    size_t n = 999;
    CHECK_OK(__wasi_fd_write(fd, out, 3, &n));
    CHECK_EQ(n, 12);
    CHECK_EQ(tell(fd), 12);
    CHECK_OK(__wasi_fd_write(fd, out, 0, &n));
    CHECK_EQ(n, 0);

    CHECK_EQ(seek(fd, 0, __WASI_WHENCE_SET), 0);
    char a[4], b[100];
    memset(b, 0, sizeof b);
    __wasi_iovec_t in[3] = {{(uint8_t *)a, 4}, {(uint8_t *)b, 0}, {(uint8_t *)b, sizeof b}};
    CHECK_OK(__wasi_fd_read(fd, in, 3, &n));
    CHECK_EQ(n, 12);
    CHECK_MEM_EQ(a, "hell", 4);
    CHECK_MEM_EQ(b, "o, world", 8);
    CHECK_EQ(tell(fd), 12);
    CHECK_OK(__wasi_fd_read(fd, in, 3, &n));
    CHECK_EQ(n, 0); /* EOF */
    CHECK_OK(__wasi_fd_read(fd, in, 0, &n));
    CHECK_EQ(n, 0);

    CHECK_EQ(seek(fd, -5, __WASI_WHENCE_CUR), 7);
    CHECK_EQ(read_up_to(fd, b, 5), 5);
    CHECK_MEM_EQ(b, "world", 5);
    CHECK_EQ(seek(fd, -12, __WASI_WHENCE_END), 0);
    CHECK_EQ(seek(fd, 0, __WASI_WHENCE_END), 12);
    CHECK_EQ(seek(fd, 0, __WASI_WHENCE_CUR), 12);

    __wasi_filesize_t pos;
    CHECK_ERRNO(__wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_seek(fd, -13, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
    CHECK_EQ(tell(fd), 12);

    /* Past EOF: the gap reads back as zeros. */
    CHECK_EQ(seek(fd, 8, __WASI_WHENCE_END), 20);
    write_all(fd, "!", 1);
    CHECK_EQ(size_of(fd), 21);
    char c[32];
    memset(c, 0x77, sizeof c);
    CHECK_EQ(pread_at(fd, c, sizeof c, 10), 11);
    CHECK_MEM_EQ(c, "ld\0\0\0\0\0\0\0\0!", 11);
}

static void check_pread_pwrite(__wasi_fd_t fd) {
    CHECK_EQ(tell(fd), 21);
    char b[16];
    CHECK_EQ(pread_at(fd, b, 5, 7), 5);
    CHECK_MEM_EQ(b, "world", 5);
    CHECK_EQ(tell(fd), 21);
    CHECK_EQ(pread_at(fd, b, sizeof b, 100), 0);
    CHECK_EQ(pread_at(fd, b, sizeof b, 21), 0);

    __wasi_ciovec_t xy = {(const uint8_t *)"XY", 2};
    size_t n = 0;
    CHECK_OK(__wasi_fd_pwrite(fd, &xy, 1, 0, &n));
    CHECK_EQ(n, 2);
    CHECK_EQ(tell(fd), 21);
    CHECK_EQ(pread_at(fd, b, 5, 0), 5);
    CHECK_MEM_EQ(b, "XYllo", 5);

    __wasi_ciovec_t z = {(const uint8_t *)"Z", 1};
    CHECK_OK(__wasi_fd_pwrite(fd, &z, 1, 30, &n));
    CHECK_EQ(n, 1);
    CHECK_EQ(size_of(fd), 31);
    CHECK_EQ(tell(fd), 21);
    CHECK_EQ(pread_at(fd, b, 10, 21), 10);
    CHECK_MEM_EQ(b, "\0\0\0\0\0\0\0\0\0Z", 10);

    /* Gather with pwrite, scatter with pread. */
    __wasi_ciovec_t parts[2] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"cd", 2}};
    CHECK_OK(__wasi_fd_pwrite(fd, parts, 2, 2, &n));
    CHECK_EQ(n, 4);
    char p[3], q[3];
    __wasi_iovec_t in[2] = {{(uint8_t *)p, 3}, {(uint8_t *)q, 3}};
    CHECK_OK(__wasi_fd_pread(fd, in, 2, 0, &n));
    CHECK_EQ(n, 6);
    CHECK_MEM_EQ(p, "XYa", 3);
    CHECK_MEM_EQ(q, "bcd", 3);
    CHECK_EQ(tell(fd), 21);
}

static void check_big(__wasi_fd_t dir) {
    enum { LEN = 256 * 1024 };
    static uint8_t out[LEN], in[LEN + 1];
    for (size_t i = 0; i < LEN; i++) out[i] = (uint8_t)(i * 7 + (i >> 9));
    __wasi_fd_t fd = open_file(dir, "big", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               RIGHTS_FILE_ALL, 0);
    write_all(fd, out, LEN);
    CHECK_EQ(size_of(fd), LEN);
    CHECK_EQ(seek(fd, 0, __WASI_WHENCE_SET), 0);
    CHECK_EQ(read_up_to(fd, in, sizeof in), LEN);
    CHECK_MEM_EQ(in, out, LEN);
    CHECK_OK(__wasi_fd_close(fd));
}

static void check_sync_advise_allocate(__wasi_fd_t fd) {
    CHECK_OK(__wasi_fd_sync(fd));
    CHECK_OK(__wasi_fd_datasync(fd));
    for (__wasi_advice_t a = __WASI_ADVICE_NORMAL; a <= __WASI_ADVICE_NOREUSE; a++)
        CHECK_OK(__wasi_fd_advise(fd, 0, 10, a));
    CHECK_OK(__wasi_fd_advise(fd, 1000, 1ull << 40, __WASI_ADVICE_WILLNEED));
    CHECK_ERRNO(__wasi_fd_advise(fd, 0, 10, 6), __WASI_ERRNO_INVAL);

    CHECK_EQ(size_of(fd), 31);
    __wasi_errno_t e = __wasi_fd_allocate(fd, 0, 10);
    CHECK_ERRNO2(e, __WASI_ERRNO_SUCCESS, __WASI_ERRNO_NOTSUP);
    CHECK_EQ(size_of(fd), 31); /* allocate never shrinks */
    e = __wasi_fd_allocate(fd, 31, 9);
    CHECK_ERRNO2(e, __WASI_ERRNO_SUCCESS, __WASI_ERRNO_NOTSUP);
    if (e == __WASI_ERRNO_SUCCESS) {
        CHECK_EQ(size_of(fd), 40);
        char b[9];
        CHECK_EQ(pread_at(fd, b, 9, 31), 9);
        CHECK_MEM_EQ(b, "\0\0\0\0\0\0\0\0\0", 9);
    } else {
        CHECK_EQ(size_of(fd), 31);
    }
    CHECK_EQ(tell(fd), 21);
}

static void check_rights(__wasi_fd_t dir) {
    char b[4];
    __wasi_iovec_t in = {(uint8_t *)b, sizeof b};
    __wasi_ciovec_t out = {(const uint8_t *)"no", 2};
    size_t n;

    __wasi_fd_t ro = open_file(dir, "data", 0, RIGHTS_FILE_READ, 0);
    CHECK_EQ(read_up_to(ro, b, 4), 4);
    CHECK_MEM_EQ(b, "XYab", 4);
    CHECK_ERRNO2(__wasi_fd_write(ro, &out, 1, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO2(__wasi_fd_pwrite(ro, &out, 1, 0, &n), __WASI_ERRNO_BADF,
                 __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_close(ro));

    __wasi_fd_t wo = open_file(dir, "data", 0, __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK, 0);
    CHECK_ERRNO2(__wasi_fd_read(wo, &in, 1, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO2(__wasi_fd_pread(wo, &in, 1, 0, &n), __WASI_ERRNO_BADF,
                 __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_write(wo, &out, 1, &n));
    CHECK_EQ(n, 2);
    CHECK_OK(__wasi_fd_close(wo));

    /* No rights at all: the official suite (path_open_read_without_rights) wants BADF. */
    __wasi_fd_t none = open_file(dir, "data", 0, 0, 0);
    CHECK_ERRNO(__wasi_fd_read(none, &in, 1, &n), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_close(none));
}

static void check_directory_fd(__wasi_fd_t dir) {
    char b[8];
    __wasi_iovec_t in = {(uint8_t *)b, sizeof b};
    __wasi_ciovec_t out = {(const uint8_t *)"x", 1};
    size_t n;
    __wasi_filesize_t pos;
#define DIR_ERR(call) \
    CHECK_ERRNO3(call, __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR, __WASI_ERRNO_NOTCAPABLE)
    DIR_ERR(__wasi_fd_read(dir, &in, 1, &n));
    DIR_ERR(__wasi_fd_pread(dir, &in, 1, 0, &n));
    DIR_ERR(__wasi_fd_write(dir, &out, 1, &n));
    DIR_ERR(__wasi_fd_pwrite(dir, &out, 1, 0, &n));
    DIR_ERR(__wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &pos));
    DIR_ERR(__wasi_fd_seek(dir, 0, __WASI_WHENCE_SET, &pos));
    DIR_ERR(__wasi_fd_seek(dir, 0, __WASI_WHENCE_END, &pos));
    DIR_ERR(__wasi_fd_tell(dir, &pos));
    DIR_ERR(__wasi_fd_allocate(dir, 0, 1));
#undef DIR_ERR
    __wasi_errno_t e = __wasi_fd_filestat_set_size(dir, 0);
    CHECK_MSG(e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_INVAL ||
                  e == __WASI_ERRNO_NOTCAPABLE,
              "fd_filestat_set_size on a directory: got %s", errno_name(e));
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    __wasi_fd_t fd = open_file(dir, "data", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               RIGHTS_FILE_ALL, 0);
    CHECK(fd > 2);
    CHECK_EQ(tell(fd), 0);
    check_read_write_seek(fd);
    check_pread_pwrite(fd);
    check_sync_advise_allocate(fd);
    CHECK_OK(__wasi_fd_close(fd));
    check_big(dir);
    check_rights(dir);
    check_directory_fd(dir);
    return pass();
}
