/* Store: access grants (store_grants.h). */
#include "store_grants.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "step_support.h"
#include "util.h"

int grant_record(hy_ctx *c, const hy_grant_rec *g, hy_err *err)
{
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_row_id(id);
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "INSERT INTO access_grants(id, user_id, resource_id, permission, granted_by, granted_at, "
                     "execution_id, step_execution_id, granted_how, note, account_id, organization_id) "
                     "SELECT ?1, ?2, r.id, 'read', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM resources r WHERE r.name = ?11 "
                     "ON CONFLICT(user_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by, "
                     "granted_at = excluded.granted_at, execution_id = excluded.execution_id, "
                     "step_execution_id = excluded.step_execution_id, granted_how = excluded.granted_how, "
                     "note = excluded.note, account_id = coalesce(excluded.account_id, access_grants.account_id), "
                     "organization_id = coalesce(excluded.organization_id, access_grants.organization_id), "
                     "revoked_at = NULL, revoked_by = NULL, revoked_execution_id = NULL, "
                     "revoked_step_execution_id = NULL, revoked_how = NULL, revoked_note = NULL",
                     "ttttttttttt", id, g->user_id, g->by, now, g->execution_id, g->step_id, g->how, g->note,
                     g->account_id, g->organization_id, g->resource);
    if (rc == 0 && db_changes(c->db) != 1)
        rc = hy_fail(err, HY_ERR_INTERNAL, "resource '%s' is not in the database (seeding failed?)", g->resource);
    return rc;
}

int grant_revoke(hy_ctx *c, const hy_grant_rec *g, bool *ended, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "UPDATE access_grants SET revoked_at = ?1, revoked_by = ?2, revoked_execution_id = ?3, "
                     "revoked_step_execution_id = ?4, revoked_how = ?5, revoked_note = ?6 "
                     "WHERE user_id = ?7 AND revoked_at IS NULL "
                     "AND resource_id = (SELECT id FROM resources WHERE name = ?8)",
                     "tttttttt", now, g->by, g->execution_id, g->step_id, g->how, g->note, g->user_id, g->resource);
    if (ended) *ended = rc == 0 && db_changes(c->db) > 0;
    return rc;
}

int grant_adopt(hy_ctx *c, const char *user_id, const char *resource, const char *org_id, const char *account_id,
                const char *by_user, const char *by_email, const char *note, hy_err *err)
{
    char *text = note && *note ? xasprintf("was given by hand, accepted by %s: %s", by_email ? by_email : "?", note)
                               : xasprintf("was given by hand, accepted by %s", by_email ? by_email : "?");
    hy_grant_rec g = {.user_id = user_id, .resource = resource, .organization_id = org_id, .how = "adopted",
                      .note = text, .account_id = account_id && *account_id ? account_id : NULL, .by = by_user};
    int rc = grant_record(c, &g, err);
    free(text);
    return rc;
}

int grant_list_user(hy_ctx *c, const char *user_id, hy_grant_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT r.name, g.granted_at, g.granted_how, g.note, g.account_id, g.execution_id, "
                           "sd.name, gb.email, o.name, g.revoked_at, g.revoked_how, g.revoked_note, "
                           "g.revoked_execution_id FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                           "LEFT JOIN workflow_step_executions s ON s.id = g.step_execution_id "
                           "LEFT JOIN workflow_step_definitions sd ON sd.id = s.step_definition_id "
                           "LEFT JOIN users gb ON gb.id = g.granted_by "
                           "LEFT JOIN organizations o ON o.id = g.organization_id "
                           "WHERE g.user_id = ? ORDER BY g.revoked_at IS NOT NULL, r.name",
                           "t", user_id);
    int cap = 0;
    while (db_row(st)) {
        if (out->count == cap) out->items = xrealloc(out->items, (size_t)(cap = cap ? cap * 2 : 8) * sizeof *out->items);
        hy_grant *g = &out->items[out->count++];
        memset(g, 0, sizeof *g);
        g->resource = db_dup(st, 0);
        g->granted_at = db_dup(st, 1);
        g->granted_how = db_dup(st, 2);
        g->note = db_dup(st, 3);
        g->account_id = db_dup(st, 4);
        g->execution_id = db_dup(st, 5);
        g->step_name = db_dup(st, 6);
        g->granted_by_email = db_dup(st, 7);
        g->organization_name = db_dup(st, 8);
        g->revoked_at = db_dup(st, 9);
        g->revoked_how = db_dup(st, 10);
        g->revoked_note = db_dup(st, 11);
        g->revoked_execution_id = db_dup(st, 12);
    }
    int rc = db_done(st);
    if (rc) hy_grant_list_free(out);
    return rc;
}
