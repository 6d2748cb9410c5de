/* Executions: short id, workflow, organisation, user (name and email),
 * status (coloured; a completed one says what was skipped or done by
 * hand), the current step, who requested it, how long it has been in its
 * state and its creation time (local, the zone in the title), newest first,
 * a page at a time.
 *
 * Built for 200,000 executions: nothing is loaded whole. One key per
 * status filter (a, p, r, w, f, c, x, l: the counts ops keeps add up to All);
 * `/` searches organisation, user email and name, and id through ops at
 * each keystroke (1-2 characters match ids only: the screen says so); the
 * next page loads when the selection reaches the last row. `o` sorts the
 * unfinished ones by how long they have been in their state; `s` shows the
 * stuck ones (no change for more than N hours, asked), longest first. When
 * the data changed (the main loop says so, at most every 0.5-0.8 s) the rows
 * loaded are reloaded and redrawn only when a row or a count changed. A
 * page is what the terminal shows (a taller one loads more at once); the
 * last pages read are kept by query (exec_pages.h), so that a filter
 * flipped back to reads nothing while the data cannot have changed.
 *
 * An execution whose step has waited for input longer than [notify]
 * remind_after_hours is marked late ("! awaiting input", in the failed
 * colour).
 *
 * Partner admins get the same screen as "Requests": ops shows them only
 * their organisation's new_partner_user executions, and `n` adds a user.
 * `n` exists only for those whose role may start workflows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "exec_pages.h"
#include "exec_view.h"
#include "list.h"
#include "ops.h"
#include "screens.h"
#include "validate.h"

#define PAGE 100                /* rows a page loads at most (before the first draw: this many) */
#define LIVE_MAX 1000           /* rows a live refresh reloads (ops' page limit) */

typedef struct {
    ui_list list;
    ui *u;
    bool partner;
    bool can_start;             /* `n` exists */
    int filter;                 /* index into ui_status_filters */
    char *search;               /* NULL: none */
    bool longest;               /* longest in their state first (unfinished statuses) */
    int stuck_hours;            /* > 0: the stuck view */
    ui_column cols[9];          /* the Created column's title says the time zone */
    char created_title[32];
    hy_exec_summary *items;     /* the pages loaded so far (owned) */
    int count, cap;
    int64_t next_before;
    int64_t counts[HY_EXEC_NSTATUS], total;
    bool exact;
    char *sig;                  /* what the last load showed */
    ui_exec_pages pages;        /* the last pages read, while the data cannot have changed */
    int failed;                 /* flags of a failed load inside a list callback */
    char empty[300];
} execs_state;

enum { A_OPEN = 1, A_NEW, A_REFRESH, A_ORDER, A_STUCK, A_F0 /* A_F0 + i: status filter i */ };

static const ui_action EXECS_ACTIONS[] = {
    {A_OPEN, "Enter", "Open", "Open the selected execution: its steps, their details and the actions"},
    {A_NEW, "n", "New request", "Start a workflow: a new partner, or a new partner user"},
    {A_ORDER, "o", "Sort", "Newest first, or (queued, running, awaiting input, failed) longest in their state first"},
    {A_STUCK, "s", "Stuck", "The unfinished executions with no change for more than N hours, longest first (s again: all)"},
    {A_F0 + 0, "a", NULL, "Show every execution"},
    {A_F0 + 1, "p", NULL, "Show the executions queued for a runner (a step due, or waiting to retry)"},
    {A_F0 + 2, "r", NULL, "Show the running executions"},
    {A_F0 + 3, "w", NULL, "Show the executions awaiting input"},
    {A_F0 + 4, "f", NULL, "Show the failed executions"},
    {A_F0 + 5, "c", NULL, "Show the completed executions"},
    {A_F0 + 6, "x", NULL, "Show the cancelled executions"},
    {A_F0 + 7, "l", NULL, "Show the scheduled executions (they start at their time)"},
    {A_REFRESH, "C-r", NULL, "Load the list again"},
    UI_ACTIONS_END,
};

static const ui_action REQUESTS_ACTIONS[] = {
    {A_OPEN, "Enter", "Open", "Open the selected request: its steps and what you can do"},
    {A_NEW, "n", "Add user", "Give a new person of your organisation access"},
    {A_ORDER, "o", "Sort", "Newest first, or (queued, running, awaiting input, failed) longest in their state first"},
    {A_STUCK, "s", "Stuck", "The unfinished requests with no change for more than N hours, longest first (s again: all)"},
    {A_F0 + 0, "a", NULL, "Show every request"},
    {A_F0 + 1, "p", NULL, "Show the requests queued for a runner"},
    {A_F0 + 2, "r", NULL, "Show the running requests"},
    {A_F0 + 3, "w", NULL, "Show the requests awaiting input"},
    {A_F0 + 4, "f", NULL, "Show the failed requests"},
    {A_F0 + 5, "c", NULL, "Show the completed requests"},
    {A_F0 + 6, "x", NULL, "Show the cancelled requests"},
    {A_F0 + 7, "l", NULL, "Show the scheduled requests (they start at their time)"},
    {A_REFRESH, "C-r", NULL, "Load the list again"},
    UI_ACTIONS_END,
};

enum { C_ID, C_WORKFLOW, C_ORG, C_USER, C_STATUS, C_STEP, C_REQUESTER, C_IN_STATE, C_CREATED };

static const ui_column ADMIN_COLS[] = {
    {"Id", 8, 8, 10, false},
    {"Workflow", 11, 16, 3, false},
    {"Organisation", 12, 0, 8, false},
    {"User", 12, 34, 6, false},
    {"Status", 14, 20, 9, false},
    {"Step", 5, 36, 8, false},
    {"Requested by", 12, 24, 2, false},
    {"In state", 8, 10, 8, true},
    {"Created", 16, 16, 1, false},
};
static const int ADMIN_MAP[] = {C_ID, C_WORKFLOW, C_ORG, C_USER, C_STATUS, C_STEP, C_REQUESTER, C_IN_STATE, C_CREATED};

static const ui_column PARTNER_COLS[] = {
    {"Id", 8, 8, 10, false},
    {"User", 16, 0, 8, false},
    {"Status", 14, 20, 9, false},
    {"Step", 5, 36, 8, false},
    {"In state", 8, 10, 8, true},
    {"Created", 16, 16, 3, false},
};
static const int PARTNER_MAP[] = {C_ID, C_USER, C_STATUS, C_STEP, C_IN_STATE, C_CREATED};

static const char *exec_cell(void *data, int row, int col, char *buf, size_t n)
{
    execs_state *st = data;
    const hy_exec_summary *e = &st->items[row];
    switch ((st->partner ? PARTNER_MAP : ADMIN_MAP)[col]) {
    case C_ID: snprintf(buf, n, "%.8s", e->id ? e->id : ""); return buf;
    case C_WORKFLOW: return ui_workflow_label(e->workflow);
    case C_ORG: return e->organization_name ? e->organization_name : "-";
    case C_USER:
        if (e->user_name && e->user_email) snprintf(buf, n, "%s <%s>", e->user_name, e->user_email);
        else snprintf(buf, n, "%s", e->user_email ? e->user_email : "-");
        return buf;
    case C_STATUS: ui_exec_status_text(e, buf, n); return buf;
    case C_STEP:
        snprintf(buf, n, "%d/%d %s", e->current_step, e->nsteps, e->current_step_label ? e->current_step_label : "");
        return buf;
    case C_REQUESTER: return e->requested_by_email ? e->requested_by_email : "-";
    case C_IN_STATE: {
        int64_t since;
        if (!e->updated_at || !hy_parse_time(e->updated_at, &since)) return "-";
        char el[24];
        ui_elapsed(hy_now_ms() - since, el);
        snprintf(buf, n, "%s", el);
        return buf;
    }
    default: ui_when(e->created_at, false, buf, n); return buf;
    }
}

static ui_style exec_style(void *data, int row, int col)
{
    execs_state *st = data;
    int c = (st->partner ? PARTNER_MAP : ADMIN_MAP)[col];
    if (c == C_STATUS) return st->items[row].late ? UI_S_FAILED : ui_status_style(st->items[row].status);
    if (c == C_ID || c == C_CREATED || c == C_REQUESTER) return UI_S_DIM;
    return UI_S_NORMAL;
}

static const char *exec_id(void *data, int row) { return ((execs_state *)data)->items[row].id; }

static void free_items(execs_state *st)
{
    for (int i = 0; i < st->count; i++) hy_exec_summary_free(&st->items[i]);
    st->count = 0;
}

/* What a load shows, to redraw only when it changed. */
static char *signature(execs_state *st)
{
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (int i = 0; i < HY_EXEC_NSTATUS; i++) hy_buf_printf(&b, "%lld,", (long long)st->counts[i]);
    hy_buf_printf(&b, "%lld%d|", (long long)st->total, st->exact);
    hy_buf_printf(&b, "%lld|", (long long)(hy_now_ms() / 60000)); /* "In state" moves: a redraw a minute */
    for (int i = 0; i < st->count; i++) {
        const hy_exec_summary *e = &st->items[i];
        hy_buf_printf(&b, "%s %s %d %s %s %s %s %d|", e->id, e->status, e->current_step,
                      e->updated_at ? e->updated_at : "", e->organization_name ? e->organization_name : "",
                      e->user_email ? e->user_email : "", e->current_step_status ? e->current_step_status : "", e->late);
    }
    return hy_buf_take(&b);
}

static void set_empty_text(execs_state *st)
{
    const char *noun = st->partner ? "request" : "execution";
    if (st->stuck_hours > 0)
        snprintf(st->empty, sizeof st->empty, "No unfinished %s has been in its state for more than %d h%s.", noun,
                 st->stuck_hours, st->search ? " and matches the search" : "");
    else if (st->search && ui_search_note(st->search, true))
        snprintf(st->empty, sizeof st->empty, "No %s id starts with '%s'.", noun, st->search);
    else if (st->search)
        snprintf(st->empty, sizeof st->empty, "No %s matches '%s'%s.", noun, st->search,
                 st->filter ? " with this status" : "");
    else if (st->filter)
        snprintf(st->empty, sizeof st->empty, "No %s is %s.", noun,
                 ui_status_word(ui_status_filters[st->filter].status, false));
    else if (!st->can_start)
        snprintf(st->empty, sizeof st->empty, "No %ss yet.", noun);
    else if (st->partner)
        snprintf(st->empty, sizeof st->empty, "No requests yet: press n to add a user.");
    else
        snprintf(st->empty, sizeof st->empty, "No executions yet: press n to start a new request.");
    st->list.empty_text = st->empty;
}

/* Loads `limit` rows from the start, or the next page (append). Returns 0
 * or ui_fail's flags. */
static int load(execs_state *st, int limit, bool append)
{
    hy_exec_query q = {.status = ui_status_filters[st->filter].status,
                       .search = st->search,
                       .limit = limit,
                       .before = append ? st->next_before : 0,
                       .order = st->longest ? HY_EXEC_LONGEST_IN_STATE : HY_EXEC_NEWEST,
                       .stuck_hours = st->stuck_hours};
    hy_exec_page pg;
    hy_buf key = {0}; /* everything the query depends on */
    hy_buf_printf(&key, "%d|%d|%d|%d|%s", st->filter, st->longest, st->stuck_hours, limit, st->search ? st->search : "");
    int64_t now = hy_mono_ms();
    if (append || !ui_exec_pages_get(&st->pages, key.s, now, &pg)) {
        hy_err err;
        hy_err_clear(&err);
        if (ops_exec_list(st->u->ctx, &st->u->me, &q, &pg, &err) != 0) {
            hy_buf_free(&key);
            return ui_fail(st->u, &err);
        }
        if (!append && limit <= PAGE) ui_exec_pages_put(&st->pages, key.s, now, &pg); /* a live reload of deep pages: not kept */
    }
    hy_buf_free(&key);
    if (!append) free_items(st);
    if (st->count + pg.count > st->cap) {
        st->cap = st->count + pg.count + PAGE;
        st->items = xrealloc(st->items, (size_t)st->cap * sizeof *st->items);
    }
    memcpy(st->items + st->count, pg.items, (size_t)pg.count * sizeof *pg.items);
    st->count += pg.count;
    free(pg.items); /* the summaries moved */
    memcpy(st->counts, pg.counts, sizeof st->counts);
    st->total = pg.total;
    st->exact = pg.counts_exact;
    st->next_before = pg.next_before;
    st->list.more = pg.more;
    st->list.total = (int)(pg.matched > st->count ? pg.matched : st->count);
    set_empty_text(st);
    ui_list_set_count(&st->list, st->count);
    return 0;
}

/* A page is what the list shows (the last draw's height): the list is
 * reloaded at every filter key, and the rows nobody sees cost as much to
 * read as the ones they do. */
static int page_rows(const execs_state *st) { return st->list.page > 0 ? ui_clamp(st->list.page, 10, PAGE) : PAGE; }

static void on_more(void *data)
{
    execs_state *st = data;
    st->failed |= load(st, page_rows(st), true);
}

static void on_filter(void *data, const char *text)
{
    execs_state *st = data;
    free(st->search);
    st->search = text && *text ? xstrdup(text) : NULL;
    st->failed |= load(st, page_rows(st), false);
    free(st->sig);
    st->sig = signature(st);
}

/* Reloads what is loaded (up to LIVE_MAX rows); *changed: it differs. */
static int reload_rows(execs_state *st, bool *changed)
{
    int f = load(st, ui_clamp(st->count, page_rows(st), LIVE_MAX), false);
    if (f) return f;
    char *sig = signature(st);
    *changed = !hy_streq(sig, st->sig);
    free(st->sig);
    st->sig = sig;
    return 0;
}

static int execs_reload(ui *u, screen *s)
{
    (void)u;
    execs_state *st = s->state;
    ui_exec_pages_clear(&st->pages);
    bool changed;
    int f = reload_rows(st, &changed);
    return f ? f : UI_REDRAW;
}

static int execs_tick(ui *u, screen *s)
{
    execs_state *st = s->state;
    ui_exec_pages_clear(&st->pages); /* the data changed, or the screen was under another (exec_pages.h) */
    bool short_page = st->list.more && st->count < st->list.page; /* the terminal grew since the last load */
    if ((!u->data_changed && !short_page) || st->count > LIVE_MAX) return 0; /* deep in history: C-r reloads */
    bool changed = false;
    int f = reload_rows(st, &changed);
    if (f & UI_LOGOUT) return f;
    return f ? f : changed ? UI_REDRAW : 0;
}

static int open_as(ui *u, screen *s, bool partner)
{
    execs_state *st = s->state;
    st->u = u;
    st->partner = partner;
    int n = partner ? 6 : 9;
    memcpy(st->cols, partner ? PARTNER_COLS : ADMIN_COLS, (size_t)n * sizeof *st->cols);
    snprintf(st->created_title, sizeof st->created_title, "Created (%s)", ui_zone());
    st->cols[n - 1].title = st->created_title;
    ui_list_init(&st->list, st->cols, n, st, exec_cell);
    st->list.style = exec_style;
    st->list.row_id = exec_id;
    st->list.on_filter = on_filter;
    st->list.on_more = on_more;
    st->list.noun = partner ? "requests" : "executions";
    s->focus = &st->list.w;
    int f = load(st, PAGE, false);
    if (f) return f | UI_CLOSE;
    st->sig = signature(st);
    return UI_REDRAW;
}

static int execs_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    ((execs_state *)s->state)->can_start = ops_exec_role_may(&u->me, HY_ACT_START);
    return open_as(u, s, s->ops == &ui_requests_screen);
}

static bool execs_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    return a->id != A_NEW || ops_exec_role_may(&u->me, HY_ACT_START);
}

static void execs_draw(ui *u, screen *s, ui_rect body)
{
    execs_state *st = s->state;
    char text[UI_NFILTERS][64];
    int x = body.x + 2, end = body.x + body.w - 1;
    ui_filter_bar(st->counts, st->total, st->exact, end - x, text);
    for (int i = 0; i < UI_NFILTERS && x < end; i++) {
        if (!text[i][0] && i != st->filter) continue; /* scheduled: only when there are some */
        x += ui_put(u, body.y + 1, x, end - x, UI_S_KEY, UI_FIT_RAW, ui_status_filters[i].key) + 1;
        x += ui_put(u, body.y + 1, x, end - x, i == st->filter ? UI_S_SELECTED : UI_S_NORMAL, UI_FIT_RAW, text[i]) + 2;
    }
    const char *note = ui_search_note(st->search, st->exact);
    char view[200];
    if (!note && st->stuck_hours > 0) {
        snprintf(view, sizeof view, "Stuck: unfinished, no change for more than %d h, longest first (s: all of them)",
                 st->stuck_hours);
        note = view;
    } else if (!note && st->longest) {
        note = "Longest in their state first (o: newest first)";
    }
    if (note) ui_put(u, body.y + 2, body.x + 2, body.w - 4, UI_S_INFO, UI_FIT_RAW, note);
    ui_list_draw(u, &st->list, (ui_rect){body.y + 3, body.x + 1, body.h - 3, body.w - 2});
    if (st->list.more && st->count < st->list.page) ui_tick_in(u, 0); /* taller now: the tick loads what fits */
}

static int take_failed(execs_state *st)
{
    int f = st->failed;
    st->failed = 0;
    return f;
}

/* A status filter of unfinished executions (queued, running, awaiting input, failed). */
static bool unfinished_filter(const execs_state *st)
{
    hy_exec_status x = hy_exec_status_of(ui_status_filters[st->filter].status); /* All: NULL */
    return x == HY_EXEC_PENDING || x == HY_EXEC_RUNNING || x == HY_EXEC_AWAITING_INPUT || x == HY_EXEC_FAILED;
}

static int reload_view(execs_state *st)
{
    int f = load(st, page_rows(st), false);
    free(st->sig);
    st->sig = signature(st);
    return f ? f : UI_REDRAW;
}

static int stuck_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)ctx;
    execs_state *st = s->state;
    if (yes != 1 || !text) return UI_REDRAW;
    long h;
    if (!hy_parse_long(text, 1, 8760, &h)) {
        ui_msg(u, UI_S_ERROR, "Stuck: give a number of hours from 1 to 8760 (a year), e.g. 24.");
        return UI_REDRAW;
    }
    st->stuck_hours = (int)h;
    st->longest = false;
    if (!unfinished_filter(st)) st->filter = 0; /* all the unfinished ones */
    return reload_view(st);
}

static int execs_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    execs_state *st = s->state;
    int f = take_failed(st);
    if (f) return f;
    if (!a) return UI_NOT_MINE;
    if (a->id >= A_F0 && a->id < A_F0 + UI_NFILTERS) {
        st->filter = a->id - A_F0;
        /* sorting by time in state and the stuck view are for unfinished executions */
        if (!unfinished_filter(st)) {
            st->longest = false;
            if (st->filter != 0) st->stuck_hours = 0;
        }
        return reload_view(st);
    }
    switch (a->id) {
    case A_ORDER:
        if (!st->longest && !unfinished_filter(st) && !st->stuck_hours) {
            ui_msg(u, UI_S_INFO, "Sorting by time in state is for unfinished %s: press p, r, w or f first (or s for "
                                 "the stuck ones).", st->partner ? "requests" : "executions");
            return UI_REDRAW;
        }
        if (st->stuck_hours) {
            ui_msg(u, UI_S_INFO, "The stuck view is always longest first: s leaves it.");
            return UI_REDRAW;
        }
        st->longest = !st->longest;
        return reload_view(st);
    case A_STUCK:
        if (st->stuck_hours) {
            st->stuck_hours = 0;
            return reload_view(st);
        }
        ui_prompt(u, "Stuck: no change for more than N hours", "Hours", "24", true, stuck_done, NULL);
        return UI_REDRAW;
    case A_REFRESH: return UI_RELOAD;
    case A_NEW:
        if (st->partner) return ui_exec_start(u, "new_partner_user", NULL);
        ui_push(u, &ui_newreq_screen, NULL);
        return UI_REDRAW;
    case A_OPEN: {
        int row = ui_list_selected(&st->list);
        if (row < 0) return UI_HANDLED;
        ui_push(u, ui_exec_screen_for(u), st->items[row].id);
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

static void execs_close(ui *u, screen *s)
{
    (void)u;
    execs_state *st = s->state;
    ui_list_free(&st->list);
    free_items(st);
    free(st->items);
    free(st->search);
    free(st->sig);
    ui_exec_pages_clear(&st->pages);
}

const screen_ops ui_execs_screen = {
    .name = "Executions",
    .state_size = sizeof(execs_state),
    .actions = EXECS_ACTIONS,
    .open = execs_open,
    .draw = execs_draw,
    .handle_key = execs_key,
    .tick = execs_tick,
    .reload = execs_reload,
    .close = execs_close,
    .exists = execs_exists,
};

const screen_ops ui_requests_screen = {
    .name = "Requests",
    .state_size = sizeof(execs_state),
    .actions = REQUESTS_ACTIONS,
    .open = execs_open,
    .draw = execs_draw,
    .handle_key = execs_key,
    .tick = execs_tick,
    .reload = execs_reload,
    .close = execs_close,
    .exists = execs_exists,
};

const screen_ops *ui_execs_screen_for(const ui *u)
{
    return ops_can(&u->me, HY_CAP_READ_ALL) ? &ui_execs_screen : &ui_requests_screen;
}
