/* Choosing one row of a list (an organisation, a Metabase group), with the
 * list's `/` filter. Answers the chosen row's id: see ui_pick_arg. */
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "screens.h"

typedef struct {
    ui_list list;
    ui_column cols[2];
    char *heading;
    char **ids, **labels, **details;    /* owned copies */
    int n;
} pick_state;

enum { A_CHOOSE = 1 };

static const ui_action PICK_ACTIONS[] = {
    {A_CHOOSE, "Enter", "Choose", "Choose the selected row"},
    UI_ACTIONS_END,
};

static const char *pick_cell(void *data, int row, int col, char *buf, size_t n)
{
    (void)buf, (void)n;
    pick_state *st = data;
    return col == 0 ? st->labels[row] : (st->details ? st->details[row] : NULL);
}

static const char *pick_id(void *data, int row) { return ((pick_state *)data)->ids[row]; }

static char **copy_all(const char *const *v, int n)
{
    if (!v) return NULL;
    char **out = xcalloc((size_t)(n ? n : 1), sizeof *out);
    for (int i = 0; i < n; i++) out[i] = xstrdup(v[i] ? v[i] : "");
    return out;
}

static int pick_open(ui *u, screen *s, const void *arg)
{
    (void)u;
    pick_state *st = s->state;
    const ui_pick_arg *a = arg;
    st->n = a->n;
    st->heading = xstrdup(a->heading ? a->heading : "");
    st->ids = copy_all(a->ids, a->n);
    st->labels = copy_all(a->labels, a->n);
    st->details = copy_all(a->details, a->n);
    st->cols[0] = (ui_column){a->col1 ? a->col1 : "Name", 16, 0, 9, false};
    st->cols[1] = (ui_column){a->col2 ? a->col2 : "", 10, 40, 1, false};
    ui_list_init(&st->list, st->cols, a->col2 ? 2 : 1, st, pick_cell);
    st->list.row_id = pick_id;
    st->list.noun = a->noun;
    st->list.empty_text = "Nothing to choose from.";
    ui_list_set_count(&st->list, st->n);
    for (int i = 0; a->selected && i < st->n; i++)
        if (strcmp(st->ids[i], a->selected) == 0) ui_list_select(&st->list, i);
    s->focus = &st->list.w;
    return UI_REDRAW;
}

static void pick_draw(ui *u, screen *s, ui_rect body)
{
    pick_state *st = s->state;
    ui_put(u, body.y + 1, body.x + 2, body.w - 4, UI_S_TITLE, 0, st->heading); /* may name a user */
    ui_list_draw(u, &st->list, (ui_rect){body.y + 3, body.x + 1, body.h - 3, body.w - 2});
}

static int pick_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)k;
    pick_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    return ui_finish(s, 1, st->ids[row]);
}

static void free_all(char **v, int n)
{
    for (int i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

static void pick_close(ui *u, screen *s)
{
    (void)u;
    pick_state *st = s->state;
    ui_list_free(&st->list);
    free(st->heading);
    free_all(st->ids, st->n);
    free_all(st->labels, st->n);
    free_all(st->details, st->n);
}

const screen_ops ui_pick_screen = {
    .name = "Choose",
    .state_size = sizeof(pick_state),
    .actions = PICK_ACTIONS,
    .open = pick_open,
    .draw = pick_draw,
    .handle_key = pick_key,
    .close = pick_close,
};
