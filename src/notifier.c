/* The notifier thread (notify.h): its own connection and client, never a
 * step's thread, so a slow or dead mail server delays no workflow. It
 * schedules reminders and digests every SCHEDULE_MS and input-needed
 * events at each pass (steps that began waiting since the last), addresses
 * due events, delivers due rows one at a time, then sleeps until the next
 * is due, a
 * poll interval passes (events from other processes; none for a terminal
 * session's, which is kicked instead) or notifier_kick(). Paused, it only
 * waits. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "util.h"

#define SCHEDULE_MS 10000
#define ERROR_WAIT_MS 1000

struct hy_notifier {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile sig_atomic_t stop;
    bool kicked, paused;
    int poll_ms;                /* 0: no polling */
    hy_db *db;
    hy_ctx ctx;
    hy_integ *in;
    char owner[160];
};

/* Waits ms or until kicked; then as long as it is paused. */
static void wait_ms(hy_notifier *n, int64_t ms)
{
    pthread_mutex_lock(&n->mu);
    if (!n->kicked && !n->stop && !n->paused && ms > 0) {
        struct timespec ts = hy_mono_deadline(ms);
        while (!n->kicked && !n->stop && !n->paused && pthread_cond_timedwait(&n->cv, &n->mu, &ts) != ETIMEDOUT) {}
    }
    while (n->paused && !n->stop) pthread_cond_wait(&n->cv, &n->mu);
    n->kicked = false;
    pthread_mutex_unlock(&n->mu);
}

static void *notifier_main(void *arg)
{
    hy_notifier *n = arg;
    int64_t next_schedule = 0, inputs_scanned = 0;
    hy_err err;
    while (!n->stop) {
        hy_err_clear(&err);
        int64_t now = hy_now_ms();
        int rc = 0, added = 0;
        if (now >= next_schedule) {
            rc = notify_schedule(&n->ctx, now, &added, &err);
            next_schedule = now + SCHEDULE_MS;
            inputs_scanned = now - (int64_t)n->ctx.cfg->notify.input_delay_minutes * 60000; /* the full pass looked */
        } else {
            rc = notify_schedule_inputs(&n->ctx, now, &inputs_scanned, &added, &err);
        }
        /* Addressing and sending take turns: with a slow mail server, new
         * events are still addressed (and dropped when no longer needed). */
        bool worked = true;
        while (rc == 0 && worked && !n->stop) {
            notify_stats st = {0};
            rc = notify_address(&n->ctx, hy_now_ms(), 20, &st, &err);
            if (rc == 0) rc = notify_send_next(&n->ctx, n->in, n->owner, &worked, NULL, &err);
            worked = worked || st.addressed + st.dropped > 0;
        }
        int64_t due = -1, wait = n->poll_ms > 0 ? n->poll_ms : SCHEDULE_MS;
        if (rc == 0 && notify_next_due(&n->ctx, &due, &err) == 0 && due >= 0) {
            int64_t until = due - hy_now_ms();
            if (until < wait) wait = until;
        }
        if (next_schedule - hy_now_ms() < wait) wait = next_schedule - hy_now_ms();
        if (rc) wait = ERROR_WAIT_MS; /* an error (a busy database): try again later */
        wait_ms(n, wait);
    }
    return NULL;
}

int notifier_start(const hy_app *app, int poll_ms, hy_notifier **out, hy_err *err)
{
    *out = NULL;
    if (!app->cfg->notify.enabled) return 0;
    hy_notifier *n = xcalloc(1, sizeof *n);
    n->poll_ms = poll_ms;
    if (app_open_connection(app, &n->db, err) != 0) {
        free(n);
        return err->code;
    }
    n->ctx.cfg = app->cfg;
    n->ctx.db = n->db;
    n->in = integ_new(app->cfg);
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    pthread_mutex_init(&n->mu, NULL);
    hy_cond_init_monotonic(&n->cv);
    static atomic_long started;
    snprintf(n->owner, sizeof n->owner, "%s:%ld:notify.%ld", host, (long)getpid(), atomic_fetch_add(&started, 1));
    /* The thread blocks every signal: they are the main thread's (a worker's
     * SIGTERM, the UI's SIGWINCH). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int created = pthread_create(&n->th, NULL, notifier_main, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (created != 0) {
        integ_free(n->in);
        db_close(n->db);
        pthread_mutex_destroy(&n->mu);
        pthread_cond_destroy(&n->cv);
        free(n);
        return hy_fail(err, HY_ERR_INTERNAL, "cannot start the notifier thread");
    }
    *out = n;
    return 0;
}

void notifier_kick(hy_notifier *n)
{
    if (!n) return;
    pthread_mutex_lock(&n->mu);
    n->kicked = true;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

void notifier_pause(hy_notifier *n, bool paused)
{
    if (!n) return;
    pthread_mutex_lock(&n->mu);
    n->paused = paused;
    n->kicked = !paused; /* resumed: look at once */
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

void notifier_stop(hy_notifier *n)
{
    if (!n) return;
    pthread_mutex_lock(&n->mu);
    n->stop = 1;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->th, NULL);
    integ_free(n->in);
    db_close(n->db);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n);
}
