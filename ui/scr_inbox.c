/* Awaiting input: every step waiting for a person, oldest first, with its
 * age (ops_exec_inbox). Enter opens the step's form; once submitted, the
 * inbox is back, reloaded. It looks again every few seconds and redraws
 * only when a row or an age changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_view.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

#define LIMIT 1000

typedef struct {
    ui_list list;
    hy_inbox in;
    char (*age)[16];            /* per row, as shown */
    char *sig;
} inbox_state;

enum { A_OPEN = 1, A_SHOW, A_REFRESH };

static const ui_action INBOX_ACTIONS[] = {
    {A_OPEN, "Enter f", "Fill in", "Open the form of the selected waiting step"},
    {A_SHOW, "o", "Execution", "Open the execution the step belongs to"},
    {A_REFRESH, "C-r", NULL, "Load the inbox again"},
    UI_ACTIONS_END,
};

static const ui_column INBOX_COLS[] = {
    {"Waiting", 7, 8, 9, true},
    {"Workflow", 11, 11, 4, false},
    {"Step", 14, 28, 8, false},
    {"Organisation", 12, 0, 7, false},
    {"User", 12, 28, 5, false},
    {"Id", 8, 8, 3, false},
};

static const char *inbox_cell(void *data, int row, int col, char *buf, size_t n)
{
    inbox_state *st = data;
    const hy_inbox_item *it = &st->in.items[row];
    switch (col) {
    case 0:
        if (!it->late) return st->age[row];
        snprintf(buf, n, UI_LATE_MARK " %s", st->age[row]);
        return buf;
    case 1: {
        const hy_workflow_def *wf = workflow_find(it->workflow);
        return wf ? wf->short_label : it->workflow;
    }
    case 2: snprintf(buf, n, "%d %s", it->step_order, it->step_label ? it->step_label : "?"); return buf;
    case 3: return it->organization_name ? it->organization_name : "-";
    case 4: return it->user_email ? it->user_email : "-";
    default: snprintf(buf, n, "%.8s", it->execution_id); return buf;
    }
}

static ui_style inbox_style(void *data, int row, int col)
{
    inbox_state *st = data;
    if (col == 0) return st->in.items[row].late ? UI_S_FAILED : UI_S_WAITING;
    return col == 5 ? UI_S_DIM : UI_S_NORMAL;
}

static const char *inbox_id(void *data, int row)
{
    inbox_state *st = data;
    static char key[64]; /* execution and step: one row per waiting step */
    snprintf(key, sizeof key, "%s/%d", st->in.items[row].execution_id, st->in.items[row].step_order);
    return key;
}

/* When the first age shown changes ("45s" each second, "12m" each
 * minute...), in ms from now; -1 when nothing is shown. */
static int next_age_change(const inbox_state *st)
{
    int64_t now = hy_now_ms(), best = -1;
    for (int i = 0; i < st->in.count; i++) {
        int64_t at;
        if (!hy_parse_time(st->in.items[i].since, &at)) continue;
        int64_t age = now > at ? now - at : 0;
        int64_t unit = age < 60000 ? 1000 : age < 3600000 ? 60000 : age < 86400000 ? 3600000 : 86400000;
        int64_t left = unit - age % unit;
        if (best < 0 || left < best) best = left;
    }
    return best < 0 ? -1 : (int)best + 5;
}

/* Recomputes the ages as shown; true if one changed. */
static bool update_ages(inbox_state *st)
{
    bool changed = false;
    int64_t now = hy_now_ms();
    for (int i = 0; i < st->in.count; i++) {
        char a[16];
        hy_age(st->in.items[i].since, now, a);
        if (strcmp(a, st->age[i]) != 0) {
            memcpy(st->age[i], a, sizeof a);
            changed = true;
        }
    }
    return changed;
}

static char *signature(const hy_inbox *in)
{
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (int i = 0; i < in->count; i++)
        hy_buf_printf(&b, "%s/%d %s %s %d|", in->items[i].execution_id, in->items[i].step_order,
                      in->items[i].organization_name ? in->items[i].organization_name : "",
                      in->items[i].user_email ? in->items[i].user_email : "", in->items[i].late);
    return hy_buf_take(&b);
}

static int load(ui *u, inbox_state *st, bool *changed)
{
    hy_inbox in;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_inbox(u->ctx, &u->me, LIMIT, &in, &err) != 0) return ui_fail(u, &err);
    hy_inbox_free(&st->in);
    st->in = in;
    free(st->age);
    st->age = xcalloc((size_t)(in.count ? in.count : 1), sizeof *st->age);
    update_ages(st);
    int next = next_age_change(st);
    if (next >= 0) ui_tick_in(u, next);
    char *sig = signature(&in);
    *changed = !hy_streq(sig, st->sig);
    free(st->sig);
    st->sig = sig;
    ui_list_set_count(&st->list, in.count);
    return 0;
}

static int inbox_reload(ui *u, screen *s)
{
    bool changed;
    int f = load(u, s->state, &changed);
    return f ? f : UI_REDRAW;
}

static int inbox_tick(ui *u, screen *s)
{
    inbox_state *st = s->state;
    bool changed = false;
    if (u->data_changed) {
        int f = load(u, st, &changed);
        if (f) return f;
    }
    if (update_ages(st)) changed = true;
    int next = next_age_change(st);
    if (next >= 0) ui_tick_in(u, next);
    return changed ? UI_REDRAW : 0;
}

static int inbox_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    inbox_state *st = s->state;
    ui_list_init(&st->list, INBOX_COLS, 6, st, inbox_cell);
    st->list.style = inbox_style;
    st->list.row_id = inbox_id;
    st->list.noun = "waiting steps";
    st->list.empty_text = "Nothing is waiting for input.";
    s->focus = &st->list.w;
    bool changed;
    int f = load(u, st, &changed);
    return f ? (f | UI_CLOSE) : UI_REDRAW;
}

static void inbox_draw(ui *u, screen *s, ui_rect body)
{
    inbox_state *st = s->state;
    ui_put(u, body.y + 1, body.x + 2, body.w - 4, UI_S_DIM, UI_FIT_RAW,
           "Steps waiting for a person, oldest first. Enter fills one in.");
    ui_list_draw(u, &st->list, (ui_rect){body.y + 3, body.x + 1, body.h - 3, body.w - 2});
}

static int inbox_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    inbox_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_REFRESH) return UI_RELOAD;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    const char *id = st->in.items[row].execution_id;
    if (a->id == A_SHOW) ui_push(u, ui_exec_screen_for(u), id);
    else ui_push(u, &ui_exec_form_screen, id);
    return UI_REDRAW;
}

static void inbox_close(ui *u, screen *s)
{
    (void)u;
    inbox_state *st = s->state;
    ui_list_free(&st->list);
    hy_inbox_free(&st->in);
    free(st->age);
    free(st->sig);
}

const screen_ops ui_inbox_screen = {
    .name = "Awaiting input",
    .state_size = sizeof(inbox_state),
    .actions = INBOX_ACTIONS,
    .open = inbox_open,
    .draw = inbox_draw,
    .handle_key = inbox_key,
    .tick = inbox_tick,
    .reload = inbox_reload,
    .close = inbox_close,
};
