/* Workers' heartbeats (engine.h): a `hyopps worker` writes its row in
 * worker_heartbeats when it starts, renews it from a thread of its own
 * (its own connection: a long step or a long drain never delays it) and
 * deletes it when it stops. Terminal sessions read the freshest expiry to
 * decide whether to run steps themselves. The start and the stop are
 * audited; the renewals are not (they change no state anyone sees, and
 * one row every few seconds would drown the trail). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "engine.h"
#include "util.h"

#define EXPIRY_BEATS 3          /* a heartbeat is fresh for this many intervals */

struct hy_heartbeat {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool quit, started;
    bool announced;             /* its row was written (and worker.start audited) */
    int interval_ms;
    hy_db *db;                  /* the thread's own connection */
    hy_ctx ctx;
    char owner[128];
};

static int beat(hy_heartbeat *h, hy_err *err)
{
    int64_t now = hy_now_ms();
    int rc = db_begin(h->db, err);
    if (rc) return rc;
    bool first = !h->announced;
    if (first) {
        char at[HY_TIME_LEN];
        hy_now_iso(at);
        rc = db_exec(h->db, err, "DELETE FROM worker_heartbeats WHERE expires_at <= ? OR owner = ?", "It", now,
                     h->owner);
        if (rc == 0)
            rc = db_exec(h->db, err,
                         "INSERT INTO worker_heartbeats(owner, started_at, beat_at, expires_at) VALUES(?, ?, ?, ?)",
                         "ttII", h->owner, at, now,
                         now + (int64_t)EXPIRY_BEATS * h->interval_ms);
        if (rc == 0) {
            hy_principal sys;
            principal_system(&sys);
            cJSON *d = cJSON_CreateObject();
            cJSON_AddNumberToObject(d, "heartbeat_seconds", h->interval_ms / 1000.0);
            rc = audit_write(&h->ctx, &sys, "worker.start", "worker", h->owner, d, err);
            cJSON_Delete(d);
        }
    } else {
        rc = db_exec(h->db, err,
                     "INSERT INTO worker_heartbeats(owner, started_at, beat_at, expires_at) "
                     "VALUES(?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2, ?3) "
                     "ON CONFLICT(owner) DO UPDATE SET beat_at = ?2, expires_at = ?3",
                     "tII", h->owner, now, now + (int64_t)EXPIRY_BEATS * h->interval_ms);
    }
    if (rc == 0) rc = db_commit(h->db, err);
    else db_rollback(h->db);
    if (rc == 0) h->announced = true;
    return rc;
}

static void *beat_main(void *arg)
{
    hy_heartbeat *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + (int64_t)h->interval_ms * 1000000;
        ts.tv_sec += (time_t)(ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) != ETIMEDOUT || h->quit) continue;
        pthread_mutex_unlock(&h->mu);
        hy_err err;
        hy_err_clear(&err);
        (void)beat(h, &err); /* a busy database: the next one; the row lasts three intervals */
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int worker_heartbeat_start(const hy_app *app, int interval_ms, hy_heartbeat **out, hy_err *err)
{
    *out = NULL;
    hy_heartbeat *h = xcalloc(1, sizeof *h);
    h->interval_ms = interval_ms > 0 ? interval_ms : 60000;
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    snprintf(h->owner, sizeof h->owner, "%s:%ld", host, (long)getpid());
    if (app_open_connection(app, &h->db, err) != 0) {
        free(h);
        return err->code;
    }
    h->ctx.cfg = app->cfg;
    h->ctx.db = h->db;
    /* A database that refuses it now (read-only, full, busy) is retried at
     * every interval; meanwhile sessions see no worker and keep running
     * steps themselves, which is safe. The worker reports the database's
     * errors it meets itself. */
    hy_err first;
    hy_err_clear(&first);
    (void)beat(h, &first);
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &attr);
    pthread_condattr_destroy(&attr);
    sigset_t all, old; /* signals (SIGTERM, SIGIO) are the worker's main thread's */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    h->started = pthread_create(&h->th, NULL, beat_main, h) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!h->started) {
        worker_heartbeat_stop(h); /* no renewals: do not claim to be alive */
        return hy_fail(err, HY_ERR_INTERNAL, "cannot start the heartbeat thread");
    }
    *out = h;
    return 0;
}

void worker_heartbeat_stop(hy_heartbeat *h)
{
    if (!h) return;
    if (h->started) {
        pthread_mutex_lock(&h->mu);
        h->quit = true;
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->th, NULL);
    }
    hy_err err;
    hy_err_clear(&err);
    if (h->announced && db_begin(h->db, &err) == 0) {
        int rc = db_exec(h->db, &err, "DELETE FROM worker_heartbeats WHERE owner = ?", "t", h->owner);
        if (rc == 0) {
            hy_principal sys;
            principal_system(&sys);
            rc = audit_write(&h->ctx, &sys, "worker.stop", "worker", h->owner, NULL, &err);
        }
        if (rc == 0) db_commit(h->db, &err);
        else db_rollback(h->db);
    }
    db_close(h->db);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}
