/* The staff's home screen (administrators and support): a menu of the
 * screens their role may use (what ops says it may do, not a role test),
 * under what staff must know first: which integrations are off (their
 * steps fail), whether the configuration file changed since the program
 * started (it applies at the next start), and how many steps have waited
 * for input longer than [notify] remind_after_hours. (The partner admin's
 * home, their organisation's
 * dashboard, is scr_partner.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_view.h"
#include "list.h"
#include "ops.h"
#include "sanitize.h"
#include "screens.h"
#include "workflows.h"

#define LATE_REFRESH_MS 5000

typedef struct {
    const char *label;
    const char *what;
    const screen_ops *ops;      /* NULL: not built yet */
    hy_capability cap;          /* what the role needs (ops_can) */
    hy_exec_action act;         /* and this action on executions, or 0 */
} menu_entry;

static const menu_entry ADMIN_MENU[] = {
    {"Executions", "Every workflow execution, filtered by status", &ui_execs_screen, HY_CAP_READ_ALL, 0},
    {"Awaiting input", "Steps waiting for a person, oldest first", &ui_inbox_screen, HY_CAP_READ_ALL, 0},
    {"New request", "Start a workflow: a new partner, or a new partner user", &ui_newreq_screen, HY_CAP_READ_ALL,
     HY_ACT_START},
    {"Organisations", "Partner organisations, their groups and documentation links", &ui_orgs_screen,
     HY_CAP_READ_ALL, 0},
    {"Users", "Users, their roles, organisations and passwords", &ui_users_screen, HY_CAP_READ_ALL, 0},
    {"Audit", "The audit trail: who did what, and when", &ui_audit_screen, HY_CAP_READ_ALL, 0},
    {"Access", "Who has access, really: drift found in Metabase, Teams and Slack, and its repair", &ui_access_screen,
     HY_CAP_READ_ALL, 0},
    {"Integrations", "Each integration's mode, and a connection check", &ui_integrations_screen, HY_CAP_READ_ALL, 0},
    {"Notifications", "The outbox: what was sent to whom, what waits, what failed", &ui_notify_screen,
     HY_CAP_READ_ALL, 0},
    {"Change password", "Your password, and whether you get notifications", &ui_passwd_screen, HY_CAP_PANEL, 0},
};
#define NADMIN (int)(sizeof ADMIN_MENU / sizeof ADMIN_MENU[0])

typedef struct {
    ui_list list;
    int n;
    char *org_line;             /* partner home: "Organisation: ..." (raw) */
    const menu_entry *shown[NADMIN];   /* staff: the entries of this role */
    int64_t late;               /* staff: steps waiting too long (-1: unknown) */
    int64_t late_at;            /* when counted (monotonic ms) */
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

static const menu_entry *entry(home_state *st, int row) { return st->shown[row]; }

static const char *menu_cell(void *data, int row, int col, char *buf, size_t bufsz)
{
    (void)buf, (void)bufsz;
    home_state *st = data;
    return col == 0 ? entry(st, row)->label : entry(st, row)->what;
}

static ui_style menu_style(void *data, int row, int col)
{
    home_state *st = data;
    return (col == 1 || !entry(st, row)->ops) ? UI_S_DIM : UI_S_NORMAL;
}

static void open_menu(screen *s, int n)
{
    home_state *st = s->state;
    st->n = n;
    ui_list_init(&st->list, MENU_COLS, 2, st, menu_cell);
    st->list.style = menu_style;
    st->list.noun = "screens";
    ui_list_set_count(&st->list, n);
    s->focus = &st->list.w;
}

/* Counts the late steps again; true when the count changed. */
static bool count_late(ui *u, home_state *st)
{
    int64_t n = -1;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_late_count(u->ctx, &u->me, &n, &err) != 0) n = -1;
    st->late_at = hy_mono_ms();
    bool changed = n != st->late;
    st->late = n;
    return changed;
}

static int admin_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    home_state *st = s->state;
    int n = 0;
    for (int i = 0; i < NADMIN; i++)
        if (ops_can(&u->me, ADMIN_MENU[i].cap) && (!ADMIN_MENU[i].act || ops_exec_role_may(&u->me, ADMIN_MENU[i].act)))
            st->shown[n++] = &ADMIN_MENU[i];
    open_menu(s, n);
    st->late = -1;
    count_late(u, st);
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

static int admin_tick(ui *u, screen *s)
{
    home_state *st = s->state;
    if (hy_mono_ms() - st->late_at < LATE_REFRESH_MS) return 0;
    return count_late(u, st) ? UI_REDRAW : 0;
}

static void home_draw(ui *u, screen *s, ui_rect body)
{
    home_state *st = s->state;
    int y = warnings(u, body.y + 1, body.x + 2, body.w - 4);
    if (st->org_line) {
        ui_put(u, y, body.x + 2, body.w - 4, UI_S_TITLE, 0, st->org_line);
        y += 2;
    }
    if (st->late > 0) {
        char line[160];
        snprintf(line, sizeof line, UI_LATE_MARK " %lld step%s waiting for input longer than %d h (marked " UI_LATE_MARK
                                    " in Awaiting input and Executions)",
                 (long long)st->late, st->late == 1 ? "" : "s", u->cfg->notify.remind_after_hours);
        ui_put(u, y, body.x + 2, body.w - 4, UI_S_FAILED, 0, line);
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
    const menu_entry *e = entry(st, row);
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
    .tick = admin_tick,
    .close = home_close,
};

const screen_ops *ui_home_for(const ui *u)
{
    return ops_can(&u->me, HY_CAP_READ_ALL) ? &ui_admin_home_screen : &ui_partner_home_screen;
}
