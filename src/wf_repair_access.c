/* Workflow repair_access: gives a person back the access HyOpps granted and
 * reconciliation found missing (reconcile.h), by running the granting steps
 * of new_partner_user again for them: the same bodies, through the same
 * integration interfaces, recording the grants the same way (with this
 * execution and step). An administrator's repair (ops_access_repair) starts
 * it with the organisation, the person and why, and skips the systems that
 * need nothing; started by hand (`exec start repair_access`), it re-grants
 * all three (skip what is not wanted). Staff only: partner admins never see
 * it. */
#include "choices.h"
#include "workflows.h"

extern const hy_workflow_def hy_wf_new_partner_user;

/* ---- 1. select_organization, 2. select_user (manual) ---- */

static const hy_field_def ORG_FIELDS[] = {
    {.name = "organization_id", .label = "Organisation", .kind = HY_FIELD_PICK, .required = true,
     .provider = &hy_choices_partner_orgs, .attach = HY_ATTACH_ORG,
     .help = "The organisation whose group the person is given back: its name, the start of it, or its id"},
};

static const hy_info_def USER_INFO[] = {{"Organisation", "{organization_name}"}};

static const hy_field_def USER_FIELDS[] = {
    {.name = "user_id", .label = "Person", .kind = HY_FIELD_PICK, .required = true, .provider = &hy_choices_org_users,
     .attach = HY_ATTACH_USER, .help = "Who gets the access back: their email or id"},
    {.name = "reason", .label = "Reason", .kind = HY_FIELD_TEXT, .required = true, .max_len = 500,
     .help = "Why (a reconciliation found the access missing...)"},
};

/* ---- 3-5: the granting steps of new_partner_user, run again ---- */

static const hy_step_def *onboarding(const char *name) { return workflow_step(&hy_wf_new_partner_user, name); }

#define REGRANT(fn, step)                                                                                          \
    static int gather_##fn(hy_step_io *io, cJSON *context, hy_err *err)                                            \
    {                                                                                                              \
        const hy_step_def *sd = onboarding(step);                                                                  \
        return sd->gather ? sd->gather(io, context, err) : 0;                                                      \
    }                                                                                                              \
    static int run_##fn(hy_step_run *r, hy_err *err) { return onboarding(step)->run(r, err); }                    \
    static int persist_##fn(hy_step_io *io, hy_err *err)                                                           \
    {                                                                                                              \
        const hy_step_def *sd = onboarding(step);                                                                  \
        return sd->persist ? sd->persist(io, err) : 0;                                                             \
    }

REGRANT(metabase, "add_user_to_metabase_group")
REGRANT(teams, "add_user_to_teams_channel")
REGRANT(slack, "add_user_to_slack_group")

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static const hy_step_def REPAIR_STEPS[] = {
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000001301", .name = "select_organization", .label = "Select Organization",
     .kind = HY_STEP_MANUAL, .description = "The organisation whose access is repaired", .fields = ORG_FIELDS,
     .nfields = N(ORG_FIELDS)},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000001302", .name = "select_user", .label = "Select Person",
     .kind = HY_STEP_MANUAL, .description = "Who gets their access back, and why", .fields = USER_FIELDS,
     .nfields = N(USER_FIELDS), .info = USER_INFO, .ninfo = N(USER_INFO), .staff_only = true},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000001303", .name = "regrant_metabase", .label = "Re-grant Metabase",
     .kind = HY_STEP_AUTO, .description = "Add the person to the organisation's Metabase group again",
     .integration = HY_INT_METABASE, .gather = gather_metabase, .run = run_metabase, .persist = persist_metabase,
     .grants = HY_RES_METABASE, .grant_account_key = "metabase_user_id"},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000001304", .name = "regrant_teams", .label = "Re-grant Teams",
     .kind = HY_STEP_AUTO, .description = "Add the person to the Teams team again", .integration = HY_INT_TEAMS,
     .gather = gather_teams, .run = run_teams, .persist = persist_teams, .grants = HY_RES_TEAMS,
     .grant_account_key = "teams_user_id"},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000001305", .name = "regrant_slack", .label = "Re-grant Slack",
     .kind = HY_STEP_AUTO, .description = "Add the person to the organisation's Slack user group again",
     .integration = HY_INT_SLACK, .gather = gather_slack, .run = run_slack, .persist = persist_slack,
     .grants = HY_RES_SLACK, .grant_account_key = "slack_user_id"},
};

const hy_workflow_def hy_wf_repair_access = {
    .id = "6a9f0c1e-5b1d-4c1a-9a02-000000001300",
    .name = "repair_access",
    .label = "Repair access",
    .short_label = "Repair",
    .description = "Give a person back the access reconciliation found missing (re-runs the granting steps)",
    .steps = REPAIR_STEPS,
    .nsteps = N(REPAIR_STEPS),
};
