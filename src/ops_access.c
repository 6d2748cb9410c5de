/* Who has access, really: reading what reconciliations found, and running
 * one (ops_access.h). Repairs are in ops_repair.c. */
#include "ops_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "ops.h"
#include "ops_refs.h"
#include "store_grants.h"
#include "util.h"

/* ---- findings ---- */

void hy_finding_free(hy_finding *f)
{
    char **s[] = {&f->run_id, &f->organization_id, &f->organization_name, &f->user_id, &f->email, &f->name,
                  &f->account_id, &f->group_id, &f->membership_id, &f->grant_execution_id, &f->granted_at,
                  &f->detail, &f->first_seen, &f->checked_at, &f->repair, &f->repaired_at, &f->repaired_by_email};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) free(*s[i]);
    memset(f, 0, sizeof *f);
}

void hy_finding_list_free(hy_finding_list *l)
{
    for (int i = 0; i < l->count; i++) hy_finding_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

char *hy_finding_person(const hy_finding *f)
{
    if (f->kind == HY_DRIFT_UNKNOWN_GROUP) return xstrdup("-");
    if (f->email && *f->email) return xstrdup(f->email);
    if (f->account_id && *f->account_id)
        return f->known ? xstrdup(f->account_id) : xasprintf("%s (unknown to HyOpps)", f->account_id);
    if (f->name && *f->name) return xstrdup(f->name);
    return xstrdup("?");
}

static void add_str(cJSON *j, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(j, k, v);
    else cJSON_AddNullToObject(j, k);
}

cJSON *hy_finding_to_json(const hy_finding *f)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)f->id);
    add_str(j, "organization_id", f->organization_id && *f->organization_id ? f->organization_id : NULL);
    add_str(j, "organization", f->organization_name);
    cJSON_AddStringToObject(j, "system", hy_sys_name(f->sys));
    cJSON_AddStringToObject(j, "kind", hy_drift_name(f->kind));
    if (f->kind == HY_DRIFT_UNEXPECTED) cJSON_AddBoolToObject(j, "known", f->known);
    add_str(j, "user_id", f->user_id);
    add_str(j, "email", f->email);
    add_str(j, "name", f->name);
    add_str(j, "account_id", f->account_id);
    add_str(j, "group_id", f->group_id);
    add_str(j, "granted_by_execution", f->grant_execution_id);
    add_str(j, "granted_at", f->granted_at);
    add_str(j, "detail", f->detail);
    add_str(j, "since", f->first_seen);
    add_str(j, "checked_at", f->checked_at);
    add_str(j, "repair", f->repair);
    add_str(j, "repaired_at", f->repaired_at);
    add_str(j, "repaired_by", f->repaired_by_email);
    return j;
}

/* The findings of the current drift: each organisation and system's latest
 * check that was read. org: one organisation (NULL: all); shared: the Teams
 * team's own findings too; user / id: only those. */
static int drift_query(hy_ctx *c, const char *org, bool shared, const char *user, int64_t id, hy_finding_list *out,
                       hy_err *err)
{
    memset(out, 0, sizeof *out);
    /* One organisation's findings through its rows of idx_reconcile_checks_org:
     * with "?1 IS NULL OR" the index cannot be used and every organisation's
     * last checks were read (each with its subquery) for one partner's home. */
#define DRIFT_SELECT                                                                                               \
    "SELECT f.id, f.run_id, f.organization_id, o.name, f.system, f.kind, f.known, f.user_id, f.email, f.name, "     \
    "f.account_id, f.group_id, f.membership_id, f.grant_execution_id, f.granted_at, f.detail, f.first_seen, "       \
    "k.checked_at, f.repair, f.repaired_at, rb.email FROM reconcile_checks k "                                      \
    "JOIN reconcile_findings f ON f.run_id = k.run_id AND f.organization_id = k.organization_id "                   \
    "AND f.system = k.system LEFT JOIN organizations o ON o.id = f.organization_id "                                \
    "LEFT JOIN users rb ON rb.id = f.repaired_by WHERE k.status != 'error' AND k.checked_ms = ("                    \
    "SELECT max(k2.checked_ms) FROM reconcile_checks k2 WHERE k2.organization_id = k.organization_id "              \
    "AND k2.system = k.system AND k2.status != 'error') AND "
#define DRIFT_REST                                                                                                 \
    " AND (o.id IS NOT NULL OR (k.organization_id = '' AND ?2 = 1)) AND (?3 IS NULL OR f.user_id = ?3) "           \
    "AND (?4 = 0 OR f.id = ?4) ORDER BY k.organization_id = '', o.name COLLATE NOCASE, f.organization_id, "         \
    "f.system, f.kind, coalesce(f.email, f.account_id, ''), f.id"
    hy_stmt *st = db_query(c->db, err,
                           org ? DRIFT_SELECT "k.organization_id = ?1" DRIFT_REST
                               : DRIFT_SELECT "?1 IS NULL" DRIFT_REST,
                           "titI", org, shared ? 1 : 0, user, id);
#undef DRIFT_SELECT
#undef DRIFT_REST
    int cap = 0;
    while (db_row(st)) {
        if (out->count == cap) out->items = xrealloc(out->items, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *out->items);
        hy_finding *f = &out->items[out->count++];
        memset(f, 0, sizeof *f);
        f->id = db_int(st, 0);
        f->run_id = db_dup(st, 1);
        f->organization_id = db_dup(st, 2);
        f->organization_name = db_dup(st, 3);
        f->sys = hy_sys_parse(db_text(st, 4));
        f->kind = hy_drift_parse(db_text(st, 5));
        f->known = db_int(st, 6) != 0;
        f->user_id = db_dup(st, 7);
        f->email = db_dup(st, 8);
        f->name = db_dup(st, 9);
        f->account_id = db_dup(st, 10);
        f->group_id = db_dup(st, 11);
        f->membership_id = db_dup(st, 12);
        f->grant_execution_id = db_dup(st, 13);
        f->granted_at = db_dup(st, 14);
        f->detail = db_dup(st, 15);
        f->first_seen = db_dup(st, 16);
        f->checked_at = db_dup(st, 17);
        f->repair = db_dup(st, 18);
        f->repaired_at = db_dup(st, 19);
        f->repaired_by_email = db_dup(st, 20);
    }
    int rc = db_done(st);
    if (rc) hy_finding_list_free(out);
    return rc;
}

/* The organisation a query is about (NULL: every one p may see), and
 * whether the shared team's own findings are in scope. */
static int query_scope(hy_ctx *c, const hy_principal *p, const char *org_ref, char org[HY_UUID_LEN], const char **out,
                       bool *shared, hy_err *err)
{
    const char *scope = authz_org_scope(p);
    *shared = scope == NULL && !(org_ref && *org_ref);
    *out = NULL;
    if (org_ref && *org_ref) {
        if (ops_find_org(c, p, org_ref, org, err)) return err->code;
        *out = org;
    } else if (scope) {
        if (!*scope) return hy_fail(err, HY_ERR_NOT_FOUND, "this account belongs to no organisation");
        hy_strlcpy(org, scope, HY_UUID_LEN);
        *out = org;
    }
    return 0;
}

int ops_access_drift(hy_ctx *c, const hy_principal *p, const hy_drift_query *q, hy_finding_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin_read(c, p, err)) return err->code;
    char org[HY_UUID_LEN], user[HY_UUID_LEN];
    const char *o;
    bool shared;
    if (query_scope(c, p, q ? q->org_ref : NULL, org, &o, &shared, err)) return err->code;
    if (q && q->user_ref && *q->user_ref && ops_find_user(c, p, q->user_ref, user, err)) return err->code;
    hy_finding_list all;
    int rc = drift_query(c, o, shared, q && q->user_ref && *q->user_ref ? user : NULL, 0, &all, err);
    if (rc) return rc;
    unsigned sys = q && q->systems ? q->systems : HY_SYS_ALL, kinds = q && q->kinds ? q->kinds : 0xfu;
    for (int i = 0; i < all.count; i++) {
        hy_finding *f = &all.items[i];
        if (f->sys < 0 || f->kind < 0 || !(sys & (1u << f->sys)) || !(kinds & (1u << f->kind))) {
            hy_finding_free(f);
            continue;
        }
        out->items = xrealloc(out->items, (size_t)(out->count + 1) * sizeof *out->items);
        out->items[out->count++] = *f;
    }
    free(all.items);
    return 0;
}

int ops_access_finding(hy_ctx *c, const hy_principal *p, int64_t id, hy_finding *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin_read(c, p, err)) return err->code;
    const char *scope = authz_org_scope(p);
    hy_finding_list l;
    int rc = drift_query(c, scope, scope == NULL, NULL, id, &l, err);
    if (rc) return rc;
    if (l.count == 0) {
        hy_finding_list_free(&l);
        return hy_fail(err, HY_ERR_NOT_FOUND,
                       "no finding #%lld in the current drift (a newer check may have replaced it: list them again)",
                       (long long)id);
    }
    *out = l.items[0];
    for (int i = 1; i < l.count; i++) hy_finding_free(&l.items[i]);
    free(l.items);
    return 0;
}

/* ---- the latest checks of an organisation ---- */

static void check_free(hy_access_check *k)
{
    free(k->status);
    free(k->checked_at);
    free(k->note);
    free(k->group_id);
    free(k->read_at);
    memset(k, 0, sizeof *k);
}

static int load_checks(hy_ctx *c, const char *org, hy_access_check out[HY_NSYS], hy_err *err)
{
    for (int s = 0; s < HY_NSYS; s++) memset(&out[s], 0, sizeof out[s]);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT k.system, k.status, k.checked_at, k.note, k.group_id, (SELECT k2.checked_at FROM "
                           "reconcile_checks k2 WHERE k2.organization_id = k.organization_id AND k2.system = k.system "
                           "AND k2.status != 'error' ORDER BY k2.checked_ms DESC LIMIT 1) FROM reconcile_checks k "
                           "WHERE k.organization_id = ?1 AND k.checked_ms = (SELECT max(k3.checked_ms) FROM "
                           "reconcile_checks k3 WHERE k3.organization_id = ?1 AND k3.system = k.system)",
                           "t", org);
    while (db_row(st)) {
        int s = hy_sys_parse(db_text(st, 0));
        if (s < 0 || out[s].checked) continue;
        out[s].checked = true;
        out[s].status = db_dup(st, 1);
        out[s].checked_at = db_dup(st, 2);
        out[s].note = db_dup(st, 3);
        out[s].group_id = db_dup(st, 4);
        out[s].read_at = db_dup(st, 5);
    }
    return db_done(st);
}

void hy_access_status_free(hy_access_status *s)
{
    free(s->last_check);
    memset(s, 0, sizeof *s);
}

int ops_access_org_status(hy_ctx *c, const hy_principal *p, const char *org_ref, hy_access_status *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char org[HY_UUID_LEN];
    if (ops_begin_read(c, p, err) || ops_find_org(c, p, org_ref, org, err)) return err->code;
    hy_access_check k[HY_NSYS];
    hy_finding_list l;
    int rc = load_checks(c, org, k, err);
    if (rc == 0) rc = drift_query(c, org, false, NULL, 0, &l, err);
    if (rc == 0) {
        out->drift = l.count;
        hy_finding_list_free(&l);
    }
    for (int s = 0; s < HY_NSYS; s++) {
        if (rc == 0 && k[s].checked) {
            if (!out->last_check || strcmp(k[s].checked_at, out->last_check) > 0) {
                free(out->last_check);
                out->last_check = xstrdup(k[s].checked_at);
            }
            if (hy_streq(k[s].status, "error")) out->last_failed = true;
        }
        check_free(&k[s]);
    }
    if (rc) hy_access_status_free(out);
    return rc;
}

/* ---- the matrix ---- */

const char *hy_cell_label(hy_cell c)
{
    switch (c) {
    case HY_CELL_OK: return "ok";
    case HY_CELL_MISSING: return "missing";
    case HY_CELL_UNEXPECTED: return "unexpected";
    case HY_CELL_REVOKED: return "revoked";
    case HY_CELL_UNCHECKED: return "not checked";
    case HY_CELL_NONE: break;
    }
    return "-";
}

static void row_free(hy_matrix_row *r)
{
    free(r->user_id);
    free(r->email);
    free(r->name);
    free(r->account_id);
}

void hy_access_matrix_free(hy_access_matrix *m)
{
    free(m->org_id);
    free(m->org_name);
    for (int s = 0; s < HY_NSYS; s++) check_free(&m->check[s]);
    for (int i = 0; i < m->nrows; i++) row_free(&m->rows[i]);
    free(m->rows);
    hy_finding_list_free(&m->groups);
    memset(m, 0, sizeof *m);
}

static hy_matrix_row *add_row(hy_access_matrix *m, const char *user, const char *email, const char *name,
                              const char *account)
{
    m->rows = xrealloc(m->rows, (size_t)(m->nrows + 1) * sizeof *m->rows);
    hy_matrix_row *r = &m->rows[m->nrows++];
    memset(r, 0, sizeof *r);
    r->user_id = user ? xstrdup(user) : NULL;
    r->email = email ? xstrdup(email) : NULL;
    r->name = name ? xstrdup(name) : NULL;
    r->account_id = account ? xstrdup(account) : NULL;
    return r;
}

/* The row of a finding's person (added when not one of the organisation's users). */
static hy_matrix_row *row_for(hy_access_matrix *m, const hy_finding *f)
{
    for (int i = 0; i < m->nrows; i++) {
        hy_matrix_row *r = &m->rows[i];
        if (f->user_id && r->user_id && strcmp(f->user_id, r->user_id) == 0) return r;
        if (!f->user_id && !r->user_id && f->account_id && r->account_id && strcmp(f->account_id, r->account_id) == 0)
            return r;
    }
    hy_matrix_row *r = add_row(m, f->user_id, f->email, f->name, f->account_id);
    r->other_org = true;
    return r;
}

int ops_access_matrix(hy_ctx *c, const hy_principal *p, const char *org_ref, hy_access_matrix *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char org[HY_UUID_LEN];
    if (ops_begin_read(c, p, err) || ops_find_org(c, p, org_ref, org, err)) return err->code;
    out->org_id = xstrdup(org);
    hy_mode modes[HY_NSYS] = {c->cfg->metabase.mode, c->cfg->teams.mode, c->cfg->slack.mode};
    for (int s = 0; s < HY_NSYS; s++) out->compared[s] = modes[s] != HY_MODE_OFF;
    int rc = db_get_text(c->db, err, &out->org_name, "SELECT name FROM organizations WHERE id = ?", "t", org);
    if (rc == 0) rc = load_checks(c, org, out->check, err);
    /* the organisation's users, with their active grants of the three systems */
    hy_stmt *st = rc ? NULL
                     : db_query(c->db, err,
                                "SELECT u.id, u.email, trim(coalesce(u.firstname, '') || ' ' || coalesce(u.lastname, '')), "
                                "(SELECT group_concat(r.name, '|') FROM access_grants g JOIN resources r ON "
                                "r.id = g.resource_id WHERE g.user_id = u.id AND g.revoked_at IS NULL AND "
                                "(g.organization_id = ?1 OR g.organization_id IS NULL)) FROM users u "
                                "WHERE u.organization_id = ?1 ORDER BY lower(u.email)",
                                "t", org);
    while (st && db_row(st)) {
        hy_matrix_row *r = add_row(out, db_text(st, 0), db_text(st, 1), db_text(st, 2), NULL);
        const char *granted = db_text(st, 3);
        for (int s = 0; s < HY_NSYS; s++) {
            bool has = false;
            if (granted) {
                char *needle = xasprintf("|%s|", hy_sys_resource(s)), *hay = xasprintf("|%s|", granted);
                has = strstr(hay, needle) != NULL;
                free(needle);
                free(hay);
            }
            bool read = out->check[s].read_at != NULL;
            r->cell[s] = !has ? HY_CELL_NONE : read ? HY_CELL_OK : HY_CELL_UNCHECKED;
        }
    }
    if (st) rc = db_done(st);
    hy_finding_list l = {0};
    if (rc == 0) rc = drift_query(c, org, false, NULL, 0, &l, err);
    for (int i = 0; rc == 0 && i < l.count; i++) {
        hy_finding *f = &l.items[i];
        out->drift++;
        if (f->sys < 0) continue;
        if (f->kind == HY_DRIFT_UNKNOWN_GROUP) {
            out->groups.items = xrealloc(out->groups.items, (size_t)(out->groups.count + 1) * sizeof *f);
            out->groups.items[out->groups.count++] = *f;
            memset(f, 0, sizeof *f);
            continue;
        }
        hy_matrix_row *r = row_for(out, f);
        r->cell[f->sys] = f->kind == HY_DRIFT_MISSING      ? HY_CELL_MISSING
                          : f->kind == HY_DRIFT_REVOKED    ? HY_CELL_REVOKED
                                                           : HY_CELL_UNEXPECTED;
    }
    hy_finding_list_free(&l);
    if (rc) hy_access_matrix_free(out);
    return rc;
}

static cJSON *check_json(const hy_access_check *k, bool compared)
{
    cJSON *j = cJSON_CreateObject();
    if (!compared) cJSON_AddStringToObject(j, "status", "off");
    else if (!k->checked) cJSON_AddStringToObject(j, "status", "never");
    else {
        add_str(j, "status", k->status);
        add_str(j, "checked_at", k->checked_at);
        add_str(j, "note", k->note);
        add_str(j, "group_id", k->group_id);
        add_str(j, "read_at", k->read_at);
    }
    return j;
}

cJSON *hy_access_matrix_to_json(const hy_access_matrix *m)
{
    cJSON *j = cJSON_CreateObject();
    add_str(j, "organization_id", m->org_id);
    add_str(j, "organization", m->org_name);
    cJSON_AddNumberToObject(j, "drift", m->drift);
    cJSON *checks = cJSON_AddObjectToObject(j, "checks");
    for (int s = 0; s < HY_NSYS; s++) cJSON_AddItemToObject(checks, hy_sys_name(s), check_json(&m->check[s], m->compared[s]));
    cJSON *rows = cJSON_AddArrayToObject(j, "users");
    for (int i = 0; i < m->nrows; i++) {
        const hy_matrix_row *r = &m->rows[i];
        cJSON *x = cJSON_CreateObject();
        add_str(x, "user_id", r->user_id);
        add_str(x, "email", r->email);
        add_str(x, "name", r->name);
        add_str(x, "account_id", r->account_id);
        if (r->other_org) cJSON_AddBoolToObject(x, "not_of_this_organisation", true);
        for (int s = 0; s < HY_NSYS; s++) cJSON_AddStringToObject(x, hy_sys_name(s), hy_cell_label(r->cell[s]));
        cJSON_AddItemToArray(rows, x);
    }
    cJSON *g = cJSON_AddArrayToObject(j, "unknown_groups");
    for (int i = 0; i < m->groups.count; i++) cJSON_AddItemToArray(g, hy_finding_to_json(&m->groups.items[i]));
    return j;
}

/* ---- one person ---- */

void hy_access_user_free(hy_access_user *u)
{
    free(u->user_id);
    free(u->email);
    free(u->organization_name);
    for (int i = 0; i < u->n; i++) {
        hy_access_line *l = &u->lines[i];
        free(l->resource);
        free(l->granted_at);
        free(l->granted_how);
        free(l->execution_id);
        free(l->revoked_at);
        free(l->organization_name);
        free(l->account_id);
        free(l->seen);
        free(l->checked_at);
        free(l->detail);
    }
    free(u->lines);
    memset(u, 0, sizeof *u);
}

static hy_access_line *add_line(hy_access_user *u, const char *resource, int sys)
{
    u->lines = xrealloc(u->lines, (size_t)(u->n + 1) * sizeof *u->lines);
    hy_access_line *l = &u->lines[u->n++];
    memset(l, 0, sizeof *l);
    l->resource = xstrdup(resource);
    l->sys = sys;
    return l;
}

static const char *seen_of(int kind)
{
    switch (kind) {
    case HY_DRIFT_MISSING: return "not there";
    case HY_DRIFT_UNEXPECTED: return "there, not granted";
    case HY_DRIFT_REVOKED: return "revoked, still there";
    default: return "unknown group";
    }
}

int ops_access_user(hy_ctx *c, const hy_principal *p, const char *user_ref, hy_access_user *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    char uid[HY_UUID_LEN];
    if (ops_begin_read(c, p, err) || ops_find_user(c, p, user_ref, uid, err)) return err->code;
    out->user_id = xstrdup(uid);
    char *org = NULL;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT u.email, o.name, u.organization_id FROM users u LEFT JOIN organizations o "
                           "ON o.id = u.organization_id WHERE u.id = ?",
                           "t", uid);
    if (db_row(st)) {
        out->email = db_dup(st, 0);
        out->organization_name = db_dup(st, 1);
        org = db_dup(st, 2);
    }
    int rc = db_done(st);
    hy_grant_list grants = {0};
    if (rc == 0) rc = grant_list_user(c, uid, &grants, err);
    hy_finding_list l = {0};
    /* the user's findings in the organisations p may see */
    if (rc == 0) {
        const char *scope = authz_org_scope(p);
        rc = drift_query(c, scope, false, uid, 0, &l, err);
    }
    for (int s = 0; rc == 0 && s < HY_NSYS; s++) {
        const hy_grant *g = NULL;
        for (int i = 0; i < grants.count && !g; i++)
            if (hy_streq(grants.items[i].resource, hy_sys_resource(s))) g = &grants.items[i];
        hy_access_line *line = add_line(out, hy_sys_resource(s), s);
        if (g) {
            line->granted = g->revoked_at == NULL;
            line->granted_at = g->granted_at ? xstrdup(g->granted_at) : NULL;
            line->granted_how = g->granted_how ? xstrdup(g->granted_how) : NULL;
            line->execution_id = g->execution_id ? xstrdup(g->execution_id) : NULL;
            line->revoked_at = g->revoked_at ? xstrdup(g->revoked_at) : NULL;
            line->organization_name = g->organization_name ? xstrdup(g->organization_name) : NULL;
            line->account_id = g->account_id ? xstrdup(g->account_id) : NULL;
        }
        const hy_finding *f = NULL;
        for (int i = 0; i < l.count && !f; i++)
            if (l.items[i].sys == s) f = &l.items[i];
        if (f) {
            line->seen = xstrdup(seen_of(f->kind));
            line->checked_at = f->checked_at ? xstrdup(f->checked_at) : NULL;
            line->detail = f->detail ? xstrdup(f->detail) : NULL;
            continue;
        }
        /* no finding: what the latest check of the organisation's group says */
        hy_access_check k[HY_NSYS];
        rc = org ? load_checks(c, org, k, err) : 0;
        if (rc) break;
        if (!org || !k[s].checked) line->seen = xstrdup("not checked");
        else if (!k[s].read_at) line->seen = xstrdup("could not be read");
        else line->seen = xstrdup(line->granted ? "present" : hy_streq(k[s].status, "skipped") ? "not checked" : "not there");
        if (org && k[s].checked) line->checked_at = xstrdup(k[s].read_at ? k[s].read_at : k[s].checked_at);
        if (org && k[s].checked && !k[s].read_at) line->detail = k[s].note ? xstrdup(k[s].note) : NULL;
        for (int x = 0; org && x < HY_NSYS; x++) check_free(&k[x]);
    }
    /* what reconciliation does not read (Studio, ...) */
    for (int i = 0; rc == 0 && i < grants.count; i++) {
        const hy_grant *g = &grants.items[i];
        bool read = false;
        for (int s = 0; s < HY_NSYS; s++) read = read || hy_streq(g->resource, hy_sys_resource(s));
        if (read) continue;
        hy_access_line *line = add_line(out, g->resource, -1);
        line->granted = g->revoked_at == NULL;
        line->granted_at = g->granted_at ? xstrdup(g->granted_at) : NULL;
        line->granted_how = g->granted_how ? xstrdup(g->granted_how) : NULL;
        line->execution_id = g->execution_id ? xstrdup(g->execution_id) : NULL;
        line->revoked_at = g->revoked_at ? xstrdup(g->revoked_at) : NULL;
        line->organization_name = g->organization_name ? xstrdup(g->organization_name) : NULL;
    }
    hy_finding_list_free(&l);
    hy_grant_list_free(&grants);
    free(org);
    if (rc) hy_access_user_free(out);
    return rc;
}

cJSON *hy_access_user_to_json(const hy_access_user *u)
{
    cJSON *j = cJSON_CreateObject();
    add_str(j, "user_id", u->user_id);
    add_str(j, "email", u->email);
    add_str(j, "organization", u->organization_name);
    cJSON *arr = cJSON_AddArrayToObject(j, "access");
    for (int i = 0; i < u->n; i++) {
        const hy_access_line *l = &u->lines[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "resource", l->resource);
        if (l->sys >= 0) cJSON_AddStringToObject(x, "system", hy_sys_name(l->sys));
        cJSON_AddBoolToObject(x, "granted", l->granted);
        add_str(x, "granted_at", l->granted_at);
        add_str(x, "granted_how", l->granted_how);
        add_str(x, "granted_by_execution", l->execution_id);
        add_str(x, "revoked_at", l->revoked_at);
        add_str(x, "organization", l->organization_name);
        add_str(x, "account_id", l->account_id);
        add_str(x, "last_seen", l->seen);
        add_str(x, "checked_at", l->checked_at);
        add_str(x, "detail", l->detail);
        cJSON_AddItemToArray(arr, x);
    }
    return j;
}

/* ---- running one ---- */

int ops_reconcile(hy_ctx *c, const hy_principal *p, const hy_reconcile_req *req, hy_reconcile_stats *out,
                  hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err)) return err->code;
    if (!authz_can(p, HY_CAP_RECONCILE))
        return hy_fail(err, HY_ERR_FORBIDDEN, "only administrators and support staff may run a reconciliation");
    char org[HY_UUID_LEN];
    if (req && req->org_ref && *req->org_ref && ops_find_org(c, p, req->org_ref, org, err)) return err->code;
    char owner[400], host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%d:ops:%s", host, (int)getpid(), p->email);
    hy_reconcile_opts o = {.systems = req ? req->systems : 0,
                           .org_id = req && req->org_ref && *req->org_ref ? org : NULL,
                           .actor = p,
                           .by_label = p->email,
                           .owner = owner};
    return reconcile_run(c, &o, out, err);
}
