/* path_symlink, path_readlink, path_link, and symlink resolution.
 *
 * Checks: a symlink stores its target verbatim (relative, with `..` and `//`, UTF-8, 200
 * bytes); path_filestat_get without SYMLINK_FOLLOW describes the link (type SYMBOLIC_LINK,
 * size = target length), with it the target; readlink into a large buffer returns the target
 * and writes nothing more, into a small buffer returns the first buf_len bytes with
 * bufused == buf_len (truncation, as wasmtime and the official suite expect; node:wasi
 * answers an error), readlink of a non-symlink answers INVAL; creating a symlink where
 * anything exists answers EXIST; chains of symlinks and symlinks to directories resolve;
 * a self loop, a two-link loop and a chain of 60 links answer LOOP; a symlink whose target
 * leaves the preopen (`../outside`) may be created and read, but following it (as last
 * component or mid-path, by path_open or path_filestat_get) answers PERM (ERRNO_ESCAPE);
 * creating a symlink to an absolute path either answers PERM (wasmtime) or succeeds, and
 * following one answers PERM; path_link makes a second name for the same inode (nlink 2),
 * answers EXIST onto an existing name (also itself), NOENT for a new name ending in `/`,
 * PERM or ACCES for a directory, INVAL or NOENT with SYMLINK_FOLLOW on a dangling symlink,
 * links a symlink itself (even a looping one), and refuses to leave the preopen.
 *
 * With `host-links` as argv[2], also follows two links the runner made on the host before the
 * start, pointing at a secret file outside the mount: `host-abs` (absolute target) and
 * `host-rel` (relative target through `..`). Both must answer PERM and never reveal the file.
 */
#include "check.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static __wasi_errno_t try_open(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                               __wasi_oflags_t of) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, lf, path, of, RIGHTS_FILE_READ, 0, 0, &fd);
    if (e == 0) CHECK_OK(__wasi_fd_close(fd));
    return e;
}

static void check_readlink(__wasi_fd_t dir) {
    create_file(dir, "target", "target-data");
    CHECK_OK(__wasi_path_symlink("target", dir, "s"));

    char buf[32];
    size_t used = 999;
    memset(buf, 0xCC, sizeof buf);
    CHECK_OK(__wasi_path_readlink(dir, "s", (uint8_t *)buf, 10, &used));
    CHECK_EQ(used, 6);
    CHECK_MEM_EQ(buf, "target", 6);
    for (int i = 6; i < 32; i++) CHECK_EQ((unsigned char)buf[i], 0xCC);

    memset(buf, 0xCC, sizeof buf);
    CHECK_OK(__wasi_path_readlink(dir, "s", (uint8_t *)buf, 4, &used));
    CHECK_EQ(used, 4);
    CHECK_MEM_EQ(buf, "targ", 4);
    for (int i = 4; i < 32; i++) CHECK_EQ((unsigned char)buf[i], 0xCC);

    CHECK_OK(__wasi_path_readlink(dir, "s", (uint8_t *)buf, 6, &used));
    CHECK_EQ(used, 6);
    CHECK_OK(__wasi_path_readlink(dir, "s", (uint8_t *)buf, 0, &used));
    CHECK_EQ(used, 0);

    CHECK_ERRNO(__wasi_path_readlink(dir, "target", (uint8_t *)buf, sizeof buf, &used),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_readlink(dir, "missing", (uint8_t *)buf, sizeof buf, &used),
                __WASI_ERRNO_NOENT);

    /* Targets are stored verbatim. */
    static const char *const targets[] = {"a//b/../c", "ünïcödé/😀", "./x/"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%zu", i);
        CHECK_OK(__wasi_path_symlink(targets[i], dir, name));
        CHECK_OK(__wasi_path_readlink(dir, name, (uint8_t *)buf, sizeof buf, &used));
        CHECK_EQ(used, strlen(targets[i]));
        CHECK_MEM_EQ(buf, targets[i], used);
    }
    char longt[201], longbuf[256];
    memset(longt, 'x', 200);
    longt[200] = 0;
    CHECK_OK(__wasi_path_symlink(longt, dir, "long"));
    CHECK_OK(__wasi_path_readlink(dir, "long", (uint8_t *)longbuf, sizeof longbuf, &used));
    CHECK_EQ(used, 200);
    CHECK_MEM_EQ(longbuf, longt, 200);
}

static void check_filestat(__wasi_fd_t dir) {
    __wasi_filestat_t link = stat_path(dir, 0, "s");
    CHECK_EQ(link.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_EQ(link.size, 6);
    __wasi_filestat_t followed = stat_path(dir, FOLLOW, "s");
    __wasi_filestat_t target = stat_path(dir, 0, "target");
    CHECK_EQ(followed.filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(followed.size, 11);
    CHECK_EQ(followed.ino, target.ino);
    CHECK_NE(link.ino, target.ino);
}

static void check_create_errors(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    CHECK_ERRNO(__wasi_path_symlink("x", dir, "target"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_symlink("x", dir, "d"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_symlink("x", dir, "s"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_symlink("x", dir, "missing/s"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_symlink("x", dir, "nothere/"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_symlink("x", dir, "../s"), ERRNO_ESCAPE);
}

static void check_resolution(__wasi_fd_t dir) {
    create_file(dir, "d/inner", "inner");
    CHECK_OK(__wasi_path_symlink("d", dir, "sd"));
    CHECK_OK(__wasi_path_symlink("s", dir, "chain"));
    CHECK_OK(__wasi_path_symlink("d/../target", dir, "updown"));
    CHECK_OK(try_open(dir, 0, "sd/inner", 0));
    CHECK_OK(try_open(dir, FOLLOW, "chain", 0));
    CHECK_OK(try_open(dir, FOLLOW, "updown", 0));
    CHECK_OK(try_open(dir, FOLLOW, "sd", __WASI_OFLAGS_DIRECTORY));
    CHECK_EQ(stat_path(dir, FOLLOW, "chain").size, 11);
    /* A symlink inside a subdirectory resolves relative to that subdirectory. */
    CHECK_OK(__wasi_path_symlink("../target", dir, "d/up"));
    CHECK_OK(try_open(dir, FOLLOW, "d/up", 0));
    CHECK_OK(try_open(dir, FOLLOW, "sd/up", 0));
}

static void check_loops(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_symlink("loop", dir, "loop"));
    CHECK_ERRNO(try_open(dir, FOLLOW, "loop", 0), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(try_open(dir, 0, "loop", 0), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(try_open(dir, 0, "loop/x", 0), __WASI_ERRNO_LOOP);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(dir, FOLLOW, "loop", &st), __WASI_ERRNO_LOOP);
    CHECK_EQ(stat_path(dir, 0, "loop").filetype, __WASI_FILETYPE_SYMBOLIC_LINK);

    CHECK_OK(__wasi_path_symlink("l2", dir, "l1"));
    CHECK_OK(__wasi_path_symlink("l1", dir, "l2"));
    CHECK_ERRNO(try_open(dir, FOLLOW, "l1", 0), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, FOLLOW, "l2", &st), __WASI_ERRNO_LOOP);

    /* chain-0 -> chain-1 -> ... -> chain-59 -> target: too many levels. */
    char name[32], next[32];
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof name, "chain-%d", i);
        if (i == 59) snprintf(next, sizeof next, "target");
        else snprintf(next, sizeof next, "chain-%d", i + 1);
        CHECK_OK(__wasi_path_symlink(next, dir, name));
    }
    CHECK_ERRNO(try_open(dir, FOLLOW, "chain-0", 0), __WASI_ERRNO_LOOP);
    CHECK_OK(try_open(dir, FOLLOW, "chain-55", 0)); /* 5 levels are fine */
}

static void check_escapes(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_symlink("../outside", dir, "out"));
    CHECK_OK(__wasi_path_symlink("d/../../outside", dir, "out2"));
    CHECK_OK(__wasi_path_symlink("..", dir, "parent"));
    char buf[32];
    size_t used;
    CHECK_OK(__wasi_path_readlink(dir, "out", (uint8_t *)buf, sizeof buf, &used));
    CHECK_EQ(used, 10);
    CHECK_EQ(stat_path(dir, 0, "out").filetype, __WASI_FILETYPE_SYMBOLIC_LINK);

    __wasi_filestat_t st;
    CHECK_ERRNO(try_open(dir, FOLLOW, "out", 0), ERRNO_ESCAPE);
    CHECK_ERRNO(try_open(dir, FOLLOW, "out", __WASI_OFLAGS_CREAT), ERRNO_ESCAPE);
    CHECK_ERRNO(try_open(dir, FOLLOW, "out2", 0), ERRNO_ESCAPE);
    CHECK_ERRNO(try_open(dir, 0, "parent/x", 0), ERRNO_ESCAPE);
    CHECK_ERRNO(try_open(dir, FOLLOW, "parent", __WASI_OFLAGS_DIRECTORY), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, FOLLOW, "out", &st), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "parent/x", &st), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "parent/newdir"), ERRNO_ESCAPE);

    /* An absolute target: refused at creation (wasmtime), or refused when followed. */
    __wasi_errno_t e = __wasi_path_symlink("/etc/passwd", dir, "abs");
    CHECK_ERRNO2(e, __WASI_ERRNO_SUCCESS, ERRNO_ESCAPE);
    if (e == __WASI_ERRNO_SUCCESS) {
        CHECK_ERRNO(try_open(dir, FOLLOW, "abs", 0), ERRNO_ESCAPE);
        CHECK_ERRNO(__wasi_path_filestat_get(dir, FOLLOW, "abs", &st), ERRNO_ESCAPE);
    }
}

static void check_host_links(__wasi_fd_t dir) {
    static const char *const links[] = {"host-abs", "host-rel"};
    for (int i = 0; i < 2; i++) {
        __wasi_filestat_t st;
        CHECK_EQ(stat_path(dir, 0, links[i]).filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
        CHECK_ERRNO(try_open(dir, FOLLOW, links[i], 0), ERRNO_ESCAPE);
        CHECK_ERRNO(__wasi_path_filestat_get(dir, FOLLOW, links[i], &st), ERRNO_ESCAPE);
    }
}

static void check_link(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_link(dir, 0, "target", dir, "hard"));
    __wasi_filestat_t a = stat_path(dir, 0, "target"), b = stat_path(dir, 0, "hard");
    CHECK_EQ(a.ino, b.ino);
    CHECK_EQ(a.dev, b.dev);
    CHECK_EQ(a.nlink, 2);
    CHECK_EQ(b.nlink, 2);

    /* Writes through one name show through the other. */
    __wasi_fd_t fd = open_file(dir, "hard", 0, RIGHTS_FILE_ALL, __WASI_FDFLAGS_APPEND);
    write_all(fd, "+", 1);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_EQ(stat_path(dir, 0, "target").size, 12);

    __wasi_fd_t sub = open_dir(dir, "d");
    CHECK_OK(__wasi_path_link(dir, 0, "target", sub, "hard2"));
    CHECK_EQ(stat_path(dir, 0, "target").nlink, 3);
    CHECK_OK(__wasi_fd_close(sub));

    CHECK_ERRNO(__wasi_path_link(dir, 0, "target", dir, "hard"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "target", dir, "target"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "target", dir, "d"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO2(__wasi_path_link(dir, 0, "d", dir, "dlink"), __WASI_ERRNO_PERM,
                 __WASI_ERRNO_ACCES);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "missing", dir, "x"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "target", dir, "newname/"), __WASI_ERRNO_NOENT);
    /* SYMLINK_FOLLOW on a dangling symlink: wasmtime refuses the flag (INVAL); following it
     * finds nothing (NOENT). The official suite accepts both; either way no link appears. */
    CHECK_OK(__wasi_path_symlink("nothing-here", dir, "dangle"));
    CHECK_ERRNO2(__wasi_path_link(dir, FOLLOW, "dangle", dir, "followed"), __WASI_ERRNO_INVAL,
                 __WASI_ERRNO_NOENT);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(dir, 0, "followed", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "target", dir, "../outside"), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_link(dir, 0, "../outside", dir, "in"), ERRNO_ESCAPE);

    /* Without SYMLINK_FOLLOW the link itself gets the new name, even a looping one. */
    CHECK_OK(__wasi_path_link(dir, 0, "s", dir, "s-hard"));
    CHECK_EQ(stat_path(dir, 0, "s-hard").filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_OK(__wasi_path_link(dir, 0, "loop", dir, "loop-hard"));
    CHECK_EQ(stat_path(dir, 0, "loop-hard").filetype, __WASI_FILETYPE_SYMBOLIC_LINK);

    CHECK_OK(__wasi_path_unlink_file(dir, "hard"));
    CHECK_EQ(stat_path(dir, 0, "target").nlink, 2);
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_readlink(dir);
    check_filestat(dir);
    check_create_errors(dir);
    check_resolution(dir);
    check_loops(dir);
    check_escapes(dir);
    if (argc > 2 && strcmp(argv[2], "host-links") == 0) check_host_links(dir);
    check_link(dir);
    return pass();
}
