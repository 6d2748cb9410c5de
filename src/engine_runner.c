/* The runner thread of an interactive process: its own connection, no
 * curses; drains runnable work, then sleeps until the next step is due or
 * runner_kick() (its owner saw the database change: work queued by
 * another process). It does not poll unless asked to (poll_ms). After
 * work or a kick it looks once more a little later, for what runners do
 * when idle (the search index batch, a WAL checkpoint), then sleeps. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "engine.h"
#include "integrations/http.h"
#include "notify.h"
#include "util.h"

#define FOLLOW_UP_MS 1100       /* the search index is written after 1 s; a checkpoint after 250 ms */
#define ERROR_WAIT_MS 500        /* after database errors: this, 2 x this ... (or the poll interval) */
#define ERROR_WAIT_MAX_MS 30000  /* ... at most this */
#define MIN_WAIT_MS 5

struct hy_runner {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile sig_atomic_t halt; /* stop or paused: engine_drain stops between steps */
    bool quit, paused, kicked, busy;
    long rounds;
    int poll_ms;                /* 0: never polls */
    hy_db *db;
    hy_ctx ctx;
    hy_engine *eng;
    hy_notifier *notifier;       /* NULL: this runner delivers no notifications */
    hy_engine_stats stats;
    char last_error[256];
    long errors;
    char recent_error[256];
};

static long activity(const hy_engine *e)
{
    hy_engine_stats st;
    engine_get_stats(e, &st);
    return st.transactions + st.steps_completed + st.steps_failed + st.retries_scheduled + st.reclaimed;
}

/* Waits (r->mu held) until wake_ms (monotonic; -1: no deadline), a kick,
 * a pause or the stop. */
static void wait_until(hy_runner *r, int64_t wake_ms)
{
    if (wake_ms < 0) {
        while (!r->kicked && !r->quit && !r->paused) pthread_cond_wait(&r->cv, &r->mu);
        return;
    }
    int64_t wait = wake_ms - hy_mono_ms();
    if (wait < MIN_WAIT_MS) wait = MIN_WAIT_MS;
    struct timespec ts = hy_mono_deadline(wait);
    while (!r->kicked && !r->quit && !r->paused && pthread_cond_timedwait(&r->cv, &r->mu, &ts) != ETIMEDOUT) {}
}

static int64_t earliest(int64_t a, int64_t b) { return a < 0 ? b : b < 0 ? a : a < b ? a : b; }

static void *runner_main(void *arg)
{
    hy_runner *r = arg;
    hy_err err;
    hy_backoff backoff = {.base_ms = r->poll_ms > 0 ? r->poll_ms : ERROR_WAIT_MS, .max_ms = ERROR_WAIT_MAX_MS};
    pthread_mutex_lock(&r->mu);
    while (!r->quit) {
        if (r->paused) {
            r->kicked = false;
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        bool kicked = r->kicked;
        r->kicked = false;
        r->busy = true;
        pthread_mutex_unlock(&r->mu);
        hy_err_clear(&err);
        long before = activity(r->eng);
        int rc = engine_drain(r->eng, &r->halt, &err);
        int64_t due = -1;
        if (rc == 0) rc = engine_next_due(r->eng, &due, &err);
        bool worked = activity(r->eng) != before;
        pthread_mutex_lock(&r->mu);
        r->busy = false;
        r->rounds++;
        engine_get_stats(r->eng, &r->stats);
        /* the last error while it lasts: a cycle that goes well clears it */
        hy_strlcpy(r->last_error, rc ? err.msg : "", sizeof r->last_error);
        if (rc) {
            r->errors++;
            hy_strlcpy(r->recent_error, err.msg, sizeof r->recent_error);
        } else {
            hy_backoff_ok(&backoff);
        }
        if (r->quit || r->paused || r->kicked) continue;
        int64_t now = hy_mono_ms(), wake = -1;
        if (due >= 0) wake = now + (due > hy_now_ms() ? due - hy_now_ms() : 0);
        if (kicked || worked) wake = earliest(wake, now + FOLLOW_UP_MS);
        if (r->poll_ms > 0) wake = earliest(wake, now + r->poll_ms);
        if (rc) wake = now + hy_backoff_fail(&backoff); /* an error: do not spin; wait longer while it lasts */
        wait_until(r, wake);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* May this runner (its steps, its notifier) call a live service? */
static bool calls_services(const hy_config *cfg)
{
    for (hy_integration i = HY_INT_METABASE; i <= HY_INT_EMAIL; i++)
        if (hy_integration_remote(cfg, i)) return true;
    const hy_workflow_def *wf;
    for (int i = 0; (wf = workflow_at(i)); i++) /* a step of an outside service (always live) */
        for (int s = 0; s < wf->nsteps; s++)
            if (wf->steps[s].kind == HY_STEP_AUTO && hy_integration_remote(cfg, wf->steps[s].integration)) return true;
    return false;
}

int runner_start(const hy_app *app, const hy_runner_opts *o, hy_runner **out, hy_err *err)
{
    *out = NULL;
    /* libcurl's global set-up before the thread that may use it (only
     * then: a session with every integration simulated never loads TLS). */
    if (calls_services(app->cfg)) integ_global_init();
    hy_runner *r = xcalloc(1, sizeof *r);
    r->poll_ms = o && o->poll_ms > 0 ? o->poll_ms : 0;
    if (app_open_connection(app, &r->db, err) != 0) {
        free(r);
        return err->code;
    }
    r->ctx.cfg = app->cfg;
    r->ctx.db = r->db;
    hy_engine_opts eo = {.lease_ms = o ? o->lease_ms : 0, .only_requested_by = o ? o->only_requested_by : NULL};
    engine_open(&r->ctx, &eo, &r->eng, err);
    pthread_mutex_init(&r->mu, NULL);
    hy_cond_init_monotonic(&r->cv);
    if (pthread_create(&r->th, NULL, runner_main, r) != 0) {
        engine_close(r->eng);
        db_close(r->db);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        return hy_fail(err, HY_ERR_INTERNAL, "cannot start the runner thread");
    }
    if (o && o->notify && notifier_start(app, r->poll_ms, &r->notifier, err) != 0) {
        runner_stop(r);
        return err->code;
    }
    *out = r;
    return 0;
}

void runner_kick(hy_runner *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    if (!r->paused) notifier_kick(r->notifier); /* an action may have ended an execution */
    r->kicked = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void runner_pause(hy_runner *r, bool paused)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->paused = paused;
    r->halt = r->quit || paused;
    r->kicked = !paused; /* resumed: look at once */
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    notifier_pause(r->notifier, paused); /* the worker delivers meanwhile */
}

void runner_get_status(hy_runner *r, hy_runner_status *out)
{
    memset(out, 0, sizeof *out);
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    out->running = r->busy;
    out->rounds = r->rounds;
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
    r->quit = true;
    r->halt = 1;
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
