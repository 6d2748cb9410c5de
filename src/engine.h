/* The durable workflow engine: the only writer of execution and step rows.
 *
 * State (DESIGN.md): execution pending | running | awaiting_input |
 * completed | failed | cancelled | scheduled; step pending | running |
 * awaiting_input | completed | failed | skipped | cancelled | waiting.
 * A scheduled execution waits until next_run_at before its current step
 * starts (ex_hold, ex_release). A waiting step started child executions
 * (workflows.h spawn) and waits until each is completed; a child's status
 * change wakes it (next_run_at of the parent = now). An execution's next_run_at says
 * when its current auto step may run (ms since the epoch; NULL = nothing to
 * run): a queued step (now), a retry after backoff, or the lease expiry of a
 * step being run (so a runner that died is replaced when its lease runs out).
 *
 * Auto steps whose integration waits on the network (live) are claimed in
 * one short transaction (atomic UPDATE ... WHERE status='pending' with a
 * lease, renewed by a heartbeat thread), run with no transaction open, and
 * recorded in another. Steps that do not (simulate, off, Studio) are
 * claimed, run, persisted and recorded in one transaction, several in a row
 * when they follow each other: a crash then leaves nothing half done.
 *
 * Every state change writes an audit row in the same transaction. */
#ifndef HY_ENGINE_H
#define HY_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "ctx.h"
#include "principal.h"
#include "workflows.h"

/* ---- state changes for ops (inside the caller's BEGIN IMMEDIATE
 * transaction; the caller has authorized the principal and audits the
 * action; the engine audits what follows from it, e.g. completion) ---- */

/* Creates an execution with all its steps and moves to the first step.
 * org_id (may be NULL): the organisation it is about, when known. */
int engine_start(hy_ctx *c, const hy_principal *actor, const hy_workflow_def *wf, const char *org_id,
                 char id_out[HY_UUID_LEN], hy_err *err);
/* The same, as one execution of a batch (a row of batches, created by the
 * caller): the execution carries batch_id and runs in the batch lane, after
 * the due steps of one-off executions (runners take lane 0 first). */
int engine_start_in_batch(hy_ctx *c, const hy_principal *actor, const hy_workflow_def *wf, const char *org_id,
                          const char *batch_id, char id_out[HY_UUID_LEN], hy_err *err);
/* Submits the input of the manual step waiting at step_order: field errors
 * (all at once) change nothing. */
int engine_submit(hy_ctx *c, const hy_principal *actor, const char *exec_id, int step_order, const cJSON *raw,
                  hy_err *err);
/* The same, but an auto step it makes due is left queued for the runners,
 * even one that waits on no network (not run inline): for a transaction
 * that starts a whole batch. */
int engine_submit_queued(hy_ctx *c, const hy_principal *actor, const char *exec_id, int step_order,
                         const cJSON *raw, hy_err *err);
/* Failed step -> pending again (attempt count restarts). */
int engine_retry(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err);
/* The current step waits between automatic attempts (after a transient
 * failure, its next attempt later): it becomes due now, for the runners. */
int engine_retry_now(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err);
/* A pending, waiting or failed step (not before the current one) is skipped. */
int engine_skip(hy_ctx *c, const hy_principal *actor, const char *exec_id, int step_order, const char *reason,
                hy_err *err);
/* A failed step is marked done by hand, with a note. */
int engine_mark_done(hy_ctx *c, const hy_principal *actor, const char *exec_id, int step_order, const char *note,
                     hy_err *err);
/* Resets steps from_order..end to pending and resumes there. Refused while
 * a step is running (under a live lease), and for a cancelled execution
 * (cancelling cannot be undone). */
int engine_rerun(hy_ctx *c, const hy_principal *actor, const char *exec_id, int from_order, hy_err *err);
/* Cancels: waiting, pending and failed steps become cancelled; a step being
 * run finishes and is recorded, and nothing runs after it. */
int engine_cancel(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err);

/* Holds an execution that has not started its current step (waiting for
 * input, or queued) until at_ms: status scheduled; then a runner starts
 * that step (exec start --at). HY_ERR_CONFLICT once a step has run. */
int engine_hold(hy_ctx *c, const hy_principal *actor, const char *exec_id, int64_t at_ms, hy_err *err);
/* A scheduled execution waits until at_ms instead (now or past: due at
 * once). HY_ERR_CONFLICT when it is not scheduled. */
int engine_reschedule(hy_ctx *c, const hy_principal *actor, const char *exec_id, int64_t at_ms, hy_err *err);

/* An organisation or a user is deleted: its executions are kept, detached
 * (their organization_id / user_id, requested_by, cancelled_by and their
 * steps' completed_by / input_by set to NULL) and the counts follow.
 * Inside the caller's transaction, before the row is deleted. */
int engine_detach_org(hy_ctx *c, const char *org_id, hy_err *err);
int engine_detach_user(hy_ctx *c, const char *user_id, hy_err *err);

/* Auto steps that wait on no network (simulate, off, Studio) are run by
 * the action that queues them, in its transaction, right after it (unless
 * [engine] inline_local_steps is false): engine_submit, engine_retry,
 * engine_skip, engine_mark_done and engine_rerun do so themselves, so ops
 * writes its audit row for the action before calling them and the trail
 * reads in the order things happened. The rows, attempt log and audit are
 * those a runner writes (the runner field names this process and thread).
 * It stops at a step that waits on the network (left to the runners, under
 * a lease), a manual step, a retry not yet due, the end, or after 20 ms. A
 * database error inside those steps undoes them only (a savepoint): the
 * action still commits and the runners meet the error.
 *
 * engine_run_inline does the same for an execution whose current step is
 * already queued (a workflow that begins with an auto step, after
 * engine_start and the caller's audit row). */
int engine_run_inline(hy_ctx *c, const char *exec_id, hy_err *err);

/* The context a step of this execution sees: earlier inputs and outputs
 * merged in step order, plus execution_id, workflow, organization_id,
 * organization_name, user_id, user_email, user_firstname, user_lastname. */
int engine_context(hy_ctx *c, const char *exec_id, cJSON **out, hy_err *err);

/* ---- runners ---- */

typedef struct hy_engine hy_engine;

typedef struct {
    int lease_ms;                    /* 0 = 30000; renewed every third of it */
    int batch_max;                   /* local steps per transaction; 0 = 64 */
    const char *only_execution;      /* advance just this execution and its children (exec wait) */
    const char *only_requested_by;   /* just executions this user started */
} hy_engine_opts;

typedef struct {
    long steps_completed;
    long steps_failed;
    long retries_scheduled;
    long reclaimed;          /* steps taken over from a runner whose lease expired */
    long lease_lost;         /* results dropped: another runner took the step over */
    long transactions;
} hy_engine_stats;

/* Uses c's connection from the calling thread only. */
int engine_open(hy_ctx *c, const hy_engine_opts *o, hy_engine **out, hy_err *err);
void engine_close(hy_engine *e);
/* host:pid:thread */
const char *engine_owner(const hy_engine *e);
/* Runs the next runnable step (and the local steps right after it).
 * *worked: whether anything was done. */
int engine_tick(hy_engine *e, bool *worked, hy_err *err);
/* Ticks until nothing is runnable now or *stop becomes non-zero. */
int engine_drain(hy_engine *e, const volatile sig_atomic_t *stop, hy_err *err);
/* When the next step becomes runnable (ms since the epoch), or -1. */
int engine_next_due(hy_engine *e, int64_t *due, hy_err *err);
void engine_get_stats(const hy_engine *e, hy_engine_stats *out);

/* ---- the runner thread of an interactive process (no curses) ---- */

typedef struct hy_runner hy_runner;

typedef struct {
    /* 0: never look for work by itself: it runs what is due (retries,
     * expired leases) and otherwise sleeps until runner_kick, which its
     * owner calls when the database changed (the terminal UI does, see
     * ops_watch). N: also look every N ms. */
    int poll_ms;
    int lease_ms;                    /* 0 = engine default */
    const char *only_requested_by;   /* NULL = all runnable work */
    bool notify;                     /* also deliver notifications (a notifier thread: notify.h) */
} hy_runner_opts;

typedef struct {
    bool running;                    /* a step is being run right now */
    long rounds;                     /* times it looked for work (drained) so far */
    hy_engine_stats engine;
    char last_error[256];            /* the engine error of the last cycle (not a step's), or "" */
    long errors;                     /* cycles that ended in an engine error so far */
    char recent_error[256];          /* the latest of them, kept after good cycles */
} hy_runner_status;

/* Opens its own connection to the app's database and starts the thread. */
int runner_start(const hy_app *app, const hy_runner_opts *o, hy_runner **out, hy_err *err);
/* Work may be runnable now (call after an ops action that queues a step). */
void runner_kick(hy_runner *r);
void runner_get_status(hy_runner *r, hy_runner_status *out);
/* Paused: it finishes the step being run, then runs nothing and looks
 * for nothing until resumed (a `hyopps worker` took over). */
void runner_pause(hy_runner *r, bool paused);
/* Finishes the step being run (or leaves it to its lease), stops the
 * thread and closes its connection. NULL is ignored. */
void runner_stop(hy_runner *r);

/* ---- workers' heartbeats (engine_worker.c) ----
 * A `hyopps worker` announces that it is alive: while its heartbeat is
 * fresh (three intervals), terminal sessions run no runner thread and
 * look for no work: the workers run the auto steps. */

typedef struct hy_heartbeat hy_heartbeat;

/* Writes this process's heartbeat now (removing expired ones, audited as
 * worker.start), then renews it every interval_ms from a thread with its
 * own connection. A database that refuses the first one (read-only,
 * busy) is tried again at each interval, silently (the worker reports the
 * errors it meets itself); fails only without a connection or a thread. */
int worker_heartbeat_start(const hy_app *app, int interval_ms, hy_heartbeat **out, hy_err *err);
/* Deletes the heartbeat (audited as worker.stop: sessions see at once that
 * the worker is gone) and stops the thread. NULL is ignored. */
void worker_heartbeat_stop(hy_heartbeat *h);

/* ---- the worker's checkpoints (engine_worker.c) ----
 * Copying the WAL back into the database file ends in fsyncs; on a slow
 * disk they were a quarter of a worker's time (measured, BENCHMARKS.md),
 * its runner stopped while they ran. A worker leaves them to a thread with
 * its own connection: the runner goes on writing meanwhile. */

typedef struct hy_checkpointer hy_checkpointer;

/* Checkpoints every interval_ms (db_checkpoint) from a thread of its own;
 * fails only without a connection or a thread. */
int worker_checkpointer_start(const hy_app *app, int interval_ms, hy_checkpointer **out, hy_err *err);
/* Stops the thread (a checkpoint under way ends first), closes its
 * connection. NULL is ignored. */
void worker_checkpointer_stop(hy_checkpointer *c);
/* This engine does no checkpoints of its own from now on (a
 * checkpointer does them). */
void engine_leave_checkpoints(hy_engine *e);

/* ---- tests only: fault injection (nothing in the program sets it) ---- */

/* Called before each auto step's run; a non-zero return (with err filled,
 * e.g. HY_ERR_TRANSIENT with retry_after) is that attempt's result. */
typedef int (*engine_fault_fn)(const char *workflow, const char *step, int attempt, hy_err *err, void *ud);
void engine_test_set_fault(engine_fault_fn fn, void *ud);
/* Benchmarks: steps the calling thread's actions ran inline so far, and
 * the time they took (including their transaction's savepoint). */
void engine_inline_stats(long *steps, int64_t *ns);

#endif
