/* Store: organisations (store_orgs.h). */
#include "store_orgs.h"

#include "db.h"
#include "util.h"

int org_create(hy_ctx *c, const char *name, char id_out[HY_UUID_LEN], hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_uuid(id_out);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO organizations(id, name, account_types, created_at) VALUES(?, ?, '[\"partner\"]', ?)",
                   "ttt", id_out, name, now);
}

int org_rename(hy_ctx *c, const char *org_id, const char *name, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE organizations SET name = ? WHERE id = ?", "tt", name, org_id);
}

int org_set_account_types(hy_ctx *c, const char *org_id, const char *types_json, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE organizations SET account_types = ? WHERE id = ?", "tt", types_json, org_id);
}

int org_ensure_integrations(hy_ctx *c, const char *org_id, hy_err *err)
{
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO organization_integrations(id, organization_id, updated_at) VALUES(?,?,?) "
                   "ON CONFLICT(organization_id) DO NOTHING",
                   "ttt", id, org_id, now);
}

int org_set_keycloak(hy_ctx *c, const char *org_id, bool confirmed, const char *cluster, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = org_ensure_integrations(c, org_id, err);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE organization_integrations SET keycloak_confirmed = ?, "
                     "keycloak_cluster = coalesce(?, keycloak_cluster), updated_at = ? WHERE organization_id = ?",
                     "itt" "t", confirmed ? 1 : 0, cluster, now, org_id);
    return rc;
}

int org_set_lms(hy_ctx *c, const char *org_id, bool confirmed, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = org_ensure_integrations(c, org_id, err);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE organization_integrations SET lms_confirmed = ?, updated_at = ? WHERE organization_id = ?",
                     "itt", confirmed ? 1 : 0, now, org_id);
    return rc;
}

int org_set_collection(hy_ctx *c, const char *org_id, const char *collection_id, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = org_ensure_integrations(c, org_id, err);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE organization_integrations SET metabase_collection_id = ?1, updated_at = ?2, "
                     "metabase_collection_placeholder = CASE WHEN metabase_collection_id IS ?1 "
                     "THEN metabase_collection_placeholder ELSE 0 END WHERE organization_id = ?3",
                     "ttt", collection_id, now, org_id);
    return rc;
}

int org_set_docs(hy_ctx *c, const char *org_id, const char *internal, const char *general, const char *additional,
                 hy_err *err)
{
    char now[HY_TIME_LEN], rowid[HY_UUID_LEN];
    hy_now_iso(now);
    hy_uuid(rowid);
    int rc = db_exec(c->db, err,
                     "INSERT INTO organization_documentation(id, organization_id, updated_at) VALUES(?, ?, ?) "
                     "ON CONFLICT(organization_id) DO NOTHING",
                     "ttt", rowid, org_id, now);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE organization_documentation SET "
                     "internal_docu = CASE WHEN ?1 IS NULL THEN internal_docu ELSE NULLIF(?1, '') END, "
                     "generique_docu = CASE WHEN ?2 IS NULL THEN generique_docu ELSE NULLIF(?2, '') END, "
                     "add_docu = CASE WHEN ?3 IS NULL THEN add_docu ELSE NULLIF(?3, '') END, "
                     "updated_at = ?4 WHERE organization_id = ?5",
                     "ttttt", internal, general, additional, now, org_id);
    return rc;
}

int org_upsert_studio_company(hy_ctx *c, const char *org_id, const char *env, const char *studio_id,
                              const char *name, hy_err *err)
{
    int rc = db_exec(c->db, err,
                     "UPDATE studio_companies SET studio_id = ?, name = ? WHERE organization_id = ? AND environment = ?",
                     "tttt", studio_id, name, org_id, env);
    if (rc || db_changes(c->db) > 0) return rc;
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO studio_companies(id, organization_id, studio_id, name, environment, created_at) "
                   "VALUES(?,?,?,?,?,?)",
                   "tttttt", id, org_id, studio_id, name, env, now);
}

int org_delete(hy_ctx *c, const char *org_id, hy_err *err)
{
    /* The original's references without ON DELETE CASCADE are nulled first. */
    static const char *const steps[] = {
        "UPDATE users SET organization_id = NULL WHERE organization_id = ?",
        "DELETE FROM studio_companies WHERE organization_id = ?",
        "DELETE FROM system_groups WHERE organization_id = ?",
        "DELETE FROM organization_integrations WHERE organization_id = ?",
        "DELETE FROM organization_documentation WHERE organization_id = ?",
        "DELETE FROM organizations WHERE id = ?",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof steps / sizeof steps[0]; i++) rc = db_exec(c->db, err, steps[i], "t", org_id);
    return rc;
}

int org_set_offboarded(hy_ctx *c, const char *org_id, bool offboarded, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE organizations SET offboarded_at = CASE WHEN ?1 THEN coalesce(offboarded_at, ?2) END "
                   "WHERE id = ?3",
                   "itt", offboarded ? 1 : 0, now, org_id);
}
