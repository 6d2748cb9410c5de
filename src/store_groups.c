/* Store: organisations' external groups (store_groups.h). */
#include "store_groups.h"

#include <stdlib.h>

#include "db.h"
#include "util.h"

int group_upsert(hy_ctx *c, const char *org_id, const char *tool, const char *name, const char *external_id,
                 hy_err *err)
{
    if (!org_id || !*org_id)
        return hy_fail(err, HY_ERR_PERMANENT, "no organisation: cannot record the %s group", tool);
    char *org_name = NULL;
    int rc = db_get_text(c->db, err, &org_name, "SELECT name FROM organizations WHERE id = ?", "t", org_id);
    if (rc) return rc;
    char *rule = hy_org_group_name(org_name ? org_name : "");
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    rc = db_exec(c->db, err,
                 "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id, created_at) "
                 "VALUES(?1, ?2, ?3, coalesce(?4, ?5), ?6, ?7) ON CONFLICT(organization_id, tool) DO UPDATE SET "
                 "external_id = excluded.external_id, external_name = coalesce(?4, system_groups.external_name), "
                 "placeholder = CASE WHEN system_groups.external_id IS excluded.external_id "
                 "THEN system_groups.placeholder ELSE 0 END",
                 "ttttttt", id, org_id, tool, name, rule, external_id, now);
    free(rule);
    free(org_name);
    return rc;
}

int group_rename(hy_ctx *c, const char *org_id, const char *tool, const char *name, bool *found, hy_err *err)
{
    int rc = db_exec(c->db, err, "UPDATE system_groups SET external_name = ? WHERE organization_id = ? AND tool = ?",
                     "ttt", name, org_id, tool);
    *found = rc == 0 && db_changes(c->db) > 0;
    return rc;
}

int group_delete(hy_ctx *c, const char *org_id, const char *tool, hy_err *err)
{
    return db_exec(c->db, err, "DELETE FROM system_groups WHERE organization_id = ? AND tool = ?", "tt", org_id, tool);
}

int group_get(hy_ctx *c, const char *org_id, const char *tool, char **name, char **external_id, bool *placeholder,
              hy_err *err)
{
    *name = *external_id = NULL;
    *placeholder = false;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT external_name, external_id, placeholder FROM system_groups "
                           "WHERE organization_id = ? AND tool = ?",
                           "tt", org_id, tool);
    if (db_row(st)) {
        *name = db_dup(st, 0);
        *external_id = db_dup(st, 1);
        *placeholder = db_int(st, 2) != 0;
    }
    return db_done(st);
}

int group_set_disabled(hy_ctx *c, const char *org_id, const char *tool, bool disabled, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE system_groups SET disabled_at = CASE WHEN ?1 THEN coalesce(disabled_at, ?2) END "
                   "WHERE organization_id = ?3 AND tool = ?4",
                   "itt" "t", disabled ? 1 : 0, now, org_id, tool);
}

int group_is_disabled(hy_ctx *c, const char *org_id, const char *tool, bool *disabled, hy_err *err)
{
    int64_t n = 0;
    int rc = db_get_int(c->db, err, &n, NULL,
                        "SELECT count(*) FROM system_groups WHERE organization_id = ? AND tool = ? "
                        "AND disabled_at IS NOT NULL",
                        "tt", org_id, tool);
    *disabled = n > 0;
    return rc;
}

int group_archive_all(hy_ctx *c, const char *org_id, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE system_groups SET archived_at = coalesce(archived_at, ?) WHERE organization_id = ?", "tt",
                   now, org_id);
}
