/* Changing one's password, through auth_change_password.
 *  - Forced (arg = the current password, just typed at login): the default
 *    admin and any account flagged so. Esc logs out: nothing else is
 *    reachable until the password is changed.
 *  - Voluntary (arg NULL, from a home menu): asks the current password too;
 *    Esc goes back. The profile's other setting is here too: whether you
 *    get notifications (Ctrl-N turns them on or off, at once, audited). */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "dialog.h"
#include "form.h"
#include "ops.h"
#include "screens.h"

typedef struct {
    ui_form form;
    char *current;      /* forced change: the login password (zeroed on close) */
    bool notify_known, notify_on;
} passwd_state;

enum { A_SAVE = 1, A_CANCEL, A_NOTIFY };

static const ui_action PASSWD_ACTIONS[] = {
    {A_SAVE, "Enter", "Change password", "Set the new password"},
    {A_CANCEL, "Esc", "Cancel", "Leave without changing (a required change logs you out)"},
    {A_NOTIFY, "C-n F7", "Notifications", "Turn your notifications (emails about waiting and failed steps) on or off"},
    UI_ACTIONS_END,
};

static void load_notify(ui *u, passwd_state *st)
{
    hy_err err;
    hy_err_clear(&err);
    st->notify_known = ops_notify_get(u->ctx, &u->me, &st->notify_on, &err) == 0;
}

static int passwd_open(ui *u, screen *s, const void *arg)
{
    passwd_state *st = s->state;
    ui_form_init(&st->form);
    if (arg) {
        st->current = xstrdup(arg);
        ui_form_message(&st->form, false, "Choose a new password before going on.");
    } else {
        ui_form_password(&st->form, "current_password", "Current password", true, 1024);
    }
    ui_form_password(&st->form, "new_password", "New password", true, 1024);
    ui_form_password(&st->form, "confirm", "Confirm", true, 1024);
    ui_form_info(&st->form, "Rules", auth_password_rules_text());
    if (!arg) load_notify(u, st);
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static void passwd_draw(ui *u, screen *s, ui_rect body)
{
    passwd_state *st = s->state;
    int w = ui_min(96, body.w - 4);
    int h = ui_form_height(u, &st->form, w);
    int top = body.y + ui_max(1, (body.h - h - 2) / 3);
    int x = body.x + (body.w - w) / 2;
    ui_put(u, top, x, w, UI_S_TITLE, UI_FIT_RAW, st->current ? "A new password is required" : "Change your password");
    ui_form_draw(u, &st->form, (ui_rect){top + 2, x, ui_min(h, body.y + body.h - top - 2), w});
    if (st->notify_known && top + 3 + h < body.y + body.h) {
        char line[160];
        snprintf(line, sizeof line, "Notifications: %s (Ctrl-N turns them %s)%s", st->notify_on ? "on" : "off",
                 st->notify_on ? "off" : "on", u->cfg->notify.enabled ? "" : "; none are sent: [notify] enabled = false");
        ui_put(u, top + 3 + h, x, w, st->notify_on ? UI_S_NORMAL : UI_S_DIM, UI_FIT_RAW, line);
    }
}

static void wipe_fields(passwd_state *st)
{
    ui_form_set(&st->form, "current_password", "");
    ui_form_set(&st->form, "new_password", "");
    ui_form_set(&st->form, "confirm", "");
}

static int save(ui *u, screen *s)
{
    passwd_state *st = s->state;
    ui_form *f = &st->form;
    ui_form_clear_errors(f);
    if (!ui_form_check_required(f)) return UI_REDRAW;
    if (strcmp(ui_form_get(f, "new_password"), ui_form_get(f, "confirm")) != 0) {
        ui_form_error(f, "confirm", "does not match the new password");
        ui_form_set(f, "confirm", "");
        ui_form_focus(f, "confirm");
        return UI_REDRAW;
    }
    const char *current = st->current ? st->current : ui_form_get(f, "current_password");
    char *token = NULL;
    hy_err err;
    hy_err_clear(&err);
    hy_principal p = u->me;
    int rc = auth_change_password(u->ctx, &p, current, ui_form_get(f, "new_password"), &token, &err);
    wipe_fields(st);
    if (rc != 0) {
        if (err.code == HY_ERR_AUTH) return ui_fail(u, &err);
        ui_form_set_errors(f, &err);
        return UI_REDRAW;
    }
    ui_session_start(u, &p, token);
    if (st->current) {
        ui_push(u, ui_home_for(u), NULL);
        ui_msg(u, UI_S_INFO, "Password changed.");
        return UI_CLOSE;
    }
    ui_msg(u, UI_S_INFO, "Password changed. Your other sessions were ended.");
    return UI_CLOSE;
}

static int passwd_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    passwd_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_SAVE) return save(u, s);
    if (a->id == A_NOTIFY) {
        if (!st->notify_known) {
            ui_msg(u, UI_S_INFO, "Change your password first.");
            return UI_REDRAW;
        }
        hy_err err;
        hy_err_clear(&err);
        if (ops_notify_set(u->ctx, &u->me, !st->notify_on, &err) != 0) return ui_fail(u, &err);
        load_notify(u, st);
        ui_msg(u, UI_S_INFO, "Notifications %s.", st->notify_on ? "on" : "off");
        return UI_REDRAW;
    }
    if (a->id == A_CANCEL) {
        if (!st->current) return ui_form_leave(u, &st->form, "Leave without changing your password?");
        ui_msg(u, UI_S_INFO, "Password not changed: logged out.");
        return UI_LOGOUT;
    }
    return UI_NOT_MINE;
}

static void passwd_close(ui *u, screen *s)
{
    (void)u;
    passwd_state *st = s->state;
    if (st->current) {
        explicit_bzero(st->current, strlen(st->current));
        free(st->current);
    }
    ui_form_free(&st->form);
}

static bool passwd_enabled(ui *u, const screen *s, const ui_action *a)
{
    (void)u;
    const passwd_state *st = s->state;
    return a->id != A_NOTIFY || st->notify_known;
}

const screen_ops ui_passwd_screen = {
    .name = "Password",
    .state_size = sizeof(passwd_state),
    .actions = PASSWD_ACTIONS,
    .open = passwd_open,
    .draw = passwd_draw,
    .handle_key = passwd_key,
    .close = passwd_close,
    .enabled = passwd_enabled,
};
