/* ops for onboarding many people at once: a CSV file (admins, CLI and TUI)
 * or rows pasted in the TUI (partner admins too) become one execution of
 * new_partner_user each, tagged with one batch.
 *
 *   parse   the file's columns are the fields of input_user_details
 *           (firstname, lastname, email required; languages, skills,
 *           roles, studio_companies optional), in any order (csv_read.h
 *           says what files are read);
 *   check   every row with the form's own normalisation and rules
 *           (workflow_normalize_input; at start the step's apply through
 *           the engine), plus: the same email twice in the file, an email
 *           of another organisation (partner admins get a refusal that does
 *           not say where the address is used), an email already onboarded
 *           in this organisation ("already has access": skipped, unless
 *           include_existing) or being onboarded (skipped);
 *   start   only when no row has an error: the batch, its rows and every
 *           execution in ONE transaction (all or none). Their auto steps
 *           are left to the runners, which take people's one-off requests
 *           before a batch's steps (engine.h, engine_start_in_batch).
 *
 * Who: whoever may start the workflow (authz.h); partner admins only for
 * their own organisation (another one answers "not found"). */
#ifndef HY_OPS_BULK_H
#define HY_OPS_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "ops_exec.h"
#include "principal.h"

/* ---- the rows ---- */

#define HY_BULK_MAX_COLS 8

/* Rows to import, one value per column of the step's form (NULL where the
 * file has no such column). A UI may change values and check again. */
typedef struct {
    int line;                            /* where the row starts in the file (or the pasted text) */
    int nfields;                         /* fields the row had; more than ncols is an error */
    char *values[HY_BULK_MAX_COLS];      /* by column, as given */
} hy_bulk_row;

typedef struct {
    const char *workflow;                /* "new_partner_user" */
    int ncols;
    const char *cols[HY_BULK_MAX_COLS];  /* field names: firstname, lastname, email, ... (form order) */
    bool present[HY_BULK_MAX_COLS];      /* the file had this column */
    int nfilecols;                       /* columns of the file's header */
    hy_bulk_row *rows;
    int nrows;
} hy_bulk_input;

void hy_bulk_input_free(hy_bulk_input *in);
/* Column index of a field name, or -1. */
int hy_bulk_col(const hy_bulk_input *in, const char *name);

/* A CSV file (or pasted rows with a header) -> rows. File-level problems
 * (encoding, quotes, limits, a missing or unknown column) are one error
 * naming the line or the columns; nothing is filled then. At most [bulk]
 * max_rows rows and 1 MiB. */
int ops_bulk_parse(hy_ctx *c, const hy_principal *p, const char *workflow, const char *data, size_t len,
                   hy_bulk_input *out, hy_err *err);

/* ---- checking and starting ---- */

typedef enum { HY_BULK_READY = 0, HY_BULK_SKIPPED, HY_BULK_ERROR } hy_bulk_status;
const char *hy_bulk_status_name(hy_bulk_status s);   /* "ready", "skipped", "error" */

typedef struct {
    int line;
    char *email;             /* normalised when valid, else as given (may be NULL) */
    char *name;              /* "First Last" as given, for the preview */
    hy_bulk_status status;
    char *note;              /* skipped: why ("already has access") */
    int nerrors;
    char **errors;           /* every error of the row: "email: is not a valid email address" */
    char **error_fields;     /* the column each error is about ("" for the row) */
    char *execution_id;      /* once started */
} hy_bulk_result;

typedef struct {
    char org_id[HY_UUID_LEN];
    char *org_name;
    int nrows, nready, nskipped, nerrors;
    hy_bulk_result *rows;    /* in input order */
    char batch_id[HY_UUID_LEN];  /* once started ("" before) */
} hy_bulk_report;

void hy_bulk_report_free(hy_bulk_report *r);

typedef struct {
    const char *org_ref;     /* the organisation (id, name or prefix); NULL = a partner admin's own */
    const char *source;      /* for the batch: the file's name, "standard input", "pasted rows" */
    bool dry_run;            /* check only */
    bool include_existing;   /* people who already have access are onboarded again */
} hy_bulk_opts;

/* Checks every row (report filled, row by row) and, unless dry_run, starts
 * the ready ones as one batch. Returns 0 when nothing is wrong (started, or
 * nothing to start because every row was skipped); HY_ERR_INVALID with the
 * report filled when rows have errors (nothing started); another code
 * (report empty) when the import itself is refused (organisation,
 * authorization). */
int ops_bulk_import(hy_ctx *c, const hy_principal *p, const hy_bulk_opts *o, const hy_bulk_input *in,
                    hy_bulk_report *out, hy_err *err);

/* ---- batches ---- */

typedef struct {
    char *id, *workflow, *organization_id, *organization_name, *requested_by_email, *source, *created_at;
    int rows_total, rows_started, rows_skipped;
    int64_t counts[HY_EXEC_NSTATUS];  /* its executions per status, now */
} hy_batch_summary;

typedef struct {
    hy_batch_summary *items;  /* newest first */
    int count;
} hy_batch_list;

/* Batches the caller may see (partner admins: their organisation's),
 * newest first; org_ref narrows to one organisation. */
int ops_batch_list(hy_ctx *c, const hy_principal *p, const char *org_ref, int limit, hy_batch_list *out,
                   hy_err *err);
void hy_batch_list_free(hy_batch_list *l);

/* One line of a batch: the execution it started (its status, step and
 * error now) or why it was skipped. */
typedef struct {
    int line;
    char *email;
    char *note;                              /* skipped: why */
    char *execution_id;                      /* NULL when skipped */
    char *status, *current_step_name, *error;
    int current_step, nsteps;
} hy_batch_item;

typedef struct {
    hy_batch_summary s;
    hy_batch_item *items;     /* by line */
    int count;
    bool settled;             /* no execution is pending or running */
} hy_batch_detail;

/* ref: a batch id or a unique prefix (4+ characters). */
int ops_batch_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err);
int ops_batch_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_batch_detail *out, hy_err *err);
void hy_batch_detail_free(hy_batch_detail *d);
void hy_batch_summary_free(hy_batch_summary *s);
cJSON *hy_batch_summary_to_json(const hy_batch_summary *s);
cJSON *hy_batch_detail_to_json(const hy_batch_detail *d);
cJSON *hy_bulk_report_to_json(const hy_bulk_report *r);

#endif
