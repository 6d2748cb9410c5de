/* Revoking a person's access (`r` on a user, the partner console's Remove
 * user) and offboarding an organisation (`O`): asks first, saying what will
 * be removed, then the reason (required) and when (empty: now), then starts
 * revoke_partner_user / offboard_partner through ops (which decides who
 * may, and answers "not found" for what the person may not see) and opens
 * the execution. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "ops.h"
#include "screens.h"

void ui_revoke_pending_free(ui_revoke_pending *pd)
{
    free(pd->ref);
    free(pd->reason);
    memset(pd, 0, sizeof *pd);
}

/* An ops refusal with its field errors in one line ("at: ... ; user: ..."). */
static int fail_fields(ui *u, const hy_err *err)
{
    if (!err->nfield) return ui_fail(u, err);
    hy_buf b = {0};
    for (int i = 0; i < err->nfield; i++)
        hy_buf_printf(&b, "%s%s: %s", i ? "; " : "", err->field[i].field, err->field[i].msg);
    ui_msg(u, UI_S_ERROR, "%s", b.s);
    hy_buf_free(&b);
    return UI_REDRAW;
}

static int when_done(ui *u, screen *s, int ok, const char *text, void *ctx)
{
    (void)s;
    ui_revoke_pending *pd = ctx;
    if (!ok || !pd->ref || !pd->reason) {
        ui_revoke_pending_free(pd);
        ui_msg(u, UI_S_INFO, "Nothing was started.");
        return UI_REDRAW;
    }
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, pd->offboard ? "organization_id" : "user", pd->ref);
    cJSON_AddStringToObject(in, "reason", pd->reason);
    if (text && *text) cJSON_AddStringToObject(in, "at", text);
    hy_exec_start st = {.workflow = pd->offboard ? "offboard_partner" : "revoke_partner_user", .input = in};
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    int rc = ops_exec_start_ex(u->ctx, &u->me, &st, id, &err);
    cJSON_Delete(in);
    bool offboard = pd->offboard;
    ui_revoke_pending_free(pd);
    if (rc != 0) return fail_fields(u, &err);
    ui_runner_kick(u);
    ui_msg(u, UI_S_INFO, "%s %.8s %s.", offboard ? "Offboarding" : "Revocation", id,
           text && *text ? "scheduled" : "started");
    ui_push(u, ui_exec_screen_for(u), id);
    return UI_REDRAW | UI_RELOAD;
}

static int reason_done(ui *u, screen *s, int ok, const char *text, void *ctx)
{
    (void)s;
    ui_revoke_pending *pd = ctx;
    if (!ok || !text || !*text) {
        ui_revoke_pending_free(pd);
        ui_msg(u, UI_S_INFO, "Nothing was started.");
        return UI_REDRAW;
    }
    free(pd->reason);
    pd->reason = xstrdup(text);
    ui_prompt(u, pd->offboard ? "Offboard organisation" : "Revoke access",
              "Effective (empty = now; 2026-03-31 17:00 UTC, +3d, +12h)", "", false, when_done, pd);
    return UI_REDRAW;
}

static int confirm_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)s, (void)text;
    ui_revoke_pending *pd = ctx;
    if (!yes) {
        ui_revoke_pending_free(pd);
        ui_msg(u, UI_S_INFO, "Nothing was started.");
        return UI_REDRAW;
    }
    ui_prompt(u, pd->offboard ? "Offboard organisation" : "Revoke access", "Reason (kept in the audit trail)", "", true,
              reason_done, pd);
    return UI_REDRAW;
}

int ui_user_revoke_ask(ui *u, ui_revoke_pending *pd, const char *user_ref)
{
    hy_user usr;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_show(u->ctx, &u->me, user_ref, &usr, &err) != 0) return ui_fail(u, &err);
    if (usr.offboarded_at) {
        char when[HY_TIME_LEN];
        hy_time_short(usr.offboarded_at, when);
        ui_msg(u, UI_S_INFO, "%s was offboarded on %s: their access is revoked already.", usr.email, when);
        hy_user_free(&usr);
        return UI_REDRAW;
    }
    hy_buf b = {0};
    char *access = hy_strlist_join(&usr.access, ", ");
    hy_buf_printf(&b, "Revoke the access of %s %s <%s>%s%s? Their HyOpps sessions end%s. Removed: %s (the Metabase "
                  "group membership, the account deactivated when it is in no other group; the Teams membership; the "
                  "Slack user group membership; the Studio access). The LMS removal is confirmed by hand; the "
                  "requester is told by email. The user is kept, marked offboarded.",
                  usr.firstname ? usr.firstname : "", usr.lastname ? usr.lastname : "", usr.email,
                  usr.organization_name ? " of " : "", usr.organization_name ? usr.organization_name : "",
                  usr.role == HY_ROLE_PARTNER_ADMIN ? " and they are no longer a partner admin" : "",
                  usr.access.n ? access : "no access is recorded");
    free(access);
    ui_revoke_pending_free(pd);
    pd->ref = xstrdup(usr.id);
    pd->offboard = false;
    ui_confirm(u, "Revoke access", b.s, confirm_done, pd);
    hy_buf_free(&b);
    hy_user_free(&usr);
    return UI_REDRAW;
}

int ui_org_offboard_ask(ui *u, ui_revoke_pending *pd, const char *org_id)
{
    hy_org_detail d;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_show(u->ctx, &u->me, org_id, &d, &err) != 0) return ui_fail(u, &err);
    if (d.org.offboarded_at) {
        char when[HY_TIME_LEN];
        hy_time_short(d.org.offboarded_at, when);
        ui_msg(u, UI_S_INFO, "%s was offboarded on %s.", d.org.name, when);
        hy_org_detail_free(&d);
        return UI_REDRAW;
    }
    int active = 0;
    for (int i = 0; i < d.nusers; i++) active += d.users[i].offboarded_at == NULL;
    hy_buf b = {0};
    hy_buf_printf(&b, "Offboard %s? Each of its %d active user%s is revoked everywhere, then:", d.org.name, active,
                  active == 1 ? "" : "s");
    for (int i = 0; i < d.ngroups; i++) {
        const char *tool = d.groups[i].tool, *name = d.groups[i].external_name ? d.groups[i].external_name : "?";
        if (hy_streq(tool, "slack")) hy_buf_printf(&b, " the Slack group %s is disabled;", name);
        else if (hy_streq(tool, "teams")) hy_buf_printf(&b, " the Teams channel %s is archived;", name);
        else if (hy_streq(tool, "metabase"))
            hy_buf_printf(&b, " the Metabase group %s loses its data access and is deleted;", name);
    }
    if (d.metabase_collection_id) hy_buf_printf(&b, " the Metabase collection %s is archived;", d.metabase_collection_id);
    hy_buf_put(&b, " Keycloak and the LMS are confirmed by hand. The organisation is kept, read-only.");
    ui_revoke_pending_free(pd);
    pd->ref = xstrdup(d.org.id);
    pd->offboard = true;
    ui_confirm(u, "Offboard organisation", b.s, confirm_done, pd);
    hy_buf_free(&b);
    hy_org_detail_free(&d);
    return UI_REDRAW;
}
