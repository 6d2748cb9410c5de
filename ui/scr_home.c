/* The admin's home screen: a menu of the screens, under what an admin must
 * know first: which integrations are off (their steps fail) and whether
 * the configuration file changed since the program started (it applies at
 * the next start). (The partner admin's home, their organisation's
 * dashboard, is scr_partner.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "sanitize.h"
#include "screens.h"
#include "workflows.h"

typedef struct {
    const char *label;
    const char *what;
    const screen_ops *ops;      /* NULL: not built yet */
} menu_entry;

static const menu_entry ADMIN_MENU[] = {
    {"Executions", "Every workflow execution, filtered by status", &ui_execs_screen},
    {"Awaiting input", "Steps waiting for a person, oldest first", &ui_inbox_screen},
    {"New request", "Start a workflow: a new partner, or a new partner user", &ui_newreq_screen},
    {"Organisations", "Partner organisations, their groups and documentation links", &ui_orgs_screen},
    {"Users", "Users, their roles, organisations and passwords", &ui_users_screen},
    {"Audit", "The audit trail: who did what, and when", &ui_audit_screen},
    {"Integrations", "Each integration's mode, and a connection check", &ui_integrations_screen},
    {"Change password", "Choose a new password for your account", &ui_passwd_screen},
};

typedef struct {
    ui_list list;
    const menu_entry *menu;
    int n;
    char *org_line;             /* partner home: "Organisation: ..." (raw) */
} home_state;

enum { A_OPEN = 1, A_LOGOUT };

static const ui_action HOME_ACTIONS[] = {
    {A_OPEN, "Enter l Right", "Open", "Open the selected screen"},
    {A_LOGOUT, "L", "Log out", "End the session and return to the login screen"},
    UI_ACTIONS_END,
};

static const ui_column MENU_COLS[] = {
    {"Screen", 16, 18, 2, false},
    {"What it is", 20, 0, 1, false},
};

static const char *menu_cell(void *data, int row, int col, char *buf, size_t bufsz)
{
    (void)buf, (void)bufsz;
    home_state *st = data;
    return col == 0 ? st->menu[row].label : st->menu[row].what;
}

static ui_style menu_style(void *data, int row, int col)
{
    home_state *st = data;
    return (col == 1 || !st->menu[row].ops) ? UI_S_DIM : UI_S_NORMAL;
}

static void open_menu(screen *s, const menu_entry *menu, int n)
{
    home_state *st = s->state;
    st->menu = menu;
    st->n = n;
    ui_list_init(&st->list, MENU_COLS, 2, st, menu_cell);
    st->list.style = menu_style;
    st->list.noun = "screens";
    ui_list_set_count(&st->list, n);
    s->focus = &st->list.w;
}

static int admin_open(ui *u, screen *s, const void *arg)
{
    (void)u, (void)arg;
    open_menu(s, ADMIN_MENU, (int)(sizeof ADMIN_MENU / sizeof ADMIN_MENU[0]));
    return UI_REDRAW;
}

/* Wrapped lines of a warning from row y; returns the row after it. */
static int warning(ui *u, int y, int x, int w, ui_style style, const char *text)
{
    char *clean = hy_sanitize(text);
    int start[4], len[4];
    int n = ui_wrap(clean, w, u->ascii, 4, start, len);
    for (int i = 0; i < n; i++) {
        char line[1024];
        snprintf(line, sizeof line, "%.*s", len[i], clean + start[i]);
        ui_put(u, y + i, x, w, style, UI_FIT_RAW, line);
    }
    free(clean);
    return y + n;
}

/* What an admin must know first; returns the row after it. */
static int warnings(ui *u, int y, int x, int w)
{
    static const hy_integration ALL[] = {HY_INT_METABASE, HY_INT_TEAMS, HY_INT_SLACK, HY_INT_EMAIL};
    hy_buf off = {0};
    int n = 0;
    for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++)
        if (hy_integration_mode(u->cfg, ALL[i]) == HY_MODE_OFF)
            hy_buf_printf(&off, "%s%s", n++ ? ", " : "", hy_integration_label(ALL[i]));
    if (n) {
        char *text = xasprintf("Off: %s. Steps that use %s fail until %s configured in %s (or given mode = simulate "
                               "to go on without %s). Integrations shows each one's state.",
                               off.s, n == 1 ? "it" : "them", n == 1 ? "it is" : "they are",
                               u->cfg->source ? u->cfg->source : "the configuration file", n == 1 ? "it" : "them");
        y = warning(u, y, x, w, UI_S_ERROR, text) + 1;
        free(text);
    }
    hy_buf_free(&off);
    if (u->cfg->source && config_file_mtime_ns(u->cfg->source) != u->cfg->source_mtime_ns) {
        char *text = xasprintf("The configuration file %s changed since HyOpps started: quit and start HyOpps again "
                               "to apply it.",
                               u->cfg->source);
        y = warning(u, y, x, w, UI_S_INFO, text) + 1;
        free(text);
    }
    return y;
}

static void home_draw(ui *u, screen *s, ui_rect body)
{
    home_state *st = s->state;
    int y = warnings(u, body.y + 1, body.x + 2, body.w - 4);
    if (st->org_line) {
        ui_put(u, y, body.x + 2, body.w - 4, UI_S_TITLE, 0, st->org_line);
        y += 2;
    }
    ui_list_draw(u, &st->list, (ui_rect){y, body.x + 1, ui_min(st->n + 2, body.y + body.h - y), body.w - 2});
}

static int home_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    home_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_LOGOUT) {
        ui_msg(u, UI_S_INFO, "Logged out.");
        return UI_LOGOUT;
    }
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    const menu_entry *e = &st->menu[row];
    if (!e->ops) {
        ui_msg(u, UI_S_INFO, "%s: not available yet in this version.", e->label);
        return UI_REDRAW;
    }
    ui_push(u, e->ops, NULL);
    return UI_REDRAW;
}

static void home_close(ui *u, screen *s)
{
    (void)u;
    home_state *st = s->state;
    ui_list_free(&st->list);
    free(st->org_line);
}

const screen_ops ui_admin_home_screen = {
    .name = "Home",
    .state_size = sizeof(home_state),
    .actions = HOME_ACTIONS,
    .open = admin_open,
    .draw = home_draw,
    .handle_key = home_key,
    .close = home_close,
};

const screen_ops *ui_home_for(const ui *u)
{
    return u->me.role == HY_ROLE_ADMIN ? &ui_admin_home_screen : &ui_partner_home_screen;
}
