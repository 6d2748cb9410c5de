/* Reconciliation: what Metabase, Teams and Slack really have, compared with
 * the grants HyOpps recorded (store_grants.h), organisation by organisation.
 * It reads and reports; it never changes anything at a service (repairs are
 * explicit actions: ops_access.h).
 *
 * For each organisation (or one) and each integration that is not off (live
 * or simulated: the simulated services answer from their state, so the whole
 * feature works on the embedded default):
 *   Metabase  the members of the organisation's group vs its active Metabase
 *             grants, matched by Metabase user id, then by email (any case).
 *             Metabase lists active accounts only: when a grantee is absent,
 *             one more call lists the group's deactivated accounts, so that
 *             a deactivated account is reported as such, not as removed.
 *   Slack     the user group's members (user ids only) mapped through the
 *             grants' account ids; an id no grant holds is an unknown
 *             person. A disabled group gives its grantees no access.
 *   Teams     the shared team's members vs every organisation's Teams
 *             grants (team owners and HyOpps staff are the team's own
 *             people); a member HyOpps knows nothing of is reported once,
 *             for the team (organisation ""), in a run over every
 *             organisation.
 *   groups    a placeholder id of the original app (system_groups.
 *             placeholder), a non-numeric Metabase id, or no group while
 *             grants exist: reported without any call; an id the service
 *             does not list (deleted by hand): reported after the one list
 *             call.
 *
 * Cost: one list call per system and run (Metabase groups, Slack user
 * groups, Teams channels), one member list per group (plus pages; the Teams
 * team once), never one call per person. Transient failures (timeouts, 429,
 * 5xx) are retried as steps are ([http] max_attempts, backoff honouring
 * Retry-After); what still cannot be read is recorded as such (check status
 * "error") and nothing is reported for it.
 *
 * A run holds the "reconcile" lease (list_lock.h): two runs never overlap,
 * in any process. Results: reconcile_runs / _checks / _findings
 * (store_reconcile.h, migration 018). */
#ifndef HY_RECONCILE_H
#define HY_RECONCILE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "principal.h"
#include "util.h"

/* ---- systems and kinds of drift ---- */

typedef enum { HY_SYS_METABASE = 0, HY_SYS_TEAMS, HY_SYS_SLACK } hy_sys;
#define HY_NSYS 3
#define HY_SYS_ALL 7u

const char *hy_sys_name(int sys);       /* "metabase", "teams", "slack" */
const char *hy_sys_label(int sys);      /* "Metabase", "Teams", "Slack" */
const char *hy_sys_resource(int sys);   /* the grants' resource name (HY_RES_*) */
int hy_sys_parse(const char *name);     /* -1 if unknown */
/* "metabase,slack" (any case, spaces allowed) -> HY_SYS_* bits; a field
 * error under "system" naming what is unknown. */
int hy_sys_parse_list(const char *text, unsigned *mask, hy_err *err);

typedef enum { HY_DRIFT_MISSING = 0, HY_DRIFT_UNEXPECTED, HY_DRIFT_REVOKED, HY_DRIFT_UNKNOWN_GROUP } hy_drift;
#define HY_NDRIFT 4

const char *hy_drift_name(int kind);    /* "missing", "unexpected", "revoked_present", "unknown_group" */
const char *hy_drift_label(int kind);   /* "missing", "unexpected", "revoked but present", "unknown group" */
int hy_drift_parse(const char *name);   /* -1 if unknown */

/* The lease key of runs (list_locks). */
#define HY_RECONCILE_LEASE "reconcile:run"
/* Runs kept (older ones go, unless still the latest check of something). */
#define HY_RECONCILE_KEEP_RUNS 30

/* ---- a run ---- */

typedef struct {
    unsigned systems;            /* HY_SYS_* bits; 0 = all */
    const char *org_id;          /* NULL: every organisation */
    const struct hy_principal *actor;  /* who started it (the system principal for a worker): audit */
    const char *by_label;        /* their email, or "worker HOST:PID" */
    const char *owner;           /* who holds the lease (unique per process and thread) */
    volatile sig_atomic_t *stop; /* set: stop after the organisation at hand (may be NULL) */
    bool only_if_due;            /* a periodic run: nothing when, holding the lease, it is not due (not_due) */
} hy_reconcile_opts;

typedef struct {
    char run_id[HY_UUID_LEN];
    int organizations;           /* looked at */
    int findings;
    int by_kind[HY_NDRIFT];
    int by_system[HY_NSYS];      /* findings per system */
    int calls[HY_NSYS];          /* service calls per system (live only) */
    int retries;                 /* transient failures retried */
    int unchecked;               /* Slack grants without a recorded account id: not comparable */
    unsigned systems_read;       /* systems compared (not off) */
    int64_t duration_ms;
    bool incomplete;             /* something could not be read (failures) */
    bool not_due;                /* only_if_due, and another run made it meanwhile: nothing done */
    char **failures;             /* "Acme Corp, Slack: <error>" */
    int nfailures;
} hy_reconcile_stats;

void hy_reconcile_stats_free(hy_reconcile_stats *s);

/* Runs a reconciliation on c's connection (no transaction open). Returns
 * 0 when the run was made and recorded (it may be incomplete: see
 * out->incomplete and out->failures), HY_ERR_CONFLICT when another run
 * holds the lease, or the database's error. */
int reconcile_run(hy_ctx *c, const hy_reconcile_opts *o, hy_reconcile_stats *out, hy_err *err);

/* When the next periodic run is due ([reconcile] every_hours after the
 * start of the last run over every organisation), in ms since the epoch;
 * -1 when never (every_hours 0). */
int reconcile_next_due(hy_ctx *c, int64_t *due_ms, hy_err *err);

/* ---- the worker's periodic runs (reconciler.c): a thread with its own
 * connection and client, so that a slow service delays no step ---- */
struct hy_app;
typedef struct hy_reconciler hy_reconciler;
/* NULL in *out (and 0) when [reconcile] every_hours is 0. */
int reconciler_start(const struct hy_app *app, const char *owner, hy_reconciler **out, hy_err *err);
/* Asks it to stop after the organisation at hand and waits. NULL is fine. */
void reconciler_stop(hy_reconciler *r);

#endif
