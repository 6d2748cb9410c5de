/* ops for workflow executions: what a person can do with them, each
 * function checking the caller (ops.h conventions).
 *
 * Who may do what:
 *  - admins: everything;
 *  - partner admins: start, list, show, fill in, retry and cancel
 *    new_partner_user executions of their own organisation; any other
 *    execution answers HY_ERR_NOT_FOUND, as if it did not exist; skip, done
 *    by hand and re-run answer HY_ERR_FORBIDDEN;
 *  - users (no panel access): nothing.
 *
 * References to executions (`ref`) are an id or a unique id prefix of at
 * least 4 characters, as git does; an ambiguous prefix is an error listing
 * the candidates. Steps (`step`) are a step name or its number ("3").
 *
 * Auto steps that wait on no network (simulated integrations, Studio) are
 * run by the action that queues them (submit, retry, skip, done by hand,
 * re-run), in its own transaction, before it returns: a few hundred
 * microseconds, at most about 20 ms, then the rest is left queued ([engine]
 * inline_local_steps, engine.h). Steps that wait on a service (live) are
 * run by runners: `hyopps worker`, the runner thread of an interactive
 * process (call runner_kick() after an action that queues work), or `exec
 * wait`. */
#ifndef HY_OPS_EXEC_H
#define HY_OPS_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ctx.h"
#include "principal.h"
#include "workflows.h"

#include "status.h"

/* One execution in a list. */
typedef struct {
    char *id;
    char *workflow;                 /* "new_partner_user" */
    char *status;
    char *organization_id, *organization_name;   /* NULL until attached */
    char *user_id, *user_email;                  /* NULL until attached */
    char *user_name;                             /* "Jane Doe", NULL until attached */
    char *requested_by_email;
    int current_step, nsteps;
    char *current_step_name, *current_step_label, *current_step_status;
    char *error;                    /* the current step's error, or NULL */
    char *waiting_since;            /* when the current step began waiting for input, or NULL */
    bool late;                      /* it has waited longer than [notify] remind_after_hours */
    char *created_at, *updated_at, *completed_at;
    char *scheduled_for;            /* status scheduled: when it starts (ISO), else NULL */
    char *parent_id;                /* started by another execution's step (a child), or NULL */
    int nskipped, nmanual;          /* completed: steps skipped / done by hand (not run by HyOpps) */
    int64_t cursor;                 /* for paging (hy_exec_query.before) */
} hy_exec_summary;

typedef enum {
    HY_EXEC_NEWEST = 0,      /* newest first (created_at) */
    HY_EXEC_LONGEST_IN_STATE /* longest in their state first (updated_at): unfinished executions only */
} hy_exec_order;

typedef struct {
    const char *status;      /* one status name, or NULL for all */
    const char *org_ref;     /* an organisation (id, prefix or exact name), or NULL */
    const char *batch_ref;   /* one batch (id or prefix: ops_bulk.h), or NULL */
    /* Case-insensitive substring of the organisation name, the user's email
     * or name, or the id (3 characters or more); 1-2 characters match id
     * prefixes. */
    const char *search;
    int limit;               /* 0 = 100; at most 1000 */
    int64_t before;          /* 0 = newest first; else next_before of the previous page */
    /* Longest in their state first: only with an unfinished status
     * (pending, running, awaiting_input, failed) or stuck_hours; else a
     * field error "order". */
    hy_exec_order order;
    /* > 0: only unfinished executions whose state has not changed for this
     * many hours (stuck), longest first; with status, of that status
     * (which must be unfinished). At most 8760. */
    int stuck_hours;
} hy_exec_query;

#define HY_EXEC_COUNT_CAP 10000

typedef struct {
    hy_exec_summary *items;  /* newest first */
    int count;
    bool more;               /* another page follows: pass next_before as before */
    int64_t next_before;
    /* Executions per status matching org and search (not the status filter),
     * and their total. With a search matching more than HY_EXEC_COUNT_CAP
     * executions, counts_exact is false and the counts are lower bounds
     * (show them as "10000+"). */
    int64_t counts[HY_EXEC_NSTATUS];
    int64_t total;
    bool counts_exact;
    /* Executions matching the whole query (status and stuck too): the
     * list's "12 of 340". */
    int64_t matched;
} hy_exec_page;

int ops_exec_list(hy_ctx *c, const hy_principal *p, const hy_exec_query *q, hy_exec_page *out, hy_err *err);
void hy_exec_page_free(hy_exec_page *pg);
/* A deep copy (every summary and string): dst is the caller's to free. */
void hy_exec_page_copy(const hy_exec_page *src, hy_exec_page *dst);

int ops_exec_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err);

/* One step of an execution, as `exec show` and the TUI show it. */
typedef struct {
    int order;
    char *id, *name, *label, *description;
    bool manual;
    char *integration, *mode;       /* auto steps: "metabase", "simulate"|"live"|"off" */
    char *status;
    char *input_json, *output_json; /* JSON text, or NULL */
    char *input_by_email, *input_at;
    char *completed_by_email, *started_at, *completed_at;
    char *error;
    int attempts;
    char *next_attempt_at;          /* a retry is due then (ISO), or NULL */
    int max_attempts;               /* auto steps: automatic attempts at most ([http] max_attempts) */
    char *lease_owner, *lease_expires_at;   /* while running */
    bool completed_manually;
    char *note;                     /* skip reason or "done by hand" note */
    char *attempt_log_json;         /* [{at, duration_ms, runner, error, transient, lost}] */
    char *calls_json;               /* [{at, service, method, path, status, duration_ms, error?, new_connections?}] */
} hy_exec_step;

/* A notification about an execution (or in the outbox): one recipient on
 * one channel; an event not addressed yet (status "due") or that needed
 * nobody any more ("dropped", error says why) has no channel. */
typedef struct {
    int64_t id;                 /* the outbox row, 0 for an event without one */
    char *created_at, *event, *execution_id, *channel, *recipient, *status, *subject, *error, *sent_at;
    int step_order, attempts;
    bool uncertain;             /* it may have arrived twice (or not at all, when status is "uncertain") */
} hy_notice;

/* A child execution (started by a step of this one: an offboarding's
 * revocations), as its parent shows it. */
typedef struct {
    char *id, *workflow, *status, *user_email;
    char *current_step_name, *error;    /* error: the current step's, or NULL */
} hy_exec_child;

typedef struct {
    hy_exec_summary s;
    char *requested_by, *cancelled_by_email, *cancelled_at;
    hy_exec_child *children;    /* oldest first (those the caller may see) */
    int nchildren;
    hy_notice *notices;         /* its notifications, oldest first (staff: all; others: their own) */
    int nnotices;
    hy_exec_step *steps;
    int nsteps;
    /* what the caller may do now (for enabling keys in a UI) */
    bool can_input, can_retry, can_cancel, can_skip, can_mark_done, can_rerun, can_reschedule;
    bool can_retry_now;             /* the current step waits between automatic attempts */
} hy_exec_detail;

int ops_exec_show(hy_ctx *c, const hy_principal *p, const char *ref, hy_exec_detail *out, hy_err *err);
void hy_exec_summary_free(hy_exec_summary *s);
void hy_exec_detail_free(hy_exec_detail *d);
cJSON *hy_exec_summary_to_json(const hy_exec_summary *s);
cJSON *hy_exec_detail_to_json(const hy_exec_detail *d);

/* The "awaiting input" inbox: waiting manual steps, oldest first. */
typedef struct {
    char *execution_id, *workflow, *step_name, *step_label;
    int step_order;
    char *organization_name, *user_email;   /* may be NULL */
    char *since;                 /* when the step started waiting (ISO) */
    int64_t age_s;
    bool late;                   /* longer than [notify] remind_after_hours */
} hy_inbox_item;

typedef struct {
    hy_inbox_item *items;
    int count;
} hy_inbox;

int ops_exec_inbox(hy_ctx *c, const hy_principal *p, int limit, hy_inbox *out, hy_err *err);
/* How many steps p may see have waited for input longer than [notify]
 * remind_after_hours (the SLA mark of the inbox and the list). */
int ops_exec_late_count(hy_ctx *c, const hy_principal *p, int64_t *out, hy_err *err);
/* Is a step that began waiting at `since` late now? */
bool ops_exec_is_late(const hy_ctx *c, const char *since);
void hy_inbox_free(hy_inbox *in);

/* The workflows this caller may start (names in hy_workflows order). */
int ops_exec_workflows(hy_ctx *c, const hy_principal *p, const hy_workflow_def **out, int max, int *n,
                       hy_err *err);

/* Starts a workflow. org_ref: the organisation it is about, for a workflow
 * whose first step picks an organisation (one that only picks it, as
 * new_partner_user's, is filled in) or a user (offered among that
 * organisation's); partner admins always get their own organisation. */
int ops_exec_start(hy_ctx *c, const hy_principal *p, const char *workflow, const char *org_ref,
                   char id_out[HY_UUID_LEN], hy_err *err);

/* Everything a start may say at once, in one transaction (nothing is
 * started when any part is refused):
 *   at     NULL or "": now; else when the execution starts (HY_FIELD_WHEN
 *          syntax, field error "at"): it is scheduled until then, after the
 *          first step's input when that is given;
 *   input  NULL, or the first step's input (as ops_exec_submit takes it;
 *          its field errors are the start's);
 *   step   NULL, or the step (name or number) input is for: the form the
 *          new execution waits at first (after the organisation, when the
 *          first step only picks that: step 2 of new_partner_user), as
 *          ops_exec_start_form showed it; any other step is a conflict.
 *          Every field error at once, and then nothing exists. */
typedef struct {
    const char *workflow;
    const char *org_ref;
    const char *at;
    const cJSON *input;
    const char *step;
} hy_exec_start;
int ops_exec_start_ex(hy_ctx *c, const hy_principal *p, const hy_exec_start *st, char id_out[HY_UUID_LEN],
                      hy_err *err);
/* Whether `at` would do for a start (the same field error "at" as
 * ops_exec_start_ex), before a form is filled in. */
int ops_exec_check_at(const char *at, hy_err *err);

/* A scheduled execution starts at `at` instead (HY_FIELD_WHEN syntax;
 * "now" starts it at once). Admins, and partner admins for their
 * organisation; audited "exec.reschedule". */
int ops_exec_reschedule(hy_ctx *c, const hy_principal *p, const char *ref, const char *at, hy_err *err);

/* A new request without an abandoned execution: the form of the step a new
 * execution would wait at first (org_ref as for ops_exec_start, except that
 * an admin's is taken as the organisation field takes it: a name, the
 * start of one, or an id; with it, new_partner_user's first form is the
 * user's details, and the form's context holds the organization_id it
 * resolved to), built exactly as
 * ops_exec_form would, and nothing is created (execution_id is NULL). A
 * workflow that starts with an automatic step answers HY_ERR_CONFLICT:
 * start it with ops_exec_start. The same organisation errors as a start. */
int ops_exec_start_form(hy_ctx *c, const hy_principal *p, const char *workflow, const char *org_ref,
                        hy_step_form *out, hy_err *err);
/* ops_exec_start_ex with .step: starts the workflow and submits that first
 * form's input (step: its name or number) in one transaction: every field error at once, and then
 * nothing exists (no execution, no audit row). id_out: the new execution. */
int ops_exec_start_with_input(hy_ctx *c, const hy_principal *p, const char *workflow, const char *org_ref,
                              const char *step, const cJSON *input, char id_out[HY_UUID_LEN], hy_err *err);

/* The form of the step waiting for input: fields with defaults and choices
 * (organisations, the organisation's Studio companies), info lines. */
int ops_exec_form(hy_ctx *c, const hy_principal *p, const char *ref, hy_step_form *out, hy_err *err);

/* Submits a waiting step's input: a JSON object of field -> string
 * (booleans and arrays of strings are accepted too; a key given twice is
 * refused). Every field error at once (err->field[]); nothing changes then. */
int ops_exec_submit(hy_ctx *c, const hy_principal *p, const char *ref, const char *step, const cJSON *input,
                    hy_err *err);
/* key=value strings -> the input object for ops_exec_submit (caller
 * deletes). A malformed pair is a field error under "input". */
int ops_exec_input_from_pairs(int n, char *const *pairs, cJSON **out, hy_err *err);
/* JSON text (len bytes) -> the input object (caller deletes): one object;
 * a key given twice or a NUL (\u0000) in a key or value is a field error
 * (json_input.h). */
int ops_exec_input_from_json(const char *text, size_t len, cJSON **out, hy_err *err);

int ops_exec_retry(hy_ctx *c, const hy_principal *p, const char *ref, hy_err *err);
/* The current step waits between automatic attempts (can_retry_now): its
 * next attempt is due now (the runners take it). Who may retry may do it;
 * audited as exec.retry_now. */
int ops_exec_retry_now(hy_ctx *c, const hy_principal *p, const char *ref, hy_err *err);
/* Admin only. reason/note: required, at most 500 bytes. */
int ops_exec_skip(hy_ctx *c, const hy_principal *p, const char *ref, const char *step, const char *reason,
                  hy_err *err);
int ops_exec_mark_done(hy_ctx *c, const hy_principal *p, const char *ref, const char *step, const char *note,
                       hy_err *err);
int ops_exec_rerun(hy_ctx *c, const hy_principal *p, const char *ref, const char *from_step, hy_err *err);
/* Admin, or a partner admin for their organisation's new_partner_user. */
int ops_exec_cancel(hy_ctx *c, const hy_principal *p, const char *ref, hy_err *err);

#endif
