/* Onboarding many people at once (ops_bulk.h): a file's rows checked with
 * the form's own rules, then started as one batch in one transaction. The
 * batch lists and views are in ops_batch.c. */
#include "ops_bulk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "csv_read.h"
#include "engine.h"
#include "exec_search.h"
#include "ops.h"
#include "ops_refs.h"
#include "sanitize.h"
#include "util.h"

/* ---- the workflow's import form ---- */

/* The step a row fills in: a workflow whose first step only picks the
 * organisation (new_partner_user) takes its second step's form per row. */
static const hy_step_def *import_step(const hy_workflow_def *wf, hy_err *err)
{
    const hy_step_def *s0 = wf->nsteps >= 2 ? &wf->steps[0] : NULL;
    if (!s0 || s0->kind != HY_STEP_MANUAL || s0->nfields != 1 || s0->fields[0].kind != HY_FIELD_PICK ||
        s0->fields[0].attach != HY_ATTACH_ORG || wf->steps[1].kind != HY_STEP_MANUAL ||
        wf->steps[1].nfields > HY_BULK_MAX_COLS) {
        hy_fail(err, HY_ERR_INVALID, "%s cannot be imported from a file (new_partner_user can)", wf->name);
        return NULL;
    }
    return &wf->steps[1];
}

/* The workflow, if p may start it ("not found" otherwise, as ops_exec_start). */
static const hy_workflow_def *startable(const hy_principal *p, const char *name, hy_err *err)
{
    const hy_workflow_def *wf = workflow_find(name);
    if (authz_may_start(p, wf)) return wf;
    char shown[64];
    hy_sanitize_to(name ? name : "", shown, sizeof shown);
    hy_fail(err, HY_ERR_NOT_FOUND, "no workflow named '%s'", shown);
    return NULL;
}

void hy_bulk_input_free(hy_bulk_input *in)
{
    for (int i = 0; i < in->nrows; i++)
        for (int k = 0; k < HY_BULK_MAX_COLS; k++) free(in->rows[i].values[k]);
    free(in->rows);
    memset(in, 0, sizeof *in);
}

int hy_bulk_col(const hy_bulk_input *in, const char *name)
{
    for (int k = 0; k < in->ncols; k++)
        if (hy_streq(in->cols[k], name)) return k;
    return -1;
}

/* ---- parsing ---- */

/* "First Name", "first_name", "FIRSTNAME" -> "firstname". */
static void column_key(const char *s, char *out, size_t n)
{
    size_t w = 0;
    for (; s && *s && w + 1 < n; s++) {
        char ch = *s;
        if (ch == ' ' || ch == '_' || ch == '-' || ch == '\t') continue;
        out[w++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    out[w] = '\0';
}

static void list_names(hy_buf *b, const hy_step_def *sd, bool required_only)
{
    int k = 0;
    for (int i = 0; i < sd->nfields; i++)
        if (!required_only || sd->fields[i].required) hy_buf_printf(b, "%s%s", k++ ? ", " : "", sd->fields[i].name);
}

/* Header -> column of each field; every problem at once, in one message. */
static int map_header(const csv_row *h, const hy_step_def *sd, int col_of[HY_BULK_MAX_COLS], hy_err *err)
{
    for (int i = 0; i < HY_BULK_MAX_COLS; i++) col_of[i] = -1;
    hy_buf unknown = {0}, twice = {0}, missing = {0};
    int nunknown = 0;
    for (int c = 0; c < h->nfields; c++) {
        char key[64], want[64], shown[40];
        column_key(h->fields[c], key, sizeof key);
        hy_sanitize_to(h->fields[c], shown, sizeof shown);
        int f = -1;
        for (int i = 0; i < sd->nfields && f < 0; i++) {
            column_key(sd->fields[i].name, want, sizeof want);
            if (key[0] && strcmp(key, want) == 0) f = i;
        }
        if (f < 0) {
            if (nunknown++ < 8) hy_buf_printf(&unknown, "%s'%s'", nunknown > 1 ? ", " : "", shown);
        } else if (col_of[f] >= 0) {
            hy_buf_printf(&twice, "%s%s (columns %d and %d)", twice.len ? ", " : "", sd->fields[f].name, col_of[f] + 1,
                          c + 1);
        } else {
            col_of[f] = c;
        }
    }
    for (int i = 0; i < sd->nfields; i++)
        if (sd->fields[i].required && col_of[i] < 0)
            hy_buf_printf(&missing, "%s%s", missing.len ? ", " : "", sd->fields[i].name);
    hy_buf msg = {0};
    if (nunknown) {
        hy_buf_printf(&msg, "unknown column%s %s", nunknown > 1 ? "s" : "", unknown.s);
        if (nunknown > 8) hy_buf_printf(&msg, " and %d more", nunknown - 8);
        hy_buf_put(&msg, " (the columns are: ");
        list_names(&msg, sd, false);
        hy_buf_put(&msg, ")");
    }
    if (twice.len) hy_buf_printf(&msg, "%scolumn named twice: %s", msg.len ? "; " : "", twice.s);
    if (missing.len) {
        hy_buf_printf(&msg, "%smissing column%s: %s (required: ", msg.len ? "; " : "",
                      strchr(missing.s, ',') ? "s" : "", missing.s);
        list_names(&msg, sd, true);
        hy_buf_put(&msg, ")");
    }
    int rc = 0;
    if (msg.len) rc = hy_fail(err, HY_ERR_INVALID, "line %d (the header): %s", h->line, msg.s);
    hy_buf_free(&unknown);
    hy_buf_free(&twice);
    hy_buf_free(&missing);
    hy_buf_free(&msg);
    return rc;
}

int ops_bulk_parse(hy_ctx *c, const hy_principal *p, const char *workflow, const char *data, size_t len,
                   hy_bulk_input *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err) != 0) return err->code;
    const hy_workflow_def *wf = startable(p, workflow, err);
    const hy_step_def *sd = wf ? import_step(wf, err) : NULL;
    if (!sd) return err->code;
    csv_table t;
    if (csv_read(data, len, c->cfg->bulk.max_rows, &t, err) != 0) return err->code;
    int col_of[HY_BULK_MAX_COLS];
    if (map_header(&t.header, sd, col_of, err) != 0) {
        csv_table_free(&t);
        return err->code;
    }
    out->workflow = wf->name;
    out->ncols = sd->nfields;
    for (int i = 0; i < sd->nfields; i++) {
        out->cols[i] = sd->fields[i].name;
        out->present[i] = col_of[i] >= 0;
    }
    out->nfilecols = t.header.nfields;
    out->rows = xcalloc((size_t)t.nrows, sizeof *out->rows);
    out->nrows = t.nrows;
    for (int r = 0; r < t.nrows; r++) {
        const csv_row *src = &t.rows[r];
        hy_bulk_row *row = &out->rows[r];
        row->line = src->line;
        row->nfields = src->nfields;
        for (int i = 0; i < sd->nfields; i++)
            if (col_of[i] >= 0 && col_of[i] < src->nfields && col_of[i] < CSV_MAX_COLUMNS)
                row->values[i] = xstrdup(src->fields[col_of[i]]);
    }
    csv_table_free(&t);
    return 0;
}

/* ---- checking ---- */

const char *hy_bulk_status_name(hy_bulk_status s)
{
    return s == HY_BULK_READY ? "ready" : s == HY_BULK_SKIPPED ? "skipped" : "error";
}

void hy_bulk_report_free(hy_bulk_report *r)
{
    for (int i = 0; i < r->nrows; i++) {
        hy_bulk_result *x = &r->rows[i];
        free(x->email);
        free(x->name);
        free(x->note);
        for (int k = 0; k < x->nerrors; k++) {
            free(x->errors[k]);
            free(x->error_fields[k]);
        }
        free(x->errors);
        free(x->error_fields);
        free(x->execution_id);
    }
    free(r->rows);
    free(r->org_name);
    memset(r, 0, sizeof *r);
}

static void row_error(hy_bulk_result *x, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void row_error(hy_bulk_result *x, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    x->errors = xrealloc(x->errors, (size_t)(x->nerrors + 1) * sizeof *x->errors);
    x->error_fields = xrealloc(x->error_fields, (size_t)(x->nerrors + 1) * sizeof *x->error_fields);
    x->errors[x->nerrors] = field && *field ? xasprintf("%s: %s", field, msg) : xstrdup(msg);
    x->error_fields[x->nerrors] = xstrdup(field ? field : "");
    x->nerrors++;
    x->status = HY_BULK_ERROR;
}

/* A row's input object: its non-empty values (an empty value is a value
 * left out, as in the form: studio_companies then means all of them). */
static cJSON *row_input(const hy_bulk_input *in, const hy_bulk_row *row)
{
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < in->ncols; k++)
        if (!hy_empty(row->values[k])) cJSON_AddStringToObject(o, in->cols[k], row->values[k]);
    return o;
}

static void copy_errors(hy_bulk_result *x, const hy_err *e)
{
    for (int k = 0; k < e->nfield; k++) row_error(x, e->field[k].field, "%s", e->field[k].msg);
    if (e->code && !e->nfield) row_error(x, "", "%s", e->msg);
}

typedef struct {
    hy_ctx *c;
    const hy_principal *p;
    const hy_workflow_def *wf;
    const hy_step_def *sd;
    char wf_id[HY_UUID_LEN];
    const char *org;
    bool name_other_orgs;     /* the caller may be told which organisation an address belongs to */
    bool include_existing;
    cJSON *context;
} checker;

/* Who the address belongs to: another organisation (an error), someone of
 * this one already onboarded or being onboarded (skipped), or nobody. */
static int check_existing(checker *k, hy_bulk_result *x, hy_err *err)
{
    hy_stmt *st = db_query(k->c->db, err,
                           "SELECT u.id, u.organization_id, o.name FROM users u LEFT JOIN organizations o "
                           "ON o.id = u.organization_id WHERE lower(u.email) = ?",
                           "t", x->email);
    char uid[HY_UUID_LEN] = "";
    bool other = false;
    char *other_name = NULL;
    if (db_row(st)) {
        hy_strlcpy(uid, db_text(st, 0), sizeof uid);
        other = !hy_streq(db_text(st, 1), k->org);
        other_name = db_dup(st, 2);
    }
    int rc = db_done(st);
    if (rc == 0 && other) {
        if (!k->name_other_orgs)
            row_error(x, "email", "this address cannot be added to your organisation (it is already in use; HyOpps "
                                  "support can help)");
        else if (other_name)
            row_error(x, "email", "belongs to a user of another organisation (%s)", other_name);
        else
            row_error(x, "email", "belongs to an existing user who is in no organisation");
    }
    free(other_name);
    if (rc || other || !uid[0]) return rc;
    char *running = NULL;
    rc = db_get_text(k->c->db, err, &running,
                     "SELECT substr(id, 1, 8) || ', ' || status FROM workflow_executions WHERE user_id = ? "
                     "AND workflow_definition_id = ? AND status IN ('pending', 'running', 'awaiting_input') LIMIT 1",
                     "tt", uid, k->wf_id);
    if (rc == 0 && running) {
        x->status = HY_BULK_SKIPPED;
        x->note = xasprintf("already being onboarded (execution %s)", running);
    }
    free(running);
    if (rc || x->status == HY_BULK_SKIPPED || k->include_existing) return rc;
    bool granted = false;
    int64_t one = 0;
    rc = db_get_int(k->c->db, err, &one, &granted,
                    "SELECT 1 FROM access_grants WHERE user_id = ? AND revoked_at IS NULL LIMIT 1", "t", uid);
    if (rc == 0 && granted) {
        x->status = HY_BULK_SKIPPED;
        x->note = xstrdup("already has access");
    }
    return rc;
}

typedef struct {
    const char *email;
    int i;
} email_at;

static int by_email(const void *a, const void *b)
{
    const email_at *x = a, *y = b;
    int c = strcmp(x->email, y->email);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The same address twice: every later row is an error naming the first. */
static void mark_duplicates(hy_bulk_report *out, const bool *valid)
{
    email_at *v = xcalloc((size_t)(out->nrows ? out->nrows : 1), sizeof *v);
    int n = 0;
    for (int i = 0; i < out->nrows; i++)
        if (valid[i]) v[n++] = (email_at){out->rows[i].email, i};
    qsort(v, (size_t)n, sizeof *v, by_email);
    for (int i = 1; i < n; i++) {
        int first = i - 1;
        while (first > 0 && strcmp(v[first - 1].email, v[i].email) == 0) first--;
        if (strcmp(v[first].email, v[i].email) == 0)
            row_error(&out->rows[v[i].i], "email", "is already on line %d of this file",
                      out->rows[v[first].i].line);
    }
    free(v);
}

static char *row_name(const hy_bulk_input *in, const hy_bulk_row *row)
{
    int f = hy_bulk_col(in, "firstname"), l = hy_bulk_col(in, "lastname");
    const char *fn = f >= 0 && row->values[f] ? row->values[f] : "";
    const char *ln = l >= 0 && row->values[l] ? row->values[l] : "";
    char *s = xasprintf("%s %s", fn, ln);
    char *t = hy_trim(s);
    char *out = xstrdup(t);
    free(s);
    return out;
}

static int check_rows(checker *k, const hy_bulk_input *in, hy_bulk_report *out, hy_err *err)
{
    out->rows = xcalloc((size_t)(in->nrows ? in->nrows : 1), sizeof *out->rows);
    out->nrows = in->nrows;
    bool *valid = xcalloc((size_t)(in->nrows ? in->nrows : 1), sizeof *valid);
    int ecol = hy_bulk_col(in, "email");
    int rc = 0;
    for (int i = 0; i < in->nrows && rc == 0; i++) {
        const hy_bulk_row *row = &in->rows[i];
        hy_bulk_result *x = &out->rows[i];
        x->line = row->line;
        x->name = row_name(in, row);
        if (row->nfields > in->nfilecols)
            row_error(x, "", "has %d fields but the header has %d columns (a value with a comma or semicolon must be "
                             "in quotes)",
                      row->nfields, in->nfilecols);
        cJSON *raw = row_input(in, row), *norm = NULL;
        hy_err rerr;
        hy_err_clear(&rerr);
        int nrc = workflow_normalize_input(k->c, k->p, k->sd, k->context, raw, &norm, &rerr);
        cJSON_Delete(raw);
        if (nrc && nrc != HY_ERR_INVALID) {
            cJSON_Delete(norm);
            *err = rerr;
            rc = nrc;
            break;
        }
        copy_errors(x, &rerr);
        const char *email = wf_str(norm, "email");
        valid[i] = email != NULL;
        x->email = xstrdup(email ? email : ecol >= 0 ? row->values[ecol] : NULL);
        cJSON_Delete(norm);
    }
    if (rc == 0) mark_duplicates(out, valid);
    for (int i = 0; i < out->nrows && rc == 0; i++) {
        hy_bulk_result *x = &out->rows[i];
        if (valid[i] && x->status != HY_BULK_ERROR) rc = check_existing(k, x, err);
    }
    free(valid);
    for (int i = 0; i < out->nrows; i++) {
        hy_bulk_status s = out->rows[i].status;
        out->nready += s == HY_BULK_READY;
        out->nskipped += s == HY_BULK_SKIPPED;
        out->nerrors += s == HY_BULK_ERROR;
    }
    return rc;
}

/* ---- starting ---- */

static int audit_batch(checker *k, const char *batch_id, const hy_bulk_opts *o, const hy_bulk_report *out,
                       hy_err *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", k->wf->name);
    cJSON_AddStringToObject(d, "organization_id", k->org);
    if (o->source) cJSON_AddStringToObject(d, "source", o->source);
    cJSON_AddNumberToObject(d, "rows", out->nrows);
    cJSON_AddNumberToObject(d, "started", out->nready);
    cJSON_AddNumberToObject(d, "skipped", out->nskipped);
    int rc = audit_write(k->c, k->p, "batch.start", "batch", batch_id, d, err);
    cJSON_Delete(d);
    return rc;
}

/* One row: the execution created, audited, given its organisation and the
 * row's input, as ops_exec_start and ops_exec_submit would, its auto steps
 * left queued. Input the engine refuses becomes the row's errors. */
static int start_row(checker *k, const char *batch_id, const hy_bulk_input *in, int i, hy_bulk_result *x,
                     hy_err *err)
{
    char id[HY_UUID_LEN];
    int rc = engine_start_in_batch(k->c, k->p, k->wf, k->org, batch_id, id, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "workflow", k->wf->name);
        cJSON_AddStringToObject(d, "organization_id", k->org);
        cJSON_AddStringToObject(d, "batch_id", batch_id);
        cJSON_AddNumberToObject(d, "line", x->line);
        rc = audit_write(k->c, k->p, "exec.start", "execution", id, d, err);
        cJSON_Delete(d);
    }
    if (rc == 0) {
        cJSON *pick = cJSON_CreateObject();
        cJSON_AddStringToObject(pick, k->wf->steps[0].fields[0].name, k->org);
        rc = engine_submit_queued(k->c, k->p, id, 1, pick, err);
        cJSON_Delete(pick);
    }
    if (rc == 0) {
        cJSON *raw = row_input(in, &in->rows[i]);
        hy_err rerr;
        hy_err_clear(&rerr);
        int src = engine_submit_queued(k->c, k->p, id, 2, raw, &rerr);
        cJSON_Delete(raw);
        if (src == HY_ERR_INVALID) copy_errors(x, &rerr); /* the rows are undone: nothing starts */
        else if (src) {
            *err = rerr;
            rc = src;
        }
    }
    if (rc == 0 && x->status == HY_BULK_READY) x->execution_id = xstrdup(id);
    return rc;
}

static int start_rows(checker *k, const hy_bulk_opts *o, const hy_bulk_input *in, hy_bulk_report *out, hy_err *err)
{
    char batch_id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_uuid(batch_id);
    hy_now_iso(now);
    int rc = db_exec(k->c->db, err,
                     "INSERT INTO batches(id, workflow_definition_id, organization_id, requested_by, source, rows_total, "
                     "rows_started, rows_skipped, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "tttttiiit", batch_id, k->wf_id, k->org, k->p->user_id[0] ? k->p->user_id : NULL, o->source,
                     out->nrows, out->nready, out->nskipped, now);
    if (rc == 0) rc = audit_batch(k, batch_id, o, out, err);
    for (int i = 0; i < out->nrows && rc == 0; i++) {
        hy_bulk_result *x = &out->rows[i];
        if (x->status == HY_BULK_READY) rc = start_row(k, batch_id, in, i, x, err);
        if (rc == 0 && x->status != HY_BULK_ERROR)
            rc = db_exec(k->c->db, err,
                         "INSERT INTO batch_rows(batch_id, line, email, execution_id, note) VALUES(?, ?, ?, ?, ?)",
                         "titt" "t", batch_id, x->line, x->email, x->execution_id, x->note);
        if (x->status == HY_BULK_ERROR) {
            out->nready--;
            out->nerrors++;
        }
    }
    if (rc == 0 && exec_search_due(k->c, true, err, &rc)) rc = exec_search_index(k->c, err);
    if (rc == 0 && out->nerrors == 0) hy_strlcpy(out->batch_id, batch_id, sizeof out->batch_id);
    return rc;
}

/* ---- the whole import ---- */

static int find_org(hy_ctx *c, const hy_principal *p, const char *ref, char org[HY_UUID_LEN], hy_err *err)
{
    char own[HY_UUID_LEN];
    if (!authz_org_choices_any(p, own)) {
        if (!own[0]) return hy_fail(err, HY_ERR_FORBIDDEN, "this account belongs to no organisation");
        hy_strlcpy(org, own, HY_UUID_LEN); /* their own; another one is "not found" */
        char given[HY_UUID_LEN];
        return ref && *ref ? ops_find_org(c, p, ref, given, err) : 0;
    }
    if (!ref || hy_empty(ref)) return hy_fail(err, HY_ERR_INVALID, "which organisation? give --org ORG");
    return ops_find_org(c, p, ref, org, err);
}

/* The organisation as the form's first step takes it (a partner
 * organisation the caller may pick): its error, else its name. */
static int pick_org(checker *k, char **name, hy_err *err)
{
    cJSON *raw = cJSON_CreateObject(), *norm = NULL;
    cJSON_AddStringToObject(raw, k->wf->steps[0].fields[0].name, k->org);
    hy_err ferr;
    hy_err_clear(&ferr);
    int rc = workflow_normalize_input(k->c, k->p, &k->wf->steps[0], NULL, raw, &norm, &ferr);
    cJSON_Delete(raw);
    cJSON_Delete(norm);
    if (rc == HY_ERR_INVALID)
        return hy_fail(err, HY_ERR_INVALID, "this organisation cannot be chosen: %s",
                       ferr.nfield ? ferr.field[0].msg : ferr.msg);
    if (rc) {
        *err = ferr;
        return rc;
    }
    return db_get_text(k->c->db, err, name, "SELECT name FROM organizations WHERE id = ?", "t", k->org);
}

int ops_bulk_import(hy_ctx *c, const hy_principal *p, const hy_bulk_opts *o, const hy_bulk_input *in,
                    hy_bulk_report *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err) != 0) return err->code;
    const hy_workflow_def *wf = startable(p, in->workflow, err);
    const hy_step_def *sd = wf ? import_step(wf, err) : NULL;
    if (!sd) return err->code;
    if (in->nrows == 0) return hy_fail(err, HY_ERR_INVALID, "there are no rows to import");
    if (find_org(c, p, o->org_ref, out->org_id, err) != 0) return err->code;
    char own[HY_UUID_LEN];
    checker k = {.c = c, .p = p, .wf = wf, .sd = sd, .org = out->org_id,
                 .name_other_orgs = authz_org_choices_any(p, own), .include_existing = o->include_existing};
    char *wf_id = NULL;
    int rc = pick_org(&k, &out->org_name, err);
    if (rc == 0) rc = db_get_text(c->db, err, &wf_id, "SELECT id FROM workflow_definitions WHERE name = ?", "t", wf->name);
    if (rc == 0 && !wf_id) rc = hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not in the database", wf->name);
    if (rc) {
        free(wf_id);
        hy_bulk_report_free(out);
        return rc;
    }
    hy_strlcpy(k.wf_id, wf_id, sizeof k.wf_id);
    free(wf_id);
    k.context = cJSON_CreateObject();
    cJSON_AddStringToObject(k.context, "organization_id", out->org_id);
    cJSON_AddStringToObject(k.context, "organization_name", out->org_name ? out->org_name : "");
    cJSON_AddStringToObject(k.context, "workflow", wf->name);
    /* Starting: checked again under the write lock, so that what is
     * started is what was checked. */
    if (!o->dry_run && db_begin(c->db, err) != 0) rc = err->code;
    if (rc == 0) rc = check_rows(&k, in, out, err);
    if (rc == 0 && !o->dry_run && out->nerrors == 0 && out->nready > 0) rc = start_rows(&k, o, in, out, err);
    if (rc == 0 && out->nerrors)
        rc = hy_fail(err, HY_ERR_INVALID, "%d of %d row%s %s errors: nothing was started", out->nerrors, out->nrows,
                     out->nrows == 1 ? "" : "s", out->nerrors == 1 ? "has" : "have");
    if (!o->dry_run && db_in_tx(c->db)) {
        hy_err keep = *err;
        rc = ops_finish(c, rc, err);
        if (keep.code == HY_ERR_INVALID && out->nerrors) *err = keep;
    }
    cJSON_Delete(k.context);
    if (rc && out->nerrors == 0) hy_bulk_report_free(out);
    if (rc && out->nerrors) {
        /* nothing was started: no row keeps an execution id */
        out->batch_id[0] = '\0';
        for (int i = 0; i < out->nrows; i++) {
            free(out->rows[i].execution_id);
            out->rows[i].execution_id = NULL;
        }
    }
    return rc;
}
