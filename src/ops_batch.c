/* Batches (ops_bulk.h): the list, one batch line by line, and their JSON.
 * Who sees a batch: whoever sees executions of its workflow in its
 * organisation (authz.h); anyone else gets "not found". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "ops.h"
#include "ops_bulk.h"
#include "ops_refs.h"
#include "sanitize.h"
#include "util.h"

#define BATCH_COLS                                                                                                 \
    "b.id, wd.name, b.organization_id, o.name, u.email, b.source, b.created_at, b.rows_total, b.rows_started, "    \
    "b.rows_skipped "
#define BATCH_FROM                                                                                                 \
    "FROM batches b JOIN workflow_definitions wd ON wd.id = b.workflow_definition_id "                             \
    "LEFT JOIN organizations o ON o.id = b.organization_id LEFT JOIN users u ON u.id = b.requested_by "

void hy_batch_summary_free(hy_batch_summary *s)
{
    free(s->id); free(s->workflow); free(s->organization_id); free(s->organization_name);
    free(s->requested_by_email); free(s->source); free(s->created_at);
    memset(s, 0, sizeof *s);
}

void hy_batch_list_free(hy_batch_list *l)
{
    for (int i = 0; i < l->count; i++) hy_batch_summary_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

void hy_batch_detail_free(hy_batch_detail *d)
{
    hy_batch_summary_free(&d->s);
    for (int i = 0; i < d->count; i++) {
        hy_batch_item *it = &d->items[i];
        free(it->email); free(it->note); free(it->execution_id); free(it->status);
        free(it->current_step_name); free(it->error);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

static void fill(hy_stmt *st, hy_batch_summary *s)
{
    s->id = db_dup(st, 0);
    s->workflow = db_dup(st, 1);
    s->organization_id = db_dup(st, 2);
    s->organization_name = db_dup(st, 3);
    s->requested_by_email = db_dup(st, 4);
    s->source = db_dup(st, 5);
    s->created_at = db_dup(st, 6);
    s->rows_total = (int)db_int(st, 7);
    s->rows_started = (int)db_int(st, 8);
    s->rows_skipped = (int)db_int(st, 9);
}

static bool visible(const hy_principal *p, const hy_batch_summary *s)
{
    return authz_exec_actions(p, workflow_find(s->workflow), s->organization_id) & HY_ACT_SEE;
}

/* Its executions per status (idx_we_batch: a batch's rows only). */
static int count_statuses(hy_ctx *c, hy_batch_summary *s, hy_err *err)
{
    hy_stmt *st = db_query(c->db, err,
                           "SELECT status, count(*) FROM workflow_executions WHERE batch_id = ? GROUP BY status", "t",
                           s->id);
    while (db_row(st)) {
        hy_exec_status x;
        if (hy_exec_status_parse(db_text(st, 0), &x)) s->counts[x] = db_int(st, 1);
    }
    return db_done(st);
}

int ops_batch_list(hy_ctx *c, const hy_principal *p, const char *org_ref, int limit, hy_batch_list *out,
                   hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err) != 0) return err->code;
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return hy_fail(err, HY_ERR_FORBIDDEN, "this account has no access to executions");
    char org[HY_UUID_LEN] = "";
    if (!scope.any_org) hy_strlcpy(org, scope.org_id, sizeof org);
    if (org_ref && *org_ref && ops_find_org(c, p, org_ref, org, err) != 0) return err->code;
    if (limit <= 0 || limit > 1000) limit = 100;
    hy_stmt *st = org[0] ? db_query(c->db, err,
                                    "SELECT " BATCH_COLS BATCH_FROM
                                    "WHERE b.organization_id = ? ORDER BY b.created_at DESC LIMIT ?",
                                    "ti", org, limit)
                         : db_query(c->db, err, "SELECT " BATCH_COLS BATCH_FROM "ORDER BY b.created_at DESC LIMIT ?",
                                    "i", limit);
    int cap = 0;
    while (db_row(st)) {
        hy_batch_summary s = {0};
        fill(st, &s);
        if (!visible(p, &s)) {
            hy_batch_summary_free(&s);
            continue;
        }
        if (out->count == cap) out->items = xrealloc(out->items, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *out->items);
        out->items[out->count++] = s;
    }
    int rc = db_done(st);
    for (int i = 0; rc == 0 && i < out->count; i++) rc = count_statuses(c, &out->items[i], err);
    if (rc) hy_batch_list_free(out);
    return rc;
}

static int not_found(hy_err *err, const char *ref)
{
    char shown[64];
    hy_sanitize_to(ref ? ref : "", shown, sizeof shown);
    return hy_fail(err, HY_ERR_NOT_FOUND, "no batch matches '%s'", shown);
}

int ops_batch_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    id[0] = '\0';
    if (ops_begin(c, p, err) != 0) return err->code;
    if (!ref || hy_empty(ref)) return hy_fail(err, HY_ERR_INVALID, "which batch? give its id (or 4+ characters of it)");
    if (!ops_is_id_prefix(ref)) return not_found(err, ref);
    char lo[HY_UUID_LEN], hi[HY_UUID_LEN + 1];
    size_t n = strlen(ref);
    for (size_t i = 0; i <= n; i++) lo[i] = (char)tolower((unsigned char)ref[i]);
    snprintf(hi, sizeof hi, "%sg", lo); /* ids are [0-9a-f-], all before 'g' */
    hy_stmt *st = db_query(c->db, err,
                           "SELECT " BATCH_COLS BATCH_FROM "WHERE b.id >= ? AND b.id < ? ORDER BY b.id LIMIT 20", "tt",
                           lo, hi);
    int found = 0;
    while (db_row(st)) {
        hy_batch_summary s = {0};
        fill(st, &s);
        if (visible(p, &s) && found++ == 0) hy_strlcpy(id, s.id, HY_UUID_LEN);
        if (visible(p, &s) && hy_streq(s.id, lo)) {
            hy_strlcpy(id, s.id, HY_UUID_LEN);
            found = 1;
            hy_batch_summary_free(&s);
            break;
        }
        hy_batch_summary_free(&s);
    }
    int rc = db_done(st);
    if (rc) return rc;
    if (found == 0) return not_found(err, ref);
    if (found > 1) {
        id[0] = '\0';
        return hy_fail(err, HY_ERR_INVALID, "batch id prefix '%s' is ambiguous: type more of it", lo);
    }
    return 0;
}

static int batch_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_batch_detail *out, hy_err *err)
{
    char id[HY_UUID_LEN];
    if (ops_batch_resolve(c, p, ref, id, err) != 0) return err->code;
    hy_stmt *st = db_query(c->db, err, "SELECT " BATCH_COLS BATCH_FROM "WHERE b.id = ?", "t", id);
    if (db_row(st)) fill(st, &out->s);
    int rc = db_done(st);
    if (rc == 0) rc = count_statuses(c, &out->s, err);
    if (rc == 0)
        st = db_query(c->db, err,
                      "SELECT r.line, r.email, r.note, r.execution_id, e.status, e.current_step_order, s.error "
                      "FROM batch_rows r LEFT JOIN workflow_executions e ON e.id = r.execution_id "
                      "LEFT JOIN workflow_step_executions s ON s.execution_id = e.id "
                      "AND s.step_order = e.current_step_order WHERE r.batch_id = ? ORDER BY r.line",
                      "t", id);
    const hy_workflow_def *wf = workflow_find(out->s.workflow);
    int cap = 0;
    out->settled = true;
    while (rc == 0 && db_row(st)) {
        if (out->count == cap) out->items = xrealloc(out->items, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *out->items);
        hy_batch_item *it = &out->items[out->count++];
        memset(it, 0, sizeof *it);
        it->line = (int)db_int(st, 0);
        it->email = db_dup(st, 1);
        it->note = db_dup(st, 2);
        it->execution_id = db_dup(st, 3);
        it->status = db_dup(st, 4);
        it->current_step = (int)db_int(st, 5);
        it->error = db_dup(st, 6);
        it->nsteps = wf ? wf->nsteps : 0;
        if (wf && it->current_step >= 1 && it->current_step <= wf->nsteps)
            it->current_step_name = xstrdup(wf->steps[it->current_step - 1].name);
        hy_exec_status x = hy_exec_status_of(it->status);
        if (x == HY_EXEC_PENDING || x == HY_EXEC_RUNNING) out->settled = false;
    }
    if (rc == 0) rc = db_done(st);
    if (rc) hy_batch_detail_free(out);
    return rc;
}

/* In one read transaction: the counts and the rows from one snapshot (read
 * apart, a worker's commit between them showed a completed row under
 * "1 queued", and the screen, seeing every row settled, never looked again). */
int ops_batch_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_batch_detail *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    bool read = db_read_begin(c->db);
    int rc = batch_show(c, p, ref, out, err);
    if (read) db_read_end(c->db);
    return rc;
}

/* ---- JSON ---- */

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v) cJSON_AddStringToObject(o, k, v);
    else cJSON_AddNullToObject(o, k);
}

cJSON *hy_batch_summary_to_json(const hy_batch_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    add_str(o, "id", s->id);
    add_str(o, "workflow", s->workflow);
    add_str(o, "organization_id", s->organization_id);
    add_str(o, "organization_name", s->organization_name);
    add_str(o, "requested_by_email", s->requested_by_email);
    add_str(o, "source", s->source);
    add_str(o, "created_at", s->created_at);
    cJSON_AddNumberToObject(o, "rows", s->rows_total);
    cJSON_AddNumberToObject(o, "started", s->rows_started);
    cJSON_AddNumberToObject(o, "skipped", s->rows_skipped);
    cJSON *counts = cJSON_AddObjectToObject(o, "counts");
    for (int i = 0; i < HY_EXEC_NSTATUS; i++)
        cJSON_AddNumberToObject(counts, hy_exec_status_name((hy_exec_status)i), (double)s->counts[i]);
    return o;
}

cJSON *hy_batch_detail_to_json(const hy_batch_detail *d)
{
    cJSON *o = hy_batch_summary_to_json(&d->s);
    cJSON_AddBoolToObject(o, "settled", d->settled);
    cJSON *rows = cJSON_AddArrayToObject(o, "people");
    for (int i = 0; i < d->count; i++) {
        const hy_batch_item *it = &d->items[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "line", it->line);
        add_str(j, "email", it->email);
        add_str(j, "execution_id", it->execution_id);
        add_str(j, "status", it->execution_id ? it->status : "skipped");
        if (it->execution_id) {
            cJSON_AddNumberToObject(j, "current_step", it->current_step);
            add_str(j, "current_step_name", it->current_step_name);
        }
        add_str(j, "error", it->error);
        add_str(j, "note", it->note);
        cJSON_AddItemToArray(rows, j);
    }
    return o;
}

cJSON *hy_bulk_report_to_json(const hy_bulk_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "organization_id", r->org_id);
    add_str(o, "organization_name", r->org_name);
    if (r->batch_id[0]) cJSON_AddStringToObject(o, "batch_id", r->batch_id);
    else cJSON_AddNullToObject(o, "batch_id");
    cJSON_AddNumberToObject(o, "rows", r->nrows);
    cJSON_AddNumberToObject(o, "ready", r->nready);
    cJSON_AddNumberToObject(o, "skipped", r->nskipped);
    cJSON_AddNumberToObject(o, "errors", r->nerrors);
    cJSON *rows = cJSON_AddArrayToObject(o, "lines");
    for (int i = 0; i < r->nrows; i++) {
        const hy_bulk_result *x = &r->rows[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "line", x->line);
        add_str(j, "email", x->email);
        cJSON_AddStringToObject(j, "status", hy_bulk_status_name(x->status));
        add_str(j, "note", x->note);
        add_str(j, "execution_id", x->execution_id);
        cJSON *errs = cJSON_AddArrayToObject(j, "errors");
        for (int k = 0; k < x->nerrors; k++) cJSON_AddItemToArray(errs, cJSON_CreateString(x->errors[k]));
        cJSON_AddItemToArray(rows, j);
    }
    return o;
}
