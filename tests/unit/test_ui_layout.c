/* The UI's layout logic and line editor, without a terminal (ui/layout.h,
 * ui/edit.h: no curses). */
#include "testlib.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "layout.h"
#include "workflows.h"

#define WORLD "\xe4\xb8\x96\xe7\x95\x8c"    /* 世界: two wide characters */
#define E_ACUTE "\xc3\xa9"                  /* é */
#define COMBINING_ACUTE "\xcc\x81"          /* U+0301 */
#define RLO "\xe2\x80\xae"                  /* U+202E */
#define ELLIPSIS "\xe2\x80\xa6"             /* … */

static void widths_follow_wcwidth(void **s)
{
    (void)s;
    assert_int_equal(ui_text_width("abc", false), 3);
    assert_int_equal(ui_text_width(WORLD, false), 4);
    assert_int_equal(ui_text_width(E_ACUTE, false), 1);
    assert_int_equal(ui_text_width("e" COMBINING_ACUTE, false), 1);
    assert_int_equal(ui_text_width("a\xff" "b", false), 3); /* an invalid byte is one cell */
    assert_int_equal(ui_text_width(WORLD, true), 2);        /* ASCII: one '?' each */
    assert_int_equal(ui_text_width(NULL, false), 0);
}

static void fit_truncates_by_cells(void **s)
{
    (void)s;
    char out[256];
    assert_int_equal(ui_fit("Organisations", 8, 0, out, sizeof out), 8);
    assert_string_equal(out, "Organis" ELLIPSIS);
    assert_int_equal(ui_fit("short", 8, 0, out, sizeof out), 5);
    assert_string_equal(out, "short");
    assert_int_equal(ui_fit("short", 8, UI_FIT_PAD, out, sizeof out), 8);
    assert_string_equal(out, "short   ");
    assert_int_equal(ui_fit("42", 5, UI_FIT_RIGHT, out, sizeof out), 5);
    assert_string_equal(out, "   42");
    /* A wide character never straddles the edge: a space takes its place. */
    assert_int_equal(ui_fit("a" WORLD "b", 4, 0, out, sizeof out), 4);
    assert_string_equal(out, "a\xe4\xb8\x96" ELLIPSIS);
    assert_int_equal(ui_fit("a" WORLD "b", 3, 0, out, sizeof out), 3);
    assert_string_equal(out, "a " ELLIPSIS);
    assert_int_equal(ui_fit(WORLD, 4, 0, out, sizeof out), 4);
    assert_string_equal(out, WORLD);
    assert_int_equal(ui_fit("anything", 0, 0, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(ui_fit("anything", 1, 0, out, sizeof out), 1);
    assert_string_equal(out, ELLIPSIS);
    /* A leading combining mark has nothing to combine with: dropped. */
    ui_fit(COMBINING_ACUTE "x", 5, 0, out, sizeof out);
    assert_string_equal(out, "x");
}

static void fit_sanitizes_and_falls_back_to_ascii(void **s)
{
    (void)s;
    char out[256];
    ui_fit("Evil\x1b[31mRed" RLO "gpj", 60, 0, out, sizeof out);
    assert_string_equal(out, "Evil\\x1b[31mRed\\u202egpj");
    assert_null(strchr(out, '\x1b'));
    ui_fit("Caf" E_ACUTE " " WORLD, 20, UI_FIT_ASCII, out, sizeof out);
    assert_string_equal(out, "Caf? ??");
    ui_fit("abcdefgh", 5, UI_FIT_ASCII, out, sizeof out);
    assert_string_equal(out, "abcd~");
    /* Our own text (RAW) is not escaped, but a stray control still cannot pass. */
    ui_fit("a\tb", 10, UI_FIT_RAW, out, sizeof out);
    assert_string_equal(out, "a\xef\xbf\xbd" "b");
    /* A small buffer is never overrun and stays valid UTF-8. */
    char tiny[5];
    ui_fit(WORLD WORLD, 8, 0, tiny, sizeof tiny);
    assert_string_equal(tiny, "\xe4\xb8\x96");
    /* The same for plain ASCII (copied, not decoded): no half ellipsis, padding bounded. */
    ui_fit("abcdefgh", 4, 0, tiny, sizeof tiny);
    assert_string_equal(tiny, "abc");
    ui_fit("ab", 90, UI_FIT_RIGHT, tiny, sizeof tiny);
    assert_string_equal(tiny, "    ");
    assert_int_equal(ui_fit("abcdefgh", 6, UI_FIT_RIGHT, out, sizeof out), 6);
    assert_string_equal(out, "abcde" ELLIPSIS);
    assert_int_equal(ui_fit("ab", 70, UI_FIT_RIGHT, out, sizeof out), 70);
    assert_int_equal((int)strlen(out), 70);
    assert_string_equal(out + 68, "ab");
}

static void wrap_breaks_at_spaces(void **s)
{
    (void)s;
    int st[8], ln[8];
    const char *t = "At least 8 characters; not your email address";
    int n = ui_wrap(t, 20, false, 8, st, ln);
    assert_int_equal(n, 3);
    assert_int_equal(ln[0], 10); /* breaks before "characters;", which does not fit */
    assert_memory_equal(t + st[0], "At least 8", 10);
    assert_memory_equal(t + st[1], "characters; not your", 20);
    assert_memory_equal(t + st[2], "email address", 13);
    for (int i = 0; i < n; i++) assert_true(ln[i] <= 20);
    /* A word longer than the line is cut. */
    n = ui_wrap("abcdefghij", 4, false, 8, st, ln);
    assert_int_equal(n, 3);
    assert_int_equal(ln[0], 4);
    assert_int_equal(ln[2], 2);
    /* Newlines break; the last allowed line takes the rest. */
    n = ui_wrap("one\ntwo\nthree four five", 10, false, 3, st, ln);
    assert_int_equal(n, 3);
    assert_int_equal(ln[0], 3);
    assert_int_equal(ln[1], 3);
    assert_int_equal(ln[2], (int)strlen("three four five"));
    /* Empty text is one empty line; wide characters count two cells. */
    assert_int_equal(ui_wrap("", 10, false, 8, st, ln), 1);
    assert_int_equal(ln[0], 0);
    n = ui_wrap(WORLD WORLD, 4, false, 8, st, ln);
    assert_int_equal(n, 2);
    assert_int_equal(ln[0], 6);
}

static void columns_fit_with_priorities(void **s)
{
    (void)s;
    ui_colspec c[] = {
        {8, 8, 5},      /* id: fixed, most important */
        {10, 0, 4},     /* name: flexible */
        {6, 12, 2},     /* status: grows to 12 */
        {16, 16, 1},    /* created: dropped first */
    };
    int w[4];
    /* Wide: everything shown; the fixed one grows to its max; flex takes the rest. */
    assert_int_equal(ui_fit_columns(c, 4, 100, 2, w), 4);
    assert_int_equal(w[0], 8);
    assert_int_equal(w[2], 12);
    assert_int_equal(w[3], 16);
    assert_int_equal(w[0] + w[1] + w[2] + w[3] + 3 * 2, 100);
    /* Narrow: the lowest priority goes first. */
    assert_int_equal(ui_fit_columns(c, 4, 40, 2, w), 3);
    assert_int_equal(w[3], 0);
    assert_int_equal(w[0] + w[1] + w[2] + 2 * 2, 40);
    assert_true(w[1] >= 10 && w[2] >= 6);
    /* Narrower still: only what is most important. */
    assert_int_equal(ui_fit_columns(c, 4, 20, 2, w), 2);
    assert_int_equal(w[2], 0);
    assert_int_equal(w[0], 8);
    assert_int_equal(w[1], 10);
    assert_int_equal(ui_fit_columns(c, 4, 3, 2, w), 0);
    assert_int_equal(w[0] + w[1] + w[2] + w[3], 0);
    /* Equal priorities: the rightmost is hidden first. */
    ui_colspec eq[] = {{10, 10, 1}, {10, 10, 1}};
    assert_int_equal(ui_fit_columns(eq, 2, 15, 1, w), 1);
    assert_int_equal(w[0], 10);
    assert_int_equal(w[1], 0);
}

static void scrolling_keeps_the_selection_visible(void **s)
{
    (void)s;
    assert_int_equal(ui_scroll_top(100, 10, 0, 0), 0);
    assert_int_equal(ui_scroll_top(100, 10, 9, 0), 0);
    assert_int_equal(ui_scroll_top(100, 10, 10, 0), 1);   /* one row down: scroll by one */
    assert_int_equal(ui_scroll_top(100, 10, 5, 20), 5);   /* above the window */
    assert_int_equal(ui_scroll_top(100, 10, 99, 0), 90);
    assert_int_equal(ui_scroll_top(5, 10, 4, 3), 0);      /* fewer rows than the window */
    assert_int_equal(ui_scroll_top(0, 10, 0, 7), 0);
    assert_int_equal(ui_scroll_top(100, 0, 50, 7), 0);    /* no room at all */
    int sel = 0, top = 0;
    ui_page(100, 10, +1, &sel, &top);
    assert_int_equal(sel, 10);
    assert_int_equal(top, 10);
    sel = 95, top = 90;
    ui_page(100, 10, +1, &sel, &top);
    assert_int_equal(sel, 99);
    assert_int_equal(top, 90);
    ui_page(100, 10, -1, &sel, &top);
    assert_int_equal(sel, 89);
    assert_int_equal(top, 80);
    sel = 3, top = 0;
    ui_page(100, 10, -1, &sel, &top);
    assert_int_equal(sel, 0);
    assert_int_equal(top, 0);
    ui_page(0, 10, 1, &sel, &top);
    assert_int_equal(sel, 0);
}

static void hints_keep_help_last(void **s)
{
    (void)s;
    ui_hint h[] = {{"Enter", "Open"}, {"/", "Filter"}, {"q", "Back"}, {"Q", "Quit"}, {"?", "Help"}};
    bool shown[5];
    assert_int_equal(ui_hint_width(&h[0], false), 10);
    /* "Enter Open  / Filter  q Back  Q Quit  ? Help" = 44 cells */
    assert_int_equal(ui_fit_hints(h, 5, 44, false, shown), 5);
    assert_int_equal(ui_fit_hints(h, 5, 36, false, shown), 4); /* 12 + 10 + 8 + "? Help" */
    assert_true(shown[0] && shown[1] && shown[2] && !shown[3] && shown[4]);
    assert_int_equal(ui_fit_hints(h, 5, 35, false, shown), 3);
    assert_false(shown[2]);
    assert_int_equal(ui_fit_hints(h, 5, 6, false, shown), 1);
    assert_true(shown[4] && !shown[0]);
    assert_int_equal(ui_fit_hints(h, 5, 3, false, shown), 0);
}

static void form_geometry_places_errors(void **s)
{
    (void)s;
    ui_form_item it[] = {
        {.label_w = 7, .value_pref = 30, .lines = 1},                       /* "Email *" */
        {.label_w = 14, .value_pref = 30, .lines = 1, .error_w = 29},       /* "New password *" + error */
        {.label_w = 5, .lines = 1, .wrap_text = "At least 8 characters; not your email address; not admin123."},
        {.label_w = 9, .value_pref = 20, .lines = 3},                        /* a multi-select */
    };
    ui_form_place p[4];
    int h = ui_form_layout(it, 4, 100, false, p);
    assert_int_equal(p[0].value_x, 16);          /* widest label (14) + ": " */
    assert_int_equal(p[1].value_x, 16);
    assert_int_equal(p[0].value_w, 30);
    assert_false(p[1].error_below);              /* room beside: 16+30+2+29 <= 100 */
    assert_int_equal(p[1].error_x, 48);
    assert_int_equal(p[1].error_y, p[1].y);
    assert_int_equal(p[2].lines, 1);             /* 61 cells fit in 84 */
    assert_int_equal(p[3].y, 3);
    assert_int_equal(h, 6);
    /* At 60 columns the error goes under its field and the rules wrap. */
    h = ui_form_layout(it, 4, 60, false, p);
    assert_int_equal(p[1].value_x, 16);
    assert_true(p[1].error_below);
    assert_int_equal(p[1].error_y, p[1].y + 1);
    assert_int_equal(p[1].error_x, 16);
    assert_int_equal(p[1].height, 2);
    assert_int_equal(p[2].y, 3);
    assert_int_equal(p[2].lines, 2);
    assert_int_equal(h, 1 + 2 + 2 + 3);
    /* Labels are capped at two fifths of the width, and at UI_FORM_LABEL_MAX. */
    ui_form_item longl[] = {{.label_w = 40, .value_pref = 10, .lines = 1}};
    ui_form_layout(longl, 1, 60, false, p);
    assert_int_equal(p[0].value_x, 24 + 2);
    ui_form_layout(longl, 1, 200, false, p);
    assert_int_equal(p[0].value_x, UI_FORM_LABEL_MAX + 2);
    /* A label of UI_FORM_LABEL_MAX cells is shown whole in a form 80 cells wide. */
    ui_form_item lms[] = {{.label_w = 32, .value_pref = 3, .lines = 1}};
    ui_form_layout(lms, 1, 80, false, p);
    assert_int_equal(p[0].value_x, 32 + 2);
}

/* The execution lists' Workflow column is 11 cells: each workflow's short
 * label fits whole, and no two are alike. */
static void workflow_short_labels_fit_the_lists(void **s)
{
    (void)s;
    const hy_workflow_def *wf;
    for (int i = 0; (wf = workflow_at(i)); i++) {
        const char *l = wf->short_label;
        assert_non_null(l);
        if (ui_text_width(l, false) > 11) fail_msg("%s: '%s' is wider than 11 cells", wf->name, l);
        for (int k = 0; k < i; k++) assert_string_not_equal(l, workflow_at(k)->short_label);
    }
}

static void editor_is_utf8_correct(void **s)
{
    (void)s;
    ui_edit e = {0};
    ui_edit_set(&e, "");
    assert_true(ui_edit_insert(&e, 'a'));
    assert_true(ui_edit_insert(&e, 0x4E16)); /* 世 */
    assert_true(ui_edit_insert(&e, 0xE9));   /* é */
    assert_string_equal(ui_edit_text(&e), "a\xe4\xb8\x96\xc3\xa9");
    assert_int_equal(ui_edit_chars(&e), 3);
    assert_true(ui_edit_left(&e));
    assert_true(ui_edit_backspace(&e));      /* removes the whole 世 */
    assert_string_equal(ui_edit_text(&e), "a\xc3\xa9");
    assert_int_equal(e.cur, 1);
    assert_true(ui_edit_delete(&e));
    assert_string_equal(ui_edit_text(&e), "a");
    assert_false(ui_edit_delete(&e));
    /* Control and bidi characters are refused. */
    assert_false(ui_edit_insert(&e, 0x1B));
    assert_false(ui_edit_insert(&e, 0x202E));
    assert_false(ui_edit_insert(&e, 0x85));
    assert_string_equal(ui_edit_text(&e), "a");
    /* The byte limit. */
    e.max = 3;
    assert_true(ui_edit_insert(&e, 'b'));
    assert_false(ui_edit_insert(&e, 0xE9)); /* 2 bytes would make 4 */
    assert_true(ui_edit_insert(&e, 'c'));
    assert_string_equal(ui_edit_text(&e), "abc");
    e.max = 0;
    /* Words and lines. */
    ui_edit_set(&e, "hello big world");
    assert_true(ui_edit_delete_word(&e));
    assert_string_equal(ui_edit_text(&e), "hello big ");
    ui_edit_home(&e);
    ui_edit_right(&e);
    assert_true(ui_edit_kill_after(&e));
    assert_string_equal(ui_edit_text(&e), "h");
    assert_true(ui_edit_kill_before(&e));
    assert_string_equal(ui_edit_text(&e), "");
    ui_edit_free(&e);
    assert_null(e.s);
}

static void editor_view_scrolls_to_the_cursor(void **s)
{
    (void)s;
    ui_edit e = {0};
    ui_edit_set(&e, "abcdefghij");              /* cursor at the end */
    assert_int_equal(ui_edit_view(&e, 5, false, false), 4);
    assert_int_equal(e.first, 6);               /* shows "ghij" and the cursor cell */
    ui_edit_home(&e);
    assert_int_equal(ui_edit_view(&e, 5, false, false), 0);
    assert_int_equal(e.first, 0);
    ui_edit_set(&e, WORLD WORLD);               /* 8 cells */
    assert_int_equal(ui_edit_view(&e, 5, false, false), 4);
    assert_int_equal(e.first, 6);               /* two wide characters shown */
    assert_int_equal(ui_edit_view(&e, 5, true, false), 4);   /* masked: one cell each */
    assert_int_equal(e.first, 0);
    ui_edit_free(&e);
}

static void nouns_agree_with_counts(void **s)
{
    (void)s;
    char b[64];
    assert_string_equal(ui_noun("organisations", 1, b, sizeof b), "organisation");
    assert_string_equal(ui_noun("organisations", 2, b, sizeof b), "organisations");
    assert_string_equal(ui_noun("organisations", 0, b, sizeof b), "organisations");
    assert_string_equal(ui_noun("entries", 1, b, sizeof b), "entry");
    assert_string_equal(ui_noun("matching", 1, b, sizeof b), "matching");
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nouns_agree_with_counts),
        cmocka_unit_test(widths_follow_wcwidth),
        cmocka_unit_test(fit_truncates_by_cells),
        cmocka_unit_test(fit_sanitizes_and_falls_back_to_ascii),
        cmocka_unit_test(wrap_breaks_at_spaces),
        cmocka_unit_test(columns_fit_with_priorities),
        cmocka_unit_test(scrolling_keeps_the_selection_visible),
        cmocka_unit_test(hints_keep_help_last),
        cmocka_unit_test(form_geometry_places_errors),
        cmocka_unit_test(workflow_short_labels_fit_the_lists),
        cmocka_unit_test(editor_is_utf8_correct),
        cmocka_unit_test(editor_view_scrolls_to_the_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
