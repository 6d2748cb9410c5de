/* Layout logic of the terminal UI, free of curses so that it is unit tested
 * without a terminal (tests/unit/test_ui_layout.c): display widths, fitting
 * text into cells, column fitting, scrolling, word wrap, the bottom bar's
 * hints and form geometry. Never include curses here.
 *
 * Widths are terminal cells (wcwidth): "世" is 2, a combining mark 0. They
 * depend on LC_CTYPE being a UTF-8 locale (setlocale first). In ASCII mode
 * every non-ASCII character is shown as '?' and counts 1. */
#ifndef HY_UI_LAYOUT_H
#define HY_UI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int y, x, h, w;
} ui_rect;

static inline int ui_min(int a, int b) { return a < b ? a : b; }
static inline int ui_max(int a, int b) { return a > b ? a : b; }
static inline int ui_clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- text ---- */

/* Cells one code point takes: wcwidth, with anything unprintable counted as
 * 1 (ui_fit shows it as U+FFFD). ascii: always 1. */
int ui_cp_width(unsigned cp, bool ascii);
/* Cells a UTF-8 string takes (invalid bytes count 1 each). */
int ui_text_width(const char *s, bool ascii);

enum {
    UI_FIT_ASCII = 1 << 0,  /* non-ASCII shown as '?'; ellipsis '~' */
    UI_FIT_PAD = 1 << 1,    /* pad with spaces to exactly width cells */
    UI_FIT_RIGHT = 1 << 2,  /* right-align (implies padding on the left) */
    UI_FIT_RAW = 1 << 3,    /* the text is our own (already safe): skip hy_sanitize */
};

/* Fits text into at most width cells and writes it to out as UTF-8:
 * sanitizes it first (control, escape and bidi characters shown escaped, as
 * hy_sanitize does) unless UI_FIT_RAW, truncates with an ellipsis ("…", or
 * "~" in ASCII mode) when it is longer, never cuts a wide character in half
 * (pads instead). out is always NUL-terminated; outsz of 4*width+16 bytes
 * (plus room for combining marks) is enough. Returns the cells written. */
int ui_fit(const char *text, int width, unsigned flags, char *out, size_t outsz);

/* Word-wraps (already sanitized) text into lines of at most width cells.
 * Line i is text[start[i] .. start[i]+len[i]). Words longer than a line are
 * cut. Explicit '\n' breaks a line. Returns the number of lines (at most
 * maxlines; at least 1, even for ""). */
int ui_wrap(const char *text, int width, bool ascii, int maxlines, int *start, int *len);

/* ---- lists ---- */

/* A column's wishes. Widths in cells. */
typedef struct {
    int min;        /* never narrower; the column is hidden rather than squeezed */
    int max;        /* grows up to this; 0 = takes whatever is left (flexible) */
    int priority;   /* when the width does not fit every column, the lowest
                       priority is hidden first (ties: the rightmost) */
} ui_colspec;

/* Chooses each column's width (widths[i] = 0: hidden) for a row of `width`
 * cells with `gap` cells between visible columns. Visible columns get their
 * min, then fixed columns grow towards max in priority order, then flexible
 * ones share what is left. Returns the number of visible columns. */
int ui_fit_columns(const ui_colspec *cols, int n, int width, int gap, int *widths);

/* The first visible row of a window of `height` rows over `count` rows such
 * that row `sel` is visible, moving as little as possible from `top`. */
int ui_scroll_top(int count, int height, int sel, int top);
/* Page up (dir -1) or down (+1): moves the window and the selection by one
 * page, clamped. */
void ui_page(int count, int height, int dir, int *sel, int *top);

/* ---- the bottom bar ---- */

typedef struct {
    const char *key;    /* "Enter" */
    const char *label;  /* "Open" */
} ui_hint;

/* Which hints fit in width cells, each drawn as "key label" with two
 * spaces between hints. The last hint (help) is kept whenever it fits at
 * all; the others are taken in order until the room runs out. Sets shown[i];
 * returns how many are shown. */
int ui_fit_hints(const ui_hint *h, int n, int width, bool ascii, bool *shown);
/* Cells one hint takes ("key label"). */
int ui_hint_width(const ui_hint *h, bool ascii);

/* ---- forms ---- */

typedef struct {
    int label_w;            /* cells of the label, including the required mark */
    int value_pref;         /* preferred cells of the value area */
    int lines;              /* rows of the value (multi-select: one per option); >= 1 */
    const char *wrap_text;  /* read-only text to wrap to the value width (then lines is computed) */
    int error_w;            /* cells of the field's error message; 0 = none */
} ui_form_item;

typedef struct {
    int y;                  /* first row, from the form's top */
    int label_x;
    int value_x, value_w;
    int lines;              /* rows of the value */
    int error_y, error_x, error_w;  /* where the error goes (error_w 0: none) */
    bool error_below;       /* true: on its own row under the value */
    int height;             /* rows this field takes, error row included */
} ui_form_place;

#define UI_FORM_LABEL_MAX 32  /* labels wider than this are truncated */
#define UI_FORM_VALUE_MIN 8   /* value areas are at least this wide when possible */

/* Places n fields in a form of `width` cells. The label column is as wide
 * as the widest label (at most UI_FORM_LABEL_MAX and two fifths of the width),
 * then ": ". An error goes beside its value when it fits there in full,
 * else on the row under the value (truncated to the width). The value area
 * is narrowed to value_pref but never below UI_FORM_VALUE_MIN cells when
 * the width allows. Returns the total height in rows. */
int ui_form_layout(const ui_form_item *items, int n, int width, bool ascii, ui_form_place *out);

/* A count's noun: the plural as given for any number but 1, else its
 * singular ("1 organisation", "1 entry"). Returns plural or buf. */
const char *ui_noun(const char *plural, long long n, char *buf, size_t bufsz);

#endif
