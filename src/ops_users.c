/* Users: list, show, edit (names, email, lists, organisation, role,
 * password), delete. Admins: everything; partner admins: read the users of
 * their own organisation; users: nothing. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "engine.h"
#include "ops.h"
#include "store_grants.h"
#include "store_users.h"
#include "ops_refs.h"
#include "util.h"
#include "validate.h"

int ops_user_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    if (ops_begin_read(c, p, err) != 0) return err->code;
    return ops_find_user(c, p, ref, id, err);
}

#define USER_COLUMNS                                                                                          \
    "u.id, u.firstname, u.lastname, u.email, u.languages, u.skills, u.roles, u.organization_id, o.name, "   \
    "u.app_role, u.metabase_user_id, sc.studio_id, sc.name, u.created_at, u.updated_at, "                    \
    "u.must_change_password, substr(u.password_hash, 1, 1) = '$', "                                         \
    "(SELECT group_concat(name, ',') FROM (SELECT r.name FROM access_grants g JOIN resources r "             \
    " ON r.id = g.resource_id WHERE g.user_id = u.id AND g.revoked_at IS NULL ORDER BY r.name)), "           \
    "u.offboarded_at "
#define USER_FROM                                                                                             \
    "FROM users u LEFT JOIN organizations o ON o.id = u.organization_id "                                     \
    "LEFT JOIN user_studio_companies sc ON sc.user_id = u.id "

static void read_user_row(hy_stmt *st, hy_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = db_dup(st, 0);
    u->firstname = db_dup(st, 1);
    u->lastname = db_dup(st, 2);
    u->email = db_dup(st, 3);
    hy_strlist_from_json(&u->languages, db_text(st, 4));
    hy_strlist_from_json(&u->skills, db_text(st, 5));
    hy_strlist_from_json(&u->roles, db_text(st, 6));
    u->organization_id = db_dup(st, 7);
    u->organization_name = db_dup(st, 8);
    if (!hy_role_parse(db_text(st, 9), &u->role)) u->role = HY_ROLE_USER;
    u->has_metabase_id = !db_null(st, 10);
    u->metabase_user_id = db_int(st, 10);
    u->studio_company_id = db_dup(st, 11);
    u->studio_company_name = db_dup(st, 12);
    u->created_at = db_dup(st, 13);
    u->updated_at = db_dup(st, 14);
    u->must_change_password = db_int(st, 15) != 0;
    u->can_log_in = db_int(st, 16) != 0;
    hy_strlist_split(&u->access, db_text(st, 17)); /* resource names hold no commas */
    u->offboarded_at = db_dup(st, 18);
}

/* The WHERE clause of the list and the count: ?1 scope, ?2 organisation, ?3 LIKE pattern. */
#define USER_WHERE                                                                                            \
    "WHERE (?1 IS NULL OR u.organization_id = ?1) AND (?2 IS NULL OR u.organization_id = ?2) "              \
    "AND (?3 IS NULL OR u.email LIKE ?3 ESCAPE '\\' OR u.firstname || ' ' || u.lastname LIKE ?3 ESCAPE '\\') "

/* The caller's scope and the query's organisation (after begin_read). */
static int query_scope(hy_ctx *c, const hy_principal *p, const hy_user_query *q, const char **scope,
                       char org[HY_UUID_LEN], hy_err *err)
{
    org[0] = '\0';
    if (q && q->org_ref && *q->org_ref && ops_find_org(c, p, q->org_ref, org, err) != 0) return err->code;
    *scope = authz_org_scope(p);
    return 0;
}

int ops_user_count(hy_ctx *c, const hy_principal *p, const hy_user_query *q, int64_t *out, hy_err *err)
{
    *out = 0;
    const char *scope = NULL;
    char org[HY_UUID_LEN];
    if (ops_begin_read(c, p, err) != 0 || query_scope(c, p, q, &scope, org, err) != 0) return err->code;
    char *like = ops_like_pattern(q ? q->filter : NULL);
    int rc = db_get_int(c->db, err, out, NULL, "SELECT count(*) FROM users u " USER_WHERE, "ttt", scope,
                        org[0] ? org : NULL, like);
    free(like);
    return rc;
}

int ops_user_list(hy_ctx *c, const hy_principal *p, const hy_user_query *q, hy_user_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    const char *scope = NULL;
    char org[HY_UUID_LEN];
    if (ops_begin_read(c, p, err) != 0 || query_scope(c, p, q, &scope, org, err) != 0) return err->code;
    char *like = ops_like_pattern(q ? q->filter : NULL);
    int64_t limit = q && q->limit > 0 ? q->limit : -1, offset = q && q->offset > 0 ? q->offset : 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT " USER_COLUMNS USER_FROM USER_WHERE
                           "ORDER BY u.lastname COLLATE NOCASE, u.firstname COLLATE NOCASE, u.email "
                           "LIMIT ?4 OFFSET ?5",
                           "tttII", scope, org[0] ? org : NULL, like, limit, offset);
    int cap = 0;
    while (db_row(st)) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 32;
            out->items = xrealloc(out->items, (size_t)cap * sizeof *out->items);
        }
        read_user_row(st, &out->items[out->count++]);
    }
    int rc = db_done(st);
    free(like);
    if (rc) hy_user_list_free(out);
    return rc;
}

static int load_user(hy_ctx *c, const char *id, hy_user *out, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err, "SELECT " USER_COLUMNS USER_FROM "WHERE u.id = ?", "t", id);
    bool found = db_row(st);
    if (found) read_user_row(st, out);
    int rc = db_done(st);
    if (rc == 0 && !found) rc = hy_fail(err, HY_ERR_NOT_FOUND, "user not found");
    return rc;
}

int ops_user_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_user *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[HY_UUID_LEN];
    if (ops_begin_read(c, p, err) != 0 || ops_find_user(c, p, ref, id, err) != 0) return err->code;
    int rc = load_user(c, id, out, err);
    if (rc == 0) rc = grant_list_user(c, id, &out->grants, err);
    if (rc) hy_user_free(out);
    return rc;
}


/* Validates a comma-separated list; returns its JSON text or NULL. */
static char *check_list(hy_err *err, const char *field, const char *text, bool languages)
{
    hy_strlist l;
    hy_strlist_split(&l, text);
    bool ok = true;
    if (l.n > HY_MAX_LIST_ITEMS) {
        hy_field(err, field, "has %d items; at most %d", l.n, HY_MAX_LIST_ITEMS);
        ok = false;
    }
    hy_strlist uniq = {0};
    for (int i = 0; ok && i < l.n; i++) {
        if (languages) {
            for (char *q = l.v[i]; *q; q++) *q = (char)tolower((unsigned char)*q);
            if (!hy_valid_lang(l.v[i])) {
                hy_field(err, field, "'%.20s' is not an ISO 639-1 language code (two letters, e.g. en, de, fr)", l.v[i]);
                ok = false;
            }
        } else if (!ops_check_text(err, field, l.v[i], true, HY_MAX_LIST_ITEM)) {
            ok = false;
        }
        if (ok && !hy_strlist_has(&uniq, l.v[i])) hy_strlist_add(&uniq, l.v[i]);
    }
    char *json = ok ? hy_strlist_to_json(&uniq) : NULL;
    hy_strlist_free(&l);
    hy_strlist_free(&uniq);
    return json;
}

static char *lower_trim(const char *s)
{
    char *copy = xstrdup(s);
    char *t = xstrdup(hy_trim(copy));
    free(copy);
    for (char *q = t; *q; q++) *q = (char)tolower((unsigned char)*q);
    return t;
}

static char *trimmed(const char *s)
{
    char *copy = xstrdup(s);
    char *t = xstrdup(hy_trim(copy));
    free(copy);
    return t;
}

/* The number of admins other than this user. */
static int other_admins(hy_ctx *c, const char *id, int64_t *n, hy_err *err)
{
    return db_get_int(c->db, err, n, NULL, "SELECT count(*) FROM users WHERE app_role = 'admin' AND id <> ?", "t", id);
}

typedef struct {
    char *first, *last, *email, *langs, *skills, *roles, *org_id;
    bool org_set;        /* org_id NULL + org_set = detach */
    hy_role role;
    bool role_set;
    char hash[HY_HASH_LEN];
    bool password_set;
} user_changes;

static void changes_free(user_changes *ch)
{
    free(ch->first); free(ch->last); free(ch->email); free(ch->langs); free(ch->skills); free(ch->roles);
    free(ch->org_id);
    explicit_bzero(ch->hash, sizeof ch->hash);
}

/* Validates everything at once into field errors; hashes a new password. */
static int validate_update(hy_ctx *c, const hy_principal *p, const hy_user *cur, const hy_user_update *u,
                           user_changes *ch, hy_err *err)
{
    if (u->firstname) {
        ch->first = trimmed(u->firstname);
        ops_check_text(err, "firstname", ch->first, true, HY_MAX_NAME);
    }
    if (u->lastname) {
        ch->last = trimmed(u->lastname);
        ops_check_text(err, "lastname", ch->last, true, HY_MAX_NAME);
    }
    if (u->email) {
        ch->email = lower_trim(u->email);
        if (!hy_valid_email(ch->email)) {
            hy_field(err, "email", "must be an email address like name@example.com");
        } else {
            int64_t clash = 0;
            if (db_get_int(c->db, err, &clash, NULL, "SELECT count(*) FROM users WHERE email = ? AND id <> ?", "tt",
                           ch->email, cur->id) != 0)
                return err->code;
            if (clash) hy_field(err, "email", "another user already has this email");
        }
    }
    if (u->languages) ch->langs = check_list(err, "languages", u->languages, true);
    if (u->skills) ch->skills = check_list(err, "skills", u->skills, false);
    if (u->roles) ch->roles = check_list(err, "roles", u->roles, false);
    if (u->org_ref) {
        ch->org_set = true;
        if (*u->org_ref) {
            char org[HY_UUID_LEN];
            hy_err e2;
            hy_err_clear(&e2);
            if (ops_find_org(c, p, u->org_ref, org, &e2) == 0) ch->org_id = xstrdup(org);
            else hy_field(err, "organization", "%s", e2.msg);
        }
    }
    if (u->role) {
        ch->role_set = hy_role_parse(u->role, &ch->role);
        if (!ch->role_set) hy_field(err, "role", "must be %s", hy_role_choices());
    }
    /* The role and organisation the user will end up with. */
    hy_role role = ch->role_set ? ch->role : cur->role;
    bool has_org = ch->org_set ? ch->org_id != NULL : cur->organization_id != NULL;
    if (role == HY_ROLE_PARTNER_ADMIN && !has_org)
        hy_field(err, "organization", "a partner admin needs an organisation");
    if (cur->role == HY_ROLE_ADMIN && ch->role_set && ch->role != HY_ROLE_ADMIN) {
        int64_t others = 0;
        if (other_admins(c, cur->id, &others, err) != 0) return err->code;
        if (others == 0) hy_field(err, "role", "this is the last administrator; make someone else admin first");
    }
    if (u->password) {
        const char *email = ch->email ? ch->email : cur->email;
        if (auth_password_rules(u->password, email, "password", err) == 0) {
            if (auth_hash_password(c->cfg, u->password, ch->hash, err) != 0) return err->code;
            ch->password_set = true;
        }
    }
    return err->nfield ? err->code : 0;
}

static int apply_update(hy_ctx *c, const hy_principal *p, const hy_user *cur, user_changes *ch, hy_err *err)
{
    int rc = user_set_fields(c, cur->id, ch->first, ch->last, ch->email, ch->langs, ch->skills, ch->roles, err);
    if (rc == 0 && ch->org_set) rc = user_set_org(c, cur->id, ch->org_id, err);
    if (rc == 0 && ch->role_set) rc = user_set_role(c, cur->id, hy_role_name(ch->role), err);
    /* Someone else's new password is temporary: they choose their own at login. */
    bool own = hy_streq(p->user_id, cur->id);
    if (rc == 0 && ch->password_set) rc = user_set_password(c, cur->id, ch->hash, !own, err);
    bool role_changed = ch->role_set && ch->role != cur->role;
    bool org_changed = ch->org_set && !hy_streq(ch->org_id, cur->organization_id);
    if (rc == 0 && (role_changed || org_changed || ch->password_set))
        rc = auth_revoke_user_sessions(c, cur->id,
                                       ch->password_set ? "password set by an administrator"
                                       : role_changed   ? "role changed"
                                                        : "organisation changed",
                                       err);
    if (rc) return rc;
    cJSON *d = cJSON_CreateObject();
    if (ch->first) cJSON_AddStringToObject(d, "firstname", ch->first);
    if (ch->last) cJSON_AddStringToObject(d, "lastname", ch->last);
    if (ch->email) cJSON_AddStringToObject(d, "email", ch->email);
    if (ch->langs) cJSON_AddItemToObject(d, "languages", cJSON_Parse(ch->langs));
    if (ch->skills) cJSON_AddItemToObject(d, "skills", cJSON_Parse(ch->skills));
    if (ch->roles) cJSON_AddItemToObject(d, "roles", cJSON_Parse(ch->roles));
    if (ch->org_set) {
        if (ch->org_id) cJSON_AddStringToObject(d, "organization_id", ch->org_id);
        else cJSON_AddNullToObject(d, "organization_id");
    }
    if (ch->role_set) {
        cJSON_AddStringToObject(d, "old_role", hy_role_name(cur->role));
        cJSON_AddStringToObject(d, "role", hy_role_name(ch->role));
    }
    if (ch->password_set) cJSON_AddStringToObject(d, "password", "changed"); /* never the password itself */
    rc = audit_write(c, p, ch->password_set && !ch->first && !ch->last && !ch->email && !ch->role_set && !ch->org_set
                               ? "user.set_password"
                               : "user.update",
                     "user", cur->id, d, err);
    cJSON_Delete(d);
    return rc;
}

int ops_user_update(hy_ctx *c, const hy_principal *p, const char *ref, const hy_user_update *u, hy_err *err)
{
    char id[HY_UUID_LEN];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_user(c, p, ref, id, err) != 0) return err->code;
    hy_user cur;
    if (load_user(c, id, &cur, err) != 0) return err->code;
    user_changes ch = {0};
    int rc = validate_update(c, p, &cur, u, &ch, err);
    if (rc == 0) rc = db_begin(c->db, err);
    if (rc == 0) {
        /* Re-check what could have changed since validation, under the lock. */
        if (ch.email) {
            int64_t clash = 0;
            rc = db_get_int(c->db, err, &clash, NULL, "SELECT count(*) FROM users WHERE email = ? AND id <> ?", "tt",
                            ch.email, id);
            if (rc == 0 && clash) {
                hy_field(err, "email", "another user already has this email");
                rc = err->code;
            }
        }
        if (rc == 0) rc = apply_update(c, p, &cur, &ch, err);
        rc = ops_finish(c, rc, err);
    }
    changes_free(&ch);
    hy_user_free(&cur);
    return rc;
}

int ops_user_set_password(hy_ctx *c, const hy_principal *p, const char *ref, const char *password, hy_err *err)
{
    hy_user_update u = {.password = password ? password : ""};
    return ops_user_update(c, p, ref, &u, err);
}

static int count_impact(hy_ctx *c, const char *id, hy_user_impact *im, hy_err *err)
{
    memset(im, 0, sizeof *im);
    int64_t n = 0;
    int rc = db_get_text(c->db, err, &im->email, "SELECT email FROM users WHERE id = ?", "t", id);
    if (rc == 0 && !im->email) rc = hy_fail(err, HY_ERR_NOT_FOUND, "user not found");
#define COUNT(field, sql)                                          \
    if (rc == 0) {                                                 \
        rc = db_get_int(c->db, err, &n, NULL, sql, "t", id);       \
        im->field = (int)n;                                        \
    }
    COUNT(executions_requested, "SELECT count(*) FROM workflow_executions WHERE requested_by = ?")
    COUNT(executions_about, "SELECT count(*) FROM workflow_executions WHERE user_id = ?")
    COUNT(access_grants, "SELECT count(*) FROM access_grants WHERE user_id = ?")
    COUNT(studio_access, "SELECT count(*) FROM user_studio_access WHERE user_id = ?")
#undef COUNT
    if (rc == 0) rc = db_get_int(c->db, err, &n, NULL, "SELECT count(*) FROM user_studio_companies WHERE user_id = ?", "t", id);
    im->personal_studio_company = n > 0;
    return rc;
}

static int check_deletable(hy_ctx *c, const hy_principal *p, const char *id, hy_err *err)
{
    if (hy_streq(p->user_id, id)) return hy_fail(err, HY_ERR_CONFLICT, "you cannot delete your own account");
    char *role = NULL;
    int rc = db_get_text(c->db, err, &role, "SELECT app_role FROM users WHERE id = ?", "t", id);
    bool admin = role && hy_streq(role, "admin");
    free(role);
    if (rc) return rc;
    if (admin) {
        int64_t others = 0;
        if (other_admins(c, id, &others, err) != 0) return err->code;
        if (others == 0) return hy_fail(err, HY_ERR_CONFLICT, "this is the last administrator; it cannot be deleted");
    }
    return 0;
}

int ops_user_delete_impact(hy_ctx *c, const hy_principal *p, const char *ref, hy_user_impact *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[HY_UUID_LEN];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_user(c, p, ref, id, err) != 0) return err->code;
    int rc = check_deletable(c, p, id, err);
    if (rc == 0) rc = count_impact(c, id, out, err);
    if (rc) hy_user_impact_free(out);
    return rc;
}

int ops_user_delete(hy_ctx *c, const hy_principal *p, const char *ref, hy_user_impact *done, hy_err *err)
{
    memset(done, 0, sizeof *done);
    char id[HY_UUID_LEN];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_user(c, p, ref, id, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = check_deletable(c, p, id, err);
    if (rc == 0) rc = count_impact(c, id, done, err);
    /* The original's references without ON DELETE CASCADE are nulled first
     * (executions by the engine); sessions, grants and studio access go with
     * the user (CASCADE). */
    if (rc == 0) rc = engine_detach_user(c, id, err);
    if (rc == 0) rc = user_delete(c, id, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "email", done->email);
        cJSON_AddNumberToObject(d, "executions_detached", done->executions_requested + done->executions_about);
        cJSON_AddNumberToObject(d, "access_grants_deleted", done->access_grants);
        rc = audit_write(c, p, "user.delete", "user", id, d, err);
        cJSON_Delete(d);
    }
    rc = ops_finish(c, rc, err);
    if (rc) hy_user_impact_free(done);
    return rc;
}
