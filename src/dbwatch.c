/* Commit notifications: inotify on the -wal file (or on two beacons'
 * directories), else dnotify on the directories (see dbwatch.h). */
#include "dbwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "beacon.h"
#include "util.h"

#define TARGETS 2

/* A file or directory watched (inotify), and the directory of it (dnotify). */
typedef struct {
    char *path;
    char *dir;
    int wd;                 /* inotify: the watch, or -1 when lost */
    int dirfd;              /* dnotify: armed one notification at a time */
} target;

struct hy_dbwatch {
    bool dnotify;
    bool beacons;           /* an organisation's beacon and the one for all (else the log) */
    int fd;                 /* inotify: the instance; dnotify: the pipe's read end */
    int n;
    target t[TARGETS];
};

/* A beacon is lit by a change of its file's times (IN_ATTRIB). */
#define EVENTS (IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

/* ---- dnotify: SIGIO -> a byte in a pipe (one watch per process) ---- */

static int dn_pipe[2] = {-1, -1};
static bool dn_taken;

static void on_sigio(int sig)
{
    (void)sig;
    int saved = errno;
    ssize_t w = write(dn_pipe[1], "", 1); /* full: a wake-up is already pending */
    (void)w;
    errno = saved;
}

static bool dn_arm(hy_dbwatch *w)
{
    for (int i = 0; i < w->n; i++)
        if (fcntl(w->t[i].dirfd, F_NOTIFY, DN_MODIFY | DN_ATTRIB) != 0) return false;
    return true;
}

static void dn_close_dirs(hy_dbwatch *w)
{
    for (int i = 0; i < w->n; i++) {
        if (w->t[i].dirfd < 0) continue;
        fcntl(w->t[i].dirfd, F_NOTIFY, 0);
        close(w->t[i].dirfd);
        w->t[i].dirfd = -1;
    }
}

static bool dnotify_open(hy_dbwatch *w)
{
    if (dn_taken) return false;
    for (int i = 0; i < w->n; i++) {
        w->t[i].dirfd = open(w->t[i].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->t[i].dirfd < 0) {
            dn_close_dirs(w);
            return false;
        }
    }
    if (pipe2(dn_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        dn_close_dirs(w);
        return false;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigio;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* only poll() is meant to wake (it always does) */
    sigaction(SIGIO, &sa, NULL);
    if (!dn_arm(w)) { /* no dnotify in this kernel */
        signal(SIGIO, SIG_IGN);
        close(dn_pipe[0]);
        close(dn_pipe[1]);
        dn_pipe[0] = dn_pipe[1] = -1;
        dn_close_dirs(w);
        return false;
    }
    dn_taken = true;
    w->dnotify = true;
    w->fd = dn_pipe[0];
    return true;
}

/* ---- inotify ---- */

static void arm(hy_dbwatch *w, target *t) { t->wd = inotify_add_watch(w->fd, t->path, EVENTS); }

static bool lost(const hy_dbwatch *w)
{
    for (int i = 0; i < w->n; i++)
        if (w->t[i].wd < 0) return true;
    return false;
}

static bool no_inotify; /* tests */

void dbwatch_test_no_inotify(bool no) { no_inotify = no; }

static void add(hy_dbwatch *w, char *path, char *dir)
{
    w->t[w->n++] = (target){.path = path, .dir = dir, .wd = -1, .dirfd = -1};
}

static void free_targets(hy_dbwatch *w)
{
    for (int i = 0; i < w->n; i++) {
        free(w->t[i].path);
        free(w->t[i].dir);
    }
    free(w);
}

static hy_dbwatch *start(hy_dbwatch *w)
{
    w->fd = no_inotify ? -1 : inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd >= 0) {
        for (int i = 0; i < w->n; i++) arm(w, &w->t[i]);
        return w;
    }
    if (dnotify_open(w)) return w; /* EMFILE: the per-user limit of inotify instances */
    free_targets(w);
    return NULL;
}

hy_dbwatch *dbwatch_open(const char *db_path)
{
    if (!db_path || !*db_path) return NULL;
    hy_dbwatch *w = xcalloc(1, sizeof *w);
    char *dir = xstrdup(db_path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = '\0';
    else if (slash) *slash = '\0';
    else strcpy(dir, ".");
    add(w, xasprintf("%s-wal", db_path), dir);
    return start(w);
}

hy_dbwatch *dbwatch_open_beacons(const char *db_path, const char *org_id)
{
    if (!db_path || !*db_path || !org_id || !*org_id) return NULL;
    char *mine = beacon_dir(db_path, beacon_bucket(org_id));
    char *all = mine ? beacon_dir(db_path, HY_BEACON_ALL) : NULL;
    if (!mine || !all) {
        free(mine);
        free(all);
        return NULL;
    }
    hy_dbwatch *w = xcalloc(1, sizeof *w);
    w->beacons = true;
    add(w, mine, xstrdup(mine));
    add(w, all, xstrdup(all));
    return start(w);
}

int dbwatch_fd(const hy_dbwatch *w) { return w && (w->dnotify || !lost(w)) ? w->fd : -1; }

bool dbwatch_beacons(const hy_dbwatch *w) { return w && w->beacons; }

const char *dbwatch_kind(const hy_dbwatch *w) { return !w ? "none" : w->dnotify ? "dnotify" : "inotify"; }

bool dbwatch_take(hy_dbwatch *w)
{
    if (!w) return true;
    bool written = false;
    if (w->dnotify) {
        char b[64];
        while (read(w->fd, b, sizeof b) > 0) written = true;
        if (!dn_arm(w)) written = true;
        return written;
    }
    /* Aligned as inotify_event; several events per read. */
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0) break; /* EAGAIN: nothing more */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->mask & (IN_MODIFY | IN_ATTRIB)) written = true;
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                for (int i = 0; i < w->n; i++) {
                    if (w->t[i].wd != ev->wd) continue;
                    inotify_rm_watch(w->fd, w->t[i].wd); /* may already be gone */
                    w->t[i].wd = -1;
                }
            }
            p += sizeof *ev + ev->len;
        }
    }
    for (int i = 0; i < w->n; i++) {
        if (w->t[i].wd >= 0) continue;
        /* The log went away (its last connection closed it) and may be back
         * by now: a change may have happened meanwhile. */
        arm(w, &w->t[i]);
        written = true;
    }
    return written;
}

void dbwatch_close(hy_dbwatch *w)
{
    if (!w) return;
    if (w->dnotify) {
        dn_close_dirs(w);
        signal(SIGIO, SIG_IGN);
        close(dn_pipe[0]);
        close(dn_pipe[1]);
        dn_pipe[0] = dn_pipe[1] = -1;
        dn_taken = false;
    } else {
        close(w->fd);
    }
    free_targets(w);
}
