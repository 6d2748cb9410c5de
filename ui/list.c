/* The list widget: see list.h. */
#include "list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { L_UP = 1, L_DOWN, L_PGUP, L_PGDN, L_HOME, L_END, L_FILTER, L_CLEAR, L_KEEP, L_BKSP };

#define CURSOR_W 2   /* the selection mark and a space */
#define GAP 2        /* between columns */

const ui_action ui_list_actions[] = {
    {L_UP, "k Up", NULL, "Previous row"},
    {L_DOWN, "j Down", NULL, "Next row"},
    {L_PGUP, "PgUp C-b", NULL, "Previous page"},
    {L_PGDN, "PgDn C-f", NULL, "Next page"},
    {L_HOME, "Home g", NULL, "First row"},
    {L_END, "End G", NULL, "Last row"},
    {L_FILTER, "/", "Filter", "Filter the rows as you type"},
    UI_ACTIONS_END,
};

/* While typing a filter; the clear key only while a filter is set (below). */
const ui_action ui_list_filter_actions[] = {
    {L_KEEP, "Enter", "Keep filter", "Stop typing, keep the filter"},
    {L_CLEAR, "Esc", "Clear filter", "Clear the filter"},
    {L_BKSP, "Bksp", NULL, "Delete the last character of the filter"},
    {L_UP, "Up", NULL, "Previous row"},
    {L_DOWN, "Down", NULL, "Next row"},
    {L_PGUP, "PgUp", NULL, "Previous page"},
    {L_PGDN, "PgDn", NULL, "Next page"},
    UI_ACTIONS_END,
};

static const ui_action LIST_WITH_FILTER[] = {
    {L_CLEAR, "Esc", "Clear filter", "Clear the filter"},
    {L_UP, "k Up", NULL, "Previous row"},
    {L_DOWN, "j Down", NULL, "Next row"},
    {L_PGUP, "PgUp C-b", NULL, "Previous page"},
    {L_PGDN, "PgDn C-f", NULL, "Next page"},
    {L_HOME, "Home g", NULL, "First row"},
    {L_END, "End G", NULL, "Last row"},
    {L_FILTER, "/", "Filter", "Change the filter"},
    UI_ACTIONS_END,
};

static bool has_filter(const ui_list *l) { return ui_edit_text(&l->filter)[0] != '\0'; }

static const ui_action *list_actions(const ui_widget *w)
{
    const ui_list *l = (const ui_list *)w;
    if (l->filtering) return ui_list_filter_actions;
    return has_filter(l) ? LIST_WITH_FILTER : ui_list_actions;
}

static bool list_takes_text(const ui_widget *w) { return ((const ui_list *)w)->filtering; }

/* Keeps a copy of the selected row's id. */
static void remember(ui_list *l)
{
    free(l->sel_id);
    l->sel_id = NULL;
    int row = ui_list_selected(l);
    if (row >= 0 && l->row_id) l->sel_id = xstrdup(l->row_id(l->data, row));
}

static bool row_matches(ui_list *l, int row, const char *needle)
{
    char buf[512];
    for (int c = 0; c < l->ncols; c++) {
        const char *t = l->cell(l->data, row, c, buf, sizeof buf);
        if (t && strcasestr(t, needle)) return true;
    }
    return false;
}

/* The nearest row from sel the selection may rest on, going dir first
 * (then the other way); sel itself when none is. */
static int nearest_selectable(const ui_list *l, int sel, int dir)
{
    if (!l->selectable || l->nvis == 0) return sel;
    sel = ui_clamp(sel, 0, l->nvis - 1);
    for (int d = 0; d < 2; d++, dir = -dir)
        for (int i = sel; i >= 0 && i < l->nvis; i += dir)
            if (l->selectable(l->data, l->vis[i])) return i;
    return sel;
}

/* Rebuilds vis from the filter; the selection stays on keep_row if visible. */
static void refilter(ui_list *l, int keep_row)
{
    if (l->viscap < l->count) {
        free(l->vis);
        l->viscap = l->count > 16 ? l->count : 16;
        l->vis = xcalloc((size_t)l->viscap, sizeof *l->vis);
    }
    const char *needle = l->on_filter ? "" : ui_edit_text(&l->filter); /* the screen already filtered */
    l->nvis = 0;
    int new_sel = 0;
    for (int r = 0; r < l->count; r++) {
        if (*needle && !row_matches(l, r, needle)) continue;
        if (r == keep_row) new_sel = l->nvis;
        l->vis[l->nvis++] = r;
    }
    l->sel = l->nvis ? nearest_selectable(l, new_sel, +1) : 0;
    l->top = ui_scroll_top(l->nvis, ui_max(1, l->page), l->sel, l->top);
    remember(l);
}

/* The filter text changed: the screen filters (on_filter, e.g. through ops)
 * or the list does. */
static void filter_changed(ui_list *l, int keep)
{
    if (l->on_filter) l->on_filter(l->data, ui_edit_text(&l->filter)); /* calls ui_list_set_count */
    else refilter(l, keep);
}

/* Paged screens: at the last row, ask for the next page. */
static int at_end(ui_list *l, int flags)
{
    if (l->on_more && l->more && l->nvis > 0 && l->sel >= l->nvis - 1) {
        int before = l->count;
        l->on_more(l->data);
        if (l->count != before) return UI_REDRAW;
    }
    return flags;
}

static int move_dir(ui_list *l, int sel, int dir)
{
    if (l->nvis == 0) return UI_HANDLED;
    sel = nearest_selectable(l, ui_clamp(sel, 0, l->nvis - 1), dir);
    /* nothing to rest on that way: stay */
    if (l->selectable && ((dir > 0 && sel < l->sel) || (dir < 0 && sel > l->sel))) sel = l->sel;
    if (sel == l->sel) return at_end(l, UI_HANDLED);
    l->sel = sel;
    l->top = ui_scroll_top(l->nvis, ui_max(1, l->page), l->sel, l->top);
    remember(l);
    return at_end(l, UI_REDRAW);
}

static int move_to(ui_list *l, int sel)
{
    if (l->nvis == 0) return UI_HANDLED;
    sel = ui_clamp(sel, 0, l->nvis - 1);
    if (sel == l->sel) return at_end(l, UI_HANDLED);
    l->sel = sel;
    l->top = ui_scroll_top(l->nvis, ui_max(1, l->page), l->sel, l->top);
    remember(l);
    return at_end(l, UI_REDRAW);
}

static int page(ui_list *l, int dir)
{
    int sel = l->sel, top = l->top;
    ui_page(l->nvis, ui_max(1, l->page), dir, &sel, &top);
    sel = nearest_selectable(l, sel, dir);
    if (sel == l->sel && top == l->top) return dir > 0 ? at_end(l, UI_HANDLED) : UI_HANDLED;
    l->sel = sel;
    l->top = top;
    remember(l);
    return dir > 0 ? at_end(l, UI_REDRAW) : UI_REDRAW;
}

static int navigate(ui_list *l, int id)
{
    switch (id) {
    case L_UP: return move_dir(l, l->sel - 1, -1);
    case L_DOWN: return move_dir(l, l->sel + 1, +1);
    case L_PGUP: return page(l, -1);
    case L_PGDN: return page(l, +1);
    case L_HOME: return move_to(l, nearest_selectable(l, 0, +1));
    case L_END: return move_to(l, nearest_selectable(l, l->nvis - 1, -1));
    }
    return UI_NOT_MINE;
}

static int list_key(ui *u, ui_widget *w, ui_key k)
{
    (void)u;
    ui_list *l = (ui_list *)w;
    int keep = ui_list_selected(l);
    if (l->filtering) {
        const ui_action *a = ui_action_find(ui_list_filter_actions, k);
        unsigned cp;
        if (a && a->id == L_KEEP) {
            l->filtering = false;
            return UI_REDRAW;
        }
        if (a && a->id == L_CLEAR) {
            l->filtering = false;
            ui_edit_set(&l->filter, "");
            filter_changed(l, keep);
            return UI_REDRAW;
        }
        if (a && a->id == L_BKSP) {
            if (ui_edit_backspace(&l->filter)) filter_changed(l, keep);
            return UI_REDRAW;
        }
        if (a) return navigate(l, a->id);
        if (ui_key_is(k, "C-u")) {
            ui_edit_set(&l->filter, "");
            filter_changed(l, keep);
            return UI_REDRAW;
        }
        if (ui_key_char(k, &cp)) {
            if (ui_edit_insert(&l->filter, cp)) filter_changed(l, keep);
            return UI_REDRAW;
        }
        return UI_NOT_MINE; /* Ctrl-L, Ctrl-C... */
    }
    const ui_action *a = ui_action_find(list_actions(w), k);
    if (!a) return UI_NOT_MINE;
    if (a->id == L_FILTER) {
        l->filtering = true;
        ui_edit_end(&l->filter);
        return UI_REDRAW;
    }
    if (a->id == L_CLEAR) {
        ui_edit_set(&l->filter, "");
        filter_changed(l, keep);
        return UI_REDRAW;
    }
    return navigate(l, a->id);
}

void ui_list_init(ui_list *l, const ui_column *cols, int ncols, void *data, ui_cell_fn cell)
{
    memset(l, 0, sizeof *l);
    l->w = (ui_widget){.name = "List", .handle_key = list_key, .actions = list_actions, .takes_text = list_takes_text};
    l->cols = cols;
    l->ncols = ncols;
    l->data = data;
    l->cell = cell;
    l->filter.max = 200;
    ui_edit_set(&l->filter, "");
}

void ui_list_set_count(ui_list *l, int count)
{
    int old_row = ui_list_selected(l);
    l->count = count < 0 ? 0 : count;
    int keep = -1;
    for (int r = 0; l->sel_id && l->row_id && r < l->count && keep < 0; r++)
        if (hy_streq(l->row_id(l->data, r), l->sel_id)) keep = r;
    if (keep < 0) keep = ui_min(old_row < 0 ? 0 : old_row, l->count - 1);
    refilter(l, keep);
}

int ui_list_selected(const ui_list *l) { return l->nvis > 0 ? l->vis[l->sel] : -1; }

void ui_list_select(ui_list *l, int row)
{
    for (int i = 0; i < l->nvis; i++)
        if (l->vis[i] == row) {
            move_to(l, i);
            return;
        }
}

const char *ui_list_filter(const ui_list *l) { return ui_edit_text(&l->filter); }

void ui_list_free(ui_list *l)
{
    free(l->vis);
    free(l->sel_id);
    ui_edit_free(&l->filter);
    l->vis = NULL;
    l->sel_id = NULL;
}

/* ---- drawing ---- */

static void draw_status(ui *u, ui_list *l, int y, int x, int w)
{
    char count[96];
    const char *noun = l->noun ? l->noun : "rows";
    int total = l->on_filter ? l->total : l->count;
    const char *plus = l->on_more && l->more ? "+" : "";
    if ((has_filter(l) || l->filtering) && total > 0) snprintf(count, sizeof count, "%d of %d", l->nvis, total);
    else if (has_filter(l) || l->filtering) snprintf(count, sizeof count, "%d%s matching", l->nvis, plus);
    else if (l->on_filter && l->total > l->count) snprintf(count, sizeof count, "%d of %d %s", l->count, l->total, noun);
    else {
        char one[64];
        snprintf(count, sizeof count, "%d%s %s", l->count, plus, *plus ? noun : ui_noun(noun, l->count, one, sizeof one));
    }
    int cw = ui_text_width(count, u->ascii);
    int cx = x + w - cw - 1;
    ui_put(u, y, cx, cw, UI_S_DIM, UI_FIT_RAW, count);
    if (!l->filtering && !has_filter(l)) return;
    int fx = x + CURSOR_W;
    fx += ui_put(u, y, fx, 8, l->filtering ? UI_S_TITLE : UI_S_DIM, UI_FIT_RAW, "Filter: ");
    int fw = cx - fx - 2;
    if (fw < 2) return;
    int col = ui_edit_view(&l->filter, fw, false, u->ascii);
    ui_put(u, y, fx, fw, l->filtering ? UI_S_FIELD_FOCUS : UI_S_FIELD, UI_FIT_PAD, ui_edit_text(&l->filter) + l->filter.first);
    if (l->filtering) ui_cursor(u, y, fx + col);
}

void ui_list_draw(ui *u, ui_list *l, ui_rect r)
{
    if (r.h < 3 || r.w < 4) return;
    int widths[32];
    ui_colspec spec[32] = {{0, 0, 0}};
    int nc = ui_min(l->ncols, 32);
    for (int c = 0; c < nc; c++) spec[c] = (ui_colspec){l->cols[c].min, l->cols[c].max, l->cols[c].priority};
    ui_fit_columns(spec, nc, r.w - CURSOR_W - 1, GAP, widths);

    /* Titles. */
    int x = r.x + CURSOR_W;
    for (int c = 0; c < nc; c++) {
        if (!widths[c]) continue;
        ui_put(u, r.y, x, widths[c], UI_S_TITLE, UI_FIT_RAW | (l->cols[c].right ? UI_FIT_RIGHT : 0), l->cols[c].title);
        x += widths[c] + GAP;
    }
    int rows_h = r.h - 2;
    l->page = rows_h;
    l->top = ui_scroll_top(l->nvis, rows_h, l->sel, l->top);

    if (l->count == 0 || l->nvis == 0) {
        char m[300];
        if (l->count == 0) snprintf(m, sizeof m, "%s", l->empty_text ? l->empty_text : "Nothing here yet.");
        else snprintf(m, sizeof m, "No rows match the filter (Esc clears it).");
        ui_put(u, r.y + 2, r.x + CURSOR_W, r.w - CURSOR_W, UI_S_DIM, 0, m);
    }
    char buf[1024];
    for (int i = 0; i < rows_h && l->top + i < l->nvis; i++) {
        int vi = l->top + i, row = l->vis[vi], y = r.y + 1 + i;
        bool selected = vi == l->sel;
        /* The selection is a mark and the first column in reverse, not the
         * whole row: moving it rewrites a few cells (slow links). */
        if (selected) ui_put(u, y, r.x, 1, UI_S_TITLE, UI_FIT_RAW, u->g->cursor);
        x = r.x + CURSOR_W;
        bool first = true;
        for (int c = 0; c < nc; c++) {
            if (!widths[c]) continue;
            const char *t = l->cell(l->data, row, c, buf, sizeof buf);
            ui_style st = l->style ? l->style(l->data, row, c) : UI_S_NORMAL;
            if (selected && first) st = UI_S_SELECTED;
            unsigned fl = l->cols[c].right ? UI_FIT_RIGHT : (selected && first ? UI_FIT_PAD : 0);
            ui_put(u, y, x, widths[c], st, fl, t ? t : "");
            x += widths[c] + GAP;
            first = false;
        }
    }
    draw_status(u, l, r.y + r.h - 1, r.x, r.w);
}
