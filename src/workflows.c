#include "workflows.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Labels and descriptions as the original app seeded them. */
static const hy_step_def NEW_PARTNER_STEPS[] = {
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000101", "input_studio_companies", "Input Studio Companies", HY_STEP_MANUAL,
     "Admin creates companies in Studio UI, then inputs org name + Studio TEST/PROD IDs"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000102", "trigger_infrabot", "Trigger Infrabot", HY_STEP_MANUAL,
     "Admin triggers Infrabot with name, company ID, cluster, scopes. Confirms when KeyCloak creds stored"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000103", "clone_metabase_collection", "Clone Metabase Collection", HY_STEP_AUTO,
     "Clone template collection for the new partner via Metabase API"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000104", "create_metabase_group", "Create Metabase User Group", HY_STEP_AUTO,
     "Create a user group in Metabase and store the group ID"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000105", "grant_metabase_db_access", "Grant DB Access to Metabase Group",
     HY_STEP_AUTO, "Grant database access to the Metabase group"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000106", "create_teams_channel", "Create Teams Channel", HY_STEP_AUTO,
     "Create a dedicated Teams channel via MS Graph API"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000107", "create_slack_group", "Create Slack Group", HY_STEP_AUTO,
     "Create a Slack group via Slack API"},
    {"6a9f0c1e-5b1d-4c1a-9a01-000000000108", "lms_setup", "LMS Setup", HY_STEP_MANUAL,
     "Admin adds partner learning path in LMS. Confirm when done"},
};

static const hy_step_def NEW_PARTNER_USER_STEPS[] = {
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000201", "select_organization", "Select Organization", HY_STEP_MANUAL,
     "Admin selects existing partner organization from list"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000202", "input_user_details", "Input User Details", HY_STEP_MANUAL,
     "Admin inputs user details. User will automatically receive their own personal Studio company."},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000203", "add_user_to_studio_companies", "Add User to Org Studio Groups",
     HY_STEP_AUTO, "Add user to the org's Studio platform groups for shared resources"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000204", "add_user_to_metabase_group", "Add User to Metabase Group",
     HY_STEP_AUTO, "Add user to the org's Metabase system group"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000205", "add_user_to_teams_channel", "Add User to Teams Channel", HY_STEP_AUTO,
     "Add user to the org's Teams system group"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000206", "add_user_to_slack_group", "Add User to Slack Group", HY_STEP_AUTO,
     "Add user to the org's Slack system group"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000207", "create_studio_user_company", "Create User-Specific Studio Company",
     HY_STEP_AUTO, "Create a user-specific Studio company entry"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000208", "send_studio_invite", "Send Studio Invite", HY_STEP_AUTO,
     "Send invite to Studio platform"},
    {"6a9f0c1e-5b1d-4c1a-9a02-000000000209", "share_documentation", "Share Documentation", HY_STEP_AUTO,
     "Send documentation links via email/Slack"},
};

static const hy_workflow_def NEW_PARTNER = {
    "6a9f0c1e-5b1d-4c1a-9a01-000000000001", "new_partner", "Onboard a new partner organization from scratch",
    NEW_PARTNER_STEPS, (int)(sizeof NEW_PARTNER_STEPS / sizeof NEW_PARTNER_STEPS[0])};

static const hy_workflow_def NEW_PARTNER_USER = {
    "6a9f0c1e-5b1d-4c1a-9a02-000000000002", "new_partner_user", "Add a new user to an existing partner organization",
    NEW_PARTNER_USER_STEPS, (int)(sizeof NEW_PARTNER_USER_STEPS / sizeof NEW_PARTNER_USER_STEPS[0])};

const hy_workflow_def *const hy_workflows[] = {&NEW_PARTNER, &NEW_PARTNER_USER};
const int hy_workflow_count = 2;

const hy_workflow_def *workflow_find(const char *name)
{
    for (int i = 0; i < hy_workflow_count; i++)
        if (hy_streq(hy_workflows[i]->name, name)) return hy_workflows[i];
    return NULL;
}

const hy_step_def *workflow_step(const hy_workflow_def *wf, const char *step_name)
{
    for (int i = 0; wf && i < wf->nsteps; i++)
        if (hy_streq(wf->steps[i].name, step_name)) return &wf->steps[i];
    return NULL;
}

int workflows_seed(hy_ctx *c, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    for (int w = 0; w < hy_workflow_count; w++) {
        const hy_workflow_def *wf = hy_workflows[w];
        int rc = db_exec(c->db, err,
                         "INSERT INTO workflow_definitions(id, name, description, created_at) VALUES(?,?,?,?) "
                         "ON CONFLICT(name) DO UPDATE SET description = excluded.description",
                         "tttt", wf->id, wf->name, wf->description, now);
        if (rc) return rc;
        char *wid = NULL;
        rc = db_get_text(c->db, err, &wid, "SELECT id FROM workflow_definitions WHERE name = ?", "t", wf->name);
        if (rc) return rc;
        for (int s = 0; s < wf->nsteps && rc == 0; s++) {
            const hy_step_def *sd = &wf->steps[s];
            rc = db_exec(c->db, err,
                         "INSERT INTO workflow_step_definitions(id, workflow_definition_id, step_order, name, label, "
                         "type, description) VALUES(?,?,?,?,?,?,?) "
                         "ON CONFLICT(workflow_definition_id, step_order) DO UPDATE SET name = excluded.name, "
                         "label = excluded.label, type = excluded.type, description = excluded.description",
                         "ttittt" "t", sd->id, wid, s + 1, sd->name, sd->label,
                         sd->kind == HY_STEP_MANUAL ? "manual" : "auto", sd->description);
        }
        free(wid);
        if (rc) return rc;
    }
    return 0;
}
