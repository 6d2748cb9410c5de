/* The worker's periodic reconciliation (reconcile.h): a thread with its own
 * connection, so that slow services delay no step. Every [reconcile]
 * every_hours after the start of the last run over every organisation, it
 * takes the run lease (one run at a time across every worker) and checks
 * the organisations one at a time. It prints one line per run; database
 * errors it leaves to the worker's own loop, which reports them. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "reconcile.h"
#include "sanitize.h"
#include "util.h"

#define RETRY_MS 60000      /* after a failure, or while another worker runs one */

struct hy_reconciler {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile sig_atomic_t stop;
    hy_db *db;
    hy_ctx ctx;
    char owner[200];
    char label[220];
};

static void wait_ms(hy_reconciler *r, int64_t ms)
{
    pthread_mutex_lock(&r->mu);
    if (!r->stop && ms > 0) {
        struct timespec ts = hy_mono_deadline(ms);
        while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &ts) != ETIMEDOUT) {}
    }
    pthread_mutex_unlock(&r->mu);
}

static void report(const hy_reconcile_stats *st)
{
    int calls = 0;
    for (int s = 0; s < HY_NSYS; s++) calls += st->calls[s];
    fprintf(stderr, "hyopps worker: reconciled %d organisation%s: %d drift%s (%d missing, %d unexpected, %d revoked "
                    "but present, %d unknown group%s), %d service call%s, %.1f s%s\n",
            st->organizations, st->organizations == 1 ? "" : "s", st->findings, st->findings == 1 ? "" : "s",
            st->by_kind[HY_DRIFT_MISSING], st->by_kind[HY_DRIFT_UNEXPECTED], st->by_kind[HY_DRIFT_REVOKED],
            st->by_kind[HY_DRIFT_UNKNOWN_GROUP], st->by_kind[HY_DRIFT_UNKNOWN_GROUP] == 1 ? "" : "s", calls,
            calls == 1 ? "" : "s", (double)st->duration_ms / 1000.0, st->incomplete ? "; incomplete:" : "");
    for (int i = 0; i < st->nfailures; i++) {
        char *m = hy_sanitize(st->failures[i]);
        fprintf(stderr, "hyopps worker:   could not read %s\n", m);
        free(m);
    }
    fflush(stderr);
}

static void *reconciler_main(void *arg)
{
    hy_reconciler *r = arg;
    hy_principal sys;
    principal_system(&sys);
    while (!r->stop) {
        hy_err err;
        hy_err_clear(&err);
        int64_t due = -1;
        if (reconcile_next_due(&r->ctx, &due, &err) != 0) {
            wait_ms(r, RETRY_MS);
            continue;
        }
        if (due < 0) break; /* never */
        int64_t now = hy_now_ms();
        if (due > now) {
            wait_ms(r, due - now < RETRY_MS ? due - now : RETRY_MS);
            continue;
        }
        hy_reconcile_opts o = {.actor = &sys, .by_label = r->label, .owner = r->owner, .stop = &r->stop,
                               .only_if_due = true};
        hy_reconcile_stats st;
        int rc = reconcile_run(&r->ctx, &o, &st, &err);
        if (rc == 0 && !st.not_due) report(&st);
        hy_reconcile_stats_free(&st);
        if (rc) wait_ms(r, RETRY_MS); /* another worker's run, or the database: the worker says so */
    }
    return NULL;
}

int reconciler_start(const hy_app *app, const char *owner, hy_reconciler **out, hy_err *err)
{
    *out = NULL;
    if (app->cfg->reconcile.every_hours <= 0) return 0;
    hy_reconciler *r = xcalloc(1, sizeof *r);
    if (app_open_connection(app, &r->db, err) != 0) {
        free(r);
        return err->code;
    }
    r->ctx = (hy_ctx){.cfg = app->cfg, .db = r->db};
    snprintf(r->owner, sizeof r->owner, "%s:reconcile", owner);
    snprintf(r->label, sizeof r->label, "worker %s", owner);
    pthread_mutex_init(&r->mu, NULL);
    hy_cond_init_monotonic(&r->cv);
    if (pthread_create(&r->th, NULL, reconciler_main, r) != 0) {
        db_close(r->db);
        free(r);
        return hy_fail(err, HY_ERR_INTERNAL, "could not start the reconciliation thread");
    }
    *out = r;
    return 0;
}

void reconciler_stop(hy_reconciler *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->th, NULL);
    db_close(r->db);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
