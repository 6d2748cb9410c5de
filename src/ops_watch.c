/* What changed since the last look (ops.h): the connection's data version
 * first (one query, answered from the WAL index in shared memory); only
 * when it moved, the audit trail's last id and the workers' heartbeats. */
#include "engine.h"
#include "ops.h"
#include "util.h"

int ops_watch(hy_ctx *c, hy_watch *w, unsigned *changed, hy_err *err)
{
    *changed = 0;
    int64_t version = 0;
    int rc = db_get_int(c->db, err, &version, NULL, "PRAGMA data_version", "");
    if (rc) return rc;
    bool alive_before = w->worker_until > hy_now_ms();
    if (!w->valid || version != w->data_version) {
        int64_t state = 0, until = 0;
        rc = db_get_int(c->db, err, &state, NULL, "SELECT max(id) FROM audit_log", "");
        if (rc == 0) rc = engine_worker_until(c, &until, err);
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
