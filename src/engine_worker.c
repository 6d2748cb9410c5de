/* A worker's background threads (engine.h), each with its own connection.
 *
 * The heartbeat: a `hyopps worker` writes its row in
 * worker_heartbeats when it starts, renews it from a thread of its own
 * (its own connection: a long step or a long drain never delays it) and
 * deletes it when it stops. Terminal sessions read the freshest expiry to
 * decide whether to run steps themselves. The start and the stop are
 * audited; the renewals are not (they change no state anyone sees, and
 * one row every few seconds would drown the trail).
 *
 * The checkpointer: copies the WAL back into the database file, so that
 * the runner never waits for a checkpoint's fsyncs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "engine.h"
#include "ticker.h"
#include "util.h"

#define EXPIRY_BEATS 3          /* a heartbeat is fresh for this many intervals */

struct hy_heartbeat {
    hy_ticker *ticker;
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
        /* A renewal wakes no partner's session (beacon.h): they look again
         * when the expiry they know passes. */
        db_beacon_quiet(h->db);
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

static void beat_tick(void *arg)
{
    hy_heartbeat *h = arg;
    hy_err err;
    hy_err_clear(&err);
    (void)beat(h, &err); /* a busy database: the next one; the row lasts three intervals */
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
    h->ticker = ticker_start(h->interval_ms, beat_tick, h);
    if (!h->ticker) {
        worker_heartbeat_stop(h); /* no renewals: do not claim to be alive */
        return hy_fail(err, HY_ERR_INTERNAL, "cannot start the heartbeat thread");
    }
    *out = h;
    return 0;
}

void worker_heartbeat_stop(hy_heartbeat *h)
{
    if (!h) return;
    ticker_stop(h->ticker);
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
    free(h);
}

/* ---- the checkpointer ---- */

struct hy_checkpointer {
    hy_ticker *ticker;
    hy_db *db;
};

static void checkpoint_tick(void *arg)
{
    hy_checkpointer *c = arg;
    hy_err ignored; /* busy: the next tick; an error: the runner meets it too and reports it */
    hy_err_clear(&ignored);
    db_checkpoint(c->db, NULL, &ignored);
}

int worker_checkpointer_start(const hy_app *app, int interval_ms, hy_checkpointer **out, hy_err *err)
{
    *out = NULL;
    hy_checkpointer *c = xcalloc(1, sizeof *c);
    if (app_open_connection(app, &c->db, err) != 0) {
        free(c);
        return err->code;
    }
    c->ticker = ticker_start(interval_ms, checkpoint_tick, c);
    if (!c->ticker) {
        worker_checkpointer_stop(c);
        return hy_fail(err, HY_ERR_INTERNAL, "cannot start the checkpoint thread");
    }
    *out = c;
    return 0;
}

void worker_checkpointer_stop(hy_checkpointer *c)
{
    if (!c) return;
    ticker_stop(c->ticker);
    db_close(c->db);
    free(c);
}
