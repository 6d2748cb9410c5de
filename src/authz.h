/* Authorization: ONE rule, a row per role, that says for a principal which
 * organisations and which workflows it may see and act on, with which
 * actions, and what it may do outside executions (capabilities). Every
 * check, list query, count, form choice provider and UI key asks it
 * (through ops): nothing else decides.
 *
 *   role           organisations      workflows              actions                          capabilities
 *   admin          every one (+none)  every one              all                              panel, read all, manage,
 *                                                                                             reconcile, repair
 *   support        every one (+none)  every one              see, input, retry                panel, read all, reconcile
 *   partner_admin  their own          partner_admin_may_use  see, start, input*, retry, cancel,  panel
 *                                                            reschedule
 *   user           none               none                   none                             none
 *   (* not the steps a workflow marks staff_only)
 *
 * What a principal may not see answers "not found" in ops, exactly as if it
 * did not exist; an action it may see but not take answers "forbidden". */
#ifndef HY_AUTHZ_H
#define HY_AUTHZ_H

#include <stdbool.h>

#include "principal.h"
#include "workflows.h"

typedef enum {
    HY_ACT_SEE = 1 << 0,      /* list, count, show, its history */
    HY_ACT_START = 1 << 1,
    HY_ACT_INPUT = 1 << 2,    /* fill in a waiting manual step */
    HY_ACT_RETRY = 1 << 3,    /* a failed step again */
    HY_ACT_CANCEL = 1 << 4,
    HY_ACT_SKIP = 1 << 5,
    HY_ACT_DONE = 1 << 6,     /* mark a failed step done by hand */
    HY_ACT_RERUN = 1 << 7,    /* re-run from a step */
    HY_ACT_RESCHEDULE = 1 << 8, /* move a scheduled execution's start */
} hy_exec_action;

#define HY_ACT_ALL 0x1ffu
/* For tests and messages: "see", "start", ... (one bit). */
const char *hy_exec_action_name(hy_exec_action a);
/* For messages: "retry", "skip steps of", ... ("your role may not %s executions"). */
const char *hy_exec_action_verb(hy_exec_action a);

/* What a principal may do outside executions. */
typedef enum {
    HY_CAP_PANEL = 1 << 0,    /* logs in; reads the organisations and users of its scope */
    HY_CAP_READ_ALL = 1 << 1, /* every organisation and user, the audit trail, the integrations, the outbox */
    HY_CAP_MANAGE = 1 << 2,   /* changes organisations, users, roles, passwords, Metabase groups; unlocks */
    HY_CAP_RECONCILE = 1 << 3, /* runs a reconciliation (reads the services, changes nothing there) */
    HY_CAP_REPAIR = 1 << 4,   /* repairs drift: re-grants, removes, adopts (ops_access.h) */
} hy_capability;

/* Has p's role this capability (HY_CAP_* bit)? */
bool authz_can(const hy_principal *p, hy_capability cap);
/* The organisation p's reads are limited to: NULL = every one (read all),
 * else p's own ("" = none at all). */
const char *authz_org_scope(const hy_principal *p);

/* Where a principal's executions are. */
typedef struct {
    bool none;                /* no access to executions at all */
    bool any_org;             /* every organisation, and executions without one */
    char org_id[HY_UUID_LEN]; /* else: only this organisation */
    bool all_workflows;       /* else: only the workflows authz_workflow_in_scope says */
} hy_exec_scope;

void authz_exec_scope(const hy_principal *p, hy_exec_scope *out);
/* Can p's role ever take this action (on some execution)? */
bool authz_role_may(const hy_principal *p, hy_exec_action a);
/* Is this workflow within p's scope (may p see executions of it at all)? */
bool authz_workflow_in_scope(const hy_principal *p, const hy_workflow_def *wf);
/* The actions (HY_ACT_* bits) p may take on an execution of wf attached to
 * org_id (NULL or "" = no organisation yet); 0 = p may not even see it. An
 * unknown workflow (wf NULL) is visible to those who see every workflow. */
unsigned authz_exec_actions(const hy_principal *p, const hy_workflow_def *wf, const char *org_id);
/* May p start wf (for organisation org_id, NULL = not chosen yet)? */
bool authz_may_start(const hy_principal *p, const hy_workflow_def *wf);
/* May p fill in step sd of an execution it may act on with `actions`? */
bool authz_may_input_step(const hy_principal *p, unsigned actions, const hy_step_def *sd);
/* Organisations p may pick in forms: every one, or only its own (org_id
 * filled; "" = none at all). */
bool authz_org_choices_any(const hy_principal *p, char org_id[HY_UUID_LEN]);

#endif
