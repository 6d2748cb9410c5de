/* What changed since the last look (ops.h): the connection's data version
 * first (one statement, answered from the WAL index in shared memory);
 * only when it moved, one more for the audit trail's last id and the
 * workers' freshest heartbeat. */
#include "ops.h"
#include "util.h"

void ops_release_memory(hy_ctx *c) { db_release_memory(c->db); }

int ops_watch(hy_ctx *c, hy_watch *w, unsigned *changed, hy_err *err)
{
    *changed = 0;
    int64_t version = 0;
    int rc = db_get_int(c->db, err, &version, NULL, "PRAGMA data_version", "");
    if (rc) return rc;
    bool alive_before = w->worker_until != 0; /* 0 once it was seen gone */
    if (!w->valid || version != w->data_version) {
        int64_t state = 0, until = 0;
        hy_stmt *st = db_query(c->db, err,
                               "SELECT (SELECT max(id) FROM audit_log), (SELECT max(expires_at) FROM worker_heartbeats)",
                               "");
        if (db_row(st)) {
            state = db_int(st, 0);
            until = db_int(st, 1);
        }
        rc = db_done(st);
        if (rc) return rc;
        *changed |= HY_WATCH_DATA;
        if (!w->valid || state != w->state) *changed |= HY_WATCH_STATE;
        w->state = state;
        w->worker_until = until;
        w->data_version = version;
    }
    bool alive = w->worker_until > hy_now_ms();
    if (!w->valid || alive != alive_before) *changed |= HY_WATCH_WORKER;
    if (!alive) w->worker_until = 0;
    if (!w->valid) *changed = HY_WATCH_DATA | HY_WATCH_STATE | HY_WATCH_WORKER;
    w->valid = true;
    return 0;
}
