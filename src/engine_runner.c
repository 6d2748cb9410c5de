/* The runner thread of an interactive process: its own connection, no
 * curses; drains runnable work, then sleeps until the next step is due, a
 * poll interval passes (work from other processes) or runner_kick(). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "engine.h"
#include "notify.h"
#include "util.h"

#define DEFAULT_POLL_MS 500
#define ERROR_WAIT_MAX_MS 30000  /* after database errors: poll, 2 x poll ... at most this */

struct hy_runner {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile sig_atomic_t stop;
    bool kicked, busy;
    int poll_ms;
    hy_db *db;
    hy_ctx ctx;
    hy_engine *eng;
    hy_notifier *notifier;       /* NULL: this runner delivers no notifications */
    hy_engine_stats stats;
    char last_error[256];
    long errors;
    char recent_error[256];
};

static void *runner_main(void *arg)
{
    hy_runner *r = arg;
    hy_err err;
    hy_backoff backoff = {.base_ms = r->poll_ms, .max_ms = ERROR_WAIT_MAX_MS};
    while (!r->stop) {
        hy_err_clear(&err);
        pthread_mutex_lock(&r->mu);
        r->busy = true;
        pthread_mutex_unlock(&r->mu);
        int rc = engine_drain(r->eng, &r->stop, &err);
        int64_t due = -1;
        if (rc == 0) rc = engine_next_due(r->eng, &due, &err);
        pthread_mutex_lock(&r->mu);
        r->busy = false;
        engine_get_stats(r->eng, &r->stats);
        /* the last error while it lasts: a cycle that goes well clears it */
        hy_strlcpy(r->last_error, rc ? err.msg : "", sizeof r->last_error);
        if (rc) {
            r->errors++;
            hy_strlcpy(r->recent_error, err.msg, sizeof r->recent_error);
        }
        int64_t wait = r->poll_ms;
        if (due >= 0) {
            int64_t until = due - hy_now_ms();
            if (until < wait) wait = until < 0 ? 0 : until;
        }
        if (rc) wait = hy_backoff_fail(&backoff); /* an error: do not spin; wait longer while it lasts */
        else hy_backoff_ok(&backoff);
        if (!r->kicked && !r->stop && wait > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = (int64_t)ts.tv_nsec + wait * 1000000;
            ts.tv_sec += (time_t)(ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            while (!r->kicked && !r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &ts) != ETIMEDOUT) {}
        }
        r->kicked = false;
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

int runner_start(const hy_app *app, const hy_runner_opts *o, hy_runner **out, hy_err *err)
{
    *out = NULL;
    hy_runner *r = xcalloc(1, sizeof *r);
    r->poll_ms = o && o->poll_ms > 0 ? o->poll_ms : DEFAULT_POLL_MS;
    if (app_open_connection(app, &r->db, err) != 0) {
        free(r);
        return err->code;
    }
    r->ctx.cfg = app->cfg;
    r->ctx.db = r->db;
    hy_engine_opts eo = {.lease_ms = o ? o->lease_ms : 0, .only_requested_by = o ? o->only_requested_by : NULL};
    engine_open(&r->ctx, &eo, &r->eng, err);
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&r->th, NULL, runner_main, r) != 0) {
        engine_close(r->eng);
        db_close(r->db);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        return hy_fail(err, HY_ERR_INTERNAL, "cannot start the runner thread");
    }
    if (o && o->notify && notifier_start(app, &r->notifier, err) != 0) {
        runner_stop(r);
        return err->code;
    }
    *out = r;
    return 0;
}

void runner_kick(hy_runner *r)
{
    if (!r) return;
    notifier_kick(r->notifier); /* an action may have ended an execution */
    pthread_mutex_lock(&r->mu);
    r->kicked = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void runner_get_status(hy_runner *r, hy_runner_status *out)
{
    memset(out, 0, sizeof *out);
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    out->running = r->busy;
    out->engine = r->stats;
    hy_strlcpy(out->last_error, r->last_error, sizeof out->last_error);
    out->errors = r->errors;
    hy_strlcpy(out->recent_error, r->recent_error, sizeof out->recent_error);
    pthread_mutex_unlock(&r->mu);
}

void runner_stop(hy_runner *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->th, NULL);
    notifier_stop(r->notifier);
    engine_close(r->eng);
    db_close(r->db);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
