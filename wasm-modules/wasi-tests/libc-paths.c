/* Absolute paths through libc, with the scratch directory mounted at `/`.
 *
 * wasi-libc maps an absolute path onto the preopen whose name is its longest prefix, so with
 * a mount at `/` every absolute path lands in it. Checks, using only libc calls: fopen/fprintf/
 * fread on "/notes.txt"; mkdir, stat, opendir/readdir (which list `.` and `..`), rename,
 * unlink, rmdir on absolute paths; chdir and relative paths (also `..`), getcwd; that `..`
 * above `/` cannot leave the mount (the file outside is never reached); that errno values
 * come through (ENOENT, EEXIST, ENOTEMPTY, EISDIR, ENOTDIR).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    CHECK_MSG(f != NULL, "fopen(\"%s\", \"w\"): errno %d", path, errno);
    CHECK(fputs(text, f) >= 0);
    CHECK_EQ(fclose(f), 0);
}

static void check_text(const char *path, const char *want) {
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "fopen(\"%s\", \"r\"): errno %d", path, errno);
    char buf[128];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    CHECK_EQ(fclose(f), 0);
    CHECK_STR_EQ(buf, want);
}

static int listed(const char *dirpath, const char *name) {
    DIR *d = opendir(dirpath);
    CHECK_MSG(d != NULL, "opendir(\"%s\"): errno %d", dirpath, errno);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, name) == 0) found++;
    CHECK_EQ(closedir(d), 0);
    return found;
}

#define CHECK_FAILS(call, want_errno) do { \
    errno = 0; \
    int r_ = (call); \
    int e_ = errno; \
    CHECK_MSG(r_ == -1 && e_ == (want_errno), "%s: expected -1 with errno %d, got %d with " \
              "errno %d", #call, (want_errno), r_, e_); \
} while (0)

int main(void) {
    write_text("/notes.txt", "hello, root mount\n");
    check_text("/notes.txt", "hello, root mount\n");
    struct stat st;
    CHECK_EQ(stat("/notes.txt", &st), 0);
    CHECK_EQ(st.st_size, 18);
    CHECK(S_ISREG(st.st_mode));

    CHECK_EQ(mkdir("/dir", 0755), 0);
    CHECK_FAILS(mkdir("/dir", 0755), EEXIST);
    CHECK_EQ(stat("/dir", &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    write_text("/dir/a.txt", "a");
    CHECK_EQ(listed("/dir", "a.txt"), 1);
    CHECK_EQ(listed("/dir", "."), 1);
    CHECK_EQ(listed("/dir", ".."), 1);
    CHECK_EQ(listed("/", "notes.txt"), 1);

    CHECK_EQ(rename("/dir/a.txt", "/dir/b.txt"), 0);
    CHECK_FAILS(stat("/dir/a.txt", &st), ENOENT);
    check_text("/dir/b.txt", "a");
    CHECK_FAILS(rmdir("/dir"), ENOTEMPTY);
    CHECK_FAILS(unlink("/dir"), EISDIR);
    CHECK_FAILS(open("/notes.txt/x", O_RDONLY), ENOTDIR);
    CHECK_FAILS(open("/missing.txt", O_RDONLY), ENOENT);

    /* Relative paths follow the working directory. */
    CHECK_EQ(chdir("/dir"), 0);
    char cwd[256];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_STR_EQ(cwd, "/dir");
    write_text("rel.txt", "relative");
    check_text("/dir/rel.txt", "relative");
    check_text("../notes.txt", "hello, root mount\n");
    check_text("./b.txt", "a");
    CHECK_EQ(chdir(".."), 0); /* this wasi-libc keeps "/dir/.." as the cwd string */
    check_text("notes.txt", "hello, root mount\n");

    /* Nothing above the mount: `/..` is `/` again or refused, never the host's parent. The
     * runner puts a file named outside-marker next to the mounted directory on the host. */
    errno = 0;
    FILE *f = fopen("/../outside-marker", "r");
    CHECK_MSG(f == NULL, "opened a file outside the mount through /..");
    f = fopen("../outside-marker", "r");
    CHECK_MSG(f == NULL, "opened a file outside the mount through ..");
    DIR *d = opendir("/..");
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            CHECK_MSG(strcmp(e->d_name, "outside-marker") != 0, "/.. lists the host's parent");
        closedir(d);
    }

    CHECK_EQ(unlink("/dir/b.txt"), 0);
    CHECK_EQ(unlink("/dir/rel.txt"), 0);
    CHECK_EQ(rmdir("/dir"), 0);
    CHECK_FAILS(stat("/dir", &st), ENOENT);
    return pass();
}
