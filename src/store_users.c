/* Store: users (store_users.h). */
#include "store_users.h"

#include "auth.h"
#include "db.h"
#include "step_support.h"

int user_create_member(hy_ctx *c, const hy_new_member *m, char id_out[HY_UUID_LEN], hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_uuid(id_out);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO users(id, firstname, lastname, email, languages, skills, roles, organization_id, "
                   "app_role, password_hash, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,'user',?,?,?)",
                   "tttttttttt" "t", id_out, m->firstname, m->lastname, m->email, m->languages ? m->languages : "[]",
                   m->skills ? m->skills : "[]", m->roles ? m->roles : "[]", m->organization_id, HY_UNUSABLE_PASSWORD,
                   now, now);
}

int user_seed_admin(hy_ctx *c, const char *email, const char *hash, char id_out[HY_UUID_LEN], hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_uuid(id_out);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO users(id, firstname, lastname, email, app_role, password_hash, "
                   "must_change_password, created_at) VALUES(?, 'Admin', 'User', ?, 'admin', ?, 1, ?) "
                   "ON CONFLICT(email) DO UPDATE SET app_role = 'admin', password_hash = excluded.password_hash, "
                   "must_change_password = 1",
                   "tttt", id_out, email, hash, now);
}

int user_set_fields(hy_ctx *c, const char *user_id, const char *firstname, const char *lastname, const char *email,
                    const char *languages, const char *skills, const char *roles, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE users SET firstname = coalesce(?1, firstname), lastname = coalesce(?2, lastname), "
                   "email = coalesce(?3, email), languages = coalesce(?4, languages), skills = coalesce(?5, skills), "
                   "roles = coalesce(?6, roles), updated_at = ?7 WHERE id = ?8",
                   "tttttttt", firstname, lastname, email, languages, skills, roles, now, user_id);
}

int user_set_org(hy_ctx *c, const char *user_id, const char *org_id, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE users SET organization_id = ? WHERE id = ?", "tt", org_id, user_id);
}

int user_set_role(hy_ctx *c, const char *user_id, const char *role, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE users SET app_role = ? WHERE id = ?", "tt", role, user_id);
}

int user_set_password(hy_ctx *c, const char *user_id, const char *hash, bool must_change, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, "
                   "updated_at = ? WHERE id = ?",
                   "titt" "t", hash, must_change ? 1 : 0, now, now, user_id);
}

int user_rehash_password(hy_ctx *c, const char *user_id, const char *hash, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE users SET password_hash = ? WHERE id = ?", "tt", hash, user_id);
}

int user_require_password_change(hy_ctx *c, const char *user_id, hy_err *err)
{
    return db_exec(c->db, err, "UPDATE users SET must_change_password = 1 WHERE id = ?", "t", user_id);
}

int user_set_metabase_id(hy_ctx *c, const char *user_id, int64_t metabase_user_id, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err, "UPDATE users SET metabase_user_id = ?, updated_at = ? WHERE id = ?", "Itt",
                   metabase_user_id, now, user_id);
}

int user_delete(hy_ctx *c, const char *user_id, hy_err *err)
{
    int rc = db_exec(c->db, err, "UPDATE access_grants SET granted_by = NULL WHERE granted_by = ?", "t", user_id);
    if (rc == 0) rc = db_exec(c->db, err, "DELETE FROM users WHERE id = ?", "t", user_id);
    return rc;
}

int user_add_studio_access(hy_ctx *c, const char *user_id, const char *org_id, const char *studio_id, hy_err *err)
{
    char access[HY_UUID_LEN];
    hy_row_id(access);
    /* granted_at stays NULL until the Studio step grants it */
    return db_exec(c->db, err,
                   "INSERT INTO user_studio_access(id, user_id, studio_company_id, granted_at) "
                   "SELECT ?, ?, id, NULL FROM studio_companies WHERE studio_id = ? AND organization_id = ? "
                   "ON CONFLICT(user_id, studio_company_id) DO UPDATE SET granted_at = NULL, revoked_at = NULL "
                   "WHERE user_studio_access.revoked_at IS NOT NULL",
                   "tttt", access, user_id, studio_id, org_id);
}

int user_grant_studio_access(hy_ctx *c, const char *user_id, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE user_studio_access SET granted_at = ? WHERE user_id = ? AND granted_at IS NULL "
                   "AND revoked_at IS NULL",
                   "tt", now, user_id);
}

int user_set_personal_company(hy_ctx *c, const char *user_id, const char *studio_id, const char *name, hy_err *err)
{
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_row_id(id);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO user_studio_companies(id, user_id, studio_id, name, created_at) VALUES(?,?,?,?,?) "
                   "ON CONFLICT(user_id) DO NOTHING",
                   "ttttt", id, user_id, studio_id, name, now);
}

int user_set_offboarded(hy_ctx *c, const char *user_id, bool offboarded, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "UPDATE users SET offboarded_at = CASE WHEN ?1 THEN coalesce(offboarded_at, ?2) END, "
                   "updated_at = ?2 WHERE id = ?3",
                   "itt", offboarded ? 1 : 0, now, user_id);
}

int user_revoke_studio_access(hy_ctx *c, const char *user_id, int *n, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "UPDATE user_studio_access SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", "tt", now,
                     user_id);
    *n = rc == 0 ? db_changes(c->db) : 0;
    return rc;
}
