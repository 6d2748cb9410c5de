/* The list widget: rows in columns that fit the width, a selection, paging,
 * a `/` filter as you type with a count ("12 of 340"), an empty-state text
 * and a style per cell (status colours).
 *
 * The list does not own the rows: it asks the screen for each cell's text
 * through `cell` (raw text is fine: the list sanitizes what it draws).
 *
 *   ui_list_init(&st->list, ORG_COLS, 5, st, org_cell);   // not COLS: curses has it
 *   st->list.empty_text = "No organisations yet.";
 *   s->focus = &st->list.w;              // keys go to the list first
 *   ui_list_set_count(&st->list, n);     // after every (re)load
 *   ui_list_draw(u, &st->list, body);    // in the screen's draw
 *   int row = ui_list_selected(&st->list);  // -1 when empty
 */
#ifndef HY_UI_LIST_H
#define HY_UI_LIST_H

#include "edit.h"
#include "fw.h"

typedef struct {
    const char *title;
    int min, max;       /* cells; max 0 = takes what is left (see ui_colspec) */
    int priority;       /* higher stays longer when the terminal is narrow */
    bool right;         /* right-aligned (numbers) */
} ui_column;

/* Text of one cell (raw; sanitized when drawn). May return a pointer into
 * the screen's data or write into buf. NULL = empty. */
typedef const char *(*ui_cell_fn)(void *data, int row, int col, char *buf, size_t bufsz);

typedef struct ui_list {
    ui_widget w;                /* first member: the screen sets s->focus = &list.w */
    const ui_column *cols;
    int ncols;
    void *data;                 /* handed to the callbacks; not owned */
    ui_cell_fn cell;
    /* Optional: the style of a cell (UI_S_OK, UI_S_FAILED...); NULL: normal. */
    ui_style (*style)(void *data, int row, int col);
    /* Optional: a stable id of a row, to keep the selection across reloads. */
    const char *(*row_id)(void *data, int row);
    /* Optional: the screen filters itself (for big tables: in SQL through
     * ops). Called with the new text at every change; it reloads its rows
     * and calls ui_list_set_count, and the list shows every row it has.
     * NULL: the list matches the text in every cell (case-insensitive). */
    void (*on_filter)(void *data, const char *text);
    int total;                  /* with on_filter: rows before filtering, for "12 of 340" (0: unknown);
                                   without a filter, more than count: "200 of 100000 users" */
    /* Optional: the screen loads its rows a page at a time (big tables).
     * While `more` is set, reaching the last row calls on_more, which
     * appends the next page (ui_list_set_count with the larger count) and
     * updates `more`. The count then reads "200+ matching" when filtered. */
    void (*on_more)(void *data);
    bool more;
    /* Optional: rows the selection may rest on (headings and blank lines
     * of a detail page are skipped); NULL: every row. */
    bool (*selectable)(void *data, int row);
    const char *empty_text;     /* shown when there are no rows at all */
    const char *noun;           /* "organisations" in the count; NULL: "rows" */

    /* private */
    int count;                  /* rows in the data */
    int *vis;                   /* data rows passing the filter, in order */
    int nvis, viscap;
    int sel, top;               /* index into vis */
    int page;                   /* rows shown by the last draw */
    ui_edit filter;
    bool filtering;             /* typing goes to the filter */
    char *sel_id;
} ui_list;

void ui_list_init(ui_list *l, const ui_column *cols, int ncols, void *data, ui_cell_fn cell);
/* After (re)loading the data: re-applies the filter and keeps the
 * selection on the same row (by row_id, else by position). */
void ui_list_set_count(ui_list *l, int count);
/* The selected row (index into the data), or -1. */
int ui_list_selected(const ui_list *l);
void ui_list_select(ui_list *l, int row);
const char *ui_list_filter(const ui_list *l);   /* "" when none */
/* Draws in r: a title row, the rows, and a status row (filter and count). */
void ui_list_draw(ui *u, ui_list *l, ui_rect r);
void ui_list_free(ui_list *l);

/* Its keys (for help): the normal and the filter-typing tables. */
extern const ui_action ui_list_actions[];
extern const ui_action ui_list_filter_actions[];

#endif
