/* Workflow revoke_partner_user: one person leaves (8 steps). Admins may
 * revoke anyone; a partner admin the users of their own organisation, never
 * themselves, never an admin. Every removal looks first and removes only
 * what is there ("already gone" is success, recorded as such), so the
 * workflow may run again, and any step be retried or re-run, with nothing
 * more done. A step that ends access declares `revokes`: the engine sets
 * revoked_at on that grant, so a half-done revocation shows which access is
 * still open. On completion the user is marked offboarded (kept).
 *
 * Its first step takes three inputs (other modules start it by name, e.g.
 * an organisation's offboarding and reconciliation's repairs):
 *   user    the user's id or email (a pick list of the organisation's users)
 *   reason  why, for the audit trail and the email (required)
 *   at      optional: when the access ends (HY_FIELD_WHEN; empty = now) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
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
#include "workflows.h"

/* ---- 1. select_user (manual) ---- */

static const hy_field_def SELECT_USER_FIELDS[] = {
    {.name = "user", .label = "User", .kind = HY_FIELD_PICK, .required = true, .provider = &hy_choices_org_users,
     .attach = HY_ATTACH_USER, .max_len = 254,
     .help = "Whose access ends: their email, id, or the start of their name"},
    {.name = "reason", .label = "Reason", .kind = HY_FIELD_TEXT, .required = true, .max_len = 500,
     .help = "Why (kept in the audit trail and told to the requester)"},
    {.name = "at", .label = "Effective", .kind = HY_FIELD_WHEN,
     .help = "When the access ends: empty = now, or 2026-03-31 17:00 (UTC), +3d, +12h"},
};

/* The last administrator, oneself and (for partner admins) staff accounts
 * are refused; the execution is about the user's organisation. */
static int apply_select_user(hy_step_io *io, cJSON *input, hy_err *err)
{
    const char *uid = wf_str(input, "user");
    if (!uid) return HY_ERR_INVALID; /* its field error is there */
    hy_stmt *st = db_query(io->c->db, err, "SELECT app_role, organization_id FROM users WHERE id = ?", "t", uid);
    char role[32] = "", org[HY_UUID_LEN] = "";
    bool found = db_row(st);
    if (found) {
        hy_strlcpy(role, db_text(st, 0), sizeof role);
        hy_strlcpy(org, db_text(st, 1), sizeof org);
    }
    int rc = db_done(st);
    if (rc) return rc;
    bool staff_actor = io->actor && authz_org_choices_any(io->actor, (char[HY_UUID_LEN]){0});
    if (!found || (!staff_actor && !hy_streq(role, "user") && !hy_streq(role, "partner_admin")))
        hy_field(err, "user", "no user of this organisation matches"); /* as if there were none */
    else if (io->actor && hy_streq(io->actor->user_id, uid))
        hy_field(err, "user", "you cannot revoke your own access: ask a HyOpps administrator");
    else if (hy_streq(role, "admin")) {
        int64_t admins = 0;
        rc = db_get_int(io->c->db, err, &admins, NULL,
                        "SELECT count(*) FROM users WHERE app_role = 'admin' AND offboarded_at IS NULL", "");
        if (rc) return rc;
        if (admins <= 1)
            hy_field(err, "user", "is the last administrator: make someone else an administrator first");
    }
    if (err->nfield) return HY_ERR_INVALID;
    if (org[0]) hy_strlcpy(io->attach_org, org, sizeof io->attach_org);
    return 0;
}

/* ---- shared by the auto steps ---- */

static int need_user(hy_step_run *r, hy_err *err)
{
    if (!wf_str(r->context, "user_id") || !wf_str(r->context, "user_email"))
        return hy_fail(err, HY_ERR_PERMANENT, "this execution has no user (was select_user skipped?)");
    return 0;
}

/* The user's grant of a resource into the context: "<prefix>_account" (the
 * account id kept on it) and "<prefix>_granted" (active). */
static int gather_grant(hy_step_io *io, cJSON *context, const char *resource, const char *prefix, hy_err *err)
{
    const char *user = wf_str(context, "user_id");
    if (!user) return 0;
    bool found, active;
    char account[64], org[HY_UUID_LEN];
    int rc = grant_get(io->c, user, resource, &found, &active, account, org, err);
    char key[64];
    if (rc == 0 && account[0]) {
        snprintf(key, sizeof key, "%s_account", prefix);
        cJSON_AddStringToObject(context, key, account);
    }
    snprintf(key, sizeof key, "%s_granted", prefix);
    if (rc == 0) cJSON_AddBoolToObject(context, key, found && active);
    return rc;
}

/* No group recorded for the organisation: nothing HyOpps added there,
 * unless the user still has an active grant (then a person must say where:
 * the step fails naming the group). */
static int no_group(hy_step_run *r, const char *tool, const char *key, const char *granted_key, hy_err *err)
{
    if (wf_str(r->context, key)) return 0;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->context, granted_key)))
        return step_need_group(r, tool, key, true, err);
    cJSON_AddStringToObject(r->output, "note", "no group is recorded for the organisation: nothing to remove");
    return -1;
}

/* ---- 2. end_hyopps_access (auto, HyOpps itself) ---- */

static int gather_hyopps(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *user = wf_str(context, "user_id");
    if (!user) return 0;
    char *role = NULL;
    int64_t sessions = 0, admins = 0;
    int rc = db_get_text(io->c->db, err, &role, "SELECT app_role FROM users WHERE id = ?", "t", user);
    if (rc == 0)
        rc = db_get_int(io->c->db, err, &sessions, NULL,
                        "SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?",
                        "tI", user, hy_now_ms() / 1000);
    if (rc == 0)
        rc = db_get_int(io->c->db, err, &admins, NULL,
                        "SELECT count(*) FROM users WHERE app_role = 'admin' AND offboarded_at IS NULL", "");
    if (rc == 0) {
        cJSON_AddStringToObject(context, "hyopps_role", role ? role : "user");
        cJSON_AddNumberToObject(context, "hyopps_sessions", (double)sessions);
        cJSON_AddNumberToObject(context, "hyopps_admins", (double)admins);
    }
    free(role);
    return rc;
}

static int run_end_hyopps_access(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    const char *role = wf_str(r->context, "hyopps_role");
    int64_t sessions = 0, admins = 0;
    wf_int(r->context, "hyopps_sessions", &sessions);
    wf_int(r->context, "hyopps_admins", &admins);
    if (hy_streq(role, "admin") && admins <= 1)
        return hy_fail(err, HY_ERR_PERMANENT,
                       "%s is the last administrator: make someone else an administrator, then retry this step",
                       wf_str(r->context, "user_email"));
    cJSON_AddStringToObject(r->output, "role_before", role ? role : "user");
    cJSON_AddStringToObject(r->output, "role_after", "user");
    cJSON_AddNumberToObject(r->output, "sessions_ended", (double)sessions);
    return 0;
}

/* Sessions end; a partner admin (or staff) becomes a user. */
static int persist_end_hyopps_access(hy_step_io *io, hy_err *err)
{
    const char *user = wf_str(io->context, "user_id");
    if (!user) return 0;
    int rc = auth_revoke_user_sessions(io->c, user, "access revoked", err);
    if (rc == 0 && !hy_streq(wf_str(io->output, "role_before"), "user")) rc = user_set_role(io->c, user, "user", err);
    return rc;
}

/* ---- 3. remove_from_metabase_group (auto, Metabase) ---- */

static int gather_metabase(hy_step_io *io, cJSON *context, hy_err *err)
{
    int rc = step_gather_group(io->c, context, "metabase", "org_metabase_group_id", err);
    if (rc == 0) rc = gather_grant(io, context, HY_RES_METABASE, "metabase", err);
    const char *user = wf_str(context, "user_id");
    if (rc == 0 && user && !wf_str(context, "metabase_account")) { /* the id kept on the user */
        int64_t id = 0;
        bool found = false;
        rc = db_get_int(io->c->db, err, &id, &found,
                        "SELECT metabase_user_id FROM users WHERE id = ? AND metabase_user_id IS NOT NULL", "t", user);
        if (rc == 0 && found) {
            char text[32];
            snprintf(text, sizeof text, "%lld", (long long)id);
            cJSON_AddStringToObject(context, "metabase_account", text);
        }
    }
    return rc;
}

/* The membership in the organisation's group deleted; an account then in
 * no group but All Users deactivated ([metabase] deactivate_on_revoke). */
static int run_remove_from_metabase_group(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    int rc = no_group(r, "metabase", "org_metabase_group_id", "metabase_granted", err);
    if (rc) return rc < 0 ? 0 : rc;
    if (step_need_group(r, "metabase", "org_metabase_group_id", false, err)) return err->code;
    int64_t gid, uid = 0;
    if (!wf_int(r->context, "org_metabase_group_id", &gid) || gid <= 0)
        return hy_fail(err, HY_ERR_PERMANENT, "Invalid Metabase group ID '%s' — must be an integer",
                       wf_str(r->context, "org_metabase_group_id"));
    const hy_metabase_api *mb = svc_metabase(r->mode);
    if (!wf_int(r->context, "metabase_account", &uid) || uid <= 0) {
        long found = 0;
        bool active = false;
        if (mb->find_user(&r->svc, wf_str(r->context, "user_email"), &found, &active, err)) return err->code;
        uid = found;
    }
    cJSON_AddNumberToObject(r->output, "metabase_group_id", (double)gid);
    if (uid <= 0) {
        cJSON_AddStringToObject(r->output, "note", "no Metabase account: nothing to remove");
        return 0;
    }
    cJSON_AddNumberToObject(r->output, "metabase_user_id", (double)uid);
    mb_remove_result res;
    if (mb->remove_user_from_group(&r->svc, (long)uid, (long)gid, &res, err)) return err->code;
    cJSON_AddBoolToObject(r->output, "metabase_membership_removed", res.removed);
    if (res.user_missing) {
        cJSON_AddStringToObject(r->output, "note", "Metabase has no such user: nothing to remove");
        return 0;
    }
    cJSON_AddBoolToObject(r->output, "metabase_in_no_group", res.in_no_group);
    bool deactivated = false;
    if (res.in_no_group && r->cfg->metabase.deactivate_on_revoke &&
        mb->deactivate_user(&r->svc, (long)uid, &deactivated, err))
        return err->code;
    cJSON_AddBoolToObject(r->output, "metabase_deactivated", deactivated);
    if (res.in_no_group && !r->cfg->metabase.deactivate_on_revoke)
        cJSON_AddStringToObject(r->output, "note", "left active ([metabase] deactivate_on_revoke = false)");
    return 0;
}

/* ---- 4. remove_from_teams (auto, Teams) ---- */

static int gather_teams(hy_step_io *io, cJSON *context, hy_err *err)
{
    return gather_grant(io, context, HY_RES_TEAMS, "teams", err);
}

/* The team membership removed (the partners share one team); the guest
 * account deleted only with [teams] delete_guest_on_revoke. */
static int run_remove_from_teams(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    const char *uid = wf_str(r->context, "teams_account");
    const hy_teams_api *teams = svc_teams(r->mode);
    bool removed = false, deleted = false;
    if (teams->remove_user(&r->svc, uid, wf_str(r->context, "user_email"), &removed, err)) return err->code;
    if (uid) cJSON_AddStringToObject(r->output, "teams_user_id", uid);
    cJSON_AddBoolToObject(r->output, "teams_membership_removed", removed);
    if (r->cfg->teams.delete_guest_on_revoke && uid) {
        if (teams->delete_guest(&r->svc, uid, &deleted, err)) return err->code;
        cJSON_AddBoolToObject(r->output, "teams_guest_deleted", deleted);
    }
    return 0;
}

/* ---- 5. remove_from_slack_group (auto, Slack) ---- */

static int gather_slack(hy_step_io *io, cJSON *context, hy_err *err)
{
    int rc = step_gather_group(io->c, context, "slack", "org_slack_group_id", err);
    return rc ? rc : gather_grant(io, context, HY_RES_SLACK, "slack", err);
}

/* Holding the group's list lease: the members read, written back without
 * the user (nobody else dropped), read again. The last member: the group
 * is disabled instead (Slack refuses an empty list). */
static int run_remove_from_slack_group(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    int rc = no_group(r, "slack", "org_slack_group_id", "slack_granted", err);
    if (rc) return rc < 0 ? 0 : rc;
    if (step_need_group(r, "slack", "org_slack_group_id", false, err)) return err->code;
    const char *group = wf_str(r->context, "org_slack_group_id");
    slack_remove_result res;
    if (svc_slack(r->mode)->remove_user(&r->svc, group, wf_str(r->context, "user_email"),
                                        wf_str(r->context, "slack_account"), &res, err))
        return err->code;
    cJSON_AddStringToObject(r->output, "slack_group_id", group);
    if (res.user_id[0]) cJSON_AddStringToObject(r->output, "slack_user_id", res.user_id);
    else cJSON_AddStringToObject(r->output, "note", "no Slack account: nothing to remove");
    cJSON_AddBoolToObject(r->output, "slack_removed", res.removed);
    cJSON_AddNumberToObject(r->output, "slack_members_left", res.member_count);
    if (res.disabled_group) {
        cJSON_AddBoolToObject(r->output, "slack_group_disabled", 1);
        cJSON_AddStringToObject(r->output, "note",
                                "the user was the group's last member: the group is disabled (Slack refuses an empty "
                                "list); the next onboarding into the organisation enables it again");
    }
    if (r->svc.lock_wait_ms >= 0) cJSON_AddNumberToObject(r->output, "list_lock_wait_ms", (double)r->svc.lock_wait_ms);
    return 0;
}

static int persist_slack(hy_step_io *io, hy_err *err)
{
    const char *org = wf_str(io->context, "organization_id");
    if (!org || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(io->output, "slack_group_disabled"))) return 0;
    return group_set_disabled(io->c, org, "slack", true, err);
}

/* ---- 6. revoke_studio_access (auto, Studio: always simulated) ---- */

static int gather_studio(hy_step_io *io, cJSON *context, hy_err *err)
{
    const char *user = wf_str(context, "user_id");
    if (!user) return 0;
    int64_t n = 0;
    int rc = db_get_int(io->c->db, err, &n, NULL,
                        "SELECT count(*) FROM user_studio_access WHERE user_id = ? AND revoked_at IS NULL", "t", user);
    if (rc == 0) cJSON_AddNumberToObject(context, "studio_access_active", (double)n);
    hy_stmt *st = rc ? NULL : db_query(io->c->db, err, "SELECT studio_id, name FROM user_studio_companies WHERE user_id = ?",
                                       "t", user);
    if (st && db_row(st)) {
        cJSON_AddStringToObject(context, "studio_personal_company_id", db_text(st, 0));
        cJSON_AddStringToObject(context, "studio_personal_company_name", db_text(st, 1));
    }
    return st ? db_done(st) : rc;
}

static int run_revoke_studio_access(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    int64_t n = 0;
    wf_int(r->context, "studio_access_active", &n);
    cJSON_AddNumberToObject(r->output, "studio_access_revoked", (double)n);
    const char *pc = wf_str(r->context, "studio_personal_company_id");
    if (pc) { /* Studio has no API: recorded as to be removed */
        cJSON_AddStringToObject(r->output, "studio_company_to_remove", pc);
        cJSON_AddStringToObject(r->output, "studio_company_to_remove_name",
                                wf_str(r->context, "studio_personal_company_name"));
    }
    return 0;
}

static int persist_studio(hy_step_io *io, hy_err *err)
{
    const char *user = wf_str(io->context, "user_id");
    int n;
    return user ? user_revoke_studio_access(io->c, user, &n, err) : 0;
}

/* ---- 7. lms_removal (manual) ---- */

static const hy_field_def LMS_FIELDS[] = {
    {.name = "lms_removed", .label = "The learning path was removed in the LMS", .kind = HY_FIELD_CONFIRM,
     .required = true, .help = "The LMS has no API: remove the user's learning path there, then confirm"},
};
static const hy_info_def LMS_INFO[] = {{"User", "{user_email}"}, {"Organisation", "{organization_name}"}};

/* ---- 8. notify_requester (auto, email) ---- */

/* The requester and the organisation's partner admins (active, not the
 * revoked user), each once. */
static int gather_recipients(hy_step_io *io, cJSON *context, hy_err *err)
{
    cJSON *to = cJSON_AddArrayToObject(context, "notify_to");
    const char *user = wf_str(context, "user_id"), *org = wf_str(context, "organization_id");
    char *first = NULL;
    int rc = 0;
    if (io->requested_by && !hy_streq(io->requested_by, user))
        rc = db_get_text(io->c->db, err, &first, "SELECT lower(email) FROM users WHERE id = ?", "t", io->requested_by);
    if (first) cJSON_AddItemToArray(to, cJSON_CreateString(first));
    hy_stmt *st = rc || !org ? NULL
                             : db_query(io->c->db, err,
                                        "SELECT lower(email) FROM users WHERE organization_id = ? "
                                        "AND app_role = 'partner_admin' AND offboarded_at IS NULL AND id != ? "
                                        "ORDER BY lower(email)",
                                        "tt", org, user ? user : "");
    while (st && db_row(st))
        if (!hy_streq(db_text(st, 0), first)) cJSON_AddItemToArray(to, cJSON_CreateString(db_text(st, 0)));
    if (st) rc = db_done(st);
    free(first);
    return rc;
}

static void line(hy_buf *text, hy_buf *html, const char *where, const char *what)
{
    hy_buf_printf(text, "- %s: %s\n", where, what);
    hy_buf_put(html, "<li><b>");
    email_html_escape(html, where);
    hy_buf_put(html, "</b>: ");
    email_html_escape(html, what);
    hy_buf_put(html, "</li>\n");
}

static bool flag(const cJSON *c, const char *key) { return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, key)); }

/* What was removed where, from the earlier steps' outputs (in the context). */
static void build_notice(const cJSON *c, email_body *b)
{
    const char *who = wf_str(c, "user_email"), *org = wf_str(c, "organization_name"), *why = wf_str(c, "reason");
    hy_buf text = {0}, html = {0};
    b->subject = org ? xasprintf("Access removed: %s (%s)", who ? who : "?", org)
                     : xasprintf("Access removed: %s", who ? who : "?");
    hy_buf_printf(&text, "The access of %s%s%s%s was removed.\nReason: %s\n\n", who ? who : "?", org ? " (" : "",
                  org ? org : "", org ? ")" : "", why ? why : "-");
    hy_buf_put(&html, "<p>The access of <b>");
    email_html_escape(&html, who ? who : "?");
    hy_buf_put(&html, "</b>");
    if (org) {
        hy_buf_put(&html, " (");
        email_html_escape(&html, org);
        hy_buf_put(&html, ")");
    }
    hy_buf_put(&html, " was removed.<br>Reason: ");
    email_html_escape(&html, why ? why : "-");
    hy_buf_put(&html, "</p>\n<ul>\n");
    int64_t n = 0;
    char what[200];
    wf_int(c, "sessions_ended", &n);
    snprintf(what, sizeof what, "%lld session%s ended; role %s", (long long)n, n == 1 ? "" : "s",
             wf_str(c, "role_after") ? wf_str(c, "role_after") : "user");
    line(&text, &html, "HyOpps", what);
    snprintf(what, sizeof what, "%s%s", flag(c, "metabase_membership_removed") ? "removed from the group" : "not in the group (nothing to remove)",
             flag(c, "metabase_deactivated") ? "; account deactivated" : "");
    line(&text, &html, "Metabase", what);
    snprintf(what, sizeof what, "%s%s", flag(c, "teams_membership_removed") ? "removed from the team" : "not in the team (nothing to remove)",
             flag(c, "teams_guest_deleted") ? "; guest account deleted" : "");
    line(&text, &html, "Microsoft Teams", what);
    snprintf(what, sizeof what, "%s%s", flag(c, "slack_removed") ? "removed from the user group" : "not in the user group (nothing to remove)",
             flag(c, "slack_group_disabled") ? "; it was the last member: the group is disabled" : "");
    line(&text, &html, "Slack", what);
    n = 0;
    wf_int(c, "studio_access_revoked", &n);
    const char *pc = wf_str(c, "studio_company_to_remove");
    snprintf(what, sizeof what, "%lld company access%s ended%s%s%s", (long long)n, n == 1 ? "" : "es",
             pc ? "; personal company " : "", pc ? pc : "", pc ? " to be removed" : "");
    line(&text, &html, "Studio", what);
    line(&text, &html, "LMS", flag(c, "lms_removed") ? "learning path removed (confirmed)" : "not confirmed");
    hy_buf_put(&html, "</ul>\n");
    b->text = hy_buf_take(&text);
    b->html = hy_buf_take(&html);
    b->links = 0;
}

/* The email and the recipients' list (m->cc points into cc; free both). */
static bool build_email(const cJSON *context, email_body *body, hy_mail *m, const char ***cc)
{
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(context, "notify_to");
    int n = cJSON_GetArraySize(to);
    *cc = NULL;
    if (n == 0) return false;
    build_notice(context, body);
    *cc = xcalloc((size_t)n, sizeof **cc);
    for (int i = 1; i < n; i++) (*cc)[i - 1] = cJSON_GetStringValue(cJSON_GetArrayItem(to, i));
    *m = (hy_mail){.to = cJSON_GetStringValue(cJSON_GetArrayItem(to, 0)), .cc = *cc, .ncc = n - 1,
                   .subject = body->subject, .text = body->text, .html = body->html};
    return true;
}

/* What makes the email this one: the user, why, the recipients (with
 * the digest), not what the run found, so a re-run that found everything
 * gone already does not send another. Caller frees. */
static char *mail_key(const cJSON *context)
{
    char *to = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(context, "notify_to"));
    char *key = xasprintf("revoked %s %s %s", wf_str(context, "user_id") ? wf_str(context, "user_id") : "",
                          to ? to : "", wf_str(context, "reason") ? wf_str(context, "reason") : "");
    cJSON_free(to);
    return key;
}

/* One email to the requester (the partner admins in copy), sent once
 * (step_mail.h). Nobody to tell: nothing sent, said so. */
static int run_notify_requester(hy_step_run *r, hy_err *err)
{
    if (need_user(r, err)) return err->code;
    if (wf_str(r->context, "parent_execution_id")) { /* one of an offboarding's: it reports */
        cJSON_AddStringToObject(r->output, "note", "part of an organisation's offboarding: no email of its own");
        return 0;
    }
    email_body body = {0};
    hy_mail m;
    const char **cc;
    if (!build_email(r->context, &body, &m, &cc)) {
        cJSON_AddStringToObject(r->output, "note", "nobody to tell (no requester with an email, no partner admin)");
        return 0;
    }
    char *key = mail_key(r->context);
    int rc = step_mail_send_once_keyed(r, &m, key, NULL, err);
    free(key);
    free(cc);
    email_body_free(&body);
    return rc;
}

static int done_by_hand_notify(hy_step_io *io, const cJSON *cp, cJSON **out, hy_err *err)
{
    (void)err;
    email_body body = {0};
    hy_mail m;
    const char **cc;
    bool have = build_email(io->context, &body, &m, &cc);
    char *key = mail_key(io->context);
    step_mail_done_by_hand_keyed(cp, have ? &m : NULL, key, NULL, out);
    free(key);
    free(cc);
    if (have) email_body_free(&body);
    return 0;
}

/* ---- on completion ---- */

static int complete_revocation(hy_step_io *io, hy_err *err)
{
    const char *user = wf_str(io->context, "user_id");
    return user ? user_set_offboarded(io->c, user, true, err) : 0;
}

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static const hy_step_def REVOKE_STEPS[] = {
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000301", .name = "select_user", .label = "Select User",
     .kind = HY_STEP_MANUAL, .description = "The user whose access ends, why, and when (empty: now)",
     .fields = SELECT_USER_FIELDS, .nfields = N(SELECT_USER_FIELDS), .apply = apply_select_user},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000302", .name = "end_hyopps_access", .label = "End HyOpps Access",
     .kind = HY_STEP_AUTO, .description = "End the user's sessions; a partner admin becomes a user",
     .integration = HY_INT_LOCAL, .gather = gather_hyopps, .run = run_end_hyopps_access,
     .persist = persist_end_hyopps_access},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000303", .name = "remove_from_metabase_group",
     .label = "Remove from Metabase Group", .kind = HY_STEP_AUTO,
     .description = "Remove the user from the org's Metabase group; deactivate an account left in no group",
     .integration = HY_INT_METABASE, .gather = gather_metabase, .run = run_remove_from_metabase_group,
     .revokes = HY_RES_METABASE},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000304", .name = "remove_from_teams", .label = "Remove from Teams",
     .kind = HY_STEP_AUTO, .description = "Remove the user's membership of the partners' team",
     .integration = HY_INT_TEAMS, .gather = gather_teams, .run = run_remove_from_teams, .revokes = HY_RES_TEAMS},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000305", .name = "remove_from_slack_group",
     .label = "Remove from Slack Group", .kind = HY_STEP_AUTO,
     .description = "Write the org's Slack group back without the user (the last member: disable the group)",
     .integration = HY_INT_SLACK, .gather = gather_slack, .run = run_remove_from_slack_group,
     .persist = persist_slack, .revokes = HY_RES_SLACK},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000306", .name = "revoke_studio_access", .label = "Revoke Studio Access",
     .kind = HY_STEP_AUTO, .description = "End the user's Studio company access; record their company to remove",
     .integration = HY_INT_STUDIO, .gather = gather_studio, .run = run_revoke_studio_access,
     .persist = persist_studio, .revokes = HY_RES_STUDIO},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000307", .name = "lms_removal", .label = "LMS Removal",
     .kind = HY_STEP_MANUAL, .description = "Confirm that the user's LMS learning path was removed (no API)",
     .fields = LMS_FIELDS, .nfields = N(LMS_FIELDS), .info = LMS_INFO, .ninfo = N(LMS_INFO), .staff_only = true,
     .revokes = HY_RES_LMS, .skip_if = "parent_execution_id",
     .skip_note = "part of an organisation's offboarding: its own lms_removal confirms the LMS"},
    {.id = "6a9f0c1e-5b1d-4c1a-9a03-000000000308", .name = "notify_requester", .label = "Notify Requester",
     .kind = HY_STEP_AUTO, .description = "Email the requester (and the org's partner admins) what was removed where",
     .integration = HY_INT_EMAIL, .gather = gather_recipients, .run = run_notify_requester,
     .on_done_by_hand = done_by_hand_notify},
};

const hy_workflow_def hy_wf_revoke_partner_user = {
    .id = "6a9f0c1e-5b1d-4c1a-9a03-000000000003",
    .name = "revoke_partner_user",
    .label = "Revoke partner user",
    .short_label = "Revoke user",
    .description = "Remove a partner user's access everywhere",
    .steps = REVOKE_STEPS,
    .nsteps = N(REVOKE_STEPS),
    .partner_admin_may_use = true,
    .on_complete = complete_revocation,
};
