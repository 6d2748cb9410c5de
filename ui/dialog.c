/* Confirm and prompt dialogs, and the help screen generated from the
 * action tables. */
#include "dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "list.h"
#include "sanitize.h"
#include "screens.h"
#include "util.h"

/* A centred dialog frame of the given inner height inside the body. */
static ui_rect dialog_rect(ui_rect body, int want_w, int inner_h)
{
    ui_rect r;
    r.w = ui_min(want_w, body.w - 4);
    r.h = ui_min(inner_h + 2, body.h);
    r.x = body.x + (body.w - r.w) / 2;
    r.y = body.y + ui_max(0, (body.h - r.h) / 2);
    return r;
}

/* ---- confirm ---- */

typedef struct {
    char *title, *text;
} confirm_state;

typedef struct {
    const char *title, *text;
} confirm_arg;

enum { C_YES = 1, C_NO };

static const ui_action CONFIRM_ACTIONS[] = {
    {C_YES, "y Y", "Yes", "Yes, do it"},
    {C_NO, "n N Esc Enter", "No", "No (the default)"},
    UI_ACTIONS_END,
};

static int confirm_open(ui *u, screen *s, const void *arg)
{
    (void)u;
    confirm_state *st = s->state;
    const confirm_arg *a = arg;
    st->title = xstrdup(a->title);
    st->text = hy_sanitize(a->text);
    return UI_REDRAW;
}

static void confirm_draw(ui *u, screen *s, ui_rect body)
{
    confirm_state *st = s->state;
    int want = 64, inner = ui_min(want, body.w - 4) - 4;
    int start[12], len[12];
    int n = ui_wrap(st->text, inner, u->ascii, 12, start, len);
    ui_rect r = dialog_rect(body, want, n + 4);
    ui_box(u, r, st->title);
    for (int i = 0; i < n && i + 2 < r.h - 1; i++) {
        char line[1024];
        snprintf(line, sizeof line, "%.*s", len[i], st->text + start[i]);
        ui_put(u, r.y + 2 + i, r.x + 2, r.w - 4, UI_S_NORMAL, UI_FIT_RAW, line);
    }
    int by = r.y + r.h - 2, x = r.x + 2;
    x += ui_put(u, by, x, 3, UI_S_KEY, UI_FIT_RAW, "y");
    x += ui_put(u, by, x + 1, 10, UI_S_NORMAL, UI_FIT_RAW, "Yes") + 4;
    x += ui_put(u, by, x, 3, UI_S_KEY, UI_FIT_RAW, "n");
    ui_put(u, by, x + 1, r.x + r.w - x - 3, UI_S_NORMAL, UI_FIT_RAW, "No (default)");
}

static int confirm_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)k;
    if (!a) return UI_NOT_MINE;
    return ui_finish(s, a->id == C_YES ? 1 : 0, NULL);
}

static void confirm_close(ui *u, screen *s)
{
    (void)u;
    confirm_state *st = s->state;
    free(st->title);
    free(st->text);
}

static const screen_ops confirm_screen = {
    .name = "Confirm",
    .state_size = sizeof(confirm_state),
    .actions = CONFIRM_ACTIONS,
    .overlay = true,
    .open = confirm_open,
    .draw = confirm_draw,
    .handle_key = confirm_key,
    .close = confirm_close,
};

void ui_confirm(ui *u, const char *title, const char *text, ui_done_fn done, void *ctx)
{
    confirm_arg a = {title, text};
    ui_push_then(u, &confirm_screen, &a, done, ctx);
}

static int leave_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)u, (void)s, (void)text, (void)ctx;
    return yes == 1 ? UI_CLOSE : UI_REDRAW;
}

int ui_form_leave(ui *u, ui_form *f, const char *question) { return ui_leave(u, f->dirty, question); }

int ui_leave(ui *u, bool dirty, const char *question)
{
    if (!dirty) return UI_CLOSE;
    char *text = xasprintf("%s What you typed is lost.", question);
    ui_confirm(u, "Discard", text, leave_done, NULL);
    free(text);
    return UI_REDRAW;
}

/* ---- prompt ---- */

typedef struct {
    ui_form form;
    char *title;
    bool required;
} prompt_state;

typedef struct {
    const char *title, *label, *initial;
    bool required;
} prompt_arg;

enum { P_OK = 1, P_CANCEL };

static const ui_action PROMPT_ACTIONS[] = {
    {P_OK, "Enter", "OK", "Accept the text"},
    {P_CANCEL, "Esc", "Cancel", "Cancel (asks first when something was typed)"},
    UI_ACTIONS_END,
};

static int prompt_open(ui *u, screen *s, const void *arg)
{
    (void)u;
    prompt_state *st = s->state;
    const prompt_arg *a = arg;
    st->title = xstrdup(a->title);
    st->required = a->required;
    ui_form_init(&st->form);
    ui_form_text(&st->form, "text", a->label, a->required, a->initial, 500);
    st->form.f[0].width = 200;
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static void prompt_draw(ui *u, screen *s, ui_rect body)
{
    prompt_state *st = s->state;
    int want = 72;
    int inner_w = ui_min(want, body.w - 4) - 4;
    int h = ui_form_height(u, &st->form, inner_w);
    ui_rect r = dialog_rect(body, want, h + 2);
    ui_box(u, r, st->title);
    ui_form_draw(u, &st->form, (ui_rect){r.y + 2, r.x + 2, r.h - 3, r.w - 4});
}

static int prompt_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)k;
    prompt_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == P_CANCEL) return ui_form_leave(u, &st->form, "Cancel?"); /* closes with result 0 */
    ui_form_clear_errors(&st->form);
    if (!ui_form_check_required(&st->form)) return UI_REDRAW;
    return ui_finish(s, 1, ui_form_get(&st->form, "text"));
}

static void prompt_close(ui *u, screen *s)
{
    (void)u;
    prompt_state *st = s->state;
    ui_form_free(&st->form);
    free(st->title);
}

static const screen_ops prompt_screen = {
    .name = "Prompt",
    .state_size = sizeof(prompt_state),
    .actions = PROMPT_ACTIONS,
    .overlay = true,
    .open = prompt_open,
    .draw = prompt_draw,
    .handle_key = prompt_key,
    .close = prompt_close,
};

void ui_prompt(ui *u, const char *title, const char *label, const char *initial, bool required, ui_done_fn done,
               void *ctx)
{
    prompt_arg a = {title, label, initial, required};
    ui_push_then(u, &prompt_screen, &a, done, ctx);
}

/* ---- help ---- */

typedef struct {
    ui_list list;
    int n, cap;
    char **keys, **text;
    bool *section;
} help_state;

static void help_add(help_state *st, const char *keys, const char *text, bool section)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->keys = xrealloc(st->keys, (size_t)st->cap * sizeof *st->keys);
        st->text = xrealloc(st->text, (size_t)st->cap * sizeof *st->text);
        st->section = xrealloc(st->section, (size_t)st->cap * sizeof *st->section);
    }
    st->keys[st->n] = xstrdup(keys);
    st->text[st->n] = xstrdup(text);
    st->section[st->n] = section;
    st->n++;
}

static const char *help_cell(void *data, int row, int col, char *buf, size_t bufsz)
{
    (void)buf, (void)bufsz;
    help_state *st = data;
    return col == 0 ? st->keys[row] : st->text[row];
}

static ui_style help_style(void *data, int row, int col)
{
    (void)col;
    help_state *st = data;
    return st->section[row] ? UI_S_TITLE : col == 0 ? UI_S_KEY : UI_S_NORMAL;
}

static const ui_column HELP_COLS[] = {
    {"Keys", 12, 24, 2, false},
    {"Action", 20, 0, 1, false},
};

static int help_open(ui *u, screen *s, const void *arg)
{
    help_state *st = s->state;
    const screen *target = arg;
    ui_level lv[3];
    bool text;
    int nl = ui_key_levels(target, lv, &text);
    /* The screen's own keys first, then its widget's, then the global ones. */
    int order[3] = {0, 1, 2};
    if (target->focus && nl >= 2) {
        order[0] = 1;
        order[1] = 0;
    }
    for (int o = 0; o < nl; o++) {
        int li = order[o];
        bool titled = false;
        for (const ui_action *a = lv[li].actions; a && a->keys; a++) {
            char keys[128];
            if (lv[li].actions == target->ops->actions && !ui_action_exists(u, target, a)) continue;
            if (ui_reachable_keys(lv, li, a, text, ", ", keys, sizeof keys) == 0) continue;
            if (!titled) {
                if (st->n) help_add(st, "", "", false);
                help_add(st, lv[li].title ? lv[li].title : "", "", true);
                titled = true;
            }
            /* a key of the screen that does nothing now says so */
            bool off = lv[li].actions == target->ops->actions && target->ops->enabled &&
                       !target->ops->enabled(u, target, a);
            char *text = xasprintf("%s%s", off ? "(not now) " : "", a->help ? a->help : a->label);
            help_add(st, keys, text, false);
            free(text);
        }
    }
    ui_list_init(&st->list, HELP_COLS, 2, st, help_cell);
    st->list.style = help_style;
    st->list.noun = "lines";
    ui_list_set_count(&st->list, st->n);
    s->focus = &st->list.w;
    return UI_REDRAW;
}

static void help_draw(ui *u, screen *s, ui_rect body)
{
    help_state *st = s->state;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 1, body.w - 2});
}

static int help_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)s, (void)k, (void)a;
    return UI_NOT_MINE;
}

static void help_close(ui *u, screen *s)
{
    (void)u;
    help_state *st = s->state;
    for (int i = 0; i < st->n; i++) {
        free(st->keys[i]);
        free(st->text[i]);
    }
    free(st->keys);
    free(st->text);
    free(st->section);
    ui_list_free(&st->list);
}

const screen_ops ui_help_screen = {
    .name = "Help",
    .state_size = sizeof(help_state),
    .actions = NULL,
    .open = help_open,
    .draw = help_draw,
    .handle_key = help_key,
    .close = help_close,
};
