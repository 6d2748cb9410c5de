/* What the execution console shows, computed without curses (unit tested
 * in tests/unit/test_ui_exec.c): status words and marks, elapsed times and
 * ages, JSON as "key: value" lines, the lines that describe one step, the
 * status filter bar, and the detail screen's geometry. Never include
 * curses here. */
#ifndef HY_UI_EXEC_VIEW_H
#define HY_UI_EXEC_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"
#include "ops_exec.h"

/* ---- statuses ---- */

typedef enum {
    UI_MARK_DONE,
    UI_MARK_FAILED,
    UI_MARK_RUNNING,
    UI_MARK_WAITING,
    UI_MARK_PENDING,
    UI_MARK_SKIPPED,
    UI_MARK_CANCELLED,
} ui_mark;

/* The mark of a step or execution status ("completed" -> UI_MARK_DONE). */
ui_mark ui_status_mark(const char *status);
/* What people read: "awaiting input", "done", "failed"... (step: the
 * words of the step list; else of an execution). Never NULL. */
const char *ui_status_word(const char *status, bool step);
/* The SLA mark of a step waiting longer than [notify] remind_after_hours
 * (ops' `late`), in front of its status or age: a character, so that it
 * reads without colour too (the screens also colour it as failed). */
#define UI_LATE_MARK "!"

/* "12s", "3m 05s", "2h 04m", "3d 2h" (negative counts as 0). */
void ui_elapsed(int64_t ms, char out[24]);

/* ---- lines of text ---- */

typedef enum { UI_LINE_TEXT, UI_LINE_DIM, UI_LINE_HEAD, UI_LINE_ERROR, UI_LINE_OK } ui_line_kind;

typedef struct {
    ui_line_kind kind;
    char *text;                 /* raw (sanitized when drawn) */
} ui_line;

typedef struct {
    ui_line *v;
    int n, cap;
} ui_lines;

void ui_lines_add(ui_lines *l, ui_line_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ui_lines_free(ui_lines *l);

/* A JSON object (or array) as "key: value" lines, each prefixed by indent:
 * nested objects as "a.b: v", arrays of scalars joined "en, de", arrays of
 * objects as "a[1].b: v", booleans as yes/no, an empty array as "(none)".
 * Text that is not JSON is one line as it is. Returns the lines added. */
int ui_json_lines(const char *json, const char *indent, ui_line_kind kind, ui_lines *out);

/* Everything the detail pane says about one step: its description, kind
 * and integration, status and times (a running step's elapsed time at
 * now_ms), error, next attempt, the input and who gave it when, the
 * output, the skip reason or done-by-hand note, the attempts and the
 * calls. can_fill: this step waits and the viewer may fill it in. */
void ui_step_lines(const hy_exec_step *s, int64_t now_ms, bool can_fill, ui_lines *out);
/* "Notifications" and a line each for the notices about step `order` (a
 * completion or cancellation is about the step it ended at): event,
 * channel and recipient, status and when, why not. Nothing when none. */
void ui_notice_lines(const hy_notice *v, int n, int order, ui_lines *out);

/* ---- the executions list's status filters ---- */

typedef struct {
    const char *key;            /* "a" */
    const char *label;          /* "All" */
    const char *status;         /* ops' status name; NULL = all */
} ui_status_filter;

#define UI_NFILTERS 6
extern const ui_status_filter ui_status_filters[UI_NFILTERS];

/* The filter bar, e.g. "a All 200000  r Running 3  w Awaiting input 12 ...":
 * pieces (key, label and count per filter) that fit in width cells; when
 * the full labels do not fit, short ones ("Awaiting"), then also
 * "Done" and compact numbers ("190k") are used; "s Scheduled N" only when N
 * is not 0 (its piece is "" then). counts:
 * per hy_exec_status; exact false: counts are lower bounds ("10000+").
 * Writes each filter's text to out[i] (without the key) and returns the
 * total width. */
int ui_filter_bar(const int64_t counts[HY_EXEC_NSTATUS], int64_t total, bool exact, int width,
                  char out[UI_NFILTERS][64]);

/* The note under the filter bar for a search text (NULL: none): 1-2
 * characters match execution ids only; a search past the count cap. */
const char *ui_search_note(const char *search, bool exact);

/* ---- the detail screen's geometry ---- */

typedef struct {
    bool side_by_side;          /* wide terminals: steps left, detail right */
    ui_rect header;             /* the execution's header lines */
    int steps_title_y;          /* the "Steps" rule */
    ui_rect steps;              /* one row per step (scrolls when fewer rows than steps) */
    int detail_title_y;         /* the selected step's rule (stacked) */
    ui_rect detail;             /* the selected step's lines (scrolls) */
} ui_exec_geom;

#define UI_EXEC_HEADER_ROWS 4
#define UI_EXEC_WIDE 120        /* from this many columns: side by side */
#define UI_EXEC_STEPS_W 46      /* the steps column when side by side */

/* Splits the body: the header, then the steps (as many rows as steps when
 * they fit with at least 4 detail rows) and the detail. */
void ui_exec_layout(ui_rect body, int nsteps, ui_exec_geom *g);

#endif
