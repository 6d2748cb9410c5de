/* Workflow new_partner_user: add a user to an existing partner organisation
 * (9 steps). Auto steps call the integration's interface (svc.h): live or
 * simulated backend, one body (the engine records live calls on the step
 * and marks simulated outputs). Studio has no public API: its three steps
 * are always simulated, and their local rows are real. The steps that give
 * access declare it (`grants`): the engine records each grant. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "choices.h"
#include "db.h"
#include "integrations/integrations.h"
#include "step_mail.h"
#include "step_support.h"
#include "store_grants.h"
#include "store_groups.h"
#include "store_users.h"
#include "svc.h"
#include "util.h"
#include "validate.h"
#include "workflows.h"

/* ---- 1. select_organization (manual) ---- */

/* The provider resolves the value among the organisations this caller may
 * pick (partner admins: their own); the engine attaches the execution. */
static const hy_field_def SELECT_ORG_FIELDS[] = {
    {.name = "organization_id", .label = "Organisation", .kind = HY_FIELD_PICK, .required = true,
     .provider = &hy_choices_partner_orgs, .attach = HY_ATTACH_ORG,
     .help = "The partner organisation the user joins: its name, the start of it, or its id"},
};

/* ---- 2. input_user_details (manual) ---- */

static int add_studio_access(hy_step_io *io, const char *user, const char *org, const cJSON *ids, hy_err *err)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, ids) {
        if (!cJSON_IsString(it)) continue;
        /* pending until the Studio step grants it */
        int rc = user_add_studio_access(io->c, user, org, it->valuestring, err);
        if (rc) return rc;
    }
    return 0;
}

/* An address that cannot be used for this organisation's user. Where it
 * is used is for admins only: anyone else gets one refusal that does not
 * tell another organisation's user from any other reason (DESIGN.md: a
 * refusal never reveals whether something exists elsewhere). */
static void email_refused(const hy_step_io *io, hy_err *err, const char *precise)
{
    if (io->actor && principal_is_admin(io->actor)) hy_field(err, "email", "%s", precise);
    else hy_field(err, "email", "cannot be used for a user of this organisation; ask a HyOpps administrator");
}

static int apply_input_user_details(hy_step_io *io, cJSON *input, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    if (!org) return hy_fail(err, HY_ERR_CONFLICT, "this execution has no organisation yet (select it first)");
    const char *email = wf_str(input, "email");
    if (!email) return HY_ERR_INVALID; /* its field error is already there */
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT id, organization_id, offboarded_at IS NOT NULL FROM users WHERE lower(email) = ?", "t",
                           email);
    char uid[HY_UUID_LEN] = "";
    bool other_org = false, offboarded = false;
    if (db_row(st)) {
        hy_strlcpy(uid, db_text(st, 0), sizeof uid);
        other_org = !hy_streq(db_text(st, 1), org);
        offboarded = db_int(st, 2) != 0;
    }
    int rc = db_done(st);
    if (rc) return rc;
    if (other_org) email_refused(io, err, "belongs to an existing user of another organisation");
    if (err->nfield) return HY_ERR_INVALID;
    if (!uid[0]) {
        /* A new user of the organisation: role user, no usable password
         * (nobody logs in to HyOpps as this user; no hash to compute). */
        char *langs = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(input, "languages"));
        char *skills = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(input, "skills"));
        char *roles = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(input, "roles"));
        hy_new_member m = {.firstname = wf_str(input, "firstname"), .lastname = wf_str(input, "lastname"),
                           .email = email, .languages = langs, .skills = skills, .roles = roles,
                           .organization_id = org};
        rc = user_create_member(io->c, &m, uid, err);
        cJSON_free(langs);
        cJSON_free(skills);
        cJSON_free(roles);
        if (rc == HY_ERR_CONFLICT) { /* the email was taken meanwhile */
            hy_err_clear(err);
            email_refused(io, err, "belongs to an existing user");
            return HY_ERR_INVALID;
        }
        if (rc) return rc;
    }
    if (offboarded && (rc = user_set_offboarded(io->c, uid, false, err))) return rc; /* onboarded again */
    rc = add_studio_access(io, uid, org, cJSON_GetObjectItemCaseSensitive(input, "studio_companies"), err);
    if (rc == 0) hy_strlcpy(io->attach_user, uid, sizeof io->attach_user);
    return rc;
}

static const hy_info_def USER_INFO[] = {{"Organisation", "{organization_name}"}};

static const hy_field_def USER_FIELDS[] = {
    {.name = "firstname", .label = "First name", .kind = HY_FIELD_TEXT, .required = true, .max_len = 100},
    {.name = "lastname", .label = "Last name", .kind = HY_FIELD_TEXT, .required = true, .max_len = 100},
    {.name = "email", .label = "Email", .kind = HY_FIELD_EMAIL, .required = true, .max_len = 254,
     .help = "Their work address; an existing user of this organisation is reused"},
    {.name = "languages", .label = "Languages", .kind = HY_FIELD_LIST, .item_ok = hy_valid_lang,
     .item_rule = "an ISO 639-1 language code (en, de, fr, ...)", .help = "Comma-separated ISO 639-1 codes"},
    {.name = "skills", .label = "Skills", .kind = HY_FIELD_LIST, .help = "Comma-separated"},
    {.name = "roles", .label = "Roles", .kind = HY_FIELD_LIST, .help = "Comma-separated"},
    {.name = "studio_companies", .label = "Studio companies", .kind = HY_FIELD_MULTI_PICK, .provider = &hy_choices_org_studio_companies,
     .help = "Which of the organisation's Studio companies the user joins (default: all)"},
};

/* ---- shared by the auto steps ---- */

static int need_user(hy_step_run *r, hy_err *err)
{
    if (!wf_str(r->context, "user_id") || !wf_str(r->context, "user_email"))
        return hy_fail(err, HY_ERR_PERMANENT, "this execution has no user (was input_user_details skipped?)");
    return 0;
}

/* ---- 3. add_user_to_studio_companies (auto, Studio: always simulated) ---- */

static int gather_studio_access(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *user = wf_str(context, "user_id"), *org = wf_str(context, "organization_id");
    if (!user || !org) return 0;
    cJSON *arr = cJSON_AddArrayToObject(context, "user_studio_company_ids");
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT sc.studio_id FROM user_studio_access a JOIN studio_companies sc "
                           "ON sc.id = a.studio_company_id WHERE a.user_id = ? AND sc.organization_id = ? "
                           "AND a.revoked_at IS NULL ORDER BY sc.environment DESC",
                           "tt", user, org);
    while (db_row(st)) cJSON_AddItemToArray(arr, cJSON_CreateString(db_text(st, 0)));
    return db_done(st);
}

/* The user's pending Studio access (written with their details) is granted
 * now, by this step; a skipped step grants none. */
static int persist_studio_access(hy_step_io *io, hy_err *err)
{
    const char *user = wf_str(io->context, "user_id");
    if (!user) return 0;
    return user_grant_studio_access(io->c, user, err);
}

static int run_add_user_to_studio_companies(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(r->context, "user_studio_company_ids");
    cJSON_AddItemToObject(r->output, "added_companies", ids ? cJSON_Duplicate(ids, 1) : cJSON_CreateArray());
    return 0;
}

/* ---- 4. add_user_to_metabase_group (auto, Metabase) ---- */

static int gather_metabase_user(hy_step_io *io, cJSON *context, hy_err *err)
{
    return step_gather_group(io->c, context, "metabase", "org_metabase_group_id", err);
}

/* The user found by exact email (active, else deactivated and reactivated)
 * or created, then added to the organisation's group unless a member. */
static int run_add_user_to_metabase_group(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    if (step_need_group(r, "metabase", "org_metabase_group_id", true, err)) return err->code;
    const char *gid_text = wf_str(r->context, "org_metabase_group_id");
    int64_t gid;
    if (!wf_int(r->context, "org_metabase_group_id", &gid) || gid <= 0)
        return hy_fail(err, HY_ERR_PERMANENT, "Invalid Metabase group ID '%s' — must be an integer", gid_text);
    mb_member_result res;
    if (svc_metabase(r->mode)->add_user_to_group(&r->svc, wf_str(r->context, "user_email"),
                                                 wf_str(r->context, "user_firstname"),
                                                 wf_str(r->context, "user_lastname"), (long)gid, &res, err))
        return err->code;
    cJSON_AddNumberToObject(r->output, "metabase_user_id", (double)res.user_id);
    cJSON_AddNumberToObject(r->output, "metabase_group_id", (double)gid);
    cJSON_AddBoolToObject(r->output, "metabase_user_existed", res.existed || res.reactivated);
    cJSON_AddBoolToObject(r->output, "metabase_user_created", res.created);
    if (res.reactivated) cJSON_AddBoolToObject(r->output, "metabase_user_reactivated", 1);
    cJSON_AddBoolToObject(r->output, "membership_added", res.added);
    return 0;
}

static int persist_metabase_user(hy_step_io *io, hy_err *err)
{
    int64_t uid;
    const char *user = wf_str(io->context, "user_id");
    if (!user || !wf_int(io->output, "metabase_user_id", &uid)) return 0;
    return user_set_metabase_id(io->c, user, uid, err);
}

/* ---- 5. add_user_to_teams_channel (auto, Teams) ---- */

static int gather_teams(hy_step_io *io, cJSON *context, hy_err *err)
{
    return step_gather_group(io->c, context, "teams", "org_teams_channel_id", err);
}

/* "First Last" (or the email when both are empty); caller frees. */
static char *display_name(const cJSON *context)
{
    const char *f = wf_str(context, "user_firstname"), *l = wf_str(context, "user_lastname");
    char *name = xasprintf("%s %s", f ? f : "", l ? l : "");
    char *t = hy_trim(name);
    char *out = xstrdup(*t ? t : wf_str(context, "user_email"));
    free(name);
    return out;
}

/* A guest invitation (no Microsoft email: sendInvitationMessage false),
 * then team membership (the organisation's channel is a standard one, open
 * to every member of the team). */
static int run_add_user_to_teams_channel(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    if (step_need_group(r, "teams", "org_teams_channel_id", false, err)) return err->code;
    char *name = display_name(r->context);
    graph_member_result res;
    int rc = svc_teams(r->mode)->add_user(&r->svc, wf_str(r->context, "user_email"), name, &res, err);
    free(name);
    if (rc) return rc;
    cJSON_AddStringToObject(r->output, "teams_user_id", res.user_id);
    cJSON_AddStringToObject(r->output, "teams_channel_id", wf_str(r->context, "org_teams_channel_id"));
    cJSON_AddStringToObject(r->output, "teams_membership_id", res.membership_id);
    return 0;
}

/* ---- 6. add_user_to_slack_group (auto, Slack) ---- */

/* The group and, when HyOpps disabled it (its last member was revoked),
 * the Slack ids whose access is active: the step enables the group again
 * and keeps only them (and the user). */
static int gather_slack(hy_step_io *io, cJSON *context, hy_err *err)
{
    int rc = step_gather_group(io->c, context, "slack", "org_slack_group_id", err);
    const char *org = wf_str(context, "organization_id");
    bool disabled = false;
    if (rc == 0 && org) rc = group_is_disabled(io->c, org, "slack", &disabled, err);
    if (rc == 0 && disabled) {
        cJSON_AddBoolToObject(context, "org_slack_group_disabled", 1);
        rc = grant_active_accounts(io->c, org, HY_RES_SLACK, context, "org_slack_granted_ids", err);
    }
    return rc;
}

/* The account found by email, then, holding the group's list lease, the
 * members read, the user added, the whole list written back and read again
 * to verify that the user is there and nobody was dropped (svc_slack.c). */
static int run_add_user_to_slack_group(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    if (step_need_group(r, "slack", "org_slack_group_id", false, err)) return err->code;
    const char *group = wf_str(r->context, "org_slack_group_id");
    slack_member_result res;
    /* a group HyOpps disabled: enabled again, with only those whose access is active */
    const cJSON *granted = cJSON_GetObjectItemCaseSensitive(r->context, "org_slack_granted_ids");
    int nkeep = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->context, "org_slack_group_disabled"))
                    ? cJSON_GetArraySize(granted) : -1;
    const char **keep = xcalloc((size_t)(nkeep > 0 ? nkeep : 1), sizeof *keep);
    for (int i = 0; i < nkeep; i++) keep[i] = cJSON_GetStringValue(cJSON_GetArrayItem(granted, i));
    hy_slack_reenable re = {.keep = keep, .nkeep = nkeep > 0 ? nkeep : 0};
    int rc = svc_slack(r->mode)->add_user(&r->svc, group, wf_str(r->context, "user_email"), nkeep >= 0 ? &re : NULL,
                                          &res, err);
    free(keep);
    if (rc) return rc;
    cJSON_AddStringToObject(r->output, "slack_user_id", res.user_id);
    cJSON_AddStringToObject(r->output, "slack_group_id", group);
    cJSON_AddBoolToObject(r->output, "added", res.added);
    cJSON_AddNumberToObject(r->output, "member_count", res.member_count);
    if (res.writes > 1) cJSON_AddNumberToObject(r->output, "writes", res.writes);
    if (res.restored) cJSON_AddNumberToObject(r->output, "members_restored", res.restored);
    if (res.enabled) cJSON_AddBoolToObject(r->output, "group_enabled", 1);
    if (res.enabled) cJSON_AddNumberToObject(r->output, "stale_members_removed", res.stale_removed);
    if (r->svc.lock_wait_ms >= 0) cJSON_AddNumberToObject(r->output, "list_lock_wait_ms", (double)r->svc.lock_wait_ms);
    return 0;
}

/* A group enabled again is no longer marked disabled. */
static int persist_slack(hy_step_io *io, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    if (!org || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(io->output, "group_enabled"))) return 0;
    return group_set_disabled(io->c, org, "slack", false, err);
}

/* ---- 7. create_studio_user_company (auto, Studio: always simulated) ---- */

static int gather_user_company(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *user = wf_str(context, "user_id");
    if (!user) return 0;
    hy_stmt *st = db_query(io->c->db, err, "SELECT studio_id, name FROM user_studio_companies WHERE user_id = ?", "t",
                           user);
    if (db_row(st)) {
        cJSON_AddStringToObject(context, "existing_studio_user_company_id", db_text(st, 0));
        cJSON_AddStringToObject(context, "existing_studio_user_company_name", db_text(st, 1));
    }
    return db_done(st);
}

static int run_create_studio_user_company(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    const char *id = wf_str(r->context, "existing_studio_user_company_id");
    const char *name = wf_str(r->context, "existing_studio_user_company_name");
    char newid[32];
    char *newname = NULL;
    if (!id) {
        char tok[11];
        sim_token(tok, sizeof tok, "abcdefghijklmnopqrstuvwxyz0123456789");
        snprintf(newid, sizeof newid, "st-u-%s", tok);
        id = newid;
        newname = xasprintf("%s %s", wf_str(r->context, "user_firstname") ? wf_str(r->context, "user_firstname") : "",
                            wf_str(r->context, "user_lastname") ? wf_str(r->context, "user_lastname") : "");
        name = hy_trim(newname);
        if (!*name) name = wf_str(r->context, "user_email");
    }
    cJSON_AddStringToObject(r->output, "studio_user_company_id", id);
    cJSON_AddStringToObject(r->output, "studio_user_company_name", name);
    free(newname);
    return 0;
}

static int persist_user_company(hy_step_io *io, hy_err *err)
{
    const char *user = wf_str(io->context, "user_id");
    const char *sid = wf_str(io->output, "studio_user_company_id"), *name = wf_str(io->output, "studio_user_company_name");
    if (!user || !sid || !name) return 0;
    return user_set_personal_company(io->c, user, sid, name, err);
}

/* ---- 8. send_studio_invite (auto, Studio: always simulated) ---- */

static int run_send_studio_invite(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    char id[HY_UUID_LEN];
    hy_uuid(id);
    cJSON_AddStringToObject(r->output, "studio_invite_sent_to", wf_str(r->context, "user_email"));
    cJSON_AddStringToObject(r->output, "studio_invite_id", id);
    return 0;
}

/* ---- 9. share_documentation (auto, email) ---- */

static int gather_docs(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT internal_docu, generique_docu, add_docu FROM organization_documentation "
                           "WHERE organization_id = ?",
                           "t", org);
    static const char *const keys[] = {"internal", "general", "additional"};
    cJSON *links = cJSON_AddArrayToObject(context, "documentation_links");
    cJSON *docs = cJSON_AddObjectToObject(context, "documentation");
    if (db_row(st))
        for (int i = 0; i < 3; i++)
            if (!hy_empty(db_text(st, i))) {
                cJSON_AddItemToArray(links, cJSON_CreateString(db_text(st, i)));
                cJSON_AddStringToObject(docs, keys[i], db_text(st, i));
            }
    return db_done(st);
}

/* The email is sent at most once (step_mail.h): a re-run sends it again
 * only when the address or the links changed; a person who marks the
 * failed step done by hand (`exec done`: it arrived, or they sent it
 * themselves) records it as sent. */

/* The documentation email of this context, and what the output adds
 * (channels, links_sent). Free body with email_body_free, extra with
 * cJSON_Delete. */
static void build_mail(const cJSON *context, email_body *body, hy_mail *m, cJSON **extra)
{
    const cJSON *docs = cJSON_GetObjectItemCaseSensitive(context, "documentation");
    email_doc d = {.to = wf_str(context, "user_email"), .firstname = wf_str(context, "user_firstname"),
                   .org_name = wf_str(context, "organization_name"), .internal = wf_str(docs, "internal"),
                   .general = wf_str(docs, "general"), .additional = wf_str(docs, "additional")};
    email_build_documentation(&d, body);
    *m = (hy_mail){.to = d.to, .subject = body->subject, .text = body->text, .html = body->html};
    *extra = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(*extra, "channels"), cJSON_CreateString("email"));
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(context, "documentation_links");
    cJSON_AddItemToObject(*extra, "links_sent", links ? cJSON_Duplicate(links, 1) : cJSON_CreateArray());
}

static int run_share_documentation(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    email_body body;
    hy_mail m;
    cJSON *extra;
    build_mail(r->context, &body, &m, &extra);
    int rc = step_mail_send_once(r, &m, extra, err);
    cJSON_Delete(extra);
    email_body_free(&body);
    return rc;
}

static int done_by_hand_share_documentation(hy_step_io *io, const cJSON *cp, cJSON **out, hy_err *err)
{
    (void)err;
    email_body body = {0};
    hy_mail m;
    cJSON *extra = NULL;
    bool have = wf_str(io->context, "user_email") != NULL;
    if (have) build_mail(io->context, &body, &m, &extra);
    step_mail_done_by_hand(cp, have ? &m : NULL, extra, out);
    cJSON_Delete(extra);
    if (have) email_body_free(&body);
    return 0;
}

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

/* Labels and descriptions as the original app seeded them. */
static const hy_step_def NEW_PARTNER_USER_STEPS[] = {
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000201", .name = "select_organization", .label = "Select Organization",
     .kind = HY_STEP_MANUAL, .description = "Admin selects existing partner organization from list",
     .fields = SELECT_ORG_FIELDS, .nfields = N(SELECT_ORG_FIELDS)},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000202", .name = "input_user_details", .label = "Input User Details",
     .kind = HY_STEP_MANUAL,
     .description = "Admin inputs user details. User will automatically receive their own personal Studio company.",
     .fields = USER_FIELDS, .nfields = N(USER_FIELDS), .info = USER_INFO, .ninfo = N(USER_INFO),
     .apply = apply_input_user_details},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000203", .name = "add_user_to_studio_companies",
     .label = "Add User to Org Studio Groups", .kind = HY_STEP_AUTO,
     .description = "Add user to the org's Studio platform groups for shared resources", .integration = HY_INT_STUDIO,
     .gather = gather_studio_access, .run = run_add_user_to_studio_companies, .persist = persist_studio_access,
     .grants = HY_RES_STUDIO},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000204", .name = "add_user_to_metabase_group",
     .label = "Add User to Metabase Group", .kind = HY_STEP_AUTO,
     .description = "Add user to the org's Metabase system group", .integration = HY_INT_METABASE,
     .gather = gather_metabase_user, .run = run_add_user_to_metabase_group, .persist = persist_metabase_user,
     .grants = HY_RES_METABASE, .grant_account_key = "metabase_user_id"},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000205", .name = "add_user_to_teams_channel",
     .label = "Add User to Teams Channel", .kind = HY_STEP_AUTO,
     .description = "Add user to the org's Teams system group", .integration = HY_INT_TEAMS, .gather = gather_teams,
     .run = run_add_user_to_teams_channel, .grants = HY_RES_TEAMS, .grant_account_key = "teams_user_id"},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000206", .name = "add_user_to_slack_group",
     .label = "Add User to Slack Group", .kind = HY_STEP_AUTO, .description = "Add user to the org's Slack system group",
     .integration = HY_INT_SLACK, .gather = gather_slack, .run = run_add_user_to_slack_group, .persist = persist_slack,
     .grants = HY_RES_SLACK, .grant_account_key = "slack_user_id"},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000207", .name = "create_studio_user_company",
     .label = "Create User-Specific Studio Company", .kind = HY_STEP_AUTO,
     .description = "Create a user-specific Studio company entry", .integration = HY_INT_STUDIO,
     .gather = gather_user_company, .run = run_create_studio_user_company, .persist = persist_user_company},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000208", .name = "send_studio_invite", .label = "Send Studio Invite",
     .kind = HY_STEP_AUTO, .description = "Send invite to Studio platform", .integration = HY_INT_STUDIO,
     .run = run_send_studio_invite},
    {.id = "6a9f0c1e-5b1d-4c1a-9a02-000000000209", .name = "share_documentation", .label = "Share Documentation",
     .kind = HY_STEP_AUTO, .description = "Send documentation links via email/Slack", .integration = HY_INT_EMAIL,
     .gather = gather_docs, .run = run_share_documentation, .on_done_by_hand = done_by_hand_share_documentation},
};

const hy_workflow_def hy_wf_new_partner_user = {
    .id = "6a9f0c1e-5b1d-4c1a-9a02-000000000002",
    .name = "new_partner_user",
    .label = "New partner user",
    .short_label = "New user",
    .description = "Add a new user to an existing partner organization",
    .steps = NEW_PARTNER_USER_STEPS,
    .nsteps = N(NEW_PARTNER_USER_STEPS),
    .partner_admin_may_use = true,
};
