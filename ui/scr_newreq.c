/* New request: choose the workflow (those ops lets this person start);
 * Enter opens its first form (nothing exists until it is submitted).
 * ui_exec_start is also the partner console's "Add user". */
#include <stdio.h>
#include <stdlib.h>

#include "list.h"
#include "ops.h"
#include "screens.h"

#define MAX_WF 16

typedef struct {
    ui_list list;
    const hy_workflow_def *wf[MAX_WF];
    int n;
} newreq_state;

enum { A_START = 1 };

static const ui_action NEWREQ_ACTIONS[] = {
    {A_START, "Enter", "Start", "Fill in the selected workflow's first form (it starts when you submit it)"},
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
    const hy_workflow_def *wf = workflow_find(workflow);
    if (wf && wf->nsteps > 0 && wf->steps[0].kind == HY_STEP_MANUAL) {
        /* Nothing exists until its first form is submitted. */
        ui_new_request r = {.workflow = workflow, .org_id = NULL};
        bool opened = ui_push(u, &ui_exec_new_form_screen, &r);
        if (started) *started = opened;
        return UI_REDRAW;
    }
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(u->ctx, &u->me, workflow, NULL, id, &err) != 0) return ui_fail(u, &err);
    if (started) *started = true;
    ui_runner_kick(u);
    ui_msg(u, UI_S_INFO, "%s %.8s started.", wf ? wf->label : workflow, id);
    ui_push(u, ui_exec_screen_for(u), id);
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

static int newreq_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    newreq_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    bool started;
    int f = ui_exec_start(u, st->wf[row]->name, &started);
    return started ? (f | UI_CLOSE) : f; /* the form replaces this screen */
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
