/* Commit notifications: inotify on the -wal file, else dnotify on its
 * directory (see dbwatch.h). */
#include "dbwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "util.h"

struct hy_dbwatch {
    bool dnotify;
    int fd;                 /* inotify: the instance; dnotify: the pipe's read end */
    int wd;                 /* inotify: the watch on the log, or -1 when lost */
    int dirfd;              /* dnotify: the directory, armed one notification at a time */
    char *wal;              /* the log's path */
};

#define EVENTS (IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)

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

static bool dn_arm(hy_dbwatch *w) { return fcntl(w->dirfd, F_NOTIFY, DN_MODIFY) == 0; }

static bool dnotify_open(hy_dbwatch *w)
{
    if (dn_taken) return false;
    char *dir = xstrdup(w->wal);
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = '\0';
    else if (slash) *slash = '\0';
    else strcpy(dir, ".");
    w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (w->dirfd < 0) return false;
    if (pipe2(dn_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        close(w->dirfd);
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
        close(w->dirfd);
        return false;
    }
    dn_taken = true;
    w->dnotify = true;
    w->fd = dn_pipe[0];
    return true;
}

/* ---- inotify ---- */

static void arm(hy_dbwatch *w) { w->wd = inotify_add_watch(w->fd, w->wal, EVENTS); }

static bool no_inotify; /* tests */

void dbwatch_test_no_inotify(bool no) { no_inotify = no; }

hy_dbwatch *dbwatch_open(const char *db_path)
{
    if (!db_path || !*db_path) return NULL;
    hy_dbwatch *w = xcalloc(1, sizeof *w);
    w->wal = xasprintf("%s-wal", db_path);
    w->fd = no_inotify ? -1 : inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd >= 0) {
        arm(w);
        return w;
    }
    if (dnotify_open(w)) return w; /* EMFILE: the per-user limit of inotify instances */
    free(w->wal);
    free(w);
    return NULL;
}

int dbwatch_fd(const hy_dbwatch *w) { return w && (w->dnotify || w->wd >= 0) ? w->fd : -1; }

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
    if (w->dnotify) {
        fcntl(w->dirfd, F_NOTIFY, 0);
        close(w->dirfd);
        signal(SIGIO, SIG_IGN);
        close(dn_pipe[0]);
        close(dn_pipe[1]);
        dn_pipe[0] = dn_pipe[1] = -1;
        dn_taken = false;
    } else {
        close(w->fd);
    }
    free(w->wal);
    free(w);
}
