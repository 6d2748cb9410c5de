/* Shared by engine.c (transitions), engine_run.c (runners) and
 * engine_lease.c (heartbeat). Not for other modules. */
#ifndef HY_ENGINE_INTERNAL_H
#define HY_ENGINE_INTERNAL_H

#include "engine.h"
#include "status.h"

#define EX_MAX_STEPS 32

/* An execution row and its steps' statuses, loaded inside a transaction. */
typedef struct {
    int64_t rowid;
    char id[HY_UUID_LEN];
    char wf_name[64];
    const hy_workflow_def *wf;   /* NULL if this program does not know the workflow */
    char wf_id[HY_UUID_LEN];     /* workflow_definition_id */
    hy_exec_status status;
    int current;
    char org[HY_UUID_LEN], user[HY_UUID_LEN], requested_by[HY_UUID_LEN];
    char parent[HY_UUID_LEN];    /* the execution that started it (child_of), or "" */
    int nsteps;
    bool deferred;               /* queued at `current` in memory only (see ex_advance) */
    struct {
        char id[HY_UUID_LEN];
        hy_step_status status;
    } step[EX_MAX_STEPS];        /* [0] = step_order 1 */
} ex_state;

/* Loads by id; HY_ERR_NOT_FOUND if missing. */
int ex_load(hy_ctx *c, const char *exec_id, ex_state *x, hy_err *err);
/* The execution's status changed from x->status to `status` (the row is
 * already updated): keeps exec_counts right and x->status current, and
 * wakes the parent of a child that completed, failed or was cancelled (its
 * waiting step is checked by the next runner). The engine, the only writer
 * of execution status, calls this after every such UPDATE (a trigger would
 * make every UPDATE of the table slower). */
int ex_status_changed(hy_ctx *c, ex_state *x, hy_exec_status status, hy_err *err);
/* Builds the merged context (see engine_context). */
int ex_context(hy_ctx *c, const ex_state *x, cJSON **out, hy_err *err);
/* Copies every key of src into dst, replacing. */
void ex_merge(cJSON *dst, const cJSON *src);
/* The same, moving src's items (src is left empty). */
void ex_merge_move(cJSON *dst, cJSON *src);
/* Sets a step's status in the row and in x. */
void ex_set_step_status(ex_state *x, int order, hy_step_status status);
/* Moves past step `from` (0 = before the first): the next pending step
 * becomes current (manual: awaiting_input; auto: queued now), or the
 * execution completes. context may be NULL (then built if needed).
 * *queued_auto (may be NULL) gets the order of a queued auto step, or 0.
 * defer: a queued auto step is only noted in x (x->deferred) because the
 * caller runs it next in the same transaction; ex_flush_deferred writes it
 * if the caller stops before. */
int ex_advance(hy_ctx *c, const hy_principal *actor, ex_state *x, int from, const cJSON *context, int *queued_auto,
               bool defer, hy_err *err);
int ex_flush_deferred(hy_ctx *c, ex_state *x, hy_err *err);
/* After an operator action left the next auto step queued in x only
 * (x->deferred): runs it and the local steps after it in this transaction
 * when none waits on the network ([engine] inline_local_steps), as a runner
 * would; else (or after a database error inside them, undone by a
 * savepoint) writes the queued step for the runners. */
int ex_run_deferred(hy_ctx *c, ex_state *x, hy_err *err);
/* Step `order` completed (how: "auto" or "by_hand", with a note): records
 * the grant it gives or ends the one it revokes (workflows.h grants /
 * revokes) for the execution's user. Nothing for other steps. */
int ex_record_access(hy_ctx *c, const ex_state *x, int order, const char *how, const char *note, const cJSON *output,
                     hy_err *err);
/* Holds the execution before step k (pending; an awaiting one goes back to
 * pending): status scheduled until at_ms, when a runner starts step k
 * (ex_release). No pending step from k on: it completes now. Audited. */
int ex_hold(hy_ctx *c, const hy_principal *actor, ex_state *x, int k, int64_t at_ms, hy_err *err);
/* A scheduled execution whose time came: its current step starts (manual:
 * waits for input; auto: queued now). Audited as the engine. */
int ex_release(hy_ctx *c, const hy_principal *sys, ex_state *x, hy_err *err);
/* Audit helper: details built from key/value string pairs (NULL-terminated). */
int ex_audit(hy_ctx *c, const hy_principal *actor, const char *action, const char *exec_id, cJSON *details,
             hy_err *err);

/* {workflow, step_order, step}: the start of a step's audit details. */
cJSON *ex_step_details(const ex_state *x, int order);

/* The heartbeat that renews the lease of the step being run. */
typedef struct lease_keeper lease_keeper;
lease_keeper *lease_keeper_new(const char *db_path, int lease_ms);
void lease_keeper_hold(lease_keeper *k, const char *step_id, const char *exec_id, const char *owner);
void lease_keeper_release(lease_keeper *k);
void lease_keeper_free(lease_keeper *k);

/* The test fault hook (engine_test_set_fault). */
extern engine_fault_fn ex_fault_fn;
extern void *ex_fault_ud;

#endif
