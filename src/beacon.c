/* Beacons: a file per bucket of organisations, touched after a commit
 * that changed them (beacon.h). */
#include "beacon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct hy_beacons {
    char *db_path;
    char *base;   /* <database>-beacons */
    int dirfd;    /* opened at the first light; -1 before */
};

int beacon_bucket(const char *org_id)
{
    if (!org_id || !*org_id) return HY_BEACON_ALL;
    uint32_t h = 2166136261u; /* FNV-1a: the same bucket in every process */
    for (const unsigned char *p = (const unsigned char *)org_id; *p; p++) h = (h ^ *p) * 16777619u;
    return (int)(h % HY_BEACON_BUCKETS);
}

static void name_of(int bucket, char out[8])
{
    if (bucket == HY_BEACON_ALL) snprintf(out, 8, "all");
    else snprintf(out, 8, "%04d", bucket);
}

static char *base_of(const char *db_path) { return xasprintf("%s-beacons", db_path); }

/* The database file's mode and owner: what is created next to it gets them. */
static void db_stat(const char *db_path, struct stat *st)
{
    if (stat(db_path, st) == 0) return;
    st->st_mode = 0600;
    st->st_uid = geteuid();
    st->st_gid = getegid();
}

static void own(int at, const char *name, const struct stat *db)
{
    if (geteuid() == 0) (void)fchownat(at, name, db->st_uid, db->st_gid, AT_SYMLINK_NOFOLLOW);
}

/* A directory: the database's read/write bits, search where it is readable. */
static bool make_dir(int at, const char *name, const struct stat *db)
{
    mode_t m = (db->st_mode & 0666) | ((db->st_mode & 0444) >> 2) | 0700;
    if (mkdirat(at, name, m) != 0) return errno == EEXIST;
    (void)fchmodat(at, name, m, 0); /* past the umask */
    own(at, name, db);
    return true;
}

static bool make_file(int at, const char *name, const struct stat *db)
{
    int fd = openat(at, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return false;
    (void)fchmod(fd, (db->st_mode & 0666) | 0600); /* fails harmlessly when another account made it */
    close(fd);
    own(at, name, db);
    return true;
}

/* <at>/<name>/b, made when missing. */
static bool make_beacon(int at, const char *name, const struct stat *db)
{
    char file[16];
    snprintf(file, sizeof file, "%s/b", name);
    return make_dir(at, name, db) && make_file(at, file, db);
}

char *beacon_dir(const char *db_path, int bucket)
{
    if (!db_path || !*db_path) return NULL;
    struct stat db;
    db_stat(db_path, &db);
    char *base = base_of(db_path), name[8];
    name_of(bucket, name);
    int dirfd = -1;
    if (make_dir(AT_FDCWD, base, &db)) dirfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *dir = NULL;
    if (dirfd >= 0 && make_beacon(dirfd, name, &db)) dir = xasprintf("%s/%s", base, name);
    if (dirfd >= 0) close(dirfd);
    free(base);
    return dir;
}

hy_beacons *beacons_new(const char *db_path)
{
    hy_beacons *b = xcalloc(1, sizeof *b);
    b->db_path = xstrdup(db_path);
    b->base = base_of(db_path);
    b->dirfd = -1;
    return b;
}

static bool open_base(hy_beacons *b)
{
    if (b->dirfd >= 0) close(b->dirfd);
    b->dirfd = open(b->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return b->dirfd >= 0;
}

static bool touch(hy_beacons *b, const char *file) { return utimensat(b->dirfd, file, NULL, 0) == 0; }

bool beacons_light(hy_beacons *b, int bucket)
{
    char name[8], file[16];
    name_of(bucket, name);
    snprintf(file, sizeof file, "%s/b", name);
    if (b->dirfd >= 0 && touch(b, file)) return true;
    /* The first light of this beacon (or of this process), or the
     * directory was removed and made again: make what is missing. */
    struct stat db;
    db_stat(b->db_path, &db);
    return make_dir(AT_FDCWD, b->base, &db) && open_base(b) && make_beacon(b->dirfd, name, &db) && touch(b, file);
}

void beacons_free(hy_beacons *b)
{
    if (!b) return;
    if (b->dirfd >= 0) close(b->dirfd);
    free(b->db_path);
    free(b->base);
    free(b);
}
