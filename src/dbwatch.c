/* inotify on the database's -wal file: see dbwatch.h. */
#include "dbwatch.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util.h"

struct hy_dbwatch {
    int fd;                 /* the inotify instance */
    int wd;                 /* the watch on the log, or -1 when lost */
    char *wal;              /* its path */
};

#define EVENTS (IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)

static void arm(hy_dbwatch *w) { w->wd = inotify_add_watch(w->fd, w->wal, EVENTS); }

hy_dbwatch *dbwatch_open(const char *db_path)
{
    if (!db_path || !*db_path) return NULL;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return NULL; /* EMFILE: the per-user limit of instances */
    hy_dbwatch *w = xcalloc(1, sizeof *w);
    w->fd = fd;
    w->wal = xasprintf("%s-wal", db_path);
    arm(w);
    return w;
}

int dbwatch_fd(const hy_dbwatch *w) { return w && w->wd >= 0 ? w->fd : -1; }

bool dbwatch_take(hy_dbwatch *w)
{
    if (!w) return true;
    bool written = false;
    /* Aligned as inotify_event; several events per read. */
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0) break; /* EAGAIN: nothing more */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            if (ev->mask & IN_MODIFY) written = true;
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                if (w->wd >= 0) inotify_rm_watch(w->fd, w->wd); /* may already be gone */
                w->wd = -1;
            }
            p += sizeof *ev + ev->len;
        }
    }
    if (w->wd < 0) {
        /* The log went away (its last connection closed it) and may be back
         * by now: a change may have happened meanwhile. */
        arm(w);
        written = true;
    }
    return written;
}

void dbwatch_close(hy_dbwatch *w)
{
    if (!w) return;
    close(w->fd);
    free(w->wal);
    free(w);
}
