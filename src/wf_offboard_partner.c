/* Workflow offboard_partner: the partnership ends (7 steps, admins only).
 * Every person's access ends through their own revoke_partner_user
 * execution, started by revoke_all_users as children and waited for (the
 * engine's parent/child wait: a failed child shows on this step, fixed and
 * retried it lets the offboarding go on). Then the organisation's groups
 * are closed: the Slack user group disabled, the Teams channel archived
 * (not deleted), the Metabase group's data access removed, its collection
 * archived and the empty group deleted. On completion the organisation is
 * marked offboarded (read-only, out of pick lists and new requests), its
 * groups archived; everything is kept for the audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "choices.h"
#include "db.h"
#include "integrations/integrations.h"
#include "step_support.h"
#include "store_groups.h"
#include "store_orgs.h"
#include "svc.h"
#include "util.h"
#include "workflows.h"

/* ---- 1. confirm_offboarding (manual) ---- */

static const hy_field_def CONFIRM_FIELDS[] = {
    {.name = "organization_id", .label = "Organisation", .kind = HY_FIELD_PICK, .required = true,
     .provider = &hy_choices_offboard_orgs, .attach = HY_ATTACH_ORG, .default_tmpl = "{organization_id}",
     .help = "The partner organisation to offboard: its name, the start of it, or its id"},
    {.name = "reason", .label = "Reason", .kind = HY_FIELD_TEXT, .required = true, .max_len = 500,
     .help = "Why the partnership ends (kept in the audit trail and on each person's revocation)"},
    {.name = "at", .label = "Effective", .kind = HY_FIELD_WHEN,
     .help = "When access ends: empty = now, or 2026-03-31 17:00 (UTC), +3d, +12h"},
};

/* What the form shows: what will happen (the organisation's active users
 * and groups), when it is known. */
static int gather_preview(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    hy_buf users = {0};
    int n = 0;
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT email FROM users WHERE organization_id = ? AND offboarded_at IS NULL "
                           "AND app_role IN ('user', 'partner_admin') ORDER BY lower(email)",
                           "t", org);
    while (db_row(st))
        if (n++ < 5) hy_buf_printf(&users, "%s%s", n > 1 ? ", " : "", db_text(st, 0));
    int rc = db_done(st);
    if (rc == 0) {
        char *text = n ? xasprintf("%d (%s%s)", n, users.s, n > 5 ? ", ..." : "") : xstrdup("none");
        cJSON_AddStringToObject(context, "offboard_users", text);
        free(text);
    }
    hy_buf_free(&users);
    static const struct {
        const char *tool, *key;
    } G[] = {{"metabase", "offboard_metabase_group"}, {"teams", "offboard_teams_channel"}, {"slack", "offboard_slack_group"}};
    for (size_t i = 0; rc == 0 && i < sizeof G / sizeof G[0]; i++) {
        char *name = NULL, *ext = NULL;
        bool placeholder;
        rc = group_get(io->c, org, G[i].tool, &name, &ext, &placeholder, err);
        char *text = ext && *ext ? xasprintf("%s (%s%s)", name ? name : "?", ext, placeholder ? ", a placeholder" : "")
                                 : xstrdup("none recorded");
        if (rc == 0) cJSON_AddStringToObject(context, G[i].key, text);
        free(text);
        free(name);
        free(ext);
    }
    char *col = NULL;
    if (rc == 0)
        rc = db_get_text(io->c->db, err, &col,
                         "SELECT metabase_collection_id FROM organization_integrations WHERE organization_id = ?", "t",
                         org);
    if (rc == 0) cJSON_AddStringToObject(context, "offboard_collection", col && *col ? col : "none recorded");
    free(col);
    return rc;
}

static const hy_info_def CONFIRM_INFO[] = {
    {"Organisation", "{organization_name}"},
    {"Active users (each revoked)", "{offboard_users}"},
    {"Metabase group (access removed, deleted)", "{offboard_metabase_group}"},
    {"Metabase collection (archived)", "{offboard_collection}"},
    {"Teams channel (archived)", "{offboard_teams_channel}"},
    {"Slack group (disabled)", "{offboard_slack_group}"},
};

/* ---- 2. revoke_all_users (auto, HyOpps itself: children) ---- */

/* One revoke_partner_user per active user (users and partner admins; staff
 * accounts are not the partner's people); one still going from an earlier
 * run is kept, one cancelled is started again. */
static int spawn_revocations(hy_step_io *io, cJSON *output, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    if (!org) return hy_fail(err, HY_ERR_PERMANENT, "this execution has no organisation (was confirm_offboarding skipped?)");
    hy_child_list kids;
    int rc = step_children(io, &kids, err);
    if (rc) return rc;
    cJSON *ids = cJSON_AddArrayToObject(output, "children");
    int started = 0, kept = 0;
    const char *name = wf_str(io->context, "organization_name"), *why = wf_str(io->context, "reason");
    char *full = xasprintf("offboarding of %s: %s", name ? name : "the organisation", why ? why : "-");
    char reason[501]; /* a revocation's reason holds 500 bytes (cut on a character boundary) */
    hy_strlcpy(reason, full, sizeof reason);
    free(full);
    char (*users)[HY_UUID_LEN] = NULL;
    int n = 0;
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT id FROM users WHERE organization_id = ? AND offboarded_at IS NULL "
                           "AND app_role IN ('user', 'partner_admin') ORDER BY lower(email)",
                           "t", org);
    while (db_row(st)) {
        users = xrealloc(users, (size_t)(n + 1) * sizeof *users);
        hy_strlcpy(users[n++], db_text(st, 0), HY_UUID_LEN);
    }
    rc = db_done(st);
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *existing = NULL;
        for (int k = 0; k < kids.n && !existing; k++)
            if (hy_streq(kids.v[k].user_id, users[i]) && hy_streq(kids.v[k].workflow, "revoke_partner_user") &&
                !hy_streq(kids.v[k].status, "cancelled"))
                existing = kids.v[k].id;
        char id[HY_UUID_LEN];
        if (existing) {
            hy_strlcpy(id, existing, sizeof id);
            kept++;
        } else {
            cJSON *in = cJSON_CreateObject();
            cJSON_AddStringToObject(in, "user", users[i]);
            cJSON_AddStringToObject(in, "reason", reason);
            rc = step_start_child(io, "revoke_partner_user", org, in, id, err);
            cJSON_Delete(in);
            started++;
        }
        if (rc == 0) cJSON_AddItemToArray(ids, cJSON_CreateString(id));
    }
    cJSON_AddNumberToObject(output, "revocations_started", started);
    if (kept) cJSON_AddNumberToObject(output, "revocations_kept", kept);
    free(users);
    hy_child_list_free(&kids);
    return rc;
}

/* ---- 3. disable_slack_group (auto, Slack) ---- */

static int gather_slack(hy_step_io *io, cJSON *context, hy_err *err)
{
    return step_gather_group(io->c, context, "slack", "org_slack_group_id", err);
}

static int run_disable_slack_group(hy_step_run *r, hy_err *err)
{
    const char *group = wf_str(r->context, "org_slack_group_id");
    if (!group) {
        cJSON_AddStringToObject(r->output, "note", "no Slack group is recorded for the organisation: nothing to disable");
        return 0;
    }
    if (step_need_group(r, "slack", "org_slack_group_id", false, err)) return err->code;
    bool disabled = false;
    if (svc_slack(r->mode)->disable_group(&r->svc, group, &disabled, err)) return err->code;
    cJSON_AddStringToObject(r->output, "slack_group_id", group);
    cJSON_AddBoolToObject(r->output, "slack_group_disabled", disabled);
    if (!disabled) cJSON_AddStringToObject(r->output, "note", "it was disabled already");
    return 0;
}

static int persist_slack(hy_step_io *io, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    if (!org || !wf_str(io->output, "slack_group_id")) return 0;
    return group_set_disabled(io->c, org, "slack", true, err);
}

/* ---- 4. archive_teams_channel (auto, Teams) ---- */

static int gather_teams(hy_step_io *io, cJSON *context, hy_err *err)
{
    return step_gather_group(io->c, context, "teams", "org_teams_channel_id", err);
}

/* Archived, not deleted (Graph answers 202 and finishes later). */
static int run_archive_teams_channel(hy_step_run *r, hy_err *err)
{
    const char *channel = wf_str(r->context, "org_teams_channel_id");
    if (!channel) {
        cJSON_AddStringToObject(r->output, "note", "no Teams channel is recorded for the organisation: nothing to archive");
        return 0;
    }
    if (step_need_group(r, "teams", "org_teams_channel_id", false, err)) return err->code;
    bool archived = false;
    if (svc_teams(r->mode)->archive_channel(&r->svc, channel, &archived, err)) return err->code;
    cJSON_AddStringToObject(r->output, "teams_channel_id", channel);
    cJSON_AddBoolToObject(r->output, "teams_channel_archived", archived);
    if (!archived) cJSON_AddStringToObject(r->output, "note", "it was archived already");
    return 0;
}

/* ---- 5. remove_metabase_access (auto, Metabase) ---- */

static int gather_metabase(hy_step_io *io, cJSON *context, hy_err *err)
{
    int rc = step_gather_group(io->c, context, "metabase", "org_metabase_group_id", err);
    const char *org = wf_str(context, "organization_id");
    if (rc || !org) return rc;
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT metabase_collection_id, metabase_collection_placeholder FROM organization_integrations "
                           "WHERE organization_id = ?",
                           "t", org);
    if (db_row(st) && !hy_empty(db_text(st, 0))) {
        cJSON_AddStringToObject(context, "org_metabase_collection_id", db_text(st, 0));
        if (db_int(st, 1)) cJSON_AddBoolToObject(context, "org_metabase_collection_placeholder", 1);
    }
    return db_done(st);
}

/* The group's data access removed in the permissions graph (revision-safe,
 * under its list lease), the partner collection archived, the now empty
 * group deleted (Metabase refuses while it has members: they are named). */
static int run_remove_metabase_access(hy_step_run *r, hy_err *err)
{
    const hy_metabase_api *mb = svc_metabase(r->mode);
    int64_t gid = 0, cid = 0;
    const char *gtext = wf_str(r->context, "org_metabase_group_id");
    if (gtext) {
        if (step_need_group(r, "metabase", "org_metabase_group_id", false, err)) return err->code;
        if (!wf_int(r->context, "org_metabase_group_id", &gid) || gid <= 0)
            return hy_fail(err, HY_ERR_PERMANENT, "Invalid Metabase group ID '%s' — must be an integer", gtext);
        hy_member_list members;
        bool missing = false;
        if (mb->group_members(&r->svc, (long)gid, &members, &missing, err)) return err->code;
        hy_member_list_free(&members);
        cJSON_AddNumberToObject(r->output, "metabase_group_id", (double)gid);
        if (missing) {
            cJSON_AddBoolToObject(r->output, "metabase_group_gone", 1);
        } else {
            mb_grant_result g;
            if (mb->revoke_db_access(&r->svc, (long)gid, &g, err)) return err->code;
            cJSON_AddNumberToObject(r->output, "databases_revoked", g.granted);
            cJSON_AddNumberToObject(r->output, "databases_without_access", g.already);
        }
    } else {
        cJSON_AddStringToObject(r->output, "note", "no Metabase group is recorded for the organisation");
    }
    const char *ctext = wf_str(r->context, "org_metabase_collection_id");
    if (ctext && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->context, "org_metabase_collection_placeholder")) &&
        r->mode == HY_MODE_LIVE)
        return hy_fail(err, HY_ERR_PERMANENT,
                       "the organisation's Metabase collection id %s is a placeholder the original HyOpps app made: "
                       "archive the collection by hand, then mark this step done by hand", ctext);
    if (ctext && wf_int(r->context, "org_metabase_collection_id", &cid) && cid > 0) {
        bool archived = false;
        if (mb->archive_collection(&r->svc, (long)cid, &archived, err)) return err->code;
        cJSON_AddNumberToObject(r->output, "metabase_collection_id", (double)cid);
        cJSON_AddBoolToObject(r->output, "collection_archived", archived);
    }
    if (gid > 0 && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->output, "metabase_group_gone"))) {
        bool deleted = false;
        if (mb->delete_group(&r->svc, (long)gid, &deleted, err)) return err->code;
        cJSON_AddBoolToObject(r->output, "metabase_group_deleted", deleted);
    }
    return 0;
}

/* ---- 6. keycloak_removal, 7. lms_removal (manual) ---- */

static int gather_keycloak(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT coalesce(keycloak_cluster, '') FROM organization_integrations WHERE organization_id = ?",
                           "t", org);
    if (db_row(st) && db_text(st, 0)[0]) cJSON_AddStringToObject(context, "keycloak_cluster", db_text(st, 0));
    int rc = db_done(st);
    hy_buf ids = {0};
    st = rc ? NULL : db_query(io->c->db, err,
                              "SELECT studio_id, environment FROM studio_companies WHERE organization_id = ? "
                              "ORDER BY environment DESC",
                              "t", org);
    while (st && db_row(st)) hy_buf_printf(&ids, "%s%s (%s)", ids.len ? ", " : "", db_text(st, 0), db_text(st, 1));
    if (st) rc = db_done(st);
    if (rc == 0 && ids.s) cJSON_AddStringToObject(context, "studio_company_ids", ids.s);
    hy_buf_free(&ids);
    return rc;
}

static const hy_info_def KEYCLOAK_INFO[] = {
    {"Tell Infrabot to remove the Keycloak client of", "{organization_name}"},
    {"Keycloak cluster", "{keycloak_cluster}"},
    {"Studio companies", "{studio_company_ids}"},
};
static const hy_field_def KEYCLOAK_FIELDS[] = {
    {.name = "keycloak_removed", .label = "Infrabot removed the Keycloak client", .kind = HY_FIELD_CONFIRM,
     .required = true},
};
static const hy_info_def LMS_INFO[] = {{"Organisation", "{organization_name}"}};
static const hy_field_def LMS_FIELDS[] = {
    {.name = "lms_removed", .label = "The organisation's LMS setup and its users' learning paths were removed",
     .kind = HY_FIELD_CONFIRM, .required = true, .help = "The LMS has no API: remove them there, then confirm"},
};

/* ---- on completion ---- */

static int complete_offboarding(hy_step_io *io, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    if (!org) return 0;
    int rc = org_set_offboarded(io->c, org, true, err);
    return rc ? rc : group_archive_all(io->c, org, err);
}

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static const hy_step_def OFFBOARD_STEPS[] = {
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000401", .name = "confirm_offboarding", .label = "Confirm Offboarding",
     .kind = HY_STEP_MANUAL, .description = "The organisation, why, and when (empty: now); shows what will happen",
     .fields = CONFIRM_FIELDS, .nfields = N(CONFIRM_FIELDS), .info = CONFIRM_INFO, .ninfo = N(CONFIRM_INFO),
     .gather = gather_preview},
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000402", .name = "revoke_all_users", .label = "Revoke All Users",
     .kind = HY_STEP_AUTO, .description = "Start one revoke_partner_user per active user and wait for all of them",
     .integration = HY_INT_LOCAL, .spawn = spawn_revocations},
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000403", .name = "disable_slack_group", .label = "Disable Slack Group",
     .kind = HY_STEP_AUTO, .description = "Disable the org's Slack user group", .integration = HY_INT_SLACK,
     .gather = gather_slack, .run = run_disable_slack_group, .persist = persist_slack},
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000404", .name = "archive_teams_channel", .label = "Archive Teams Channel",
     .kind = HY_STEP_AUTO, .description = "Archive (not delete) the org's Teams channel", .integration = HY_INT_TEAMS,
     .gather = gather_teams, .run = run_archive_teams_channel},
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000405", .name = "remove_metabase_access",
     .label = "Remove Metabase Access", .kind = HY_STEP_AUTO,
     .description = "Remove the group's data access, archive the collection, delete the empty group",
     .integration = HY_INT_METABASE, .gather = gather_metabase, .run = run_remove_metabase_access},
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000406", .name = "keycloak_removal", .label = "Keycloak Removal",
     .kind = HY_STEP_MANUAL, .description = "Infrabot removes the org's Keycloak client; confirm it",
     .fields = KEYCLOAK_FIELDS, .nfields = N(KEYCLOAK_FIELDS), .info = KEYCLOAK_INFO, .ninfo = N(KEYCLOAK_INFO),
     .gather = gather_keycloak, .staff_only = true},
    {.id = "6a9f0c1e-5b1d-4c1a-9a04-000000000407", .name = "lms_removal", .label = "LMS Removal",
     .kind = HY_STEP_MANUAL, .description = "Confirm that the org's LMS setup was removed (no API)",
     .fields = LMS_FIELDS, .nfields = N(LMS_FIELDS), .info = LMS_INFO, .ninfo = N(LMS_INFO), .staff_only = true},
};

const hy_workflow_def hy_wf_offboard_partner = {
    .id = "6a9f0c1e-5b1d-4c1a-9a04-000000000004",
    .name = "offboard_partner",
    .label = "Offboard partner",
    .short_label = "Offboard",
    .description = "End a partnership: revoke every user, close the organisation's groups",
    .steps = OFFBOARD_STEPS,
    .nsteps = N(OFFBOARD_STEPS),
    .partner_admin_may_use = false,
    .on_complete = complete_offboarding,
};
