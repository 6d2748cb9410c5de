/* Workflow new_partner: onboard a new partner organisation (8 steps).
 *
 * Auto steps call the integration's interface (svc.h): the live backend or
 * the simulated one, chosen from the mode, answers with the same shape
 * (the engine adds "simulated": true to the output of a simulated one).
 * `persist` writes the local rows the original app wrote. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "integrations/integrations.h"
#include "step_support.h"
#include "store_groups.h"
#include "store_orgs.h"
#include "svc.h"
#include "util.h"
#include "workflows.h"

/* ---- 1. input_studio_companies (manual) ---- */

static bool studio_id_ok(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._:-", *p)) return false;
    return *s != '\0';
}

/* Is a Studio id used by a company of another organisation? */
static int check_studio_id(hy_step_io *io, const char *field, const char *sid, const char *mine, hy_err *err)
{
    if (!sid) return 0;
    if (!studio_id_ok(sid)) {
        hy_field(err, field, "may contain only letters, digits, '.', '_', ':' and '-'");
        return 0;
    }
    char *owner = NULL;
    int rc = db_get_text(io->c->db, err, &owner,
                         "SELECT o.name FROM studio_companies sc JOIN organizations o ON o.id = sc.organization_id "
                         "WHERE sc.studio_id = ?1 AND (?2 IS NULL OR sc.organization_id != ?2)",
                         "tt", sid, mine);
    if (rc) return rc;
    if (owner) hy_field(err, field, "Studio id '%s' is already used by a company of %s", sid, owner);
    free(owner);
    return 0;
}

static int apply_input_studio_companies(hy_step_io *io, cJSON *input, hy_err *err)
{
    const char *name = wf_str(input, "organization_name");
    const char *tname = wf_str(input, "studio_company_name_test"), *tid = wf_str(input, "studio_company_id_test");
    const char *pname = wf_str(input, "studio_company_name_prod"), *pid = wf_str(input, "studio_company_id_prod");
    /* On a re-run the execution already has its organisation: that one may keep its name and ids. */
    const char *mine = wf_str(io->context, "organization_id");

    char *taken = NULL;
    int rc = db_get_text(io->c->db, err, &taken,
                         "SELECT name FROM organizations WHERE name = ?1 COLLATE NOCASE AND (?2 IS NULL OR id != ?2)",
                         "tt", name, mine);
    if (rc) return rc;
    if (taken) hy_field(err, "organization_name", "an organisation named '%s' already exists", taken);
    free(taken);
    if ((rc = check_studio_id(io, "studio_company_id_test", tid, mine, err))) return rc;
    if ((rc = check_studio_id(io, "studio_company_id_prod", pid, mine, err))) return rc;
    if (tid && pid && strcmp(tid, pid) == 0 && !hy_field_msg(err, "studio_company_id_prod"))
        hy_field(err, "studio_company_id_prod", "must differ from the TEST company's Studio id");
    if (err->nfield) return HY_ERR_INVALID;

    char org[HY_UUID_LEN];
    if (mine) {
        hy_strlcpy(org, mine, sizeof org);
        rc = org_rename(io->c, org, name, err);
    } else {
        rc = org_create(io->c, name, org, err);
    }
    if (rc == 0) rc = org_ensure_integrations(io->c, org, err);
    if (rc == 0) rc = org_upsert_studio_company(io->c, org, "test", tid, tname, err);
    if (rc == 0) rc = org_upsert_studio_company(io->c, org, "prod", pid, pname, err);
    if (rc == 0) hy_strlcpy(io->attach_org, org, sizeof io->attach_org);
    return rc;
}

static const hy_field_def INPUT_STUDIO_FIELDS[] = {
    {.name = "organization_name", .label = "Organisation name", .kind = HY_FIELD_TEXT, .required = true,
     .max_len = 200, .help = "The partner's name, as it should appear everywhere (must be new)"},
    {.name = "studio_company_name_test", .label = "Studio TEST company name", .kind = HY_FIELD_TEXT,
     .required = true, .max_len = 200, .default_tmpl = "{organization_name} TEST",
     .help = "The TEST company you created in the Studio UI"},
    {.name = "studio_company_id_test", .label = "Studio TEST company id", .kind = HY_FIELD_TEXT, .required = true,
     .max_len = 100, .help = "Its id in Studio (letters, digits, . _ : -)"},
    {.name = "studio_company_name_prod", .label = "Studio PROD company name", .kind = HY_FIELD_TEXT,
     .required = true, .max_len = 200, .default_tmpl = "{organization_name} PROD",
     .help = "The PROD company you created in the Studio UI"},
    {.name = "studio_company_id_prod", .label = "Studio PROD company id", .kind = HY_FIELD_TEXT, .required = true,
     .max_len = 100, .help = "Its id in Studio (letters, digits, . _ : -)"},
};

/* ---- 2. trigger_infrabot (manual) ---- */

static const char *const CLUSTERS[] = {"prod-eu", "prod-us", NULL};

/* Step 1 skipped: what to do, not only what is missing. */
#define NO_ORG_MSG                                                                                                \
    "this execution has no organisation: step 1 (Input Studio Companies) creates it and was skipped. To go on, " \
    "re-run from step 1 (R on step 1, or hyopps exec rerun ID --from 1) and fill it in"

static int need_org(hy_step_io *io, const char **org, hy_err *err)
{
    *org = wf_str(io->context, "organization_id");
    if (!*org) return hy_fail(err, HY_ERR_CONFLICT, "%s", NO_ORG_MSG);
    return 0;
}

static int apply_trigger_infrabot(hy_step_io *io, cJSON *input, hy_err *err)
{
    if (err->nfield) return HY_ERR_INVALID;
    const char *org;
    if (need_org(io, &org, err)) return err->code;
    return org_set_keycloak(io->c, org, true, wf_str(input, "keycloak_cluster"), err);
}

static const hy_info_def INFRABOT_INFO[] = {
    {"Organisation name", "{organization_name}"},
    {"Studio TEST company id", "{studio_company_id_test}"},
    {"Studio PROD company id", "{studio_company_id_prod}"},
};

static const hy_field_def INFRABOT_FIELDS[] = {
    {.name = "keycloak_cluster", .label = "Keycloak cluster", .kind = HY_FIELD_CHOICE, .required = true,
     .choices = CLUSTERS, .help = "The cluster Infrabot created the partner's Keycloak client on"},
    {.name = "scopes", .label = "Scopes", .kind = HY_FIELD_TEXT, .max_len = 500,
     .help = "The scopes given to Infrabot (e.g. read)"},
    {.name = "keycloak_confirmed", .label = "Keycloak credentials stored", .kind = HY_FIELD_CONFIRM,
     .required = true, .help = "Tick once Infrabot ran and the Keycloak credentials are stored"},
};

/* ---- 3. clone_metabase_collection (auto, Metabase) ---- */

static int need_org_name(hy_step_run *r, const char **name, hy_err *err)
{
    *name = wf_str(r->context, "organization_name");
    if (!*name || !wf_str(r->context, "organization_id"))
        return hy_fail(err, HY_ERR_PERMANENT, "%s", NO_ORG_MSG);
    return 0;
}

/* The collection "<org>" under [metabase] parent_collection_id (found by
 * name, else created), with the template's dashboards copied into it. */
static int run_clone_metabase_collection(hy_step_run *r, hy_err *err)
{
    const char *org;
    if (need_org_name(r, &org, err)) return err->code;
    mb_collection_result res;
    if (svc_metabase(r->mode)->clone_collection(&r->svc, org, &res, err)) return err->code;
    cJSON_AddNumberToObject(r->output, "metabase_collection_id", (double)res.collection_id);
    cJSON_AddStringToObject(r->output, "metabase_collection_name", org);
    if (r->cfg->metabase.template_collection_id)
        cJSON_AddNumberToObject(r->output, "template_collection_id", (double)r->cfg->metabase.template_collection_id);
    cJSON_AddBoolToObject(r->output, "created", res.created);
    cJSON_AddNumberToObject(r->output, "dashboards_copied", res.dashboards_copied);
    cJSON_AddNumberToObject(r->output, "dashboards_present", res.dashboards_present);
    return 0;
}

static int persist_collection(hy_step_io *io, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    int64_t id;
    if (!org || !wf_int(io->output, "metabase_collection_id", &id)) return 0;
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)id);
    return org_set_collection(io->c, org, text, err);
}

/* ---- 4. create_metabase_group (auto, Metabase) ---- */

/* The group "ext-<org-slug>", found by name (case-insensitive) or created. */
static int run_create_metabase_group(hy_step_run *r, hy_err *err)
{
    const char *org;
    if (need_org_name(r, &org, err)) return err->code;
    mb_group_result res;
    if (svc_metabase(r->mode)->ensure_group(&r->svc, org, &res, err)) return err->code;
    cJSON_AddNumberToObject(r->output, "metabase_group_id", (double)res.group_id);
    cJSON_AddStringToObject(r->output, "metabase_group_name", res.name);
    cJSON_AddBoolToObject(r->output, "created", res.created);
    return 0;
}

static int persist_metabase_group(hy_step_io *io, hy_err *err)
{
    int64_t id;
    const char *name = wf_str(io->output, "metabase_group_name");
    if (!name || !wf_int(io->output, "metabase_group_id", &id)) return 0;
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)id);
    return group_upsert(io->c, wf_str(io->context, "organization_id"), "metabase", name, text, err);
}

/* ---- 5. grant_metabase_db_access (auto, Metabase) ---- */

/* Query-builder access to each of [metabase] database_ids in the
 * permissions graph (read, modify, write back with its revision, under the
 * graph's list lease; no write when nothing changes). */
static int run_grant_metabase_db_access(hy_step_run *r, hy_err *err)
{
    int64_t group;
    if (!wf_int(r->context, "metabase_group_id", &group))
        return hy_fail(err, HY_ERR_PERMANENT,
                       "no Metabase group id in this execution: create_metabase_group must run first (re-run from it)");
    mb_grant_result res;
    if (svc_metabase(r->mode)->grant_db_access(&r->svc, (long)group, &res, err)) return err->code;
    cJSON_AddNumberToObject(r->output, "metabase_group_id", (double)group);
    cJSON *ids = cJSON_AddArrayToObject(r->output, "database_ids");
    for (int i = 0; i < r->cfg->metabase.ndatabase_ids; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)r->cfg->metabase.database_ids[i]));
    cJSON_AddBoolToObject(r->output, "granted", 1);
    cJSON_AddNumberToObject(r->output, "databases_granted", res.granted);
    cJSON_AddNumberToObject(r->output, "databases_already", res.already);
    if (res.revision) cJSON_AddNumberToObject(r->output, "permissions_revision", (double)res.revision);
    if (r->svc.lock_wait_ms >= 0) cJSON_AddNumberToObject(r->output, "list_lock_wait_ms", (double)r->svc.lock_wait_ms);
    return 0;
}

/* ---- 6. create_teams_channel (auto, Teams) ---- */

/* A standard channel named after the organisation in [teams] team_id,
 * found by displayName first, else created. */
static int run_create_teams_channel(hy_step_run *r, hy_err *err)
{
    const char *org;
    if (need_org_name(r, &org, err)) return err->code;
    graph_channel_result res;
    if (svc_teams(r->mode)->ensure_channel(&r->svc, org, &res, err)) return err->code;
    cJSON_AddStringToObject(r->output, "teams_channel_id", res.id);
    cJSON_AddStringToObject(r->output, "teams_channel_name", res.name);
    cJSON_AddBoolToObject(r->output, "created", res.created);
    return 0;
}

static int persist_teams(hy_step_io *io, hy_err *err)
{
    const char *id = wf_str(io->output, "teams_channel_id"), *name = wf_str(io->output, "teams_channel_name");
    if (!id || !name) return 0;
    return group_upsert(io->c, wf_str(io->context, "organization_id"), "teams", name, id, err);
}

/* ---- 7. create_slack_group (auto, Slack) ---- */

/* The user group with handle "ext-<org-slug>" (enabled again if it was
 * disabled), else created. */
static int run_create_slack_group(hy_step_run *r, hy_err *err)
{
    const char *org;
    if (need_org_name(r, &org, err)) return err->code;
    slack_group_result res;
    if (svc_slack(r->mode)->ensure_group(&r->svc, org, &res, err)) return err->code;
    cJSON_AddStringToObject(r->output, "slack_group_id", res.id);
    cJSON_AddStringToObject(r->output, "slack_group_handle", res.handle);
    cJSON_AddStringToObject(r->output, "slack_group_name", res.handle); /* created with the handle as its name */
    cJSON_AddBoolToObject(r->output, "created", res.created);
    if (res.enabled) cJSON_AddBoolToObject(r->output, "reenabled", 1);
    return 0;
}

static int persist_slack(hy_step_io *io, hy_err *err)
{
    const char *id = wf_str(io->output, "slack_group_id"), *handle = wf_str(io->output, "slack_group_handle");
    if (!id || !handle) return 0;
    return group_upsert(io->c, wf_str(io->context, "organization_id"), "slack", handle, id, err);
}

/* ---- 8. lms_setup (manual) ---- */

static int apply_lms_setup(hy_step_io *io, cJSON *input, hy_err *err)
{
    (void)input;
    if (err->nfield) return HY_ERR_INVALID;
    const char *org;
    if (need_org(io, &org, err)) return err->code;
    return org_set_lms(io->c, org, true, err);
}

static const hy_info_def LMS_INFO[] = {{"Organisation name", "{organization_name}"}};

static const hy_field_def LMS_FIELDS[] = {
    {.name = "lms_confirmed", .label = "LMS learning path added", .kind = HY_FIELD_CONFIRM, .required = true,
     .help = "Tick once the partner's learning path exists in the LMS"},
};

/* ---- on completion: the original re-upserted everything it learnt ---- */

static int complete_new_partner(hy_step_io *io, hy_err *err)
{
    const cJSON *x = io->context;
    const char *org = wf_str(x, "organization_id");
    if (!org) return 0;
    int rc = org_ensure_integrations(io->c, org, err);
    const cJSON *kc = cJSON_GetObjectItemCaseSensitive(x, "keycloak_confirmed");
    const cJSON *lms = cJSON_GetObjectItemCaseSensitive(x, "lms_confirmed");
    if (rc == 0 && cJSON_IsBool(kc)) rc = org_set_keycloak(io->c, org, cJSON_IsTrue(kc), wf_str(x, "keycloak_cluster"), err);
    if (rc == 0 && cJSON_IsBool(lms)) rc = org_set_lms(io->c, org, cJSON_IsTrue(lms), err);
    int64_t n;
    char text[32];
    if (rc == 0 && wf_int(x, "metabase_collection_id", &n)) {
        snprintf(text, sizeof text, "%lld", (long long)n);
        rc = org_set_collection(io->c, org, text, err);
    }
    if (rc == 0 && wf_int(x, "metabase_group_id", &n) && wf_str(x, "metabase_group_name")) {
        snprintf(text, sizeof text, "%lld", (long long)n);
        rc = group_upsert(io->c, org, "metabase", wf_str(x, "metabase_group_name"), text, err);
    }
    if (rc == 0 && wf_str(x, "teams_channel_id") && wf_str(x, "teams_channel_name"))
        rc = group_upsert(io->c, org, "teams", wf_str(x, "teams_channel_name"), wf_str(x, "teams_channel_id"), err);
    if (rc == 0 && wf_str(x, "slack_group_id") && wf_str(x, "slack_group_handle"))
        rc = group_upsert(io->c, org, "slack", wf_str(x, "slack_group_handle"), wf_str(x, "slack_group_id"), err);
    return rc;
}

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* Labels as the original app seeded them (one spelling: organisation);
 * descriptions that read right to whoever fills the form in (issue 17). */
static const hy_step_def NEW_PARTNER_STEPS[] = {
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000101", .name = "input_studio_companies",
     .label = "Input Studio Companies", .kind = HY_STEP_MANUAL,
     .description = "Create the TEST and PROD companies in the Studio UI, then give the organisation's name and their "
                    "Studio ids",
     .fields = INPUT_STUDIO_FIELDS, .nfields = N(INPUT_STUDIO_FIELDS), .apply = apply_input_studio_companies},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000102", .name = "trigger_infrabot", .label = "Trigger Infrabot",
     .kind = HY_STEP_MANUAL,
     .description = "Trigger Infrabot with the name, the company ids, the cluster and the scopes; confirm once the "
                    "Keycloak credentials are stored",
     .fields = INFRABOT_FIELDS, .nfields = N(INFRABOT_FIELDS), .info = INFRABOT_INFO, .ninfo = N(INFRABOT_INFO),
     .apply = apply_trigger_infrabot},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000103", .name = "clone_metabase_collection",
     .label = "Clone Metabase Collection", .kind = HY_STEP_AUTO,
     .description = "Clone template collection for the new partner via Metabase API",
     .integration = HY_INT_METABASE, .run = run_clone_metabase_collection,
     .persist = persist_collection},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000104", .name = "create_metabase_group",
     .label = "Create Metabase User Group", .kind = HY_STEP_AUTO,
     .description = "Create a user group in Metabase and store the group ID", .integration = HY_INT_METABASE,
     .run = run_create_metabase_group, .persist = persist_metabase_group},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000105", .name = "grant_metabase_db_access",
     .label = "Grant DB Access to Metabase Group", .kind = HY_STEP_AUTO,
     .description = "Grant database access to the Metabase group", .integration = HY_INT_METABASE,
     .run = run_grant_metabase_db_access},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000106", .name = "create_teams_channel", .label = "Create Teams Channel",
     .kind = HY_STEP_AUTO, .description = "Create a dedicated Teams channel via MS Graph API",
     .integration = HY_INT_TEAMS, .run = run_create_teams_channel, .persist = persist_teams},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000107", .name = "create_slack_group", .label = "Create Slack Group",
     .kind = HY_STEP_AUTO, .description = "Create a Slack group via Slack API", .integration = HY_INT_SLACK,
     .run = run_create_slack_group, .persist = persist_slack},
    {.id = "6a9f0c1e-5b1d-4c1a-9a01-000000000108", .name = "lms_setup", .label = "LMS Setup",
     .kind = HY_STEP_MANUAL, .description = "Add the partner's learning path in the LMS; confirm when done",
     .fields = LMS_FIELDS, .nfields = N(LMS_FIELDS), .info = LMS_INFO, .ninfo = N(LMS_INFO),
     .apply = apply_lms_setup},
};

const hy_workflow_def hy_wf_new_partner = {
    .id = "6a9f0c1e-5b1d-4c1a-9a01-000000000001",
    .name = "new_partner",
    .label = "New partner",
    .short_label = "New partner",
    .description = "Onboard a new partner organisation from scratch",
    .steps = NEW_PARTNER_STEPS,
    .nsteps = N(NEW_PARTNER_STEPS),
    .partner_admin_may_use = false,
    .on_complete = complete_new_partner,
};
