/* path_create_directory, path_remove_directory, path_unlink_file, path_rename.
 *
 * Checks: create_directory makes a directory, answers EXIST for anything already there, NOENT
 * under a missing parent, NOTDIR under a file, PERM (ERRNO_ESCAPE) outside the preopen;
 * remove_directory answers NOTEMPTY for a non-empty directory, NOTDIR for a file (also written
 * `file/`), NOENT for a missing one, and accepts a trailing slash; unlink_file answers ISDIR
 * for a directory (wasmtime on Linux; macOS would say PERM, but the runtime is portable and
 * must answer the same everywhere), NOTDIR for `file/`, and removes a symlink rather than its
 * target (also a dangling one); rename moves files and directories (also between two directory
 * fds), replaces an existing file, replaces an empty directory with a directory, answers
 * NOTEMPTY for a directory onto a non-empty directory, ISDIR for a file onto a directory,
 * NOTDIR for a directory onto a file, INVAL for a directory into itself, NOENT for a missing
 * source, PERM for a target outside the preopen; renaming a symlink moves the link itself;
 * renaming a file onto itself is a no-op.
 */
#include "check.h"

static void check_contents(__wasi_fd_t dir, const char *path, const char *want) {
    __wasi_fd_t fd = open_file(dir, path, 0, RIGHTS_FILE_READ, 0);
    char buf[64];
    size_t n = read_up_to(fd, buf, sizeof buf);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_MSG(n == strlen(want) && memcmp(buf, want, n) == 0,
              "\"%s\" should contain \"%s\", has \"%.*s\"", path, want, (int)n, buf);
}

static void check_missing(__wasi_fd_t dir, const char *path) {
    __wasi_filestat_t st;
    CHECK_MSG(__wasi_path_filestat_get(dir, 0, path, &st) == __WASI_ERRNO_NOENT,
              "\"%s\" should not exist", path);
}

static void check_create(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    CHECK_EQ(stat_path(dir, 0, "d").filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_OK(__wasi_path_create_directory(dir, "d/nested"));
    CHECK_ERRNO(__wasi_path_create_directory(dir, "d"), __WASI_ERRNO_EXIST);
    create_file(dir, "file", "file");
    CHECK_ERRNO(__wasi_path_create_directory(dir, "file"), __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_symlink("nowhere", dir, "dangling"));
    CHECK_ERRNO(__wasi_path_create_directory(dir, "dangling"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "missing/sub"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "file/sub"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "../escape"), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_create_directory(dir, "/abs"), ERRNO_ESCAPE);
}

static void check_remove(__wasi_fd_t dir) {
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "d"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "file"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "file/"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(dir, "missing"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_remove_directory(dir, "d/nested/"));
    check_missing(dir, "d/nested");
    CHECK_OK(__wasi_path_remove_directory(dir, "d"));
    check_missing(dir, "d");
}

static void check_unlink(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "adir"));
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "adir"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "adir/"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "file/"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "missing"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_unlink_file(dir, "../file"), ERRNO_ESCAPE);

    CHECK_OK(__wasi_path_symlink("file", dir, "lnk"));
    CHECK_OK(__wasi_path_symlink("adir", dir, "dlnk"));
    CHECK_OK(__wasi_path_unlink_file(dir, "lnk"));
    CHECK_OK(__wasi_path_unlink_file(dir, "dlnk"));
    CHECK_OK(__wasi_path_unlink_file(dir, "dangling"));
    check_missing(dir, "lnk");
    check_missing(dir, "dlnk");
    check_missing(dir, "dangling");
    check_contents(dir, "file", "file");
    CHECK_EQ(stat_path(dir, 0, "adir").filetype, __WASI_FILETYPE_DIRECTORY);

    create_file(dir, "gone", "x");
    CHECK_OK(__wasi_path_unlink_file(dir, "gone"));
    check_missing(dir, "gone");
    CHECK_OK(__wasi_path_remove_directory(dir, "adir"));
}

static void check_rename_files(__wasi_fd_t dir) {
    create_file(dir, "src", "source");
    CHECK_OK(__wasi_path_rename(dir, "src", dir, "dst"));
    check_missing(dir, "src");
    check_contents(dir, "dst", "source");

    create_file(dir, "src", "newer");
    CHECK_OK(__wasi_path_rename(dir, "src", dir, "dst"));
    check_missing(dir, "src");
    check_contents(dir, "dst", "newer");

    CHECK_OK(__wasi_path_rename(dir, "dst", dir, "dst"));
    check_contents(dir, "dst", "newer");

    CHECK_OK(__wasi_path_create_directory(dir, "emptydir"));
    CHECK_ERRNO(__wasi_path_rename(dir, "dst", dir, "emptydir"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_rename(dir, "dst/", dir, "other"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_rename(dir, "missing", dir, "other"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_rename(dir, "dst", dir, "../outside"), ERRNO_ESCAPE);
    CHECK_ERRNO(__wasi_path_rename(dir, "dst", dir, "/outside"), ERRNO_ESCAPE);
    check_contents(dir, "dst", "newer");

    /* Between two directory fds. */
    __wasi_fd_t sub = open_dir(dir, "emptydir");
    CHECK_OK(__wasi_path_rename(dir, "dst", sub, "moved"));
    check_missing(dir, "dst");
    check_contents(dir, "emptydir/moved", "newer");
    CHECK_OK(__wasi_path_rename(sub, "moved", dir, "back"));
    check_contents(dir, "back", "newer");
    CHECK_OK(__wasi_fd_close(sub));

    /* A symlink is renamed as itself. */
    CHECK_OK(__wasi_path_symlink("back", dir, "lnk"));
    CHECK_OK(__wasi_path_rename(dir, "lnk", dir, "lnk2"));
    check_missing(dir, "lnk");
    CHECK_EQ(stat_path(dir, 0, "lnk2").filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    char target[16];
    size_t used = 0;
    CHECK_OK(__wasi_path_readlink(dir, "lnk2", (uint8_t *)target, sizeof target, &used));
    CHECK_EQ(used, 4);
    CHECK_MEM_EQ(target, "back", 4);
    CHECK_OK(__wasi_path_unlink_file(dir, "lnk2"));
    CHECK_OK(__wasi_path_remove_directory(dir, "emptydir"));
}

static void check_rename_dirs(__wasi_fd_t dir) {
    CHECK_OK(__wasi_path_create_directory(dir, "a"));
    create_file(dir, "a/inside", "in a");
    CHECK_OK(__wasi_path_rename(dir, "a", dir, "b"));
    check_missing(dir, "a");
    check_contents(dir, "b/inside", "in a");

    CHECK_OK(__wasi_path_create_directory(dir, "empty"));
    CHECK_OK(__wasi_path_rename(dir, "b", dir, "empty"));
    check_missing(dir, "b");
    check_contents(dir, "empty/inside", "in a");

    CHECK_OK(__wasi_path_create_directory(dir, "c"));
    CHECK_ERRNO(__wasi_path_rename(dir, "c", dir, "empty"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_rename(dir, "c", dir, "back"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_rename(dir, "c", dir, "c/inner"), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_path_rename(dir, "c/", dir, "c2"));
    check_missing(dir, "c");
    CHECK_EQ(stat_path(dir, 0, "c2").filetype, __WASI_FILETYPE_DIRECTORY);
    check_contents(dir, "empty/inside", "in a");
    check_contents(dir, "back", "newer");
}

int main(int argc, char **argv) {
    __wasi_fd_t dir = scratch_dir(argc, argv);
    check_create(dir);
    check_remove(dir);
    check_unlink(dir);
    check_rename_files(dir);
    check_rename_dirs(dir);
    return pass();
}
