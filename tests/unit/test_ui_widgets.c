/* The UI's keys, key chain, list and form widgets, driven by keys without
 * a terminal (nothing here draws). */
#include "testlib.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fw.h"
#include "list.h"

static ui_key ch(int c) { return (ui_key){false, c}; }
static ui_key fn(int c) { return (ui_key){true, c}; }

static void keys_match_their_names(void **s)
{
    (void)s;
    assert_true(ui_key_is(ch('j'), "j Down"));
    assert_true(ui_key_is(fn(KEY_DOWN), "j Down"));
    assert_false(ui_key_is(ch('k'), "j Down"));
    assert_false(ui_key_is(fn('j'), "j Down"));
    assert_true(ui_key_is(ch('\r'), "Enter"));
    assert_true(ui_key_is(ch('\n'), "Enter"));
    assert_true(ui_key_is(fn(KEY_ENTER), "Enter"));
    assert_true(ui_key_is(ch(27), "q Esc"));
    assert_true(ui_key_is(ch(12), "C-l"));
    assert_true(ui_key_is(fn(KEY_F(1)), "? F1"));
    assert_true(ui_key_is(fn(KEY_F(12)), "F12"));
    assert_true(ui_key_is(fn(KEY_BTAB), "BTab"));
    assert_true(ui_key_is(ch(127), "Bksp"));
    assert_true(ui_key_is(fn(KEY_BACKSPACE), "Bksp"));
    assert_true(ui_key_is(ch(0xE9), "\xc3\xa9"));    /* é as a key name */
    unsigned cp;
    assert_true(ui_key_char(ch('x'), &cp));
    assert_int_equal(cp, 'x');
    assert_false(ui_key_char(ch(27), &cp));
    assert_false(ui_key_char(fn(KEY_UP), &cp));
    char d[16];
    ui_key_display("C-l", 3, d, sizeof d);
    assert_string_equal(d, "^L");
    ui_key_display("BTab", 4, d, sizeof d);
    assert_string_equal(d, "S-Tab");
    ui_key k;
    assert_true(ui_key_from_name("PgDn", 4, &k));
    assert_true(k.fn && k.code == KEY_NPAGE);
    assert_false(ui_key_from_name("Nope", 4, &k));
}

/* ---- the key chain ---- */

static const ui_action SCREEN_ACTIONS[] = {
    {1, "Enter", "Save", "Save"},
    {2, "Esc", "Cancel", "Cancel"},
    UI_ACTIONS_END,
};
static const screen_ops FAKE_SCREEN = {.name = "Fake", .actions = SCREEN_ACTIONS};

static void reachable_keys_follow_the_chain(void **s)
{
    (void)s;
    ui_form form;
    ui_form_init(&form);
    ui_form_text(&form, "name", "Name", true, NULL, 100);
    screen sc = {.ops = &FAKE_SCREEN, .focus = &form.w};
    ui_level lv[3];
    bool text;
    int n = ui_key_levels(&sc, lv, &text);
    assert_int_equal(n, 3);
    assert_true(text); /* a form takes typing */
    assert_string_equal(lv[0].title, "Form");
    assert_string_equal(lv[1].title, "Fake");
    assert_ptr_equal(lv[2].actions, ui_global_actions);
    char out[64];
    /* Global "q Esc" Back: q is typing, Esc is the screen's Cancel: unreachable. */
    const ui_action *back = ui_action_find(ui_global_actions, ch('q'));
    assert_non_null(back);
    assert_int_equal(ui_reachable_keys(lv, 2, back, text, " ", out, sizeof out), 0);
    /* Global "? F1" Help: only F1 reaches it from a form. */
    const ui_action *help = ui_action_find(ui_global_actions, ch('?'));
    assert_int_equal(ui_reachable_keys(lv, 2, help, text, ", ", out, sizeof out), 1);
    assert_string_equal(out, "F1");
    /* Without a widget, both keys do. */
    screen bare = {.ops = &FAKE_SCREEN};
    n = ui_key_levels(&bare, lv, &text);
    assert_int_equal(n, 2);
    assert_false(text);
    assert_int_equal(ui_reachable_keys(lv, 1, help, text, ", ", out, sizeof out), 2);
    assert_string_equal(out, "?, F1");
    ui_form_free(&form);
}

/* ---- list ---- */

typedef struct {
    int n;
    char names[300][16];
} rows;

static const char *cell(void *data, int row, int col, char *buf, size_t bufsz)
{
    rows *r = data;
    if (col == 0) return r->names[row];
    snprintf(buf, bufsz, "%d", row);
    return buf;
}

static const char *row_id(void *data, int row) { return ((rows *)data)->names[row]; }

static const ui_column LIST_COLS[] = {{"Name", 10, 0, 2, false}, {"N", 3, 5, 1, true}};

/* The oracle: rows whose name or number contains the text. */
static int matching(rows *r, const char *needle)
{
    int n = 0;
    for (int i = 0; i < r->n; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        if (strstr(r->names[i], needle) || strstr(num, needle)) n++;
    }
    return n;
}

static int key(ui_list *l, ui_key k) { return l->w.handle_key(NULL, &l->w, k); }

static void list_moves_pages_and_filters(void **s)
{
    (void)s;
    rows *r = calloc(1, sizeof *r);
    r->n = 300;
    for (int i = 0; i < r->n; i++) snprintf(r->names[i], sizeof r->names[i], "org-%03d", i);
    ui_list l;
    ui_list_init(&l, LIST_COLS, 2, r, cell);
    l.row_id = row_id;
    ui_list_set_count(&l, r->n);
    l.page = 20; /* as if drawn with 20 rows */
    assert_int_equal(ui_list_selected(&l), 0);
    assert_int_equal(key(&l, ch('j')), UI_REDRAW);
    assert_int_equal(key(&l, fn(KEY_DOWN)), UI_REDRAW);
    assert_int_equal(ui_list_selected(&l), 2);
    assert_int_equal(key(&l, ch('k')), UI_REDRAW);
    assert_int_equal(ui_list_selected(&l), 1);
    key(&l, fn(KEY_NPAGE));
    assert_int_equal(ui_list_selected(&l), 21);
    key(&l, fn(KEY_END));
    assert_int_equal(ui_list_selected(&l), 299);
    assert_int_equal(key(&l, ch('j')), UI_HANDLED); /* at the end: nothing to draw */
    key(&l, ch('g'));
    assert_int_equal(ui_list_selected(&l), 0);
    assert_int_equal(key(&l, ch('x')), UI_NOT_MINE); /* not the list's */
    assert_int_equal(key(&l, ch('\r')), UI_NOT_MINE);

    /* "/" then typing filters as you type (over every column). */
    assert_int_equal(key(&l, ch('/')), UI_REDRAW);
    assert_true(l.w.takes_text(&l.w));
    key(&l, ch('0'));
    key(&l, ch('1'));
    assert_int_equal(l.nvis, matching(r, "01"));
    assert_int_equal(l.nvis, 13);
    key(&l, ch('2'));
    assert_int_equal(l.nvis, 1);
    assert_string_equal(ui_list_filter(&l), "012");
    assert_int_equal(key(&l, ch('q')), UI_REDRAW); /* typing, not "back" */
    assert_int_equal(l.nvis, 0);
    key(&l, ch(127));
    assert_int_equal(l.nvis, 1);
    assert_int_equal(key(&l, ch('\r')), UI_REDRAW); /* keeps the filter */
    assert_false(l.w.takes_text(&l.w));
    assert_int_equal(l.nvis, 1);
    int sel = ui_list_selected(&l);
    assert_string_equal(r->names[sel], "org-012");
    /* Esc clears a kept filter; the selection stays on the same row. */
    assert_int_equal(key(&l, ch(27)), UI_REDRAW);
    assert_int_equal(l.nvis, 300);
    assert_int_equal(ui_list_selected(&l), 12);
    assert_int_equal(key(&l, ch(27)), UI_NOT_MINE); /* no filter: Esc goes back */

    /* A reload with rows inserted before keeps the same row selected (by id). */
    memmove(r->names[1], r->names[0], sizeof r->names[0] * 299);
    snprintf(r->names[0], sizeof r->names[0], "new-org");
    ui_list_set_count(&l, 300);
    assert_string_equal(r->names[ui_list_selected(&l)], "org-012");
    ui_list_set_count(&l, 0);
    assert_int_equal(ui_list_selected(&l), -1);
    assert_int_equal(key(&l, ch('j')), UI_HANDLED);
    ui_list_free(&l);
    free(r);
}

/* Headings: every row whose name starts with '#' (a detail page's). */
static bool not_heading(void *data, int row) { return ((rows *)data)->names[row][0] != '#'; }

static void list_skips_headings(void **s)
{
    (void)s;
    rows *r = calloc(1, sizeof *r);
    const char *names[] = {"#head", "a", "b", "#head2", "", "c", "#tail"};
    r->n = 7;
    for (int i = 0; i < r->n; i++) snprintf(r->names[i], sizeof r->names[i], "%s", names[i]);
    snprintf(r->names[4], sizeof r->names[4], "#blank");
    ui_list l;
    ui_list_init(&l, LIST_COLS, 2, r, cell);
    l.selectable = not_heading;
    ui_list_set_count(&l, r->n);
    l.page = 20;
    assert_int_equal(ui_list_selected(&l), 1); /* not on the first heading */
    key(&l, ch('k'));
    assert_int_equal(ui_list_selected(&l), 1); /* nothing to rest on above */
    key(&l, ch('j'));
    key(&l, ch('j'));
    assert_int_equal(ui_list_selected(&l), 5); /* over the heading and the blank line */
    assert_int_equal(key(&l, ch('j')), UI_HANDLED); /* only a heading below */
    key(&l, ch('g'));
    assert_int_equal(ui_list_selected(&l), 1);
    key(&l, ch('G'));
    assert_int_equal(ui_list_selected(&l), 5);
    ui_list_free(&l);
    free(r);
}

/* A screen that filters itself (as it would through ops). */
typedef struct {
    rows all, shown;
    int calls;
    ui_list *list;
} server_rows;

static const char *server_cell(void *data, int row, int col, char *buf, size_t bufsz)
{
    return cell(&((server_rows *)data)->shown, row, col, buf, bufsz);
}

static void server_filter(void *data, const char *text)
{
    server_rows *sr = data;
    sr->calls++;
    sr->shown.n = 0;
    for (int i = 0; i < sr->all.n; i++)
        if (strstr(sr->all.names[i], text)) memcpy(sr->shown.names[sr->shown.n++], sr->all.names[i], 16);
    ui_list_set_count(sr->list, sr->shown.n);
}

static void list_can_leave_filtering_to_the_screen(void **s)
{
    (void)s;
    server_rows *sr = calloc(1, sizeof *sr);
    sr->all.n = 300;
    for (int i = 0; i < 300; i++) snprintf(sr->all.names[i], 16, "org-%03d", i);
    sr->shown = sr->all;
    ui_list l;
    ui_list_init(&l, LIST_COLS, 2, sr, server_cell);
    l.on_filter = server_filter;
    l.total = 300;
    sr->list = &l;
    ui_list_set_count(&l, sr->shown.n);
    key(&l, ch('/'));
    key(&l, ch('2'));
    key(&l, ch('9'));
    assert_int_equal(sr->calls, 2);          /* once per keystroke */
    assert_int_equal(l.nvis, 13);            /* org-029, 129, 229, 290..299: the screen's rows, shown as they are */
    assert_string_equal(sr->shown.names[ui_list_selected(&l)], "org-029");
    key(&l, ch(27));
    assert_int_equal(sr->calls, 3);
    assert_int_equal(l.nvis, 300);
    ui_list_free(&l);
    free(sr);
}

/* ---- form ---- */

static int fkey(ui_form *f, ui_key k) { return f->w.handle_key(NULL, &f->w, k); }
static void type(ui_form *f, const char *s)
{
    for (; *s; s++) fkey(f, ch((unsigned char)*s));
}

static void form_edits_validates_and_maps_errors(void **s)
{
    (void)s;
    ui_form f;
    ui_form_init(&f);
    const char *roles[] = {"admin", "partner_admin", "user"};
    const char *companies[] = {"Acme Test", "Acme Prod"};
    ui_form_info(&f, "Note", "read only");
    ui_form_text(&f, "email", "Email", true, NULL, 254);
    ui_form_password(&f, "password", "Password", true, 64);
    ui_form_choice(&f, "role", "Role", roles, 3, 2);
    ui_form_check(&f, "active", "Active", false);
    ui_form_multi(&f, "companies", "Companies", companies, 2, NULL);
    assert_int_equal(f.focus, 1); /* info lines never take the focus */
    assert_false(f.dirty);        /* nothing typed yet: Esc need not ask */

    type(&f, "a@b.example");
    assert_true(f.dirty);
    assert_string_equal(ui_form_get(&f, "email"), "a@b.example");
    assert_int_equal(fkey(&f, ch('\r')), UI_NOT_MINE); /* Enter and Esc are the screen's */
    assert_int_equal(fkey(&f, ch(27)), UI_NOT_MINE);
    assert_int_equal(fkey(&f, ch(12)), UI_NOT_MINE);   /* Ctrl-L too */
    assert_false(ui_form_check_required(&f));          /* the password is empty */
    assert_string_equal(ui_form_field(&f, "password")->error, "is required");
    assert_null(ui_form_field(&f, "email")->error);
    assert_int_equal(f.focus, 2);                      /* moved to the first error */
    type(&f, "secret-1");
    assert_null(ui_form_field(&f, "password")->error); /* typing answers the error */
    assert_string_equal(ui_form_get(&f, "password"), "secret-1");

    fkey(&f, ch('\t'));
    assert_int_equal(f.focus, 3);
    fkey(&f, fn(KEY_RIGHT));
    assert_string_equal(ui_form_get(&f, "role"), "user");  /* Right stops at the last */
    fkey(&f, ch(' '));
    assert_string_equal(ui_form_get(&f, "role"), "admin"); /* Space goes round */
    fkey(&f, fn(KEY_LEFT));
    assert_string_equal(ui_form_get(&f, "role"), "admin"); /* Left stops at the first */
    fkey(&f, fn(KEY_RIGHT));
    assert_string_equal(ui_form_get(&f, "role"), "partner_admin");
    assert_int_equal(fkey(&f, ch('z')), UI_HANDLED);       /* typing never leaks to global keys */
    fkey(&f, fn(KEY_DOWN));
    fkey(&f, ch(' '));
    assert_string_equal(ui_form_get(&f, "active"), "1");
    fkey(&f, ch('\t'));
    fkey(&f, fn(KEY_DOWN));
    fkey(&f, ch(' '));
    assert_false(ui_form_item_checked(&f, "companies", 0));
    assert_true(ui_form_item_checked(&f, "companies", 1));
    fkey(&f, ch('\t'));
    assert_int_equal(f.focus, 1);                          /* wraps to the first field */
    fkey(&f, fn(KEY_BTAB));
    assert_int_equal(f.focus, 5);

    /* ops' errors: beside known fields; unknown ones join the message. */
    hy_err err;
    hy_err_clear(&err);
    hy_field(&err, "email", "is not a valid email address");
    hy_field(&err, "studio", "is missing");
    ui_form_set_errors(&f, &err);
    assert_string_equal(ui_form_field(&f, "email")->error, "is not a valid email address");
    assert_string_equal(f.message, "studio: is missing");
    assert_int_equal(f.focus, 1);
    hy_err_clear(&err);
    hy_fail(&err, HY_ERR_CONFLICT, "That step is running.");
    ui_form_set_errors(&f, &err);
    assert_string_equal(f.message, "That step is running.");
    assert_null(ui_form_field(&f, "email")->error);

    /* Editing keys in a text field. */
    ui_form_set(&f, "email", "abc");
    fkey(&f, fn(KEY_LEFT));
    fkey(&f, ch(127));
    assert_string_equal(ui_form_get(&f, "email"), "ac");
    fkey(&f, ch(21)); /* C-u */
    assert_string_equal(ui_form_get(&f, "email"), "c");
    assert_string_equal(ui_form_get(&f, "nope"), "");
    ui_form_free(&f);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_match_their_names),
        cmocka_unit_test(reachable_keys_follow_the_chain),
        cmocka_unit_test(list_moves_pages_and_filters),
        cmocka_unit_test(list_skips_headings),
        cmocka_unit_test(list_can_leave_filtering_to_the_screen),
        cmocka_unit_test(form_edits_validates_and_maps_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
