/* What changed since the last look (ops.h): the connection's data version
 * first (one statement, answered from the WAL index in shared memory);
 * only when it moved, one more for the audit trail's last id and the
 * workers' freshest heartbeat; only when the audit trail grew and the
 * principal sees one organisation, one more for the fingerprint of that
 * organisation's rows.
 *
 * The fingerprint is read, never written: the engine's steps pay nothing
 * for it. Each part is a range of an index that starts with the
 * organisation (exec_counts' primary key, idx_we_org, idx_users_org,
 * idx_access_grants_org, idx_reconcile_checks_org) or a unique key:
 *  - exec_counts: every status change of its executions;
 *  - its executions: their number, the last updated_at and the sum of
 *    the current steps (each step written moves updated_at: a claim, a
 *    retry, an input, a completion);
 *  - its users, its organisation row, integrations, documentation links,
 *    grants and the last reconciliation check of it (the home screen).
 * Its cost grows with the organisation's executions (a partner's, a few
 * to a few thousand); a partial index of the unfinished ones was not
 * taken: status is set by every step, and SQLite rewrites the entry of a
 * partial index whose WHERE names a column an UPDATE sets. */
#include <string.h>

#include "ops.h"
#include "util.h"

void ops_release_memory(hy_ctx *c) { db_release_memory(c->db); }

#define SCOPE_SQL                                                                                                     \
    "SELECT (SELECT group_concat(workflow_definition_id || ':' || status || ':' || n) FROM exec_counts "             \
    "WHERE organization_id = ?1), "                                                                                   \
    "(SELECT count(*) || ':' || coalesce(max(updated_at), '') || ':' || total(current_step_order) "                   \
    "FROM workflow_executions WHERE organization_id = ?1), "                                                          \
    "(SELECT count(*) || ':' || coalesce(max(rowid), 0) || ':' || coalesce(max(updated_at), '') || ':' || "          \
    "count(offboarded_at) || ':' || coalesce(max(offboarded_at), '') || ':' || "                                      \
    "total(length(email) + length(firstname) + length(lastname)) || ':' || total(app_role = 'partner_admin') "        \
    "FROM users WHERE organization_id = ?1), "                                                                        \
    "(SELECT name || ':' || account_types || ':' || coalesce(offboarded_at, '') FROM organizations WHERE id = ?1), " \
    "(SELECT coalesce(updated_at, '') || ':' || coalesce(keycloak_confirmed, '') || ':' || "                        \
    "coalesce(lms_confirmed, '') || ':' || coalesce(keycloak_cluster, '') || ':' || "                                 \
    "coalesce(metabase_collection_id, '') FROM organization_integrations WHERE organization_id = ?1), "              \
    "(SELECT coalesce(updated_at, '') || ':' || length(coalesce(internal_docu, '') || coalesce(generique_docu, '') " \
    "|| coalesce(add_docu, '')) FROM organization_documentation WHERE organization_id = ?1), "                        \
    "(SELECT count(*) || ':' || count(revoked_at) || ':' || coalesce(max(granted_at), '') || ':' || "               \
    "coalesce(max(revoked_at), '') FROM access_grants WHERE organization_id = ?1), "                                  \
    "(SELECT max(checked_ms) FROM reconcile_checks WHERE organization_id = ?1)"
#define SCOPE_PARTS 8

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* The fingerprint of what one organisation's screens can show. */
static int scope_signature(hy_ctx *c, const char *org, uint64_t *out, hy_err *err)
{
    uint64_t h = 0xcbf29ce484222325ull;
    hy_stmt *st = db_query(c->db, err, SCOPE_SQL, "t", org);
    if (db_row(st))
        for (int i = 0; i < SCOPE_PARTS; i++) {
            const char *v = db_text(st, i);
            h = v ? fnv(h, v, strlen(v) + 1) : fnv(h, "\xff", 1); /* NUL ends each part; NULL differs from '' */
        }
    *out = h;
    return db_done(st);
}

int ops_watch(hy_ctx *c, const hy_principal *p, hy_watch *w, unsigned *changed, hy_err *err)
{
    *changed = 0;
    /* One organisation's view (authz: a partner admin's), or every one. */
    const char *scope = p ? authz_org_scope(p) : NULL;
    if (!scope) scope = "";
    if (w->valid && !hy_streq(scope, w->scope)) w->valid = false; /* another principal: start again */
    int64_t version = 0;
    int rc = db_get_int(c->db, err, &version, NULL, "PRAGMA data_version", "");
    if (rc) return rc;
    bool alive_before = w->worker_until != 0; /* 0 once it was seen gone */
    if (!w->valid || version != w->data_version) {
        int64_t audit = 0, until = 0;
        hy_stmt *st = db_query(c->db, err,
                               "SELECT (SELECT max(id) FROM audit_log), (SELECT max(expires_at) FROM worker_heartbeats)",
                               "");
        if (db_row(st)) {
            audit = db_int(st, 0);
            until = db_int(st, 1);
        }
        rc = db_done(st);
        if (rc) return rc;
        *changed |= HY_WATCH_DATA;
        if (!w->valid || audit != w->audit_id) {
            *changed |= HY_WATCH_ANY;
            uint64_t sig = 0;
            if (scope[0]) {
                rc = scope_signature(c, scope, &sig, err);
                if (rc) return rc; /* w unchanged: the next look tries again */
            }
            if (!w->valid || !scope[0] || sig != w->scope_sig) {
                *changed |= HY_WATCH_STATE;
                w->state = audit;
            }
            w->scope_sig = sig;
            w->audit_id = audit;
        }
        w->worker_until = until;
        w->data_version = version;
    }
    bool alive = w->worker_until > hy_now_ms();
    if (!w->valid || alive != alive_before) *changed |= HY_WATCH_WORKER;
    if (!alive) w->worker_until = 0;
    if (!w->valid) *changed = HY_WATCH_DATA | HY_WATCH_STATE | HY_WATCH_WORKER | HY_WATCH_ANY;
    hy_strlcpy(w->scope, scope, sizeof w->scope);
    w->valid = true;
    return 0;
}
