/* Who has access, for one organisation and one person (ops_access.h),
 * read-only:
 *  - the matrix: the organisation's users, then the accounts found in its
 *    groups that it did not grant, by Metabase, Teams and Slack (ok,
 *    missing, unexpected, revoked, "-" none, "not checked"), under each
 *    system's latest check and the organisation's unknown groups. Staff
 *    open it from Access and the organisation's detail; a partner admin
 *    from the home, for their own organisation only (ops scopes it).
 *  - a person's access: each resource granted (when, how, by which
 *    execution) beside what the last check saw.
 * Enter on a matrix row opens that person's access. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "ops.h"
#include "screens.h"

/* ---- the matrix ---- */

typedef struct {
    ui_list list;
    char *org_id;
    hy_access_matrix m;
} matrix_state;

enum { A_OPEN = 1, A_REFRESH };

static const ui_action MATRIX_ACTIONS[] = {
    {A_OPEN, "Enter", "Person", "Show the selected person's access: granted, and what the last check saw"},
    {A_REFRESH, "r C-r", NULL, "Load it again"},
    UI_ACTIONS_END,
};

static const ui_column MATRIX_COLS[] = {
    {"Person", 34, 0, 9, false},
    {"Name", 10, 24, 2, false},
    {"Metabase", 11, 11, 8, false},
    {"Teams", 11, 11, 7, false},
    {"Slack", 11, 11, 8, false},
};

static const char *matrix_cell(void *data, int row, int col, char *buf, size_t n)
{
    matrix_state *st = data;
    const hy_matrix_row *r = &st->m.rows[row];
    switch (col) {
    case 0:
        snprintf(buf, n, "%s%s", r->email && *r->email ? r->email : r->account_id ? r->account_id : "?",
                 !r->user_id ? " (unknown)" : r->other_org ? " (other org)" : "");
        return buf;
    case 1: return r->name;
    default: return hy_cell_label(r->cell[col - 2]);
    }
}

static ui_style matrix_style(void *data, int row, int col)
{
    matrix_state *st = data;
    if (col < 2) return col == 1 ? UI_S_DIM : UI_S_NORMAL;
    switch (st->m.rows[row].cell[col - 2]) {
    case HY_CELL_OK: return UI_S_OK;
    case HY_CELL_MISSING: return UI_S_WAITING;
    case HY_CELL_UNEXPECTED:
    case HY_CELL_REVOKED: return UI_S_FAILED;
    default: return UI_S_DIM;
    }
}

static const char *matrix_id(void *data, int row)
{
    const hy_matrix_row *r = &((matrix_state *)data)->m.rows[row];
    return r->user_id ? r->user_id : r->account_id;
}

static int matrix_reload(ui *u, screen *s)
{
    matrix_state *st = s->state;
    hy_access_matrix m;
    hy_err err;
    hy_err_clear(&err);
    if (ops_access_matrix(u->ctx, &u->me, st->org_id, &m, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    hy_access_matrix_free(&st->m);
    st->m = m;
    ui_list_set_count(&st->list, m.nrows);
    return UI_REDRAW;
}

static int matrix_open(ui *u, screen *s, const void *arg)
{
    matrix_state *st = s->state;
    st->org_id = xstrdup(arg ? (const char *)arg : u->me.org_id);
    ui_list_init(&st->list, MATRIX_COLS, 5, st, matrix_cell);
    st->list.style = matrix_style;
    st->list.row_id = matrix_id;
    st->list.noun = "people";
    st->list.empty_text = "No one has or was found with access here.";
    s->focus = &st->list.w;
    return matrix_reload(u, s);
}

/* "Slack: checked 2026-12-05 10:00, ok" */
static void check_line(const hy_access_matrix *m, int sys, char *out, size_t n)
{
    const hy_access_check *c = &m->check[sys];
    char t[HY_TIME_LEN];
    if (!m->compared[sys]) {
        snprintf(out, n, "%s: off", hy_sys_label(sys));
    } else if (!c->checked) {
        snprintf(out, n, "%s: never checked", hy_sys_label(sys));
    } else {
        hy_time_short(c->checked_at, t);
        snprintf(out, n, "%s: %s %s%s%s", hy_sys_label(sys), t, c->status ? c->status : "?",
                 c->note && *c->note ? " - " : "", c->note && *c->note ? c->note : "");
    }
}

static void matrix_draw(ui *u, screen *s, ui_rect body)
{
    matrix_state *st = s->state;
    const hy_access_matrix *m = &st->m;
    char line[600];
    snprintf(line, sizeof line, "%s: %d drift%s", m->org_name ? m->org_name : "?", m->drift, m->drift == 1 ? "" : "s");
    ui_put(u, body.y, body.x + 2, body.w - 4, UI_S_TITLE, 0, line);
    int y = body.y + 1;
    for (int sys = 0; sys < HY_NSYS; sys++) {
        check_line(m, sys, line, sizeof line);
        const hy_access_check *c = &m->check[sys];
        ui_put(u, y++, body.x + 2, body.w - 4, c->checked && !hy_streq(c->status, "ok") ? UI_S_FAILED : UI_S_DIM, 0,
               line);
    }
    int groups = m->groups.count < 3 ? m->groups.count : 3;
    for (int i = 0; i < groups; i++) {
        const hy_finding *g = &m->groups.items[i];
        snprintf(line, sizeof line, "unknown group: %s %s  %s", hy_sys_label(g->sys),
                 g->group_id && *g->group_id ? g->group_id : "(none)", g->detail ? g->detail : "");
        ui_put(u, y++, body.x + 2, body.w - 4, UI_S_ERROR, 0, line);
    }
    ui_list_draw(u, &st->list, (ui_rect){y, body.x + 1, body.y + body.h - y, body.w - 2});
}

static int matrix_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    matrix_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_REFRESH) return UI_RELOAD;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    const hy_matrix_row *r = &st->m.rows[row];
    if (!r->user_id) {
        ui_msg(u, UI_S_INFO, "HyOpps does not know this account: it has no access recorded.");
        return UI_REDRAW;
    }
    ui_push(u, &ui_access_user_screen, r->user_id);
    return UI_REDRAW;
}

static void matrix_close(ui *u, screen *s)
{
    (void)u;
    matrix_state *st = s->state;
    ui_list_free(&st->list);
    hy_access_matrix_free(&st->m);
    free(st->org_id);
}

const screen_ops ui_access_matrix_screen = {
    .name = "Access matrix",
    .state_size = sizeof(matrix_state),
    .actions = MATRIX_ACTIONS,
    .open = matrix_open,
    .draw = matrix_draw,
    .handle_key = matrix_key,
    .reload = matrix_reload,
    .close = matrix_close,
};

/* ---- one person ---- */

typedef struct {
    ui_list list;
    char *user_id;
    hy_access_user a;
} person_state;

static const ui_action PERSON_ACTIONS[] = {
    {A_REFRESH, "r C-r", NULL, "Load it again"},
    UI_ACTIONS_END,
};

static const ui_column PERSON_COLS[] = {
    {"Resource", 10, 16, 9, false},
    {"Granted", 16, 30, 8, false},
    {"Execution", 9, 9, 3, false},
    {"Seen", 12, 0, 9, false},
    {"Checked", 16, 16, 4, false},
};

static const char *person_cell(void *data, int row, int col, char *buf, size_t n)
{
    const hy_access_line *l = &((person_state *)data)->a.lines[row];
    char t[HY_TIME_LEN];
    switch (col) {
    case 0: return l->resource;
    case 1:
        if (l->granted) {
            hy_time_short(l->granted_at, t);
            snprintf(buf, n, "%s%s%s", t, l->granted_how ? " " : "", l->granted_how ? l->granted_how : "");
        } else if (l->revoked_at) {
            hy_time_short(l->revoked_at, t);
            snprintf(buf, n, "revoked %s", t);
        } else {
            snprintf(buf, n, "no");
        }
        return buf;
    case 2: snprintf(buf, n, "%.8s", l->execution_id ? l->execution_id : "-"); return buf;
    case 3:
        snprintf(buf, n, "%s%s%s", l->seen ? l->seen : "-", l->detail && *l->detail ? " (" : "",
                 l->detail && *l->detail ? l->detail : "");
        if (l->detail && *l->detail) snprintf(buf + strlen(buf), n - strlen(buf), ")");
        return buf;
    default:
        if (!l->checked_at) return "-";
        hy_time_short(l->checked_at, t);
        snprintf(buf, n, "%s", t);
        return buf;
    }
}

static ui_style person_style(void *data, int row, int col)
{
    const hy_access_line *l = &((person_state *)data)->a.lines[row];
    if (col != 3 || !l->seen) return col == 2 || col == 4 ? UI_S_DIM : UI_S_NORMAL;
    if (hy_streq(l->seen, "present")) return UI_S_OK;
    if (hy_streq(l->seen, "not checked")) return UI_S_DIM;
    return hy_streq(l->seen, "not there") ? UI_S_WAITING : UI_S_FAILED;
}

static int person_reload(ui *u, screen *s)
{
    person_state *st = s->state;
    hy_access_user a;
    hy_err err;
    hy_err_clear(&err);
    if (ops_access_user(u->ctx, &u->me, st->user_id, &a, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    hy_access_user_free(&st->a);
    st->a = a;
    ui_list_set_count(&st->list, a.n);
    return UI_REDRAW;
}

static int person_open(ui *u, screen *s, const void *arg)
{
    person_state *st = s->state;
    st->user_id = xstrdup(arg);
    ui_list_init(&st->list, PERSON_COLS, 5, st, person_cell);
    st->list.style = person_style;
    st->list.noun = "resources";
    st->list.empty_text = "No access granted or seen.";
    s->focus = &st->list.w;
    return person_reload(u, s);
}

static void person_draw(ui *u, screen *s, ui_rect body)
{
    person_state *st = s->state;
    char line[400];
    snprintf(line, sizeof line, "%s%s%s%s", st->a.email ? st->a.email : "?", st->a.organization_name ? " (" : "",
             st->a.organization_name ? st->a.organization_name : "", st->a.organization_name ? ")" : "");
    ui_put(u, body.y, body.x + 2, body.w - 4, UI_S_TITLE, 0, line);
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 1, body.w - 2});
}

static int person_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)s, (void)k;
    return a && a->id == A_REFRESH ? UI_RELOAD : UI_NOT_MINE;
}

static void person_close(ui *u, screen *s)
{
    (void)u;
    person_state *st = s->state;
    ui_list_free(&st->list);
    hy_access_user_free(&st->a);
    free(st->user_id);
}

const screen_ops ui_access_user_screen = {
    .name = "Access of a person",
    .state_size = sizeof(person_state),
    .actions = PERSON_ACTIONS,
    .open = person_open,
    .draw = person_draw,
    .handle_key = person_key,
    .reload = person_reload,
    .close = person_close,
};
