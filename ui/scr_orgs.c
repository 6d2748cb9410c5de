/* Organisations: every partner organisation with its account types, users,
 * executions and creation time; `/` filters as you type.
 *
 * The whole list is loaded once (ops_org_list) and filtered in memory: with
 * 20,000 organisations the load takes ~60 ms and a filter keystroke a few
 * ms, where filtering through ops would cost a query per keystroke. The
 * cells are prepared at load time so that filtering formats nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "ops.h"
#include "screens.h"

typedef struct {
    char *types;                /* "partner, client" */
    char users[12], execs[12], created[HY_TIME_LEN];
} org_cells;

typedef struct {
    ui_list list;
    hy_org_list orgs;           /* owned; reloaded from ops */
    org_cells *cells;           /* one per org */
    ui_pending del;
    ui_revoke_pending revoke;
} orgs_state;

enum { A_OPEN = 1, A_EDIT, A_OFFBOARD, A_DELETE, A_REFRESH };

static const ui_action ORGS_ACTIONS[] = {
    {A_OPEN, "Enter", "Open", "Show the selected organisation: groups, integrations, links, users, executions"},
    {A_EDIT, "e", "Edit", "Change the name and the account types"},
    {A_OFFBOARD, "O", "Offboard", "End the partnership: revoke every user, close the groups (asks first)"},
    {A_DELETE, "d Del", "Delete", "Delete the organisation (asks first, saying what goes with it)"},
    {A_REFRESH, "r", "Refresh", "Load the list again"},
    UI_ACTIONS_END,
};

static const ui_column ORG_COLS[] = {
    {"Name", 16, 0, 9, false},
    {"Account types", 13, 24, 4, false},
    {"Users", 5, 6, 6, true},
    {"Executions", 10, 10, 5, true},
    {"Created", 16, 16, 2, false},
};

static const char *org_cell(void *data, int row, int col, char *buf, size_t n)
{
    orgs_state *st = data;
    const org_cells *c = &st->cells[row];
    const hy_org *o = &st->orgs.items[row];
    switch (col) {
    case 0: /* raw: the list sanitizes */
        if (!o->offboarded_at) return o->name;
        snprintf(buf, n, "%s (offboarded)", o->name);
        return buf;
    case 1: return c->types;
    case 2: return c->users;
    case 3: return c->execs;
    default: return c->created;
    }
}

static const char *org_id(void *data, int row) { return ((orgs_state *)data)->orgs.items[row].id; }

static void free_cells(orgs_state *st)
{
    for (int i = 0; st->cells && i < st->orgs.count; i++) free(st->cells[i].types);
    free(st->cells);
    st->cells = NULL;
}

static int orgs_reload(ui *u, screen *s)
{
    orgs_state *st = s->state;
    hy_err err;
    hy_err_clear(&err);
    hy_org_list fresh = {0};
    if (ops_org_list(u->ctx, &u->me, NULL, &fresh, &err) != 0) return ui_fail(u, &err);
    free_cells(st);
    hy_org_list_free(&st->orgs);
    st->orgs = fresh;
    st->cells = xcalloc((size_t)(fresh.count ? fresh.count : 1), sizeof *st->cells);
    for (int i = 0; i < fresh.count; i++) {
        const hy_org *o = &fresh.items[i];
        org_cells *c = &st->cells[i];
        c->types = hy_strlist_join(&o->account_types, ", ");
        snprintf(c->users, sizeof c->users, "%d", o->nusers);
        snprintf(c->execs, sizeof c->execs, "%d", o->nexecutions);
        hy_time_short(o->created_at, c->created);
    }
    ui_list_set_count(&st->list, st->orgs.count); /* keeps the selection by id */
    return UI_REDRAW;
}

static int orgs_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    orgs_state *st = s->state;
    ui_list_init(&st->list, ORG_COLS, 5, st, org_cell);
    st->list.row_id = org_id;
    st->list.noun = "organisations";
    st->list.empty_text = "No organisations yet: the new_partner workflow creates them.";
    s->focus = &st->list.w;
    int f = orgs_reload(u, s);
    return (f & UI_LOGOUT) ? (f | UI_CLOSE) : UI_REDRAW;
}

static void orgs_draw(ui *u, screen *s, ui_rect body)
{
    orgs_state *st = s->state;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 1, body.w - 2});
}

static int orgs_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    orgs_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_REFRESH) return UI_RELOAD;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    const char *id = st->orgs.items[row].id;
    switch (a->id) {
    case A_OPEN: ui_push(u, &ui_org_screen, id); return UI_REDRAW;
    case A_EDIT: ui_push(u, &ui_org_edit_screen, id); return UI_REDRAW;
    case A_DELETE: return ui_org_delete_ask(u, &st->del, id, false);
    case A_OFFBOARD: return ui_org_offboard_ask(u, &st->revoke, id);
    }
    return UI_NOT_MINE;
}

static void orgs_close(ui *u, screen *s)
{
    (void)u;
    orgs_state *st = s->state;
    ui_list_free(&st->list);
    free_cells(st);
    hy_org_list_free(&st->orgs);
    ui_pending_free(&st->del);
    ui_revoke_pending_free(&st->revoke);
}

/* Changing needs the manage capability (ops_can): without it these keys do not exist. */
static bool orgs_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    return !(a->id == A_EDIT || a->id == A_DELETE || a->id == A_OFFBOARD) || ops_can(&u->me, HY_CAP_MANAGE);
}

const screen_ops ui_orgs_screen = {
    .name = "Organisations",
    .state_size = sizeof(orgs_state),
    .actions = ORGS_ACTIONS,
    .open = orgs_open,
    .draw = orgs_draw,
    .handle_key = orgs_key,
    .reload = orgs_reload,
    .close = orgs_close,
    .exists = orgs_exists,
};
