/* Organisations: list, show, edit, documentation links, system group ids,
 * delete. Admins: everything; partner admins: read their own; users: nothing. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "engine.h"
#include "ops.h"
#include "ops_refs.h"
#include "store_groups.h"
#include "store_orgs.h"
#include "ops_exec_internal.h"
#include "util.h"
#include "validate.h"

static const char *ACCOUNT_TYPES[] = {"partner", "client", "internal"};

int ops_org_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    if (ops_begin_read(c, p, err) != 0) return err->code;
    return ops_find_org(c, p, ref, id, err);
}

static void read_org_row(hy_stmt *st, hy_org *o)
{
    o->id = db_dup(st, 0);
    o->name = db_dup(st, 1);
    hy_strlist_from_json(&o->account_types, db_text(st, 2));
    o->created_at = db_dup(st, 3);
    o->nusers = (int)db_int(st, 4);
    o->nexecutions = (int)db_int(st, 5);
    o->offboarded_at = db_dup(st, 6);
}

/* Counts and lists show the executions the caller may see (authz.h): WF is
 * the SQL parameter holding the caller's workflow definition ids (a JSON
 * array, opx_scope_wf_ids), NULL for all. Counts come from exec_counts. */
#define ORG_COLUMNS(WF)                                                                                         \
    "o.id, o.name, o.account_types, o.created_at, "                                                             \
    "(SELECT count(*) FROM users u WHERE u.organization_id = o.id AND u.offboarded_at IS NULL), "              \
    "(SELECT coalesce(sum(x.n), 0) FROM exec_counts x WHERE x.organization_id = o.id AND (" WF " IS NULL OR "   \
    "x.workflow_definition_id IN (SELECT value FROM json_each(" WF ")))), o.offboarded_at"

int ops_org_list(hy_ctx *c, const hy_principal *p, const char *filter, hy_org_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin_read(c, p, err) != 0) return err->code;
    const char *scope = authz_org_scope(p);
    char *wf_ids = NULL;
    if (opx_scope_wf_ids(c, p, &wf_ids, err) != 0) return err->code;
    char *like = ops_like_pattern(filter);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT " ORG_COLUMNS("?3") " FROM organizations o "
                           "WHERE (?1 IS NULL OR o.id = ?1) AND (?2 IS NULL OR o.name LIKE ?2 ESCAPE '\\') "
                           "ORDER BY o.name COLLATE NOCASE",
                           "ttt", scope, like, wf_ids);
    int cap = 0;
    while (db_row(st)) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xrealloc(out->items, (size_t)cap * sizeof *out->items);
        }
        memset(&out->items[out->count], 0, sizeof out->items[0]);
        read_org_row(st, &out->items[out->count++]);
    }
    int rc = db_done(st);
    free(like);
    free(wf_ids);
    if (rc) hy_org_list_free(out);
    return rc;
}

int ops_org_name(hy_ctx *c, const hy_principal *p, const char *org_id, char **out, hy_err *err)
{
    *out = NULL;
    if (ops_begin_read(c, p, err) != 0) return err->code;
    if (!ops_can_see_org(p, org_id)) return hy_fail(err, HY_ERR_NOT_FOUND, "organisation not found");
    int rc = db_get_text(c->db, err, out, "SELECT name FROM organizations WHERE id = ?", "t", org_id);
    if (rc == 0 && !*out) rc = hy_fail(err, HY_ERR_NOT_FOUND, "organisation not found");
    return rc;
}

static int load_detail(hy_ctx *c, const char *id, const char *wf_ids, hy_org_detail *d, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err, "SELECT " ORG_COLUMNS("?2") " FROM organizations o WHERE o.id = ?1", "tt",
                           id, wf_ids);
    bool found = db_row(st);
    if (found) read_org_row(st, &d->org);
    int rc = db_done(st);
    if (rc) return rc;
    if (!found) return hy_fail(err, HY_ERR_NOT_FOUND, "organisation not found");

    st = db_query(c->db, err,
                  "SELECT id, studio_id, name, environment FROM studio_companies WHERE organization_id = ? "
                  "ORDER BY environment DESC, name",
                  "t", id);
    while (db_row(st)) {
        d->companies = xrealloc(d->companies, (size_t)(d->ncompanies + 1) * sizeof *d->companies);
        hy_studio_company *s = &d->companies[d->ncompanies++];
        s->id = db_dup(st, 0);
        s->studio_id = db_dup(st, 1);
        s->name = db_dup(st, 2);
        s->environment = db_dup(st, 3);
    }
    if ((rc = db_done(st))) return rc;

    st = db_query(c->db, err,
                  "SELECT id, tool, external_name, external_id, created_at, placeholder FROM system_groups "
                  "WHERE organization_id = ? ORDER BY tool",
                  "t", id);
    while (db_row(st)) {
        d->groups = xrealloc(d->groups, (size_t)(d->ngroups + 1) * sizeof *d->groups);
        hy_system_group *g = &d->groups[d->ngroups++];
        g->id = db_dup(st, 0);
        g->tool = db_dup(st, 1);
        g->external_name = db_dup(st, 2);
        g->external_id = db_dup(st, 3);
        g->created_at = db_dup(st, 4);
        g->placeholder = db_int(st, 5) != 0;
    }
    if ((rc = db_done(st))) return rc;

    st = db_query(c->db, err,
                  "SELECT keycloak_confirmed, keycloak_cluster, metabase_collection_id, lms_confirmed, updated_at, "
                  "metabase_collection_placeholder FROM organization_integrations WHERE organization_id = ?",
                  "t", id);
    if (db_row(st)) {
        d->has_integrations = true;
        d->keycloak_confirmed = db_int(st, 0) != 0;
        d->keycloak_cluster = db_dup(st, 1);
        d->metabase_collection_id = db_dup(st, 2);
        d->lms_confirmed = db_int(st, 3) != 0;
        d->integrations_updated_at = db_dup(st, 4);
        d->metabase_collection_placeholder = db_int(st, 5) != 0;
    }
    if ((rc = db_done(st))) return rc;

    st = db_query(c->db, err,
                  "SELECT internal_docu, generique_docu, add_docu, updated_at FROM organization_documentation "
                  "WHERE organization_id = ?",
                  "t", id);
    if (db_row(st)) {
        d->docs_internal = db_dup(st, 0);
        d->docs_general = db_dup(st, 1);
        d->docs_additional = db_dup(st, 2);
        d->docs_updated_at = db_dup(st, 3);
    }
    if ((rc = db_done(st))) return rc;

    st = db_query(c->db, err,
                  "SELECT u.id, u.email, u.firstname, u.lastname, u.app_role, "
                  "(SELECT group_concat(name, ',') FROM (SELECT r.name FROM access_grants g JOIN resources r "
                  "ON r.id = g.resource_id WHERE g.user_id = u.id AND g.revoked_at IS NULL ORDER BY r.name)), "
                  "u.offboarded_at FROM users u WHERE u.organization_id = ? "
                  "ORDER BY u.offboarded_at IS NOT NULL, u.lastname COLLATE NOCASE, u.firstname COLLATE NOCASE",
                  "t", id);
    while (db_row(st)) {
        d->users = xrealloc(d->users, (size_t)(d->nusers + 1) * sizeof *d->users);
        hy_user_brief *u = &d->users[d->nusers++];
        u->id = db_dup(st, 0);
        u->email = db_dup(st, 1);
        u->firstname = db_dup(st, 2);
        u->lastname = db_dup(st, 3);
        if (!hy_role_parse(db_text(st, 4), &u->role)) u->role = HY_ROLE_USER;
        memset(&u->access, 0, sizeof u->access);
        hy_strlist_split(&u->access, db_text(st, 5));
        u->offboarded_at = db_dup(st, 6);
    }
    if ((rc = db_done(st))) return rc;

    st = db_query(c->db, err,
                  "SELECT e.id, w.name, e.status, u.email, e.created_at, e.current_step_order, "
                  "(SELECT count(*) FROM workflow_step_definitions s WHERE s.workflow_definition_id = w.id) "
                  "FROM workflow_executions e JOIN workflow_definitions w ON w.id = e.workflow_definition_id "
                  "LEFT JOIN users u ON u.id = e.user_id WHERE e.organization_id = ?1 "
                  "AND (?2 IS NULL OR w.id IN (SELECT value FROM json_each(?2))) ORDER BY e.created_at DESC LIMIT 50",
                  "tt", id, wf_ids);
    while (db_row(st)) {
        d->executions = xrealloc(d->executions, (size_t)(d->nexecutions + 1) * sizeof *d->executions);
        hy_exec_brief *e = &d->executions[d->nexecutions++];
        e->id = db_dup(st, 0);
        e->workflow = db_dup(st, 1);
        e->status = db_dup(st, 2);
        e->user_email = db_dup(st, 3);
        e->created_at = db_dup(st, 4);
        e->current_step = (int)db_int(st, 5);
        e->nsteps = (int)db_int(st, 6);
    }
    return db_done(st);
}

/* In one read transaction, as the execution list (a partner's home). */
int ops_org_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_org_detail *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[HY_UUID_LEN];
    bool read = db_read_begin(c->db);
    int rc = ops_begin_read(c, p, err) != 0 || ops_find_org(c, p, ref, id, err) != 0 ? err->code : 0;
    char *wf_ids = NULL;
    if (rc == 0) rc = opx_scope_wf_ids(c, p, &wf_ids, err);
    if (rc == 0) rc = load_detail(c, id, wf_ids, out, err);
    if (read) db_read_end(c->db);
    free(wf_ids);
    if (rc) hy_org_detail_free(out);
    return rc;
}

/* Parses "partner, client" into a JSON list; field error if bad. */
static char *parse_account_types(const char *text, hy_err *err)
{
    hy_strlist l;
    hy_strlist_split(&l, text);
    hy_strlist clean = {0};
    bool bad = false;
    for (int i = 0; i < l.n; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof ACCOUNT_TYPES / sizeof ACCOUNT_TYPES[0]; k++)
            if (strcasecmp(l.v[i], ACCOUNT_TYPES[k]) == 0) {
                known = true;
                if (!hy_strlist_has(&clean, ACCOUNT_TYPES[k])) hy_strlist_add(&clean, ACCOUNT_TYPES[k]);
            }
        if (!known && !bad) {
            hy_field(err, "account_types", "unknown account type '%.40s' (allowed: partner, client, internal)",
                     l.v[i]);
            bad = true;
        }
    }
    if (!bad && clean.n == 0) {
        hy_field(err, "account_types", "choose at least one of partner, client, internal");
        bad = true;
    }
    char *json = bad ? NULL : hy_strlist_to_json(&clean);
    hy_strlist_free(&l);
    hy_strlist_free(&clean);
    return json;
}

/* ---- edits: each part validates first (all field errors at once), then
 * applies inside the caller's transaction; ops_org_edit does all three in
 * one transaction. ---- */

typedef struct {
    char *name;      /* trimmed new name, or NULL */
    char *types;     /* JSON list, or NULL */
} org_changes;

static void validate_update(const hy_org_update *u, org_changes *ch, hy_err *err)
{
    if (u->name) {
        char *copy = xstrdup(u->name);
        ch->name = xstrdup(hy_trim(copy));
        free(copy);
        ops_check_text(err, "name", ch->name, true, HY_MAX_NAME);
    }
    if (u->account_types) ch->types = parse_account_types(u->account_types, err);
}

static int apply_update(hy_ctx *c, const hy_principal *p, const char *id, const org_changes *ch, hy_err *err)
{
    if (!ch->name && !ch->types) return 0;
    int rc = 0;
    cJSON *d = cJSON_CreateObject();
    if (ch->name) {
        int64_t clash = 0;
        rc = db_get_int(c->db, err, &clash, NULL,
                        "SELECT count(*) FROM organizations WHERE name = ? COLLATE NOCASE AND id <> ?", "tt", ch->name,
                        id);
        if (rc == 0 && clash) {
            hy_field(err, "name", "another organisation is already called that");
            rc = err->code;
        }
        char *old = NULL;
        if (rc == 0) rc = db_get_text(c->db, err, &old, "SELECT name FROM organizations WHERE id = ?", "t", id);
        if (rc == 0) rc = org_rename(c, id, ch->name, err);
        if (rc == 0) {
            cJSON_AddStringToObject(d, "old_name", old ? old : "");
            cJSON_AddStringToObject(d, "name", ch->name);
        }
        free(old);
    }
    if (rc == 0 && ch->types) {
        rc = org_set_account_types(c, id, ch->types, err);
        if (rc == 0) cJSON_AddItemToObject(d, "account_types", cJSON_Parse(ch->types));
    }
    if (rc == 0) rc = audit_write(c, p, "org.update", "organization", id, d, err);
    cJSON_Delete(d);
    return rc;
}

/* Each link: NULL unchanged, "" cleared, else an http(s) URL. */
static void check_link(hy_err *err, const char *field, const char *v)
{
    if (!v || !*v) return;
    if (strlen(v) > HY_MAX_URL)
        hy_field(err, field, "is too long (at most %d characters)", HY_MAX_URL);
    else if (!hy_valid_http_url(v))
        hy_field(err, field, "must be an http:// or https:// URL, e.g. https://docs.example.com/partner");
}

static void validate_docs(const hy_org_docs *dl, hy_err *err)
{
    check_link(err, "internal", dl->internal);
    check_link(err, "general", dl->general);
    check_link(err, "additional", dl->additional);
}

static int apply_docs(hy_ctx *c, const hy_principal *p, const char *id, const hy_org_docs *dl, hy_err *err)
{
    if (!dl->internal && !dl->general && !dl->additional) return 0;
    int rc = org_set_docs(c, id, dl->internal, dl->general, dl->additional, err);
    cJSON *d = cJSON_CreateObject();
    if (dl->internal) cJSON_AddStringToObject(d, "internal", dl->internal);
    if (dl->general) cJSON_AddStringToObject(d, "general", dl->general);
    if (dl->additional) cJSON_AddStringToObject(d, "additional", dl->additional);
    if (rc == 0) rc = audit_write(c, p, "org.set_docs", "organization", id, d, err);
    cJSON_Delete(d);
    return rc;
}

static const char *const GROUP_TOOLS[3] = {"metabase", "teams", "slack"};
static const char *const GROUP_WHAT[3] = {"Metabase group", "Teams channel", "Slack group"};

/* The id and the name given for tool i (NULL = unchanged). */
static void group_parts(const hy_org_groups *g, int i, const char **id, const char **name)
{
    const char *ids[3] = {g->metabase, g->teams, g->slack};
    const char *names[3] = {g->metabase_name, g->teams_name, g->slack_name};
    *id = ids[i];
    *name = names[i];
}

/* Sets tool i's group of an organisation: value "" deletes it; a name with
 * no id renames the existing group (a field error if there is none). */
static int set_group(hy_ctx *c, const char *org_id, int i, const char *value, const char *name_in, hy_err *err)
{
    const char *tool = GROUP_TOOLS[i];
    if (!value && !name_in) return 0;
    if (value && !*value) return group_delete(c, org_id, tool, err);
    char *name = name_in ? xstrdup(name_in) : NULL;
    if (name) {
        char *t = hy_trim(name);
        memmove(name, t, strlen(t) + 1);
    }
    int rc;
    if (!value) {
        bool found = false;
        rc = group_rename(c, org_id, tool, name, &found, err);
        if (rc == 0 && !found) {
            char field[32];
            snprintf(field, sizeof field, "%s_name", tool);
            hy_field(err, field, "this organisation has no %s to name: give its id too", GROUP_WHAT[i]);
            rc = HY_ERR_INVALID;
        }
    } else {
        rc = group_upsert(c, org_id, tool, name, value, err);
    }
    free(name);
    return rc;
}

static void validate_groups(const hy_org_groups *g, hy_err *err)
{
    long mb;
    if (g->metabase && *g->metabase && !hy_parse_long(g->metabase, 1, 2147483647, &mb))
        hy_field(err, "metabase", "must be a Metabase group id: a positive whole number, e.g. 7");
    if (g->teams && *g->teams) ops_check_text(err, "teams", g->teams, false, HY_MAX_NAME);
    if (g->slack && *g->slack) ops_check_text(err, "slack", g->slack, false, HY_MAX_NAME);
    for (int i = 0; i < 3; i++) {
        const char *id, *name;
        group_parts(g, i, &id, &name);
        if (!name) continue;
        char field[32];
        snprintf(field, sizeof field, "%s_name", GROUP_TOOLS[i]);
        if (id && !*id) hy_field(err, field, "cannot name a group whose id is being removed");
        else ops_check_text(err, field, name, true, HY_MAX_NAME);
    }
}

static int apply_groups(hy_ctx *c, const hy_principal *p, const char *id, const hy_org_groups *g, hy_err *err)
{
    cJSON *d = cJSON_CreateObject();
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        const char *gid, *name;
        group_parts(g, i, &gid, &name);
        if (!gid && !name) continue;
        rc = set_group(c, id, i, gid, name, err);
        if (gid) cJSON_AddStringToObject(d, GROUP_TOOLS[i], gid);
        if (name) {
            char key[32], *t = xstrdup(name);
            snprintf(key, sizeof key, "%s_name", GROUP_TOOLS[i]);
            cJSON_AddStringToObject(d, key, hy_trim(t));
            free(t);
        }
    }
    if (rc == 0 && d->child) rc = audit_write(c, p, "org.set_groups", "organization", id, d, err);
    cJSON_Delete(d);
    return rc;
}

int ops_org_edit(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_update *u, const hy_org_docs *dl,
                 const hy_org_groups *g, hy_err *err)
{
    static const hy_org_update no_u;
    static const hy_org_docs no_d;
    static const hy_org_groups no_g;
    char id[HY_UUID_LEN];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_org(c, p, ref, id, err) != 0) return err->code;
    char *off = NULL; /* an offboarded organisation is kept as it was: read-only */
    if (db_get_text(c->db, err, &off, "SELECT offboarded_at FROM organizations WHERE id = ?", "t", id) != 0)
        return err->code;
    if (off) {
        char when[HY_TIME_LEN];
        hy_time_short(off, when);
        free(off);
        return hy_fail(err, HY_ERR_CONFLICT,
                       "this organisation was offboarded on %s: it is kept read-only for the audit trail", when);
    }
    org_changes ch = {0};
    validate_update(u ? u : &no_u, &ch, err);
    validate_docs(dl ? dl : &no_d, err);
    validate_groups(g ? g : &no_g, err);
    int rc = err->nfield ? (int)err->code : db_begin(c->db, err);
    if (rc == 0) {
        rc = apply_update(c, p, id, &ch, err);
        if (rc == 0) rc = apply_docs(c, p, id, dl ? dl : &no_d, err);
        if (rc == 0) rc = apply_groups(c, p, id, g ? g : &no_g, err);
        rc = ops_finish(c, rc, err);
    }
    free(ch.name);
    free(ch.types);
    return rc;
}

int ops_org_update(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_update *u, hy_err *err)
{
    return ops_org_edit(c, p, ref, u, NULL, NULL, err);
}

int ops_org_set_docs(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_docs *d, hy_err *err)
{
    return ops_org_edit(c, p, ref, NULL, d, NULL, err);
}

int ops_org_set_groups(hy_ctx *c, const hy_principal *p, const char *ref, const hy_org_groups *g, hy_err *err)
{
    return ops_org_edit(c, p, ref, NULL, NULL, g, err);
}

static int count_impact(hy_ctx *c, const char *id, hy_org_impact *im, hy_err *err)
{
    memset(im, 0, sizeof *im);
    int64_t n = 0;
    int rc = db_get_text(c->db, err, &im->name, "SELECT name FROM organizations WHERE id = ?", "t", id);
    if (rc == 0 && !im->name) rc = hy_fail(err, HY_ERR_NOT_FOUND, "organisation not found");
#define COUNT(field, sql)                                                   \
    if (rc == 0) {                                                          \
        rc = db_get_int(c->db, err, &n, NULL, sql, "t", id);                \
        im->field = (int)n;                                                 \
    }
    COUNT(users, "SELECT count(*) FROM users WHERE organization_id = ?")
    COUNT(studio_companies, "SELECT count(*) FROM studio_companies WHERE organization_id = ?")
    COUNT(system_groups, "SELECT count(*) FROM system_groups WHERE organization_id = ?")
    COUNT(executions, "SELECT count(*) FROM workflow_executions WHERE organization_id = ?")
#undef COUNT
    if (rc == 0) rc = db_get_int(c->db, err, &n, NULL, "SELECT count(*) FROM organization_integrations WHERE organization_id = ?", "t", id);
    im->integrations = n > 0;
    if (rc == 0) rc = db_get_int(c->db, err, &n, NULL, "SELECT count(*) FROM organization_documentation WHERE organization_id = ?", "t", id);
    im->documentation = n > 0;
    return rc;
}

int ops_org_delete_impact(hy_ctx *c, const hy_principal *p, const char *ref, hy_org_impact *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char id[HY_UUID_LEN];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_org(c, p, ref, id, err) != 0) return err->code;
    int rc = count_impact(c, id, out, err);
    if (rc) hy_org_impact_free(out);
    return rc;
}

int ops_org_delete(hy_ctx *c, const hy_principal *p, const char *ref, hy_org_impact *done, hy_err *err)
{
    memset(done, 0, sizeof *done);
    char id[HY_UUID_LEN];
    if (ops_begin_admin(c, p, err) != 0 || ops_find_org(c, p, ref, id, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = count_impact(c, id, done, err);
    /* Partner admins of this organisation lose their scope: end their sessions. */
    hy_strlist members = {0};
    if (rc == 0) {
        hy_stmt *st = db_query(c->db, err, "SELECT id FROM users WHERE organization_id = ?", "t", id);
        while (db_row(st)) hy_strlist_add(&members, db_text(st, 0));
        rc = db_done(st);
    }
    for (int i = 0; rc == 0 && i < members.n; i++)
        rc = auth_revoke_user_sessions(c, members.v[i], "organisation deleted", err);
    hy_strlist_free(&members);
    /* executions are the engine's (it keeps their counts); the rest the store's */
    if (rc == 0) rc = engine_detach_org(c, id, err);
    if (rc == 0) rc = org_delete(c, id, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", done->name);
        cJSON_AddNumberToObject(d, "users_detached", done->users);
        cJSON_AddNumberToObject(d, "studio_companies_deleted", done->studio_companies);
        cJSON_AddNumberToObject(d, "system_groups_deleted", done->system_groups);
        cJSON_AddNumberToObject(d, "executions_detached", done->executions);
        rc = audit_write(c, p, "org.delete", "organization", id, d, err);
        cJSON_Delete(d);
    }
    rc = ops_finish(c, rc, err);
    if (rc) hy_org_impact_free(done);
    return rc;
}
