/* The login screen: email and password, through auth_login (never SQL).
 * Errors are the ones auth gives: the generic "Wrong email or password.",
 * the lockout, "no panel access", a partner admin without organisation. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "form.h"
#include "screens.h"

typedef struct {
    ui_form form;
} login_state;

enum { A_LOGIN = 1, A_QUIT };

static const ui_action LOGIN_ACTIONS[] = {
    {A_LOGIN, "Enter", "Log in", "Log in with this email and password (in the email field: on to the password)"},
    {A_QUIT, "Esc", "Quit", "Quit HyOpps (asks first)"},
    UI_ACTIONS_END,
};

static int login_open(ui *u, screen *s, const void *arg)
{
    login_state *st = s->state;
    const char *reason = arg;
    ui_form_init(&st->form);
    ui_form_text(&st->form, "email", "Email", true, NULL, 254);
    ui_form_password(&st->form, "password", "Password", true, 1024);
    if (u->cfg->embedded_default)
        ui_form_info(&st->form, "Note", "No configuration file was found: every integration is simulated.");
    if (u->restricted) ui_form_info(&st->form, "Mode", "Restricted shell.");
    if (reason && *reason) ui_form_message(&st->form, true, "%s", reason);
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static void login_draw(ui *u, screen *s, ui_rect body)
{
    login_state *st = s->state;
    int w = ui_min(76, body.w - 4);
    int h = ui_form_height(u, &st->form, w);
    int top = body.y + ui_max(1, (body.h - h - 2) / 3);
    int x = body.x + (body.w - w) / 2;
    ui_put(u, top, x, w, UI_S_TITLE, UI_FIT_RAW, "Log in to HyOpps");
    ui_form_draw(u, &st->form, (ui_rect){top + 2, x, ui_min(h, body.y + body.h - top - 2), w});
}

static int do_login(ui *u, screen *s)
{
    login_state *st = s->state;
    ui_form_clear_errors(&st->form);
    if (!ui_form_check_required(&st->form)) return UI_REDRAW;
    hy_principal p;
    char *token = NULL;
    hy_err err;
    hy_err_clear(&err);
    /* Copy the password out so the field can be wiped before anything else. */
    char *password = xstrdup(ui_form_get(&st->form, "password"));
    ui_form_set(&st->form, "password", "");
    int rc = auth_login(u->ctx, ui_form_get(&st->form, "email"), password, &p, &token, &err);
    if (rc != 0) {
        explicit_bzero(password, strlen(password));
        free(password);
        ui_form_message(&st->form, true, "%s", err.msg[0] ? err.msg : "Wrong email or password.");
        ui_form_focus(&st->form, "password"); /* the email is kept: try again */
        return UI_REDRAW;
    }
    ui_session_start(u, &p, token);
    if (p.must_change_password) ui_push(u, &ui_passwd_screen, password);
    else ui_push(u, ui_home_for(u), NULL);
    explicit_bzero(password, strlen(password));
    free(password);
    return UI_CLOSE; /* the next screen replaces this one */
}

/* Enter in the email field, before a password is typed: on to it. */
static bool to_password(login_state *st)
{
    ui_form *f = &st->form;
    if (f->focus < 0 || strcmp(f->f[f->focus].name, "email") != 0) return false;
    if (!*ui_form_get(f, "email") || *ui_form_get(f, "password")) return false;
    ui_form_focus(f, "password");
    return true;
}

static int login_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case A_LOGIN:
        if (to_password(s->state)) return UI_REDRAW;
        return do_login(u, s);
    case A_QUIT:
        ui_ask_quit(u);
        return UI_REDRAW;
    }
    return UI_NOT_MINE;
}

static void login_close(ui *u, screen *s)
{
    (void)u;
    login_state *st = s->state;
    ui_form_free(&st->form);
}

const screen_ops ui_login_screen = {
    .name = "Log in",
    .state_size = sizeof(login_state),
    .actions = LOGIN_ACTIONS,
    .open = login_open,
    .draw = login_draw,
    .handle_key = login_key,
    .close = login_close,
};
