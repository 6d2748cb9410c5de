/* Runners: find the next runnable step, claim it, run it, record the result
 * (DESIGN.md engine invariants 1-8). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "engine_internal.h"
#include "exec_search.h"
#include "integrations/http.h"
#include "step_support.h"
#include "notify.h"
#include "util.h"

#define DEFAULT_LEASE_MS 30000
#define DEFAULT_BATCH 64          /* local steps per transaction */
#define BATCH_MS 3                /* ... and at most this long, so others get the lock */
#define CHECKPOINT_MS 250         /* a runner copies the WAL back at most this often */
#define PARK_MS 5000             /* an execution the engine could not handle waits this long */
#define UNKNOWN_WORKFLOW_MS 60000

engine_fault_fn ex_fault_fn;
void *ex_fault_ud;

void engine_test_set_fault(engine_fault_fn fn, void *ud)
{
    ex_fault_fn = fn;
    ex_fault_ud = ud;
}

struct hy_engine {
    hy_ctx *c;
    int64_t last_checkpoint;     /* monotonic ms */
    bool no_checkpoints;         /* a checkpointer thread does them (engine_leave_checkpoints) */
    int lease_ms, batch_max;
    char *only_exec, *only_user;
    char owner[160];
    hy_principal sys;
    lease_keeper *keeper;        /* started at the first remote step */
    hy_integ *integ;             /* the live client: its connections are reused from step to step */
    hy_engine_stats stats;
    int64_t deadline;            /* monotonic ms: run_local starts no step after it (0 = none) */
};

int engine_open(hy_ctx *c, const hy_engine_opts *o, hy_engine **out, hy_err *err)
{
    (void)err;
    hy_engine *e = xcalloc(1, sizeof *e);
    e->c = c;
    e->lease_ms = o && o->lease_ms > 0 ? o->lease_ms : DEFAULT_LEASE_MS;
    e->batch_max = o && o->batch_max > 0 ? o->batch_max : DEFAULT_BATCH;
    e->only_exec = o ? xstrdup(o->only_execution) : NULL;
    e->only_user = o ? xstrdup(o->only_requested_by) : NULL;
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    /* Unique per engine: two runners started from one thread (runner_start
     * opens the engine before its thread exists) must not share leases. */
    static atomic_long opened;
    long n = atomic_fetch_add(&opened, 1);
    int w = snprintf(e->owner, sizeof e->owner, "%s:%ld:%ld", host, (long)getpid(), (long)syscall(SYS_gettid));
    if (n > 0 && w > 0 && (size_t)w < sizeof e->owner) snprintf(e->owner + w, sizeof e->owner - (size_t)w, ".%ld", n);
    principal_system(&e->sys);
    e->integ = integ_new(c->cfg);
    *out = e;
    return 0;
}

void engine_close(hy_engine *e)
{
    if (!e) return;
    lease_keeper_free(e->keeper);
    integ_free(e->integ);
    free(e->only_exec);
    free(e->only_user);
    free(e);
}

const char *engine_owner(const hy_engine *e) { return e->owner; }

void engine_get_stats(const hy_engine *e, hy_engine_stats *out) { *out = e->stats; }

int engine_next_due(hy_engine *e, int64_t *due, hy_err *err)
{
    hy_stmt *st;
    if (e->only_exec) /* it and its children (idx_we_child_of) */
        st = db_query(e->c->db, err,
                      "SELECT min(next_run_at) FROM workflow_executions WHERE (id = ?1 OR child_of = ?1) "
                      "AND next_run_at IS NOT NULL",
                      "t", e->only_exec);
    else if (e->only_user)
        st = db_query(e->c->db, err,
                      "SELECT min(next_run_at) FROM workflow_executions WHERE next_run_at IS NOT NULL AND requested_by = ?",
                      "t", e->only_user);
    else /* each lane's first (idx_we_runnable: run_lane, next_run_at) */
        st = db_query(e->c->db, err,
                      "SELECT min(m) FROM (SELECT min(next_run_at) AS m FROM workflow_executions WHERE run_lane = 0 "
                      "AND next_run_at IS NOT NULL UNION ALL SELECT min(next_run_at) FROM workflow_executions "
                      "WHERE run_lane = 1 AND next_run_at IS NOT NULL)",
                      "");
    *due = -1;
    if (db_row(st) && !db_null(st, 0)) *due = db_int(st, 0);
    return db_done(st);
}

/* The next due execution: lane 0 (one-off requests) first, then lane 1
 * (batches), each oldest due first. A batch of 500 is worked through
 * without starving the requests people make meanwhile: theirs is taken at
 * the next pick. */
static int find_runnable(hy_engine *e, int64_t now, char id[HY_UUID_LEN], hy_err *err)
{
    id[0] = '\0';
    for (int lane = 0; lane <= 1 && !id[0]; lane++) {
        hy_stmt *st;
        if (e->only_exec)
            st = db_query(e->c->db, err,
                          "SELECT id FROM workflow_executions WHERE (id = ?1 OR child_of = ?1) "
                          "AND next_run_at IS NOT NULL AND next_run_at <= ?2 ORDER BY next_run_at LIMIT 1",
                          "tI", e->only_exec, now);
        else if (e->only_user)
            st = db_query(e->c->db, err,
                          "SELECT id FROM workflow_executions WHERE next_run_at IS NOT NULL AND next_run_at <= ? "
                          "AND requested_by = ? ORDER BY run_lane, next_run_at LIMIT 1",
                          "It", now, e->only_user);
        else
            st = db_query(e->c->db, err,
                          "SELECT id FROM workflow_executions WHERE run_lane = ? AND next_run_at IS NOT NULL "
                          "AND next_run_at <= ? ORDER BY next_run_at LIMIT 1",
                          "iI", lane, now);
        if (db_row(st)) hy_strlcpy(id, db_text(st, 0), HY_UUID_LEN);
        int rc = db_done(st);
        if (rc || e->only_exec || e->only_user) return rc;
    }
    return 0;
}

/* ---- the step row ---- */

typedef struct {
    hy_step_status status;
    int attempts;
    char owner[160];
    bool has_lease, has_next;
    int64_t lease_exp, next_attempt;
    char *attempt_log, *calls, *checkpoint;
} step_row;

static void step_row_free(step_row *r)
{
    free(r->attempt_log);
    free(r->calls);
    free(r->checkpoint);
    memset(r, 0, sizeof *r);
}

static int load_step_row(hy_engine *e, const char *step_id, step_row *r, hy_err *err)
{
    memset(r, 0, sizeof *r);
    hy_stmt *st = db_query(e->c->db, err,
                           "SELECT status, attempts, lease_owner, lease_expires_at, next_attempt_at, attempt_log, "
                           "calls, checkpoint FROM workflow_step_executions WHERE id = ?",
                           "t", step_id);
    if (db_row(st)) {
        r->status = hy_step_status_of(db_text(st, 0));
        r->attempts = (int)db_int(st, 1);
        hy_strlcpy(r->owner, db_text(st, 2), sizeof r->owner);
        r->has_lease = !db_null(st, 3);
        r->lease_exp = db_int(st, 3);
        r->has_next = !db_null(st, 4);
        r->next_attempt = db_int(st, 4);
        r->attempt_log = db_dup(st, 5);
        r->calls = db_dup(st, 6);
        r->checkpoint = db_dup(st, 7);
    }
    return db_done(st);
}

/* [{at, duration_ms, runner, error?, transient?, lost?}], appended. */
static char *log_append(const char *existing, int64_t at_ms, int64_t dur_ms, const char *owner, const char *error,
                        bool transient, bool lost)
{
    cJSON *arr = existing ? cJSON_Parse(existing) : NULL;
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        arr = cJSON_CreateArray();
    }
    cJSON *a = cJSON_CreateObject();
    char at[HY_TIME_LEN];
    hy_iso_from_ms(at_ms, at);
    cJSON_AddStringToObject(a, "at", at);
    cJSON_AddNumberToObject(a, "duration_ms", (double)dur_ms);
    cJSON_AddStringToObject(a, "runner", owner);
    if (error) {
        cJSON_AddStringToObject(a, "error", error);
        cJSON_AddBoolToObject(a, "transient", transient);
    }
    if (lost) cJSON_AddBoolToObject(a, "lost", 1);
    cJSON_AddItemToArray(arr, a);
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    char *out = xstrdup(s);
    cJSON_free(s);
    return out;
}

/* Existing calls + this attempt's, or NULL if none at all. */
static char *calls_append(const char *existing, const cJSON *calls)
{
    if (!cJSON_GetArraySize(calls)) return xstrdup(existing);
    cJSON *arr = existing ? cJSON_Parse(existing) : NULL;
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        arr = cJSON_CreateArray();
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, calls) cJSON_AddItemToArray(arr, cJSON_Duplicate(it, 1));
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    char *out = xstrdup(s);
    cJSON_free(s);
    return out;
}


/* ---- one attempt's outcome ---- */

typedef struct {
    int order;
    const hy_step_def *sd;
    const char *step_id;
    int attempts;            /* including this one */
    int64_t started_ms, duration_ms;
    cJSON *calls;
    char *checkpoint;        /* saved by a local run: written with the result (owned) */
} attempt;

static int record_success(hy_engine *e, ex_state *x, const attempt *a, const step_row *row, const cJSON *output,
                          hy_err *err)
{
    char now[HY_TIME_LEN], started[HY_TIME_LEN];
    hy_now_iso(now);
    hy_iso_from_ms(a->started_ms, started);
    char *out = cJSON_PrintUnformatted(output);
    char *log = log_append(row->attempt_log, a->started_ms, a->duration_ms, e->owner, NULL, false, false);
    char *calls = calls_append(row->calls, a->calls);
    int rc = db_exec(e->c->db, err,
                     "UPDATE workflow_step_executions SET status = 'completed', output = ?, calls = ?, error = NULL, "
                     "attempts = ?, attempt_log = ?, lease_owner = NULL, lease_expires_at = NULL, "
                     "next_attempt_at = NULL, started_at = coalesce(started_at, ?), completed_at = ?, updated_at = ?, "
                     "checkpoint = coalesce(?, checkpoint) WHERE id = ?",
                     "ttitttttt", out, calls, a->attempts, log, started, now, now, a->checkpoint, a->step_id);
    cJSON_free(out);
    free(log);
    free(calls);
    if (rc == 0) rc = ex_record_access(e->c, x, a->order, "auto", NULL, output, err);
    if (rc) return rc;
    ex_set_step_status(x, a->order, HY_SS_COMPLETED);
    e->stats.steps_completed++;
    cJSON *d = ex_step_details(x, a->order);
    cJSON_AddNumberToObject(d, "attempt", a->attempts);
    cJSON_AddNumberToObject(d, "duration_ms", (double)a->duration_ms);
    return ex_audit(e->c, &e->sys, "exec.step.complete", x->id, d, err);
}

static int record_failure(hy_engine *e, ex_state *x, const attempt *a, const step_row *row, const hy_err *failure,
                          hy_err *err)
{
    int max = e->c->cfg->http.max_attempts > 0 ? e->c->cfg->http.max_attempts : 1;
    bool transient = failure->code == HY_ERR_TRANSIENT;
    bool cancelled = x->status == HY_EXEC_CANCELLED;
    bool retry = transient && a->attempts < max && !cancelled;
    char now[HY_TIME_LEN];
    int64_t now_ms = hy_now_ms();
    hy_iso_from_ms(now_ms, now);
    char *msg = transient && !retry && !cancelled && max > 1
                    ? xasprintf("gave up after %d attempts: %s", a->attempts, failure->msg)
                    : xstrdup(failure->msg[0] ? failure->msg : hy_code_name(failure->code));
    char *log = log_append(row->attempt_log, a->started_ms, a->duration_ms, e->owner, failure->msg, transient, false);
    char *calls = calls_append(row->calls, a->calls);
    int64_t delay = retry ? hy_retry_delay_ms(a->attempts, failure->retry_after) : 0;
    hy_step_status status = retry ? HY_SS_PENDING : cancelled ? HY_SS_CANCELLED : HY_SS_FAILED;
    int rc = db_exec(e->c->db, err,
                     "UPDATE workflow_step_executions SET status = ?1, error = ?2, attempts = ?3, attempt_log = ?4, "
                     "calls = ?5, lease_owner = NULL, lease_expires_at = NULL, "
                     "next_attempt_at = CASE WHEN ?6 > 0 THEN ?6 END, updated_at = ?7, "
                     "checkpoint = coalesce(?9, checkpoint) WHERE id = ?8",
                     "ttittIttt", hy_step_status_name(status), msg, a->attempts, log, calls,
                     retry ? now_ms + delay : (int64_t)0, now,
                     a->step_id, a->checkpoint);
    free(log);
    free(calls);
    if (rc == 0)
        rc = db_exec(e->c->db, err,
                     "UPDATE workflow_executions SET status = ?1, next_run_at = CASE WHEN ?2 > 0 THEN ?2 END, "
                     "updated_at = ?3 WHERE id = ?4 AND status IN ('pending', 'running')",
                     "tItt", retry ? "running" : "failed", retry ? now_ms + delay : (int64_t)0, now, x->id);
    if (rc == 0 && db_changes(e->c->db) == 1)
        rc = ex_status_changed(e->c, x, retry ? HY_EXEC_RUNNING : HY_EXEC_FAILED, err);
    if (rc == 0 && cancelled)
        rc = db_exec(e->c->db, err, "UPDATE workflow_executions SET next_run_at = NULL WHERE id = ?", "t", x->id);
    if (rc == 0) {
        ex_set_step_status(x, a->order, status);
        if (retry) e->stats.retries_scheduled++;
        else e->stats.steps_failed++;
        cJSON *d = ex_step_details(x, a->order);
        cJSON_AddNumberToObject(d, "attempt", a->attempts);
        cJSON_AddStringToObject(d, "error", msg);
        if (retry) cJSON_AddNumberToObject(d, "retry_in_ms", (double)delay);
        rc = ex_audit(e->c, &e->sys, retry ? "exec.step.retry" : "exec.step.fail", x->id, d, err);
    }
    if (rc == 0 && !retry && !cancelled) rc = notify_failed(e->c, x->id, a->order, a->step_id, msg, err);
    free(msg);
    return rc;
}

/* ---- running a step's functions ---- */

/* gather + run (+ fault hook). Returns 0 or the step's error in *failure. */
static int call_step(hy_engine *e, ex_state *x, attempt *a, const cJSON *context, cJSON *gctx,
                     const step_row *row, cJSON *output, hy_err *failure)
{
    (void)context;
    hy_err_clear(failure);
    hy_mode mode = hy_integration_mode(e->c->cfg, a->sd->integration);
    cJSON *checkpoint = row->checkpoint ? cJSON_Parse(row->checkpoint) : NULL;
    hy_step_run r = {.c = e->c, .cfg = e->c->cfg, .mode = mode, .execution_id = x->id, .step_id = a->step_id,
                     .step_name = a->sd->name, .attempt = a->attempts, .context = gctx, .checkpoint = checkpoint,
                     .output = output, .calls = a->calls, .lease_owner = e->owner, .integ = e->integ,
                     .svc = {.c = e->c, .integ = e->integ, .owner = e->owner}};
    int rc = 0;
    if (ex_fault_fn) rc = ex_fault_fn(x->wf_name, a->sd->name, a->attempts, failure, ex_fault_ud);
    if (rc == 0 && mode == HY_MODE_OFF)
        rc = hy_fail(failure, HY_ERR_PERMANENT, "%s", hy_integration_off_message(a->sd->integration));
    if (rc == 0 && !a->sd->run) rc = hy_fail(failure, HY_ERR_PERMANENT, "step %s has nothing to run", a->sd->name);
    if (rc == 0) {
        /* every call a live backend makes is recorded on the step */
        hy_call_log log = {0};
        if (e->integ) integ_set_log(e->integ, &log);
        rc = a->sd->run(&r, failure);
        if (e->integ) integ_set_log(e->integ, NULL);
        step_record_calls(&r, &log);
        call_log_free(&log);
    }
    if (rc == 0 && (mode == HY_MODE_SIMULATE || a->sd->integration == HY_INT_STUDIO))
        step_mark_simulated(output);
    free(a->checkpoint);
    a->checkpoint = r.checkpoint_local; /* a local run's checkpoint goes with its result */
    if (rc && failure->code == HY_OK) hy_fail(failure, HY_ERR_PERMANENT, "step %s failed", a->sd->name);
    cJSON_Delete(checkpoint);
    return rc;
}

/* The context for one step: the merged context plus what gather reads. */
static int gather(hy_engine *e, ex_state *x, const hy_step_def *sd, const cJSON *context, cJSON **gctx,
                  hy_err *failure)
{
    /* References to the context's items, not copies (gather only adds
     * keys); *gctx must be deleted before the context changes. */
    *gctx = cJSON_CreateObject();
    const cJSON *it;
    cJSON_ArrayForEach(it, context) cJSON_AddItemReferenceToObject(*gctx, it->string, (cJSON *)it);
    if (!sd->gather) return 0;
    hy_step_io io = {.c = e->c, .actor = &e->sys, .execution_id = x->id, .requested_by = x->requested_by,
                     .context = *gctx};
    int rc = sd->gather(&io, *gctx, failure);
    if (rc) hy_fail(failure, HY_ERR_PERMANENT, "could not read what the step needs: %s", failure->msg);
    return rc;
}

/* persist inside a savepoint: its failure fails the step, not the transaction. */
static int persist(hy_engine *e, ex_state *x, const hy_step_def *sd, const cJSON *gctx, const cJSON *output,
                   hy_err *failure, hy_err *err)
{
    if (!sd->persist) return 0;
    int rc = db_exec(e->c->db, err, "SAVEPOINT step_persist", "");
    if (rc) return rc;
    hy_step_io io = {.c = e->c, .actor = &e->sys, .execution_id = x->id, .requested_by = x->requested_by,
                     .context = gctx, .output = output};
    hy_err perr;
    hy_err_clear(&perr);
    if (sd->persist(&io, &perr) != 0) {
        rc = db_exec(e->c->db, err, "ROLLBACK TO step_persist", "");
        if (rc == 0) rc = db_exec(e->c->db, err, "RELEASE step_persist", "");
        if (rc) return rc;
        hy_fail(failure, HY_ERR_PERMANENT, "the service call succeeded but its result could not be saved: %s",
                perr.msg);
        return -1;
    }
    return db_exec(e->c->db, err, "RELEASE step_persist", "");
}

/* ---- steps that wait on child executions (workflows.h spawn) ---- */

/* The step's children (their ids in its output's "children") by state:
 * *done completed, *cancelled, *failed (named in failed_text, with where
 * and why), the rest still going. */
static int count_children(hy_engine *e, const cJSON *children, int *total, int *done, int *cancelled, int *failed,
                          hy_buf *failed_text, hy_buf *cancelled_text, hy_err *err)
{
    *total = *done = *cancelled = *failed = 0;
    char *ids = cJSON_PrintUnformatted(children ? children : cJSON_CreateArray());
    hy_stmt *st = db_query(e->c->db, err,
                           "SELECT e.id, e.status, coalesce(u.email, ''), coalesce(sd.name, ''), coalesce(s.error, '') "
                           "FROM json_each(?1) j JOIN workflow_executions e ON e.id = j.value "
                           "LEFT JOIN users u ON u.id = e.user_id "
                           "LEFT JOIN workflow_step_executions s ON s.execution_id = e.id "
                           "AND s.step_order = e.current_step_order "
                           "LEFT JOIN workflow_step_definitions sd ON sd.id = s.step_definition_id",
                           "t", ids);
    while (db_row(st)) {
        (*total)++;
        hy_exec_status status = hy_exec_status_of(db_text(st, 1));
        if (status == HY_EXEC_COMPLETED) (*done)++;
        else if (status == HY_EXEC_CANCELLED) {
            if ((*cancelled)++ < 5)
                hy_buf_printf(cancelled_text, "%s%.8s (%s)", *cancelled > 1 ? ", " : "", db_text(st, 0), db_text(st, 2));
        } else if (status == HY_EXEC_FAILED) {
            if ((*failed)++ < 5)
                hy_buf_printf(failed_text, "%s%.8s (%s) at %s: %.200s", *failed > 1 ? "; " : "", db_text(st, 0),
                              db_text(st, 2), db_text(st, 3), db_text(st, 4));
        }
    }
    if (ids) cJSON_free(ids);
    if (!children) { /* (the array made above) */ }
    return db_done(st);
}

/* A waiting step looks at its children: all completed -> the step
 * completes and the execution goes on; one cancelled -> the step fails
 * (a retry starts it again); otherwise it keeps waiting, its error naming
 * the failed ones (fixed and retried, they wake it again). */
static int check_children(hy_engine *e, ex_state *x, int k, step_row *row, hy_err *err)
{
    char *out_text = NULL, *old_error = NULL;
    int rc = db_get_text(e->c->db, err, &out_text, "SELECT output FROM workflow_step_executions WHERE id = ?", "t",
                         x->step[k - 1].id);
    if (rc == 0)
        rc = db_get_text(e->c->db, err, &old_error, "SELECT error FROM workflow_step_executions WHERE id = ?", "t",
                         x->step[k - 1].id);
    cJSON *output = out_text ? cJSON_Parse(out_text) : NULL;
    if (!cJSON_IsObject(output)) {
        cJSON_Delete(output);
        output = cJSON_CreateObject();
    }
    cJSON *empty = cJSON_CreateArray();
    const cJSON *children = cJSON_GetObjectItemCaseSensitive(output, "children");
    int total = 0, done = 0, cancelled = 0, failed = 0;
    hy_buf failed_text = {0}, cancelled_text = {0};
    if (rc == 0)
        rc = count_children(e, cJSON_IsArray(children) ? children : empty, &total, &done, &cancelled, &failed,
                            &failed_text, &cancelled_text, err);
    cJSON_Delete(empty);
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    const hy_step_def *sd = &x->wf->steps[k - 1];
    if (rc == 0 && done == total) {
        cJSON_DeleteItemFromObjectCaseSensitive(output, "children_completed");
        cJSON_AddNumberToObject(output, "children_completed", done);
        char *json = cJSON_PrintUnformatted(output);
        rc = db_exec(e->c->db, err,
                     "UPDATE workflow_step_executions SET status = 'completed', output = ?, error = NULL, "
                     "completed_at = ?, updated_at = ? WHERE id = ?",
                     "tttt", json, now, now, x->step[k - 1].id);
        cJSON_free(json);
        if (rc == 0) rc = ex_record_access(e->c, x, k, "auto", NULL, output, err);
        if (rc == 0) {
            ex_set_step_status(x, k, HY_SS_COMPLETED);
            e->stats.steps_completed++;
            cJSON *d = ex_step_details(x, k);
            cJSON_AddNumberToObject(d, "children_completed", done);
            rc = ex_audit(e->c, &e->sys, "exec.step.complete", x->id, d, err);
        }
        if (rc == 0) rc = ex_advance(e->c, &e->sys, x, k, NULL, NULL, false, err);
    } else if (rc == 0 && cancelled) {
        attempt a = {.order = k, .sd = sd, .step_id = x->step[k - 1].id, .attempts = row->attempts,
                     .started_ms = hy_now_ms(), .calls = cJSON_CreateArray()};
        hy_err failure;
        hy_err_clear(&failure);
        hy_fail(&failure, HY_ERR_PERMANENT,
                "%d of its %d child executions %s cancelled (%s): retry this step to start %s again", cancelled, total,
                cancelled == 1 ? "was" : "were", cancelled_text.s, cancelled == 1 ? "it" : "them");
        rc = record_failure(e, x, &a, row, &failure, err);
        cJSON_Delete(a.calls);
    } else if (rc == 0) {
        char *msg = failed ? xasprintf("%d of %d child executions failed (fix and retry each: this step goes on "
                                       "once all are completed): %s",
                                       failed, total, failed_text.s)
                           : NULL;
        if (!hy_streq(msg, old_error)) {
            rc = db_exec(e->c->db, err, "UPDATE workflow_step_executions SET error = ?, updated_at = ? WHERE id = ?",
                         "ttt", msg, now, x->step[k - 1].id);
            if (rc == 0) {
                cJSON *d = ex_step_details(x, k);
                cJSON_AddNumberToObject(d, "children", total);
                cJSON_AddNumberToObject(d, "completed", done);
                cJSON_AddNumberToObject(d, "failed", failed);
                rc = ex_audit(e->c, &e->sys, "exec.step.children", x->id, d, err);
            }
        }
        free(msg);
        if (rc == 0)
            rc = db_exec(e->c->db, err, "UPDATE workflow_executions SET next_run_at = NULL WHERE id = ?", "t", x->id);
    }
    hy_buf_free(&failed_text);
    hy_buf_free(&cancelled_text);
    cJSON_Delete(output);
    free(out_text);
    free(old_error);
    return rc;
}

/* A spawn step's run: gather, spawn (its children started inside a
 * savepoint: a failure starts none), then the step waits and its children
 * are looked at once (there may be none). */
static int run_spawn(hy_engine *e, ex_state *x, attempt *a, step_row *row, const cJSON *context, hy_err *err)
{
    int64_t t0 = hy_mono_ms();
    cJSON *gctx = NULL, *output = cJSON_CreateObject();
    hy_err failure;
    hy_err_clear(&failure);
    int rc = 0;
    int src = gather(e, x, a->sd, context, &gctx, &failure);
    if (src == 0 && ex_fault_fn) src = ex_fault_fn(x->wf_name, a->sd->name, a->attempts, &failure, ex_fault_ud);
    if (src == 0 && (rc = db_exec(e->c->db, err, "SAVEPOINT step_spawn", "")) == 0) {
        hy_step_io io = {.c = e->c, .actor = &e->sys, .execution_id = x->id, .requested_by = x->requested_by,
                         .context = gctx};
        src = a->sd->spawn(&io, output, &failure);
        if (src) {
            if (failure.code == HY_OK) hy_fail(&failure, HY_ERR_PERMANENT, "step %s failed", a->sd->name);
            if (failure.nfield) { /* a child's input was refused */
                hy_field_error f0 = failure.field[0];
                hy_err_clear(&failure);
                hy_fail(&failure, HY_ERR_PERMANENT, "a child execution's input was refused: %s %s", f0.field, f0.msg);
            }
            rc = db_exec(e->c->db, err, "ROLLBACK TO step_spawn", "");
        }
        if (rc == 0) rc = db_exec(e->c->db, err, "RELEASE step_spawn", "");
    }
    a->duration_ms = hy_mono_ms() - t0;
    cJSON_Delete(gctx);
    if (rc == 0 && src != 0) {
        rc = ex_flush_deferred(e->c, x, err); /* the row must say where it failed */
        if (rc == 0) rc = record_failure(e, x, a, row, &failure, err);
    } else if (rc == 0) {
        char now[HY_TIME_LEN];
        hy_now_iso(now);
        char *json = cJSON_PrintUnformatted(output);
        char *log = log_append(row->attempt_log, a->started_ms, a->duration_ms, e->owner, NULL, false, false);
        rc = db_exec(e->c->db, err,
                     "UPDATE workflow_step_executions SET status = 'waiting', output = ?, error = NULL, attempts = ?, "
                     "attempt_log = ?, lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL, "
                     "started_at = coalesce(started_at, ?), completed_at = NULL, updated_at = ? WHERE id = ?",
                     "tittt" "t", json, a->attempts, log, now, now, a->step_id);
        cJSON_free(json);
        if (rc == 0) {
            free(row->attempt_log);
            row->attempt_log = log;
            row->attempts = a->attempts;
        } else {
            free(log);
        }
        if (rc == 0)
            rc = db_exec(e->c->db, err,
                         "UPDATE workflow_executions SET status = 'running', current_step_order = ?, next_run_at = NULL, "
                         "updated_at = ? WHERE id = ?",
                         "itt", a->order, now, x->id);
        x->deferred = false;
        x->current = a->order;
        if (rc == 0) rc = ex_status_changed(e->c, x, HY_EXEC_RUNNING, err);
        ex_set_step_status(x, a->order, HY_SS_WAITING);
        if (rc == 0) {
            cJSON *d = ex_step_details(x, a->order);
            cJSON_AddNumberToObject(d, "attempt", a->attempts);
            cJSON_AddNumberToObject(d, "children", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(output, "children")));
            rc = ex_audit(e->c, &e->sys, "exec.step.wait", x->id, d, err);
        }
        if (rc == 0) rc = check_children(e, x, a->order, row, err);
    }
    cJSON_Delete(output);
    return rc;
}

/* ---- local steps: claim, run, persist and record in this transaction ---- */

static int run_local(hy_engine *e, ex_state *x, int order, step_row *row, hy_err *err)
{
    cJSON *context = NULL;
    int rc = ex_context(e->c, x, &context, err);
    int done = 0;
    while (rc == 0 && order) {
        attempt a = {.order = order, .sd = &x->wf->steps[order - 1], .step_id = x->step[order - 1].id,
                     .attempts = row->attempts + 1, .started_ms = hy_now_ms(), .calls = cJSON_CreateArray()};
        if (a.sd->spawn) { /* starts its children, then waits: nothing runs after it now */
            rc = run_spawn(e, x, &a, row, context, err);
            cJSON_Delete(a.calls);
            break;
        }
        int64_t t0 = hy_mono_ms();
        cJSON *gctx = NULL, *output = cJSON_CreateObject();
        hy_err failure;
        hy_err_clear(&failure);
        int src = gather(e, x, a.sd, context, &gctx, &failure);
        if (src == 0) src = call_step(e, x, &a, context, gctx, row, output, &failure);
        if (src == 0) {
            src = persist(e, x, a.sd, gctx, output, &failure, err);
            if (src > 0) rc = src; /* the transaction itself failed */
        }
        a.duration_ms = hy_mono_ms() - t0;
        int next = 0;
        cJSON_Delete(gctx); /* (it refers to the context's items) */
        if (rc == 0 && src == 0) {
            rc = record_success(e, x, &a, row, output, err);
            ex_merge_move(context, output);
            if (rc == 0) rc = ex_advance(e->c, &e->sys, x, order, context, &next, true, err);
        } else if (rc == 0) {
            rc = ex_flush_deferred(e->c, x, err); /* the row must say where it failed */
            if (rc == 0) rc = record_failure(e, x, &a, row, &failure, err);
        }
        cJSON_Delete(output);
        cJSON_Delete(a.calls);
        free(a.checkpoint);
        done++;
        order = 0;
        if (rc == 0 && next && done < e->batch_max && !(e->deadline && hy_mono_ms() >= e->deadline) &&
            !hy_integration_remote(e->c->cfg, x->wf->steps[next - 1].integration)) {
            step_row_free(row);
            rc = load_step_row(e, x->step[next - 1].id, row, err);
            if (rc == 0 && row->status == HY_SS_PENDING && (!row->has_next || row->next_attempt <= hy_now_ms()))
                order = next;
        }
    }
    if (rc == 0) rc = ex_flush_deferred(e->c, x, err); /* stopped before a queued step */
    cJSON_Delete(context);
    return rc;
}

/* ---- inline: the local steps an operator action queued, run by it ---- */

#define INLINE_MS 20              /* an action runs local steps for at most this long */

/* host:pid:thread of the calling thread (a fork gets its own). */
static const char *thread_owner(void)
{
    static _Thread_local char owner[160];
    static _Thread_local unsigned gen;
    if (!owner[0] || gen != hy_fork_generation()) {
        char host[64] = "localhost";
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        gen = hy_fork_generation();
        snprintf(owner, sizeof owner, "%s:%ld:%ld", host, (long)getpid(), (long)syscall(SYS_gettid));
    }
    return owner;
}

/* The engine's principal, once per thread (it looks up the OS user). */
static const hy_principal *thread_system(void)
{
    static _Thread_local hy_principal sys;
    static _Thread_local unsigned gen;
    if (!sys.system || gen != hy_fork_generation()) {
        principal_system(&sys);
        gen = hy_fork_generation();
    }
    return &sys;
}

/* Is step k of x an auto step to run now without the network? Fills row. */
static bool runs_inline(hy_ctx *c, hy_engine *e, ex_state *x, int k, step_row *row, hy_err *err, int *rc)
{
    *rc = 0;
    if (!c->cfg->engine.inline_local_steps || !x->wf || k < 1 || k > x->nsteps) return false;
    const hy_step_def *sd = &x->wf->steps[k - 1];
    if (sd->kind != HY_STEP_AUTO || hy_integration_remote(c->cfg, sd->integration)) return false;
    if ((*rc = load_step_row(e, x->step[k - 1].id, row, err)) != 0) return false;
    return row->status == HY_SS_PENDING && !(row->has_next && row->next_attempt > hy_now_ms());
}

/* Per thread, for benchmarks (engine_inline_stats). */
static _Thread_local long inline_steps;
static _Thread_local int64_t inline_ns;

void engine_inline_stats(long *steps, int64_t *ns)
{
    *steps = inline_steps;
    *ns = inline_ns;
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Runs step k (queued in the row, or only in x when x->deferred) and the
 * local steps after it as a runner of this thread would: same rows,
 * attempt log and audit; the runner field names this thread. Inside a
 * savepoint: a database error in the steps undoes them only, and the step
 * is left queued for the runners (who meet the error and park). */
static int run_inline(hy_ctx *c, ex_state *x, int k, step_row *row, hy_err *err)
{
    int64_t t0 = mono_ns();
    hy_engine e;
    memset(&e, 0, sizeof e);
    e.c = c;
    e.lease_ms = DEFAULT_LEASE_MS;
    e.batch_max = DEFAULT_BATCH;
    e.deadline = hy_mono_ms() + INLINE_MS;
    hy_strlcpy(e.owner, thread_owner(), sizeof e.owner);
    e.sys = *thread_system();
    ex_state before = *x;
    int rc = db_exec(c->db, err, "SAVEPOINT engine_inline", "");
    if (rc) return rc;
    hy_err inner;
    hy_err_clear(&inner);
    if (run_local(&e, x, k, row, &inner) == 0) {
        rc = db_exec(c->db, err, "RELEASE engine_inline", "");
        inline_steps += e.stats.steps_completed + e.stats.steps_failed + e.stats.retries_scheduled;
        inline_ns += mono_ns() - t0;
        return rc;
    }
    rc = db_exec(c->db, err, "ROLLBACK TO engine_inline", "");
    if (rc == 0) rc = db_exec(c->db, err, "RELEASE engine_inline", "");
    if (rc) return rc;
    *x = before;
    return ex_flush_deferred(c, x, err);
}

int ex_run_deferred(hy_ctx *c, ex_state *x, hy_err *err)
{
    if (!x->deferred) return 0;
    hy_engine probe = {.c = c};
    step_row row;
    memset(&row, 0, sizeof row);
    int rc;
    if (runs_inline(c, &probe, x, x->current, &row, err, &rc)) rc = run_inline(c, x, x->current, &row, err);
    else if (rc == 0) rc = ex_flush_deferred(c, x, err);
    step_row_free(&row);
    return rc;
}

int engine_run_inline(hy_ctx *c, const char *exec_id, hy_err *err)
{
    if (!c->cfg->engine.inline_local_steps) return 0;
    if (!db_in_tx(c->db)) return hy_fail(err, HY_ERR_INTERNAL, "local steps run outside a transaction (a bug)");
    ex_state x;
    int rc = ex_load(c, exec_id, &x, err);
    if (rc || x.status != HY_EXEC_PENDING) return rc;
    hy_engine probe = {.c = c};
    step_row row;
    memset(&row, 0, sizeof row);
    if (runs_inline(c, &probe, &x, x.current, &row, err, &rc)) rc = run_inline(c, &x, x.current, &row, err);
    step_row_free(&row);
    return rc;
}

/* ---- remote steps: claim (tx), run (no tx), record (tx) ---- */

static int fail_in_claim(hy_engine *e, ex_state *x, attempt *a, step_row *row, const hy_err *failure, hy_err *err)
{
    int rc = record_failure(e, x, a, row, failure, err);
    if (rc) {
        db_rollback(e->c->db);
        return rc;
    }
    return db_commit(e->c->db, err); /* a failed commit rolls back */
}

static int run_remote(hy_engine *e, ex_state *x, int order, step_row *row, bool reclaim, hy_err *err)
{
    int64_t now_ms = hy_now_ms();
    char now[HY_TIME_LEN];
    hy_iso_from_ms(now_ms, now);
    int64_t lease = now_ms + e->lease_ms;
    attempt a = {.order = order, .sd = &x->wf->steps[order - 1], .step_id = x->step[order - 1].id,
                 .attempts = row->attempts + 1, .started_ms = now_ms};
    int rc = db_exec(e->c->db, err,
                     "UPDATE workflow_step_executions SET status = 'running', attempts = ?1, lease_owner = ?2, "
                     "lease_expires_at = ?3, next_attempt_at = NULL, started_at = coalesce(started_at, ?4), "
                     "attempt_log = ?7, updated_at = ?4 WHERE id = ?5 AND (status = 'pending' OR "
                     "(status = 'running' AND lease_expires_at <= ?6))",
                     "itIttIt", a.attempts, e->owner, lease, now, a.step_id, now_ms, row->attempt_log);
    if (rc) {
        db_rollback(e->c->db); /* the claim transaction (engine_tick's) ends here */
        return rc;
    }
    if (db_changes(e->c->db) != 1) { /* someone else has it */
        db_rollback(e->c->db);
        return 0;
    }
    rc = db_exec(e->c->db, err,
                 "UPDATE workflow_executions SET status = 'running', next_run_at = ?, updated_at = ? WHERE id = ?",
                 "Itt", lease, now, x->id);
    if (rc == 0) rc = ex_status_changed(e->c, x, HY_EXEC_RUNNING, err);
    cJSON *context = NULL, *gctx = NULL;
    if (rc == 0) rc = ex_context(e->c, x, &context, err);
    hy_err failure;
    hy_err_clear(&failure);
    if (rc == 0 && gather(e, x, a.sd, context, &gctx, &failure) != 0) {
        a.calls = cJSON_CreateArray();
        rc = fail_in_claim(e, x, &a, row, &failure, err);
        cJSON_Delete(a.calls);
        free(a.checkpoint);
        cJSON_Delete(context);
        cJSON_Delete(gctx);
        return rc;
    }
    if (rc == 0) {
        cJSON *d = ex_step_details(x, order);
        cJSON_AddNumberToObject(d, "attempt", a.attempts);
        cJSON_AddStringToObject(d, "runner", e->owner);
        if (reclaim) cJSON_AddStringToObject(d, "previous_runner", row->owner);
        rc = ex_audit(e->c, &e->sys, reclaim ? "exec.step.reclaim" : "exec.step.start", x->id, d, err);
    }
    if (rc == 0) rc = db_commit(e->c->db, err);
    if (rc) {
        if (db_in_tx(e->c->db)) db_rollback(e->c->db);
        cJSON_Delete(context);
        cJSON_Delete(gctx);
        return rc;
    }
    if (reclaim) e->stats.reclaimed++;

    /* The call: no transaction open; the heartbeat keeps the lease. */
    if (!e->keeper) e->keeper = lease_keeper_new(db_path(e->c->db), e->lease_ms);
    lease_keeper_hold(e->keeper, a.step_id, x->id, e->owner);
    a.calls = cJSON_CreateArray();
    cJSON *output = cJSON_CreateObject();
    int64_t t0 = hy_mono_ms();
    int src = call_step(e, x, &a, context, gctx, row, output, &failure);
    a.duration_ms = hy_mono_ms() - t0;
    lease_keeper_release(e->keeper);

    /* Record, if the step is still ours. */
    rc = db_begin(e->c->db, err);
    e->stats.transactions++;
    step_row now_row;
    memset(&now_row, 0, sizeof now_row);
    if (rc == 0) rc = load_step_row(e, a.step_id, &now_row, err);
    if (rc == 0 && (now_row.status != HY_SS_RUNNING || strcmp(now_row.owner, e->owner) != 0)) {
        e->stats.lease_lost++;
        db_rollback(e->c->db);
        goto out;
    }
    if (rc == 0) {
        char exec_id[HY_UUID_LEN];
        hy_strlcpy(exec_id, x->id, sizeof exec_id);
        rc = ex_load(e->c, exec_id, x, err); /* it may have been cancelled meanwhile */
    }
    if (rc == 0 && src == 0) {
        src = persist(e, x, a.sd, gctx, output, &failure, err);
        if (src > 0) rc = src;
    }
    cJSON_Delete(gctx); /* (it refers to the context's items) */
    gctx = NULL;
    if (rc == 0 && src == 0) {
        rc = record_success(e, x, &a, &now_row, output, err);
        ex_merge(context, output);
        if (rc == 0 && (x->status == HY_EXEC_RUNNING || x->status == HY_EXEC_PENDING))
            rc = ex_advance(e->c, &e->sys, x, order, context, NULL, false, err);
        else if (rc == 0)
            rc = db_exec(e->c->db, err, "UPDATE workflow_executions SET next_run_at = NULL WHERE id = ?", "t", x->id);
    } else if (rc == 0) {
        rc = record_failure(e, x, &a, &now_row, &failure, err);
    }
    if (rc == 0) rc = db_commit(e->c->db, err);
    else db_rollback(e->c->db);
out:
    step_row_free(&now_row);
    cJSON_Delete(output);
    cJSON_Delete(a.calls);
    free(a.checkpoint);
    cJSON_Delete(context);
    cJSON_Delete(gctx);
    return rc;
}

/* ---- one tick ---- */

static int park(hy_engine *e, const char *exec_id, int64_t until, hy_err *err)
{
    return db_exec(e->c->db, err, "UPDATE workflow_executions SET next_run_at = ? WHERE id = ?", "It", until, exec_id);
}

/* The housekeeping (the search index's batches, WAL checkpoints) is done
 * by runners that take every execution (workers, admins' sessions), not by
 * those restricted to one user's or one execution's (a partner admin's
 * session, `exec wait`): a bastion with 200 partner sessions and no worker
 * would otherwise have 200 runners checkpointing and indexing the same
 * database after every change. Actions index by themselves past a bigger
 * backlog, and SQLite checkpoints a long WAL by itself. */
static bool housekeeper(const hy_engine *e) { return !e->only_exec && !e->only_user; }

/* Runners copy the WAL back into the database file themselves (a PASSIVE
 * checkpoint takes no write lock), so that the connection of an interactive
 * action rarely reaches SQLite's automatic checkpoint and pays for its
 * fsyncs (measured: most of the p99 of an action, and a sixth of the
 * throughput, on this machine). */
static void checkpoint_now_and_then(hy_engine *e)
{
    int64_t now = hy_mono_ms();
    if (!housekeeper(e) || e->no_checkpoints || now - e->last_checkpoint < CHECKPOINT_MS || db_in_tx(e->c->db))
        return;
    e->last_checkpoint = now;
    hy_err ignored;
    hy_err_clear(&ignored);
    db_checkpoint(e->c->db, NULL, &ignored);
}

void engine_leave_checkpoints(hy_engine *e) { e->no_checkpoints = true; }

/* What dispatch did inside the open transaction. */
typedef enum {
    D_DONE,         /* bookkeeping or local steps: the transaction stays open */
    D_COMMITTED,    /* a remote step: claimed, run and recorded in transactions of its own */
    D_NEEDS_ALONE,  /* a remote step, but others were done in this transaction: next tick */
} dispatch_result;

/* Inside the claim transaction: decides what to do with a runnable
 * execution. *steps gets the number of steps run. */
static int dispatch(hy_engine *e, ex_state *x, int64_t now, bool alone, dispatch_result *res, int *steps,
                    hy_err *err)
{
    *res = D_DONE;
    *steps = 0;
    if (x->status == HY_EXEC_SCHEDULED) return ex_release(e->c, &e->sys, x, err); /* its time came */
    int k = x->current;
    bool active = x->status == HY_EXEC_PENDING || x->status == HY_EXEC_RUNNING;
    step_row row;
    memset(&row, 0, sizeof row);
    int rc = 0;
    if (k >= 1 && k <= x->nsteps) rc = load_step_row(e, x->step[k - 1].id, &row, err);
    if (rc) return rc;
    bool lease_live = row.status == HY_SS_RUNNING && row.has_lease && row.lease_exp > now;
    if (active && row.status == HY_SS_WAITING) { /* woken by a child */
        rc = check_children(e, x, k, &row, err);
        step_row_free(&row);
        return rc;
    }
    if (!active || k < 1 || k > x->nsteps || x->wf->steps[k - 1].kind != HY_STEP_AUTO) {
        /* Nothing to run (e.g. cancelled): a step whose runner died is closed. */
        if (lease_live) rc = park(e, x->id, row.lease_exp, err);
        else {
            if (row.status == HY_SS_RUNNING)
                rc = db_exec(e->c->db, err,
                             "UPDATE workflow_step_executions SET status = 'cancelled', lease_owner = NULL, "
                             "lease_expires_at = NULL WHERE id = ?",
                             "t", x->step[k - 1].id);
            if (rc == 0)
                rc = db_exec(e->c->db, err, "UPDATE workflow_executions SET next_run_at = NULL WHERE id = ?", "t",
                             x->id);
        }
        step_row_free(&row);
        return rc;
    }
    bool reclaim = false;
    if (row.status == HY_SS_PENDING) {
        if (row.has_next && row.next_attempt > now) {
            rc = park(e, x->id, row.next_attempt, err);
            step_row_free(&row);
            return rc;
        }
    } else if (row.status == HY_SS_RUNNING) {
        if (lease_live) {
            rc = park(e, x->id, row.lease_exp, err);
            step_row_free(&row);
            return rc;
        }
        reclaim = true;
    } else {
        rc = db_exec(e->c->db, err, "UPDATE workflow_executions SET next_run_at = NULL WHERE id = ?", "t", x->id);
        step_row_free(&row);
        return rc;
    }
    const hy_step_def *sd = &x->wf->steps[k - 1];
    bool remote = hy_integration_remote(e->c->cfg, sd->integration);
    if (remote && !alone) {
        step_row_free(&row);
        *res = D_NEEDS_ALONE;
        return 0;
    }
    int max = e->c->cfg->http.max_attempts > 0 ? e->c->cfg->http.max_attempts : 1;
    if (reclaim) {
        /* The runner that held it stopped (crash, kill -9, lost machine). */
        char *log = log_append(row.attempt_log, now, 0, row.owner,
                               "the runner stopped before finishing (its lease expired)", true, true);
        free(row.attempt_log);
        row.attempt_log = log;
        if (row.attempts >= max) {
            attempt a = {.order = k, .sd = sd, .step_id = x->step[k - 1].id, .attempts = row.attempts,
                         .started_ms = now, .calls = cJSON_CreateArray()};
            hy_err failure;
            hy_err_clear(&failure);
            hy_fail(&failure, HY_ERR_PERMANENT,
                    "the runner stopped %d times while running this step (see its attempt log); retry it once the "
                    "cause is fixed",
                    row.attempts);
            rc = record_failure(e, x, &a, &row, &failure, err);
            cJSON_Delete(a.calls);
            free(a.checkpoint);
            step_row_free(&row);
            return rc;
        }
    }
    long before = e->stats.steps_completed + e->stats.steps_failed + e->stats.retries_scheduled;
    if (remote) {
        rc = run_remote(e, x, k, &row, reclaim, err); /* its own transactions */
        *res = D_COMMITTED;
    } else {
        rc = run_local(e, x, k, &row, err);
    }
    *steps = (int)(e->stats.steps_completed + e->stats.steps_failed + e->stats.retries_scheduled - before);
    step_row_free(&row);
    return rc;
}

/* One transaction: runnable executions one after the other (group commit)
 * while their steps run locally, up to batch_max steps or BATCH_MS; a step
 * that waits on the network is claimed in a transaction of its own. */
int engine_tick(hy_engine *e, bool *worked, hy_err *err)
{
    *worked = false;
    hy_err_clear(err);
    int64_t now = hy_now_ms(), due;
    /* A read first: an idle runner never takes the write lock. */
    if (engine_next_due(e, &due, err) != 0) return err->code;
    if (due < 0 || due > now) {
        /* Idle: what interactive actions leave to the runners. */
        int rc = 0;
        if (housekeeper(e) && exec_search_due(e->c, false, err, &rc)) {
            if ((rc = db_begin(e->c->db, err)) == 0) {
                db_beacon_quiet(e->c->db); /* the lists read the executions not indexed yet as well */
                rc = exec_search_index(e->c, err);
                rc = rc ? (db_rollback(e->c->db), rc) : db_commit(e->c->db, err);
            }
        }
        if (rc) return rc;
        checkpoint_now_and_then(e); /* copy the WAL back */
        return 0;
    }
    if (db_begin(e->c->db, err) != 0) return err->code;
    e->stats.transactions++;
    int64_t until = hy_mono_ms() + BATCH_MS;
    int steps = 0, rc = 0;
    char id[HY_UUID_LEN] = "";
    for (bool first = true;; first = false) {
        now = hy_now_ms();
        rc = find_runnable(e, now, id, err);
        if (rc || !id[0]) break;
        ex_state x;
        rc = ex_load(e->c, id, &x, err);
        if (rc) break;
        *worked = true;
        if (!x.wf) { /* another program may know this workflow */
            rc = park(e, id, now + UNKNOWN_WORKFLOW_MS, err);
            if (rc) break;
            continue;
        }
        dispatch_result res;
        int n = 0;
        rc = dispatch(e, &x, now, first, &res, &n, err);
        steps += n;
        if (res == D_COMMITTED && rc == 0) { /* nothing left open */
            checkpoint_now_and_then(e);
            return 0;
        }
        if (res == D_COMMITTED) break; /* run_remote failed: its transactions are ended; park below */
        if (rc || res == D_NEEDS_ALONE || steps >= e->batch_max || hy_mono_ms() >= until) break;
        id[0] = '\0';
    }
    if (rc == 0 && housekeeper(e)) rc = exec_search_flush(e->c, false, err);
    if (rc == 0) rc = db_commit(e->c->db, err);
    if (rc == 0) {
        checkpoint_now_and_then(e);
        return 0;
    }
    /* Every error ends the transaction here (a no-op if it is ended), so
     * that the next tick, in this process, can begin one. */
    db_rollback(e->c->db);
    if (id[0]) {
        /* Park the execution so a persistent problem does not spin. */
        hy_err perr;
        hy_err_clear(&perr);
        if (db_begin(e->c->db, &perr) == 0) {
            if (park(e, id, hy_now_ms() + PARK_MS, &perr) == 0) db_commit(e->c->db, &perr);
            else db_rollback(e->c->db);
        }
    }
    return rc;
}

int engine_drain(hy_engine *e, const volatile sig_atomic_t *stop, hy_err *err)
{
    for (;;) {
        if (stop && *stop) return 0;
        bool worked = false;
        int rc = engine_tick(e, &worked, err);
        if (rc) return rc;
        if (!worked) return 0;
    }
}
