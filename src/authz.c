/* The one authorization rule (authz.h): a table, a row per role. A new role
 * is a new row; a new workflow needs nothing here (its partner_admin_may_use
 * flag decides). */
#include "authz.h"

#include <string.h>

#include "util.h"

typedef struct {
    hy_role role;
    bool any_org;        /* else: the principal's own organisation */
    bool all_workflows;  /* else: partner_admin_may_use ones */
    bool staff;          /* may fill in staff_only steps */
    unsigned actions;    /* HY_ACT_* on executions in scope */
    unsigned caps;       /* HY_CAP_* outside executions */
} role_rule;

static const role_rule RULES[] = {
    {.role = HY_ROLE_ADMIN, .any_org = true, .all_workflows = true, .staff = true, .actions = HY_ACT_ALL,
     .caps = HY_CAP_PANEL | HY_CAP_READ_ALL | HY_CAP_MANAGE | HY_CAP_RECONCILE | HY_CAP_REPAIR},
    {.role = HY_ROLE_SUPPORT, .any_org = true, .all_workflows = true, .staff = true,
     .actions = HY_ACT_SEE | HY_ACT_INPUT | HY_ACT_RETRY, .caps = HY_CAP_PANEL | HY_CAP_READ_ALL | HY_CAP_RECONCILE},
    {.role = HY_ROLE_PARTNER_ADMIN,
     .actions = HY_ACT_SEE | HY_ACT_START | HY_ACT_INPUT | HY_ACT_RETRY | HY_ACT_CANCEL | HY_ACT_RESCHEDULE,
     .caps = HY_CAP_PANEL},
    {.role = HY_ROLE_USER, .actions = 0, .caps = 0},
};

static const role_rule *rule_of(const hy_principal *p)
{
    if (p->system) return &RULES[0]; /* the engine acting on its own */
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++)
        if (RULES[i].role == p->role) return &RULES[i];
    return NULL;
}

const char *hy_exec_action_name(hy_exec_action a)
{
    switch (a) {
    case HY_ACT_SEE: return "see";
    case HY_ACT_START: return "start";
    case HY_ACT_INPUT: return "input";
    case HY_ACT_RETRY: return "retry";
    case HY_ACT_CANCEL: return "cancel";
    case HY_ACT_SKIP: return "skip";
    case HY_ACT_DONE: return "done";
    case HY_ACT_RERUN: return "rerun";
    case HY_ACT_RESCHEDULE: return "reschedule";
    }
    return "?";
}

const char *hy_exec_action_verb(hy_exec_action a)
{
    switch (a) {
    case HY_ACT_SEE: return "see";
    case HY_ACT_START: return "start";
    case HY_ACT_INPUT: return "fill in steps of";
    case HY_ACT_RETRY: return "retry";
    case HY_ACT_CANCEL: return "cancel";
    case HY_ACT_SKIP: return "skip steps of";
    case HY_ACT_DONE: return "mark steps done by hand in";
    case HY_ACT_RERUN: return "re-run";
    case HY_ACT_RESCHEDULE: return "reschedule";
    }
    return "act on";
}

bool authz_can(const hy_principal *p, hy_capability cap)
{
    const role_rule *r = rule_of(p);
    return r && (r->caps & cap);
}

const char *authz_org_scope(const hy_principal *p) { return authz_can(p, HY_CAP_READ_ALL) ? NULL : p->org_id; }

bool authz_role_may(const hy_principal *p, hy_exec_action a)
{
    const role_rule *r = rule_of(p);
    return r && (r->actions & a);
}

void authz_exec_scope(const hy_principal *p, hy_exec_scope *out)
{
    memset(out, 0, sizeof *out);
    const role_rule *r = rule_of(p);
    if (!r || !(r->actions & HY_ACT_SEE) || (!r->any_org && !p->org_id[0])) {
        out->none = true;
        return;
    }
    out->any_org = r->any_org;
    if (!r->any_org) hy_strlcpy(out->org_id, p->org_id, sizeof out->org_id);
    out->all_workflows = r->all_workflows;
}

bool authz_workflow_in_scope(const hy_principal *p, const hy_workflow_def *wf)
{
    hy_exec_scope s;
    authz_exec_scope(p, &s);
    if (s.none) return false;
    return s.all_workflows || (wf && wf->partner_admin_may_use);
}

unsigned authz_exec_actions(const hy_principal *p, const hy_workflow_def *wf, const char *org_id)
{
    hy_exec_scope s;
    authz_exec_scope(p, &s);
    if (s.none) return 0;
    if (!s.all_workflows && !(wf && wf->partner_admin_may_use)) return 0;
    if (!s.any_org && !(org_id && hy_streq(org_id, s.org_id))) return 0;
    return rule_of(p)->actions;
}

bool authz_may_start(const hy_principal *p, const hy_workflow_def *wf)
{
    hy_exec_scope s;
    authz_exec_scope(p, &s);
    if (s.none || !wf || !(rule_of(p)->actions & HY_ACT_START)) return false;
    return s.all_workflows || wf->partner_admin_may_use;
}

bool authz_may_input_step(const hy_principal *p, unsigned actions, const hy_step_def *sd)
{
    if (!(actions & HY_ACT_INPUT) || !sd || sd->kind != HY_STEP_MANUAL) return false;
    return !sd->staff_only || rule_of(p)->staff;
}

bool authz_org_choices_any(const hy_principal *p, char org_id[HY_UUID_LEN])
{
    hy_exec_scope s;
    authz_exec_scope(p, &s);
    org_id[0] = '\0';
    if (s.none) return false;
    if (s.any_org) return true;
    hy_strlcpy(org_id, s.org_id, HY_UUID_LEN);
    return false;
}
