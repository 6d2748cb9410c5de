/* Users: name, email, organisation, role, Metabase id and personal Studio
 * company, a page at a time.
 *
 * With 100,000 users nothing is loaded whole: the list holds pages of
 * PAGE rows (ops_user_list with limit and offset), the next page is loaded
 * when the selection reaches the last row, and `/` filters through ops
 * (name or email, in SQL) at each keystroke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "ops.h"
#include "screens.h"

#define PAGE 200

typedef struct {
    ui_list list;
    hy_user_list users;         /* the pages loaded so far (owned) */
    char *filter;               /* the ops filter, or NULL */
    int64_t total;              /* users without a filter */
    ui_pending del;
    ui_revoke_pending revoke;
    ui *u;                      /* for the list's callbacks */
    int failed;                 /* flags of a failed load inside a list callback */
} users_state;

enum { A_EDIT = 1, A_METABASE, A_REVOKE, A_DELETE, A_REFRESH };

static const ui_action USERS_ACTIONS[] = {
    {A_EDIT, "Enter e", "Edit", "Edit the selected user: names, email, lists, organisation, role, password"},
    {A_METABASE, "m", "Metabase", "The user's Metabase id and live group memberships"},
    {A_REVOKE, "r", "Revoke", "Revoke the user's access everywhere (asks first, saying what will be removed)"},
    {A_DELETE, "d Del", "Delete", "Delete the user (asks first, saying what goes with it)"},
    {A_REFRESH, "F5", "Refresh", "Load the list again"},
    UI_ACTIONS_END,
};

static const ui_column USER_COLS[] = {
    {"Name", 12, 20, 7, false},
    {"Email", 16, 28, 9, false},
    {"Organisation", 12, 0, 6, false},
    {"Role", 13, 13, 5, false},
    {"Metabase", 8, 8, 3, true},
    {"Studio company", 10, 16, 2, false},
    {"Access", 10, 30, 4, false},
};

static const char *user_cell(void *data, int row, int col, char *buf, size_t n)
{
    users_state *st = data;
    const hy_user *u = &st->users.items[row];
    switch (col) {
    case 0: snprintf(buf, n, "%s %s", u->firstname ? u->firstname : "", u->lastname ? u->lastname : ""); return buf;
    case 1: return u->email;
    case 2: return u->organization_name;
    case 3:
        if (!u->offboarded_at) return hy_role_name(u->role);
        snprintf(buf, n, "offboarded %.10s", u->offboarded_at);
        return buf;
    case 4:
        if (!u->has_metabase_id) return NULL;
        snprintf(buf, n, "%lld", (long long)u->metabase_user_id);
        return buf;
    case 5: return u->studio_company_id;
    default: {
        char *a = hy_access_summary(&u->access);
        snprintf(buf, n, "%s", a);
        free(a);
        return buf;
    }
    }
}

static const char *user_id(void *data, int row) { return ((users_state *)data)->users.items[row].id; }

/* Loads rows [offset, offset + limit) and appends them (replaces all when
 * offset is 0). Returns 0 or ui_fail's flags. */
static int load(users_state *st, int offset, int limit)
{
    hy_user_query q = {.filter = st->filter, .limit = limit + 1, .offset = offset};
    hy_user_list page;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_list(st->u->ctx, &st->u->me, &q, &page, &err) != 0) return ui_fail(st->u, &err);
    bool more = page.count > limit;
    if (more) {
        hy_user_free(&page.items[limit]);
        page.count = limit;
    }
    if (offset == 0) {
        hy_user_list_free(&st->users);
        st->users = page;
    } else {
        st->users.items = xrealloc(st->users.items, (size_t)(st->users.count + page.count) * sizeof *page.items);
        memcpy(st->users.items + st->users.count, page.items, (size_t)page.count * sizeof *page.items);
        st->users.count += page.count;
        free(page.items); /* the rows moved */
    }
    st->list.more = more;
    st->list.total = st->filter ? 0 : (int)st->total;
    ui_list_set_count(&st->list, st->users.count);
    return 0;
}

static void on_more(void *data)
{
    users_state *st = data;
    st->failed |= load(st, st->users.count, PAGE);
}

static void on_filter(void *data, const char *text)
{
    users_state *st = data;
    free(st->filter);
    st->filter = text && *text ? xstrdup(text) : NULL;
    st->failed |= load(st, 0, PAGE);
}

static int users_reload(ui *u, screen *s)
{
    users_state *st = s->state;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_count(u->ctx, &u->me, NULL, &st->total, &err) != 0) return ui_fail(u, &err);
    /* As many rows as were loaded: the selection stays where it was. */
    int f = load(st, 0, ui_max(PAGE, st->users.count));
    return f ? f : UI_REDRAW;
}

static int users_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    users_state *st = s->state;
    st->u = u;
    ui_list_init(&st->list, USER_COLS, 6, st, user_cell);
    st->list.row_id = user_id;
    st->list.on_filter = on_filter;
    st->list.on_more = on_more;
    st->list.noun = "users";
    st->list.empty_text = "No users.";
    s->focus = &st->list.w;
    int f = users_reload(u, s);
    return (f & UI_LOGOUT) ? (f | UI_CLOSE) : UI_REDRAW;
}

static void users_draw(ui *u, screen *s, ui_rect body)
{
    users_state *st = s->state;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 1, body.w - 2});
}

/* A load that failed inside a list callback (filter, next page): its
 * message is already shown; its flags (a logout) are returned at the next
 * key the screen gets. The session is checked before every key, so this is
 * rare. */
static int take_failed(users_state *st)
{
    int f = st->failed;
    st->failed = 0;
    return f;
}

static int users_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    users_state *st = s->state;
    int f = take_failed(st);
    if (f) return f;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_REFRESH) return UI_RELOAD;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    const char *id = st->users.items[row].id;
    switch (a->id) {
    case A_EDIT: ui_push(u, &ui_user_edit_screen, id); return UI_REDRAW;
    case A_METABASE: ui_push(u, &ui_user_mb_screen, id); return UI_REDRAW;
    case A_DELETE: return ui_user_delete_ask(u, &st->del, id, false);
    case A_REVOKE: return ui_user_revoke_ask(u, &st->revoke, id);
    }
    return UI_NOT_MINE;
}

static void users_close(ui *u, screen *s)
{
    (void)u;
    users_state *st = s->state;
    ui_list_free(&st->list);
    hy_user_list_free(&st->users);
    free(st->filter);
    ui_pending_free(&st->del);
    ui_revoke_pending_free(&st->revoke);
}

/* Changing needs the manage capability (ops_can): without it these keys do not exist. */
static bool users_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    return !(a->id == A_EDIT || a->id == A_DELETE || a->id == A_REVOKE) || ops_can(&u->me, HY_CAP_MANAGE);
}

const screen_ops ui_users_screen = {
    .name = "Users",
    .state_size = sizeof(users_state),
    .actions = USERS_ACTIONS,
    .open = users_open,
    .draw = users_draw,
    .handle_key = users_key,
    .reload = users_reload,
    .close = users_close,
    .exists = users_exists,
};
