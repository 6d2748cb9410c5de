/* Store: reconciliation runs, what each looked at (checks) and what it
 * found (findings): migration 018. reconcile.c records runs; ops_access.c
 * marks what a repair did. Nothing else writes these tables. Each function
 * runs inside the caller's transaction. */
#ifndef HY_STORE_RECONCILE_H
#define HY_STORE_RECONCILE_H

#include <stdint.h>

#include "ctx.h"
#include "reconcile_int.h"

/* A new run (status running). Runs left "running" by a process that died
 * (the caller holds the run lease, so none is really running) are closed
 * as failed. */
int rcs_run_begin(hy_ctx *c, const char *run_id, int64_t started_ms, const char *by_user, const char *by_label,
                  const char *scope_org, const char *systems, hy_err *err);

typedef struct {
    const char *org_id;          /* "" = the shared Teams team */
    int sys;
    const char *status;          /* "ok" | "error" | "skipped" */
    const char *group_id;        /* may be NULL */
    int members;                 /* -1: not read */
    int calls;
    const char *note;            /* the error, or why skipped; may be NULL */
} rcs_check;

/* One organisation and system: the check and its findings. Each finding
 * keeps first_seen (and what a repair did) from the same finding of the
 * previous check of that organisation and system that was not an error. */
int rcs_record_check(hy_ctx *c, const char *run_id, const rcs_check *k, const rc_finding *f, int nf, hy_err *err);

/* Ends the run and drops old ones: the newest HY_RECONCILE_KEEP_RUNS are
 * kept, and any run still holding the latest check of an organisation and
 * system. */
int rcs_run_end(hy_ctx *c, const char *run_id, const char *status, int organizations, int findings, int calls,
                int64_t duration_ms, const char *error, hy_err *err);

/* Records what a repair did to a finding ("adopted", "removed",
 * "repair_access <id>"...). *found false when there is no such finding. */
int rcs_mark_repair(hy_ctx *c, int64_t finding_id, const char *repair, const char *by_user, bool *found, hy_err *err);

#endif
