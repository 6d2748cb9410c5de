/* New request: choose the workflow (those ops lets this person start);
 * Enter starts it and opens the execution with its first form on top at
 * once. ui_exec_start is also the partner console's "Add user". */
#include <stdio.h>
#include <stdlib.h>

#include "dialog.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

#define MAX_WF 16

typedef struct {
    ui_list list;
    const hy_workflow_def *wf[MAX_WF];
    int n;
} newreq_state;

enum { A_START = 1, A_LATER };

static const ui_action NEWREQ_ACTIONS[] = {
    {A_START, "Enter", "Start", "Start the selected workflow and fill in its first form"},
    {A_LATER, "S", "Start later", "Start the selected workflow at a date/time you give: it is scheduled until then"},
    UI_ACTIONS_END,
};

static const ui_column NEWREQ_COLS[] = {
    {"Workflow", 16, 20, 5, false},
    {"What it does", 20, 0, 3, false},
    {"Steps", 5, 5, 1, true},
};

static const char *newreq_cell(void *data, int row, int col, char *buf, size_t n)
{
    newreq_state *st = data;
    const hy_workflow_def *wf = st->wf[row];
    if (col == 0) return wf->label;
    if (col == 1) return wf->description;
    snprintf(buf, n, "%d", wf->nsteps);
    return buf;
}

int ui_exec_start(ui *u, const char *workflow, bool *started)
{
    if (started) *started = false;
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(u->ctx, &u->me, workflow, NULL, id, &err) != 0) return ui_fail(u, &err);
    if (started) *started = true;
    ui_runner_kick(u);
    const hy_workflow_def *wf = workflow_find(workflow);
    ui_msg(u, UI_S_INFO, "%s %.8s started.", wf ? wf->label : workflow, id);
    /* The execution, and its first form on top: Esc from the form shows it. */
    if (!ui_push(u, ui_exec_screen_for(u), id)) return UI_REDRAW;
    hy_exec_detail d;
    hy_err_clear(&err);
    if (ops_exec_show(u->ctx, &u->me, id, &d, &err) == 0) {
        bool waits = d.can_input;
        hy_exec_detail_free(&d);
        if (waits) ui_push(u, &ui_exec_form_screen, id);
    }
    return UI_REDRAW;
}

static int newreq_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    newreq_state *st = s->state;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_workflows(u->ctx, &u->me, st->wf, MAX_WF, &st->n, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    ui_list_init(&st->list, NEWREQ_COLS, 3, st, newreq_cell);
    st->list.noun = "workflows";
    st->list.empty_text = "You cannot start any workflow.";
    ui_list_set_count(&st->list, st->n);
    s->focus = &st->list.w;
    return UI_REDRAW;
}

static void newreq_draw(ui *u, screen *s, ui_rect body)
{
    newreq_state *st = s->state;
    ui_put(u, body.y + 1, body.x + 2, body.w - 4, UI_S_TITLE, UI_FIT_RAW, "Which workflow do you want to start?");
    ui_list_draw(u, &st->list, (ui_rect){body.y + 3, body.x + 1, ui_min(st->n + 2, body.h - 3), body.w - 2});
}

/* "Start later": the time given, the workflow scheduled (ops checks both). */
static int later_done(ui *u, screen *s, int ok, const char *text, void *ctx)
{
    (void)ctx;
    newreq_state *st = s->state;
    int row = ui_list_selected(&st->list);
    if (!ok || row < 0) return UI_REDRAW;
    hy_exec_start req = {.workflow = st->wf[row]->name, .at = text};
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start_ex(u->ctx, &u->me, &req, id, &err) != 0) {
        const char *m = hy_field_msg(&err, "at");
        if (!m) return ui_fail(u, &err);
        ui_msg(u, UI_S_ERROR, "Start at: %s", m);
        return UI_REDRAW;
    }
    ui_runner_kick(u);
    ui_msg(u, UI_S_INFO, "%s %.8s scheduled.", st->wf[row]->label, id);
    ui_push(u, ui_exec_screen_for(u), id);
    return UI_REDRAW;
}

static int newreq_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    newreq_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    if (a->id == A_LATER) {
        ui_prompt(u, "Start later", "Start at (2026-03-31 17:00 UTC, +3d, +12h)", "", true, later_done, NULL);
        return UI_REDRAW;
    }
    bool started;
    int f = ui_exec_start(u, st->wf[row]->name, &started);
    return started ? (f | UI_CLOSE) : f; /* the execution replaces this screen */
}

static void newreq_close(ui *u, screen *s)
{
    (void)u;
    newreq_state *st = s->state;
    ui_list_free(&st->list);
}

const screen_ops ui_newreq_screen = {
    .name = "New request",
    .state_size = sizeof(newreq_state),
    .actions = NEWREQ_ACTIONS,
    .open = newreq_open,
    .draw = newreq_draw,
    .handle_key = newreq_key,
    .close = newreq_close,
};
