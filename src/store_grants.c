/* Store: access grants (store_grants.h). */
#include "store_grants.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "step_support.h"
#include "util.h"

/* A resource's id by name. Resources are seeded once and never change, so
 * each thread keeps the few it met, per connection (and database file). */
static int resource_id(hy_ctx *c, const char *name, char id[HY_UUID_LEN], hy_err *err)
{
    static _Thread_local struct {
        const hy_db *db;
        char path[256], name[32], id[HY_UUID_LEN];
    } cache[8];
    static _Thread_local int next;
    const char *path = db_path(c->db);
    for (int i = 0; i < 8; i++)
        if (cache[i].db == c->db && cache[i].id[0] && hy_streq(cache[i].name, name) && hy_streq(cache[i].path, path)) {
            hy_strlcpy(id, cache[i].id, HY_UUID_LEN);
            return 0;
        }
    char *found = NULL;
    int rc = db_get_text(c->db, err, &found, "SELECT id FROM resources WHERE name = ?", "t", name);
    if (rc == 0 && !found)
        rc = hy_fail(err, HY_ERR_INTERNAL, "resource '%s' is not in the database (seeding failed?)", name);
    if (rc == 0) {
        hy_strlcpy(id, found, HY_UUID_LEN);
        int k = next++ % 8;
        cache[k].db = c->db;
        hy_strlcpy(cache[k].path, path, sizeof cache[k].path);
        hy_strlcpy(cache[k].name, name, sizeof cache[k].name);
        hy_strlcpy(cache[k].id, found, sizeof cache[k].id);
    }
    free(found);
    return rc;
}

int grant_record(hy_ctx *c, const hy_grant_rec *g, hy_err *err)
{
    char rid[HY_UUID_LEN];
    if (resource_id(c, g->resource, rid, err) != 0) return err->code;
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_row_id(id);
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "INSERT INTO access_grants(id, user_id, resource_id, permission, granted_by, granted_at, "
                     "execution_id, step_execution_id, granted_how, note, account_id, organization_id) "
                     "VALUES(?1, ?2, ?11, 'read', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                     "ON CONFLICT(user_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by, "
                     "granted_at = excluded.granted_at, execution_id = excluded.execution_id, "
                     "step_execution_id = excluded.step_execution_id, granted_how = excluded.granted_how, "
                     "note = excluded.note, account_id = coalesce(excluded.account_id, access_grants.account_id), "
                     "organization_id = coalesce(excluded.organization_id, access_grants.organization_id), "
                     "revoked_at = NULL, revoked_by = NULL, revoked_execution_id = NULL, "
                     "revoked_step_execution_id = NULL, revoked_how = NULL, revoked_note = NULL",
                     "ttttttttttt", id, g->user_id, g->by, now, g->execution_id, g->step_id, g->how, g->note,
                     g->account_id, g->organization_id, rid);
    return rc;
}

int grant_revoke(hy_ctx *c, const hy_grant_rec *g, bool *ended, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    char rid[HY_UUID_LEN];
    int rc = resource_id(c, g->resource, rid, err);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE access_grants SET revoked_at = ?1, revoked_by = ?2, revoked_execution_id = ?3, "
                     "revoked_step_execution_id = ?4, revoked_how = ?5, revoked_note = ?6 "
                     "WHERE user_id = ?7 AND resource_id = ?8 AND revoked_at IS NULL",
                     "tttttttt", now, g->by, g->execution_id, g->step_id, g->how, g->note, g->user_id, rid);
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

int grant_get(hy_ctx *c, const char *user_id, const char *resource, bool *found, bool *active, char account[64],
              char org[HY_UUID_LEN], hy_err *err)
{
    *found = *active = false;
    account[0] = org[0] = '\0';
    hy_stmt *st = db_query(c->db, err,
                           "SELECT g.revoked_at IS NULL, g.account_id, g.organization_id FROM access_grants g "
                           "JOIN resources r ON r.id = g.resource_id WHERE g.user_id = ? AND r.name = ?",
                           "tt", user_id, resource);
    if (db_row(st)) {
        *found = true;
        *active = db_int(st, 0) != 0;
        hy_strlcpy(account, db_text(st, 1), 64);
        hy_strlcpy(org, db_text(st, 2), HY_UUID_LEN);
    }
    return db_done(st);
}

int grant_active_accounts(hy_ctx *c, const char *org_id, const char *resource, cJSON *out, const char *key,
                          hy_err *err)
{
    cJSON *arr = cJSON_AddArrayToObject(out, key);
    /* idx_access_grants_org (organization_id) */
    hy_stmt *st = db_query(c->db, err,
                           "SELECT g.account_id FROM access_grants g WHERE g.organization_id = ? "
                           "AND g.resource_id = (SELECT id FROM resources WHERE name = ?) AND g.revoked_at IS NULL "
                           "AND g.account_id IS NOT NULL",
                           "tt", org_id, resource);
    while (db_row(st)) cJSON_AddItemToArray(arr, cJSON_CreateString(db_text(st, 0)));
    return db_done(st);
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
