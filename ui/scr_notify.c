/* Notifications (administrators and support): the outbox, newest first:
 * when, event, execution and step, channel and recipient, status, attempts.
 * The selected row's subject and error are shown below the list. `p` shows
 * only what is not delivered yet, `a` everything; Enter opens the
 * execution. It reloads itself every few seconds (runners deliver in the
 * background). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_view.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

#define REFRESH_MS 3000
#define LIMIT 500

typedef struct {
    ui_list list;
    hy_notice_list l;
    bool pending_only;
    ui_column cols[7];          /* the When column's title says the time zone */
    char when_title[32];
    char *sig;
    int64_t last_load_ms;
} notify_state;

enum { A_OPEN = 1, A_PENDING, A_ALL, A_REFRESH };

static const ui_action NOTIFY_ACTIONS[] = {
    {A_OPEN, "Enter", "Execution", "Open the execution the selected notification is about"},
    {A_PENDING, "p", "Not sent yet", "Show only what is not delivered yet (pending, sending)"},
    {A_ALL, "a", "All", "Show every notification"},
    {A_REFRESH, "r C-r", NULL, "Load the outbox again"},
    UI_ACTIONS_END,
};

static const ui_column NOTIFY_COLS[] = {
    {"When", 16, 16, 4, false},
    {"Event", 12, 12, 8, false},
    {"Id", 8, 8, 3, false},
    {"Step", 4, 4, 2, true},
    {"Recipient", 14, 0, 9, false},
    {"Status", 10, 22, 10, false},
    {"Tries", 5, 5, 1, true},
};

static const char *notify_cell(void *data, int row, int col, char *buf, size_t n)
{
    notify_state *st = data;
    const hy_notice *x = &st->l.items[row];
    switch (col) {
    case 0: ui_when(x->created_at, false, buf, n); return buf;
    case 1: return x->event;
    case 2: snprintf(buf, n, "%.8s", x->execution_id ? x->execution_id : "-"); return buf;
    case 3:
        if (!x->step_order) return "-";
        snprintf(buf, n, "%d", x->step_order);
        return buf;
    case 4: snprintf(buf, n, "%s %s", x->channel ? x->channel : "", x->recipient ? x->recipient : "-"); return buf;
    case 5:
        snprintf(buf, n, "%s%s", x->status ? x->status : "?",
                 x->uncertain && hy_streq(x->status, "sent") ? " (maybe twice)" : "");
        return buf;
    default: snprintf(buf, n, "%d", x->attempts); return buf;
    }
}

static ui_style notify_style(void *data, int row, int col)
{
    notify_state *st = data;
    const char *s = st->l.items[row].status;
    if (col != 5) return col == 0 || col == 2 ? UI_S_DIM : UI_S_NORMAL;
    if (hy_streq(s, "sent") || hy_streq(s, "simulated")) return st->l.items[row].uncertain ? UI_S_WAITING : UI_S_OK;
    if (hy_streq(s, "failed") || hy_streq(s, "uncertain") || hy_streq(s, "skipped")) return UI_S_FAILED;
    return UI_S_RUNNING;
}

static const char *notify_id(void *data, int row)
{
    static char key[32];
    snprintf(key, sizeof key, "%lld", (long long)((notify_state *)data)->l.items[row].id);
    return key;
}

static char *signature(const hy_notice_list *l)
{
    hy_buf b = {0};
    hy_buf_printf(&b, "%lld|", (long long)l->events_due);
    for (int i = 0; i < l->count; i++)
        hy_buf_printf(&b, "%lld %s %d|", (long long)l->items[i].id, l->items[i].status, l->items[i].attempts);
    return hy_buf_take(&b);
}

static int load(ui *u, notify_state *st, bool *changed)
{
    hy_notice_query q = {.pending_only = st->pending_only, .limit = LIMIT};
    hy_notice_list l;
    hy_err err;
    hy_err_clear(&err);
    if (ops_notify_list(u->ctx, &u->me, &q, &l, &err) != 0) return ui_fail(u, &err);
    hy_notice_list_free(&st->l);
    st->l = l;
    st->last_load_ms = hy_mono_ms();
    char *sig = signature(&l);
    *changed = !hy_streq(sig, st->sig);
    free(st->sig);
    st->sig = sig;
    st->list.empty_text = st->pending_only ? "Nothing waits to be delivered." : "No notifications yet.";
    ui_list_set_count(&st->list, l.count);
    return 0;
}

static int notify_reload(ui *u, screen *s)
{
    bool changed;
    int f = load(u, s->state, &changed);
    return f ? f : UI_REDRAW;
}

static int notify_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    notify_state *st = s->state;
    memcpy(st->cols, NOTIFY_COLS, sizeof st->cols);
    snprintf(st->when_title, sizeof st->when_title, "When (%s)", ui_zone());
    st->cols[0].title = st->when_title;
    ui_list_init(&st->list, st->cols, 7, st, notify_cell);
    st->list.style = notify_style;
    st->list.row_id = notify_id;
    st->list.noun = "notifications";
    s->focus = &st->list.w;
    bool changed;
    int f = load(u, st, &changed);
    return f ? (f | UI_CLOSE) : UI_REDRAW;
}

static int notify_tick(ui *u, screen *s)
{
    notify_state *st = s->state;
    if (hy_mono_ms() - st->last_load_ms < REFRESH_MS) return 0;
    bool changed = false;
    int f = load(u, st, &changed);
    return f ? f : changed ? UI_REDRAW : 0;
}

static void notify_draw(ui *u, screen *s, ui_rect body)
{
    notify_state *st = s->state;
    char head[200];
    snprintf(head, sizeof head, "%s%s: %d shown; %lld event%s not addressed yet%s",
             st->pending_only ? "Not delivered yet" : "Outbox", u->cfg->notify.enabled ? "" : " (notifications are off)",
             st->l.count, (long long)st->l.events_due, st->l.events_due == 1 ? "" : "s",
             st->pending_only ? "" : "   p: not sent yet");
    ui_put(u, body.y, body.x + 2, body.w - 4, UI_S_TITLE, 0, head);
    int detail = body.h >= 12 ? 3 : 0;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 1 - detail, body.w - 2});
    int row = ui_list_selected(&st->list);
    if (!detail || row < 0) return;
    const hy_notice *x = &st->l.items[row];
    int y = body.y + body.h - detail;
    ui_put(u, y, body.x + 2, body.w - 4, UI_S_NORMAL, 0, x->subject ? x->subject : "-");
    if (x->error) ui_put(u, y + 1, body.x + 2, body.w - 4, hy_streq(x->status, "sent") ? UI_S_DIM : UI_S_FAILED, 0,
                         x->error);
    if (x->sent_at) {
        char t[40], line[80];
        ui_when(x->sent_at, false, t, sizeof t);
        snprintf(line, sizeof line, "sent %s %s", t, ui_zone());
        ui_put(u, y + 2, body.x + 2, body.w - 4, UI_S_DIM, 0, line);
    }
}

static int notify_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    notify_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    bool changed;
    switch (a->id) {
    case A_REFRESH: return UI_RELOAD;
    case A_PENDING:
    case A_ALL: {
        st->pending_only = a->id == A_PENDING;
        int f = load(u, st, &changed);
        return f ? f : UI_REDRAW;
    }
    case A_OPEN: {
        int row = ui_list_selected(&st->list);
        if (row < 0 || !st->l.items[row].execution_id) return UI_HANDLED;
        ui_push(u, ui_exec_screen_for(u), st->l.items[row].execution_id);
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

static void notify_close(ui *u, screen *s)
{
    (void)u;
    notify_state *st = s->state;
    ui_list_free(&st->list);
    hy_notice_list_free(&st->l);
    free(st->sig);
}

const screen_ops ui_notify_screen = {
    .name = "Notifications",
    .state_size = sizeof(notify_state),
    .actions = NOTIFY_ACTIONS,
    .open = notify_open,
    .draw = notify_draw,
    .handle_key = notify_key,
    .tick = notify_tick,
    .reload = notify_reload,
    .close = notify_close,
};
