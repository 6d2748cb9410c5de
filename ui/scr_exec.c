/* One execution: the header (workflow, organisation, user, requested by,
 * status, times), every step with its status mark (a running one with a
 * spinner and its elapsed time), and for the selected step everything ops
 * knows (exec_view.c: description, input and who gave it when, output as
 * key/value lines, error, attempts, calls).
 *
 * Actions, one key each, enabled by ops' can_* flags (a disabled one is
 * left out of the bottom bar and says why when pressed); every one that
 * changes something asks first: fill in (the waiting step's form), retry,
 * skip with a reason, done by hand with a note, re-run from the selected
 * step, cancel. A key whose action the role may never take does not exist
 * (screen_ops.exists, from ops_exec_role_may): support staff have fill in
 * and retry only. Partner admins get a screen whose table has only fill
 * in, retry and cancel, worded for their requests.
 *
 * Below the selected step's details: the notifications about it (event,
 * recipient, sent or not), those staff may see.
 *
 * Live: the execution is reloaded when the data changed (another session,
 * a worker or this session's runner; the main loop says so), and while a
 * step runs (or waits for a person) the spinner and the times move on
 * timer ticks. Only the main loop draws, and ncurses sends only the cells
 * that changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "exec_view.h"
#include "ops.h"
#include "sanitize.h"
#include "screens.h"

#define AGE_TICK_MS 1000         /* "waiting for 3m 05s" shows seconds */

typedef struct {
    char *id;
    hy_exec_detail d;
    char *sig;                  /* what was loaded last (to redraw only on change) */
    int sel;                    /* the selected step (index) */
    bool follow;                /* the selection follows the current step until moved */
    int steps_top;              /* first step row shown */
    int detail_top;             /* first detail line shown */
    int detail_rows;            /* detail rows at the last draw (paging) */
    int pending_order;          /* the step a dialog is about */
} exec_state;

enum { A_FILL = 1, A_RETRY, A_SKIP, A_DONE, A_RERUN, A_CANCEL, A_UP, A_DOWN, A_HOME, A_END, A_PGUP, A_PGDN, A_REFRESH };

static const ui_action ADMIN_ACTIONS[] = {
    {A_FILL, "f Enter", "Fill in", "Fill in the form of the step waiting for input"},
    {A_RETRY, "t", "Retry", "Run the failed step again (asks first)"},
    {A_SKIP, "s", "Skip", "Skip the selected step, giving a reason"},
    {A_DONE, "d", "Done by hand", "Mark the failed step done by hand, with a note"},
    {A_RERUN, "R", "Re-run", "Run the workflow again from the selected step (asks first)"},
    {A_CANCEL, "x", "Cancel", "Cancel the execution (asks first)"},
    {A_UP, "k Up", NULL, "Previous step"},
    {A_DOWN, "j Down", NULL, "Next step"},
    {A_HOME, "g Home", NULL, "First step"},
    {A_END, "G End", NULL, "Last step"},
    {A_PGDN, "PgDn Space", NULL, "Scroll the step's details down"},
    {A_PGUP, "PgUp b", NULL, "Scroll the step's details up"},
    {A_REFRESH, "C-r", NULL, "Load it again"},
    UI_ACTIONS_END,
};

static const ui_action PARTNER_ACTIONS[] = {
    {A_FILL, "f Enter", "Fill in", "Fill in the form of the step waiting for input"},
    {A_RETRY, "t", "Retry", "Run the failed step again (asks first)"},
    {A_CANCEL, "x", "Cancel", "Cancel the request (asks first)"},
    {A_UP, "k Up", NULL, "Previous step"},
    {A_DOWN, "j Down", NULL, "Next step"},
    {A_HOME, "g Home", NULL, "First step"},
    {A_END, "G End", NULL, "Last step"},
    {A_PGDN, "PgDn Space", NULL, "Scroll the step's details down"},
    {A_PGUP, "PgUp b", NULL, "Scroll the step's details up"},
    {A_REFRESH, "C-r", NULL, "Load it again"},
    UI_ACTIONS_END,
};

/* ---- shared with the other console screens ---- */

ui_style ui_status_style(const char *status)
{
    switch (ui_status_mark(status)) {
    case UI_MARK_DONE: return UI_S_OK;
    case UI_MARK_FAILED: return UI_S_FAILED;
    case UI_MARK_RUNNING: return UI_S_RUNNING;
    case UI_MARK_WAITING: return UI_S_WAITING;
    default: return UI_S_DIM;
    }
}

const char *ui_status_glyph(const ui *u, const char *status)
{
    switch (ui_status_mark(status)) {
    case UI_MARK_DONE: return u->g->ok;
    case UI_MARK_FAILED: return u->g->failed;
    case UI_MARK_RUNNING: return ui_spinner(u);
    case UI_MARK_WAITING: return u->g->waiting;
    case UI_MARK_SKIPPED: return u->g->skipped;
    case UI_MARK_CANCELLED: return u->g->cancelled;
    case UI_MARK_PENDING: break;
    }
    return u->g->pending;
}

/* ---- loading ---- */

static bool any_step(const exec_state *st, const char *status)
{
    for (int i = 0; i < st->d.nsteps; i++)
        if (hy_streq(st->d.steps[i].status, status)) return true;
    return false;
}

static char *signature(const hy_exec_detail *d)
{
    cJSON *j = hy_exec_detail_to_json(d);
    cJSON_AddBoolToObject(j, "i", d->can_input);
    cJSON_AddBoolToObject(j, "t", d->can_retry);
    cJSON_AddBoolToObject(j, "x", d->can_cancel);
    cJSON_AddBoolToObject(j, "s", d->can_skip);
    cJSON_AddBoolToObject(j, "d", d->can_mark_done);
    cJSON_AddBoolToObject(j, "r", d->can_rerun);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    char *out = xstrdup(text ? text : "");
    cJSON_free(text);
    return out;
}

/* Loads the execution; *changed: it differs from what is shown. */
static int load(ui *u, exec_state *st, bool *changed)
{
    hy_exec_detail d;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_show(u->ctx, &u->me, st->id, &d, &err) != 0) return ui_fail(u, &err);
    char *sig = signature(&d);
    *changed = !hy_streq(sig, st->sig);
    free(st->sig);
    st->sig = sig;
    hy_exec_detail_free(&st->d);
    st->d = d;
    int was = st->sel;
    if (st->d.nsteps == 0) st->sel = 0;
    else if (st->follow && st->d.s.current_step >= 1) st->sel = st->d.s.current_step - 1;
    st->sel = ui_clamp(st->sel, 0, ui_max(0, st->d.nsteps - 1));
    if (st->sel != was) st->detail_top = 0;
    return 0;
}

/* What moves by itself: a running step's spinner and time, a waiting
 * step's age. Asks for the next tick; UI_REDRAW when something moves. */
static int animate(ui *u, const exec_state *st)
{
    if (any_step(st, "running")) {
        ui_tick_in(u, UI_TICK_MS);
        return UI_REDRAW;
    }
    if (any_step(st, "awaiting_input")) {
        ui_tick_in(u, AGE_TICK_MS);
        return UI_REDRAW;
    }
    return 0;
}

static int exec_reload(ui *u, screen *s)
{
    bool changed;
    int f = load(u, s->state, &changed);
    if (!f) animate(u, s->state);
    return f ? (f | ((f & UI_LOGOUT) ? 0 : UI_CLOSE)) : UI_REDRAW;
}

static int exec_tick(ui *u, screen *s)
{
    exec_state *st = s->state;
    int flags = 0;
    if (u->data_changed) {
        bool changed = false;
        int f = load(u, st, &changed);
        if (f) return f | ((f & UI_LOGOUT) ? 0 : UI_CLOSE); /* e.g. deleted meanwhile */
        if (changed) flags = UI_REDRAW;
    }
    return flags | animate(u, st);
}

static int exec_open(ui *u, screen *s, const void *arg)
{
    exec_state *st = s->state;
    st->id = xstrdup(arg);
    st->follow = true;
    bool changed;
    int f = load(u, st, &changed);
    if (!f) animate(u, st);
    return f ? (f | UI_CLOSE) : UI_REDRAW;
}

/* ---- drawing ---- */

static void rule(ui *u, int y, int x, int w, const char *title)
{
    if (w <= 0) return;
    attrset(ui_attr(u, UI_S_BORDER));
    for (int i = 0; i < w; i++) mvaddstr(y, x + i, u->g->hline);
    attrset(A_NORMAL);
    if (title && w > 6) {
        char t[300];
        snprintf(t, sizeof t, " %s ", title);
        ui_put(u, y, x + 2, w - 4, UI_S_TITLE, 0, t);
    }
}

static void pair(ui *u, int y, int x, int w, const char *label, const char *value)
{
    int lw = ui_put(u, y, x, w, UI_S_DIM, UI_FIT_RAW, label);
    ui_put(u, y, x + lw + 1, w - lw - 1, UI_S_NORMAL, 0, value && *value ? value : "-");
}

static void draw_header(ui *u, exec_state *st, ui_rect r)
{
    const hy_exec_summary *e = &st->d.s;
    const hy_workflow_def *wf = workflow_find(e->workflow);
    char line[512], t1[HY_TIME_LEN];
    int x = r.x, w = r.w, half = w / 2;
    snprintf(line, sizeof line, "%s  %.8s", wf ? wf->label : e->workflow, e->id);
    int n = ui_put(u, r.y, x, w, UI_S_TITLE, 0, line);
    snprintf(line, sizeof line, "%s %s", ui_status_glyph(u, e->status), ui_status_word(e->status, false));
    n += 2;
    n += ui_put(u, r.y, x + n, w - n, ui_status_style(e->status), UI_FIT_RAW, line);
    if (e->current_step_label) {
        snprintf(line, sizeof line, "  step %d/%d: %s", e->current_step, e->nsteps, e->current_step_label);
        ui_put(u, r.y, x + n, w - n, UI_S_DIM, 0, line);
    }
    if (r.h < 2) return;
    pair(u, r.y + 1, x, half - 1, "Organisation", e->organization_name);
    pair(u, r.y + 1, x + half, w - half, "User", e->user_email);
    if (r.h < 3) return;
    pair(u, r.y + 2, x, half - 1, "Requested by", e->requested_by_email);
    hy_time_short(e->created_at, t1);
    pair(u, r.y + 2, x + half, w - half, "Created", t1);
    if (r.h < 4) return;
    hy_time_short(e->updated_at, t1);
    pair(u, r.y + 3, x, half - 1, "Updated", t1);
    if (st->d.cancelled_at) {
        hy_time_short(st->d.cancelled_at, t1);
        snprintf(line, sizeof line, "%s by %s", t1, st->d.cancelled_by_email ? st->d.cancelled_by_email : "-");
        pair(u, r.y + 3, x + half, w - half, "Cancelled", line);
    } else if (e->scheduled_for) {
        hy_time_short(e->scheduled_for, t1);
        pair(u, r.y + 3, x + half, w - half, "Starts", t1);
    } else {
        hy_time_short(e->completed_at, t1);
        pair(u, r.y + 3, x + half, w - half, "Completed", t1);
    }
}

/* The right-hand text of a step row: "running 12s", "waiting 3m 05s",
 * "failed (3 attempts)", "skipped", ... */
static void step_state(const hy_exec_step *s, int64_t now, char *out, size_t n)
{
    ui_mark m = ui_status_mark(s->status);
    int64_t since;
    char el[24] = "";
    if ((m == UI_MARK_RUNNING || m == UI_MARK_WAITING) && s->started_at && hy_parse_time(s->started_at, &since))
        ui_elapsed(now - since, el);
    if (m == UI_MARK_FAILED && s->attempts > 1) snprintf(out, n, "failed (%d attempts)", s->attempts);
    else if (m == UI_MARK_DONE && s->completed_manually) snprintf(out, n, "done by hand");
    else snprintf(out, n, "%s%s%s", ui_status_word(s->status, true), el[0] ? " " : "", el);
}

static void draw_steps(ui *u, exec_state *st, ui_rect r)
{
    if (r.h <= 0) return;
    st->steps_top = ui_scroll_top(st->d.nsteps, r.h, st->sel, st->steps_top);
    int64_t now = hy_now_ms();
    int right_w = ui_min(22, r.w / 3);
    for (int i = 0; i < r.h && st->steps_top + i < st->d.nsteps; i++) {
        int k = st->steps_top + i, y = r.y + i;
        const hy_exec_step *s = &st->d.steps[k];
        bool sel = k == st->sel;
        if (sel) ui_put(u, y, r.x, 1, UI_S_TITLE, UI_FIT_RAW, u->g->cursor);
        ui_put(u, y, r.x + 2, 1, ui_status_style(s->status), UI_FIT_RAW, ui_status_glyph(u, s->status));
        char num[8];
        snprintf(num, sizeof num, "%d", s->order);
        ui_put(u, y, r.x + 4, 2, UI_S_DIM, UI_FIT_RAW | UI_FIT_RIGHT, num);
        int lx = r.x + 7, lw = r.w - 7 - right_w - 1;
        ui_put(u, y, lx, lw, sel ? UI_S_SELECTED : UI_S_NORMAL, sel ? UI_FIT_PAD : 0, s->label ? s->label : s->name);
        char state[64];
        step_state(s, now, state, sizeof state);
        ui_put(u, y, r.x + r.w - right_w, right_w, ui_status_style(s->status), UI_FIT_RAW, state);
    }
}

static ui_style line_style(ui_line_kind k)
{
    switch (k) {
    case UI_LINE_DIM: return UI_S_DIM;
    case UI_LINE_HEAD: return UI_S_TITLE;
    case UI_LINE_ERROR: return UI_S_FAILED;
    case UI_LINE_OK: return UI_S_OK;
    default: return UI_S_NORMAL;
    }
}

static void draw_detail(ui *u, exec_state *st, ui_rect r)
{
    st->detail_rows = r.h;
    if (r.h <= 0 || r.w < 10 || st->d.nsteps == 0) return;
    const hy_exec_step *s = &st->d.steps[st->sel];
    ui_lines lines = {0};
    bool can_fill = st->d.can_input && s->order == st->d.s.current_step;
    ui_step_lines(s, hy_now_ms(), can_fill, &lines);
    ui_notice_lines(st->d.notices, st->d.nnotices, s->order, &lines);
    const hy_workflow_def *wf = workflow_find(st->d.s.workflow);
    if (wf && s->order >= 1 && s->order <= wf->nsteps && wf->steps[s->order - 1].spawn && st->d.nchildren) {
        ui_lines_add(&lines, UI_LINE_HEAD, "Executions it started (%d)", st->d.nchildren);
        for (int i = 0; i < st->d.nchildren; i++) {
            const hy_exec_child *k = &st->d.children[i];
            ui_lines_add(&lines, k->error ? UI_LINE_ERROR : UI_LINE_TEXT, "  %.8s  %-14s %s%s%s%s%s", k->id,
                         ui_status_word(k->status, false), k->user_email ? k->user_email : "-",
                         k->error ? "  at " : "", k->error && k->current_step_name ? k->current_step_name : "",
                         k->error ? ": " : "", k->error ? k->error : "");
        }
    }
    /* Wrapped to the width; the visible window from detail_top. */
    enum { MAXW = 64 };
    char **clean = xcalloc((size_t)(lines.n ? lines.n : 1), sizeof *clean);
    int total = 0;
    int *indent = xcalloc((size_t)(lines.n ? lines.n : 1), sizeof *indent);
    for (int i = 0; i < lines.n; i++) {
        int start[MAXW], len[MAXW];
        clean[i] = hy_sanitize(lines.v[i].text);
        indent[i] = ui_min((int)strspn(clean[i], " "), r.w / 2); /* kept on every wrapped row */
        total += ui_wrap(clean[i] + indent[i], r.w - indent[i], u->ascii, MAXW, start, len);
    }
    st->detail_top = ui_clamp(st->detail_top, 0, ui_max(0, total - r.h));
    int row = 0;
    for (int i = 0; i < lines.n; i++) {
        int start[MAXW], len[MAXW];
        const char *text = clean[i] + indent[i];
        int nl = ui_wrap(text, r.w - indent[i], u->ascii, MAXW, start, len);
        for (int j = 0; j < nl; j++, row++) {
            int y = row - st->detail_top;
            if (y < 0 || y >= r.h) continue;
            char piece[2048];
            snprintf(piece, sizeof piece, "%.*s", len[j], text + start[j]);
            ui_put(u, r.y + y, r.x + indent[i], r.w - indent[i], line_style(lines.v[i].kind), UI_FIT_RAW, piece);
        }
        free(clean[i]);
    }
    free(clean);
    free(indent);
    if (total > r.h) { /* more than fits: say where we are */
        char more[48];
        snprintf(more, sizeof more, " %d-%d of %d ", st->detail_top + 1, ui_min(total, st->detail_top + r.h), total);
        int w = (int)strlen(more);
        ui_put(u, r.y - 1, r.x + r.w - w, w, UI_S_DIM, UI_FIT_RAW, more);
    }
    ui_lines_free(&lines);
}

static void exec_draw(ui *u, screen *s, ui_rect body)
{
    exec_state *st = s->state;
    ui_exec_geom g;
    ui_exec_layout(body, st->d.nsteps, &g);
    draw_header(u, st, g.header);
    char title[300];
    snprintf(title, sizeof title, "Steps (%d)", st->d.nsteps);
    if (g.side_by_side) {
        rule(u, g.steps_title_y, body.x + 1, UI_EXEC_STEPS_W, title);
        const hy_exec_step *sel = st->d.nsteps ? &st->d.steps[st->sel] : NULL;
        snprintf(title, sizeof title, "%d %s", sel ? sel->order : 0, sel && sel->label ? sel->label : "");
        rule(u, g.detail_title_y, g.detail.x - 1, g.detail.w + 1, title);
    } else {
        rule(u, g.steps_title_y, body.x + 1, body.w - 2, title);
        const hy_exec_step *sel = st->d.nsteps ? &st->d.steps[st->sel] : NULL;
        snprintf(title, sizeof title, "%d %s", sel ? sel->order : 0, sel && sel->label ? sel->label : "");
        rule(u, g.detail_title_y, body.x + 1, body.w - 2, title);
    }
    draw_steps(u, st, g.steps);
    draw_detail(u, st, g.detail);
}

/* ---- actions ---- */

static const hy_exec_step *selected(exec_state *st) { return st->d.nsteps ? &st->d.steps[st->sel] : NULL; }

static bool skippable(exec_state *st)
{
    const hy_exec_step *s = selected(st);
    return s && s->order >= st->d.s.current_step &&
           (hy_streq(s->status, "pending") || hy_streq(s->status, "awaiting_input") || hy_streq(s->status, "failed"));
}

/* The action each key needs (authz.h). */
static bool exec_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    switch (a->id) {
    case A_FILL: return ops_exec_role_may(&u->me, HY_ACT_INPUT);
    case A_RETRY: return ops_exec_role_may(&u->me, HY_ACT_RETRY);
    case A_SKIP: return ops_exec_role_may(&u->me, HY_ACT_SKIP);
    case A_DONE: return ops_exec_role_may(&u->me, HY_ACT_DONE);
    case A_RERUN: return ops_exec_role_may(&u->me, HY_ACT_RERUN);
    case A_CANCEL: return ops_exec_role_may(&u->me, HY_ACT_CANCEL);
    }
    return true;
}

static bool exec_enabled(ui *u, const screen *s, const ui_action *a)
{
    (void)u;
    exec_state *st = s->state;
    switch (a->id) {
    case A_FILL: return st->d.can_input;
    case A_RETRY: return st->d.can_retry;
    case A_SKIP: return st->d.can_skip && skippable(st);
    case A_DONE: return st->d.can_mark_done;
    case A_RERUN: return st->d.can_rerun;
    case A_CANCEL: return st->d.can_cancel;
    }
    return true;
}

/* After an action: the runner may have work; show the result at once. */
static int acted(ui *u, screen *s, const char *fmt, int order)
{
    exec_state *st = s->state;
    ui_runner_kick(u);
    st->follow = true;
    bool changed;
    int f = load(u, st, &changed);
    if (f) return f;
    ui_msg(u, UI_S_INFO, fmt, order);
    return UI_REDRAW;
}

static int step_ref(exec_state *st, char out[8])
{
    snprintf(out, 8, "%d", st->pending_order);
    return st->pending_order;
}

static int retry_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    exec_state *st = s->state;
    if (yes != 1) return UI_REDRAW;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_retry(u->ctx, &u->me, st->id, &err) != 0) return ui_fail(u, &err);
    return acted(u, s, "Step %d queued again: it runs now.", st->pending_order);
}

static int skip_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)ctx;
    exec_state *st = s->state;
    if (yes != 1) return UI_REDRAW;
    hy_err err;
    hy_err_clear(&err);
    char ref[8];
    step_ref(st, ref);
    if (ops_exec_skip(u->ctx, &u->me, st->id, ref, text, &err) != 0) return ui_fail(u, &err);
    return acted(u, s, "Step %d skipped.", st->pending_order);
}

static int mark_done_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)ctx;
    exec_state *st = s->state;
    if (yes != 1) return UI_REDRAW;
    hy_err err;
    hy_err_clear(&err);
    char ref[8];
    step_ref(st, ref);
    if (ops_exec_mark_done(u->ctx, &u->me, st->id, ref, text, &err) != 0) return ui_fail(u, &err);
    return acted(u, s, "Step %d marked done by hand.", st->pending_order);
}

static int rerun_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    exec_state *st = s->state;
    if (yes != 1) return UI_REDRAW;
    hy_err err;
    hy_err_clear(&err);
    char ref[8];
    step_ref(st, ref);
    if (ops_exec_rerun(u->ctx, &u->me, st->id, ref, &err) != 0) return ui_fail(u, &err);
    return acted(u, s, "Running again from step %d.", st->pending_order);
}

static int cancel_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    exec_state *st = s->state;
    if (yes != 1) return UI_REDRAW;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_cancel(u->ctx, &u->me, st->id, &err) != 0) return ui_fail(u, &err);
    return acted(u, s, "Cancelled (it was at step %d).", st->pending_order);
}

static const char *label_of(exec_state *st, int order)
{
    for (int i = 0; i < st->d.nsteps; i++)
        if (st->d.steps[i].order == order) return st->d.steps[i].label ? st->d.steps[i].label : st->d.steps[i].name;
    return "?";
}

static int not_now(ui *u, const char *why)
{
    ui_msg(u, UI_S_INFO, "%s", why);
    return UI_REDRAW;
}

static int act(ui *u, screen *s, int id)
{
    exec_state *st = s->state;
    const hy_exec_step *sel = selected(st);
    char text[600], title[300];
    int cur = st->d.s.current_step;
    switch (id) {
    case A_FILL:
        if (!st->d.can_input) return not_now(u, "No step of this execution is waiting for input.");
        ui_push(u, &ui_exec_form_screen, st->id);
        return UI_REDRAW;
    case A_RETRY:
        if (!st->d.can_retry) return not_now(u, "Retry: only a failed step can be run again.");
        st->pending_order = cur;
        snprintf(text, sizeof text, "Run step %d (%s) again now? Its attempts start from 1.", cur, label_of(st, cur));
        ui_confirm(u, "Retry", text, retry_done, NULL);
        return UI_REDRAW;
    case A_SKIP:
        if (!st->d.can_skip) return not_now(u, "Skip: this execution has ended.");
        if (!skippable(st))
            return not_now(u, "Skip: choose a step that is pending, waiting or failed (not before the current one).");
        st->pending_order = sel->order;
        snprintf(title, sizeof title, "Skip step %d: %s", sel->order, sel->label ? sel->label : sel->name);
        ui_prompt(u, title, "Reason", NULL, true, skip_done, NULL);
        return UI_REDRAW;
    case A_DONE:
        if (!st->d.can_mark_done) return not_now(u, "Done by hand: only a failed step can be marked done by hand.");
        st->pending_order = cur;
        snprintf(title, sizeof title, "Mark step %d done by hand: %s", cur, label_of(st, cur));
        ui_prompt(u, title, "Note", NULL, true, mark_done_done, NULL);
        return UI_REDRAW;
    case A_RERUN:
        if (!st->d.can_rerun) return not_now(u, "Re-run: wait until no step of this execution is running.");
        if (!sel) return UI_HANDLED;
        st->pending_order = sel->order;
        snprintf(text, sizeof text,
                 "Run again from step %d (%s)? Steps %d to %d go back to pending; their input and output are "
                 "cleared, and waiting steps ask for input again.",
                 sel->order, sel->label ? sel->label : sel->name, sel->order, st->d.nsteps);
        ui_confirm(u, "Re-run from here", text, rerun_done, NULL);
        return UI_REDRAW;
    case A_CANCEL:
        if (!st->d.can_cancel) return not_now(u, "Cancel: this execution has already ended.");
        st->pending_order = cur;
        snprintf(text, sizeof text,
                 "Cancel this execution? Its waiting, pending and failed steps are cancelled; a step being run "
                 "finishes first. This cannot be undone.");
        ui_confirm(u, "Cancel execution", text, cancel_done, NULL);
        return UI_REDRAW;
    }
    return UI_NOT_MINE;
}

static int select_step(exec_state *st, int sel)
{
    if (st->d.nsteps == 0) return UI_HANDLED;
    sel = ui_clamp(sel, 0, st->d.nsteps - 1);
    if (sel == st->sel) return UI_HANDLED;
    st->sel = sel;
    st->follow = false;
    st->detail_top = 0;
    return UI_REDRAW;
}

static int exec_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    exec_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    int page = ui_max(1, st->detail_rows - 1);
    switch (a->id) {
    case A_UP: return select_step(st, st->sel - 1);
    case A_DOWN: return select_step(st, st->sel + 1);
    case A_HOME: return select_step(st, 0);
    case A_END: return select_step(st, st->d.nsteps - 1);
    case A_PGDN: st->detail_top += page; return UI_REDRAW;
    case A_PGUP:
        if (st->detail_top == 0) return UI_HANDLED;
        st->detail_top = ui_max(0, st->detail_top - page);
        return UI_REDRAW;
    case A_REFRESH: return UI_RELOAD;
    }
    return act(u, s, a->id);
}

static void exec_close(ui *u, screen *s)
{
    (void)u;
    exec_state *st = s->state;
    hy_exec_detail_free(&st->d);
    free(st->id);
    free(st->sig);
}

const screen_ops ui_exec_screen = {
    .name = "Execution",
    .state_size = sizeof(exec_state),
    .actions = ADMIN_ACTIONS,
    .open = exec_open,
    .draw = exec_draw,
    .handle_key = exec_key,
    .tick = exec_tick,
    .reload = exec_reload,
    .close = exec_close,
    .enabled = exec_enabled,
    .exists = exec_exists,
};

const screen_ops ui_exec_partner_screen = {
    .name = "Request",
    .state_size = sizeof(exec_state),
    .actions = PARTNER_ACTIONS,
    .open = exec_open,
    .draw = exec_draw,
    .handle_key = exec_key,
    .tick = exec_tick,
    .reload = exec_reload,
    .close = exec_close,
    .enabled = exec_enabled,
    .exists = exec_exists,
};

const screen_ops *ui_exec_screen_for(const ui *u)
{
    return ops_can(&u->me, HY_CAP_READ_ALL) ? &ui_exec_screen : &ui_exec_partner_screen;
}
