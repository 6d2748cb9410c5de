/* Deleting an organisation or a user from any screen: the confirmation
 * says what goes with it (ops_*_delete_impact), "y" deletes through ops. */
#include <stdio.h>
#include <stdlib.h>

#include "dialog.h"
#include "ops.h"
#include "screens.h"

void ui_pending_free(ui_pending *pd)
{
    free(pd->id);
    pd->id = NULL;
}

static const char *s_if(int n) { return n == 1 ? "" : "s"; }

/* "a, b and c" from up to four parts. */
static void join_parts(hy_buf *b, const char *const *parts, int n)
{
    for (int i = 0; i < n; i++) {
        if (i) hy_buf_put(b, i == n - 1 ? " and " : ", ");
        hy_buf_put(b, parts[i]);
    }
}

static int after_delete(ui_pending *pd)
{
    bool close = pd->close_after;
    ui_pending_free(pd);
    return close ? UI_CLOSE | UI_RELOAD : UI_RELOAD;
}

/* ---- organisations ---- */

static int org_delete_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)s, (void)text;
    ui_pending *pd = ctx;
    if (!yes || !pd->id) {
        ui_pending_free(pd);
        ui_msg(u, UI_S_INFO, "Nothing was deleted.");
        return UI_REDRAW;
    }
    hy_org_impact done;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_delete(u->ctx, &u->me, pd->id, &done, &err) != 0) {
        ui_pending_free(pd);
        return ui_fail(u, &err);
    }
    ui_msg(u, UI_S_INFO, "Organisation %s deleted.", done.name);
    hy_org_impact_free(&done);
    return after_delete(pd);
}

int ui_org_delete_ask(ui *u, ui_pending *pd, const char *org_id, bool close_after)
{
    hy_org_impact im;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_delete_impact(u->ctx, &u->me, org_id, &im, &err) != 0) {
        return ui_fail(u, &err);
    }
    char companies[64], groups[64];
    snprintf(companies, sizeof companies, "its %d Studio compan%s", im.studio_companies,
             im.studio_companies == 1 ? "y" : "ies");
    snprintf(groups, sizeof groups, "its %d system group%s", im.system_groups, s_if(im.system_groups));
    const char *gone[4];
    int ng = 0;
    if (im.studio_companies) gone[ng++] = companies;
    if (im.system_groups) gone[ng++] = groups;
    if (im.integrations) gone[ng++] = "its integration state";
    if (im.documentation) gone[ng++] = "its documentation links";
    hy_buf b = {0};
    hy_buf_printf(&b, "Delete the organisation %s? ", im.name);
    if (ng) {
        hy_buf_put(&b, "This also deletes ");
        join_parts(&b, gone, ng);
        hy_buf_put(&b, ". ");
    } else {
        hy_buf_put(&b, "It has no Studio companies, system groups, integration state or documentation links. ");
    }
    if (im.users || im.executions) {
        char users[64], execs[64];
        snprintf(users, sizeof users, "%d user%s", im.users, s_if(im.users));
        snprintf(execs, sizeof execs, "%d execution%s", im.executions, s_if(im.executions));
        const char *kept[2];
        int nk = 0;
        if (im.users) kept[nk++] = users;
        if (im.executions) kept[nk++] = execs;
        hy_buf_put(&b, "Its ");
        join_parts(&b, kept, nk);
        hy_buf_put(&b, im.users + im.executions == 1 ? " is kept, detached from it" : " are kept, detached from it");
        hy_buf_put(&b, im.users ? "; the users' sessions end." : ".");
    }
    ui_pending_free(pd);
    pd->id = xstrdup(org_id);
    pd->close_after = close_after;
    ui_confirm(u, "Delete organisation", b.s, org_delete_done, pd);
    hy_buf_free(&b);
    hy_org_impact_free(&im);
    return UI_REDRAW;
}

/* ---- users ---- */

static int user_delete_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)s, (void)text;
    ui_pending *pd = ctx;
    if (!yes || !pd->id) {
        ui_pending_free(pd);
        ui_msg(u, UI_S_INFO, "Nothing was deleted.");
        return UI_REDRAW;
    }
    hy_user_impact done;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_delete(u->ctx, &u->me, pd->id, &done, &err) != 0) {
        ui_pending_free(pd);
        return ui_fail(u, &err);
    }
    ui_msg(u, UI_S_INFO, "User %s deleted.", done.email);
    hy_user_impact_free(&done);
    return after_delete(pd);
}

int ui_user_delete_ask(ui *u, ui_pending *pd, const char *user_id, bool close_after)
{
    hy_user_impact im;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_delete_impact(u->ctx, &u->me, user_id, &im, &err) != 0) {
        return ui_fail(u, &err);
    }
    char grants[64], access[64];
    snprintf(grants, sizeof grants, "their %d access grant%s", im.access_grants, s_if(im.access_grants));
    snprintf(access, sizeof access, "their %d Studio access row%s", im.studio_access, s_if(im.studio_access));
    const char *gone[4];
    int ng = 0;
    if (im.access_grants) gone[ng++] = grants;
    if (im.studio_access) gone[ng++] = access;
    if (im.personal_studio_company) gone[ng++] = "their personal Studio company";
    gone[ng++] = "their sessions";
    hy_buf b = {0};
    hy_buf_printf(&b, "Delete the user %s? This also deletes ", im.email);
    join_parts(&b, gone, ng);
    hy_buf_put(&b, ".");
    int execs = im.executions_requested + im.executions_about;
    if (execs)
        hy_buf_printf(&b, " %d execution%s they requested or are about %s kept, detached from them.", execs,
                      s_if(execs), execs == 1 ? "is" : "are");
    ui_pending_free(pd);
    pd->id = xstrdup(user_id);
    pd->close_after = close_after;
    ui_confirm(u, "Delete user", b.s, user_delete_done, pd);
    hy_buf_free(&b);
    hy_user_impact_free(&im);
    return UI_REDRAW;
}
