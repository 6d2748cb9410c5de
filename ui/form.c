/* The form widget: see form.h. */
#include "form.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

enum {
    F_NEXT = 1, F_PREV, F_TOGGLE, F_LEFT, F_RIGHT, F_HOME, F_END, F_BKSP, F_DEL, F_KILL_BEFORE, F_KILL_AFTER, F_WORD,
};

const ui_action ui_form_actions[] = {
    {F_NEXT, "Tab Down", NULL, "Next field"},
    {F_PREV, "BTab Up", NULL, "Previous field"},
    {F_TOGGLE, "Space", NULL, "Tick or untick a checkbox; next choice (after the last: the first)"},
    {F_LEFT, "Left", NULL, "Cursor left; previous choice (stops at the first)"},
    {F_RIGHT, "Right", NULL, "Cursor right; next choice (stops at the last)"},
    {F_HOME, "Home C-a", NULL, "Start of the field"},
    {F_END, "End C-e", NULL, "End of the field"},
    {F_BKSP, "Bksp", NULL, "Delete the character before the cursor"},
    {F_DEL, "Del C-d", NULL, "Delete the character under the cursor"},
    {F_KILL_BEFORE, "C-u", NULL, "Delete to the start of the field"},
    {F_KILL_AFTER, "C-k", NULL, "Delete to the end of the field"},
    {F_WORD, "C-w", NULL, "Delete the word before the cursor"},
    UI_ACTIONS_END,
};

#define TEXT_WIDTH 40
#define PASSWORD_WIDTH 30
#define MAX_MESSAGE_LINES 4

static bool focusable(const ui_field *fd) { return fd->kind != UI_FIELD_INFO; }
static bool is_text(const ui_field *fd) { return fd->kind == UI_FIELD_TEXT || fd->kind == UI_FIELD_PASSWORD; }

static void set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

/* ---- keys ---- */

static const ui_action *form_actions(const ui_widget *w)
{
    (void)w;
    return ui_form_actions;
}

static bool form_takes_text(const ui_widget *w) { return ((const ui_form *)w)->focus >= 0; }

static void move_focus(ui_form *f, int dir)
{
    if (f->focus < 0) return;
    for (int i = 1; i <= f->n; i++) {
        int j = ((f->focus + dir * i) % f->n + f->n) % f->n;
        if (focusable(&f->f[j])) {
            f->focus = j;
            ui_field *fd = &f->f[j];
            f->item = (fd->kind == UI_FIELD_MULTI && dir < 0) ? ui_max(0, fd->noptions - 1) : 0;
            return;
        }
    }
}

static int edit_key(ui_field *fd, ui_key k, int id, bool *changed_out)
{
    ui_edit *e = &fd->edit;
    *changed_out = false;
    unsigned cp;
    if (ui_key_char(k, &cp)) {
        ui_edit_insert(e, cp);
        goto changed;
    }
    switch (id) {
    case F_LEFT: ui_edit_left(e); return UI_REDRAW;
    case F_RIGHT: ui_edit_right(e); return UI_REDRAW;
    case F_HOME: ui_edit_home(e); return UI_REDRAW;
    case F_END: ui_edit_end(e); return UI_REDRAW;
    case F_BKSP: ui_edit_backspace(e); goto changed;
    case F_DEL: ui_edit_delete(e); goto changed;
    case F_KILL_BEFORE: ui_edit_kill_before(e); goto changed;
    case F_KILL_AFTER: ui_edit_kill_after(e); goto changed;
    case F_WORD: ui_edit_delete_word(e); goto changed;
    }
    return UI_NOT_MINE;
changed:
    set_str(&fd->error, NULL); /* typing answers the error */
    *changed_out = true;
    return UI_REDRAW;
}

static int form_key(ui *u, ui_widget *w, ui_key k)
{
    (void)u;
    ui_form *f = (ui_form *)w;
    if (f->focus < 0) return UI_NOT_MINE;
    ui_field *fd = &f->f[f->focus];
    const ui_action *a = ui_action_find(ui_form_actions, k);
    int id = a ? a->id : 0;
    if (is_text(fd)) {
        bool changed;
        int r = edit_key(fd, k, id, &changed);
        if (changed) f->dirty = true;
        if (changed && f->on_change) f->on_change(f, f->focus, f->change_data);
        if (r) return r;
    } else if (fd->kind == UI_FIELD_CHOICE && fd->noptions > 0 && (id == F_LEFT || id == F_RIGHT || id == F_TOGGLE)) {
        /* Left/Right stop at the ends (the first choice is never one key
         * from the last); Space goes round. */
        int d = id == F_LEFT ? -1 : 1, to = fd->choice + d;
        if (id != F_TOGGLE && (to < 0 || to >= fd->noptions)) return UI_HANDLED;
        fd->choice = (to % fd->noptions + fd->noptions) % fd->noptions;
        set_str(&fd->error, NULL);
        f->dirty = true;
        return UI_REDRAW;
    } else if (fd->kind == UI_FIELD_CHECK && id == F_TOGGLE) {
        fd->on = !fd->on;
        f->dirty = true;
        set_str(&fd->error, NULL);
        return UI_REDRAW;
    } else if (fd->kind == UI_FIELD_MULTI && fd->noptions > 0) {
        if (id == F_TOGGLE) {
            fd->checked[f->item] = !fd->checked[f->item];
            f->dirty = true;
            set_str(&fd->error, NULL);
            return UI_REDRAW;
        }
        if (ui_key_is(k, "Down") && f->item < fd->noptions - 1) {
            f->item++;
            return UI_REDRAW;
        }
        if (ui_key_is(k, "Up") && f->item > 0) {
            f->item--;
            return UI_REDRAW;
        }
    }
    if (id == F_NEXT || id == F_PREV) {
        move_focus(f, id == F_NEXT ? 1 : -1);
        return UI_REDRAW;
    }
    unsigned cp;
    if (ui_key_char(k, &cp)) return UI_HANDLED; /* typing never reaches other keys */
    return UI_NOT_MINE;                          /* Enter, Esc, Ctrl-L... */
}

/* ---- building ---- */

void ui_form_init(ui_form *f)
{
    memset(f, 0, sizeof *f);
    f->w = (ui_widget){.name = "Form", .handle_key = form_key, .actions = form_actions, .takes_text = form_takes_text};
    f->focus = -1;
}

static int add(ui_form *f, ui_field_kind kind, const char *name, const char *label, bool required)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        ui_field *nf = xcalloc((size_t)f->cap, sizeof *nf);
        if (f->n) memcpy(nf, f->f, (size_t)f->n * sizeof *nf);
        free(f->f);
        f->f = nf;
    }
    ui_field *fd = &f->f[f->n];
    memset(fd, 0, sizeof *fd);
    fd->kind = kind;
    fd->name = xstrdup(name ? name : "");
    fd->label = xstrdup(label ? label : "");
    fd->required = required;
    if (f->focus < 0 && focusable(fd)) f->focus = f->n;
    return f->n++;
}

int ui_form_text(ui_form *f, const char *name, const char *label, bool required, const char *value, size_t max)
{
    int i = add(f, UI_FIELD_TEXT, name, label, required);
    f->f[i].edit.max = max;
    f->f[i].width = TEXT_WIDTH;
    ui_edit_set(&f->f[i].edit, value ? value : "");
    return i;
}

int ui_form_password(ui_form *f, const char *name, const char *label, bool required, size_t max)
{
    int i = add(f, UI_FIELD_PASSWORD, name, label, required);
    f->f[i].edit.max = max;
    f->f[i].width = PASSWORD_WIDTH;
    ui_edit_set(&f->f[i].edit, "");
    return i;
}

static void copy_options(ui_field *fd, const char *const *options, int n)
{
    fd->noptions = n > 0 ? n : 0;
    fd->options = xcalloc((size_t)(fd->noptions ? fd->noptions : 1), sizeof *fd->options);
    fd->checked = xcalloc((size_t)(fd->noptions ? fd->noptions : 1), sizeof *fd->checked);
    for (int i = 0; i < fd->noptions; i++) fd->options[i] = xstrdup(options[i] ? options[i] : "");
}

int ui_form_choice(ui_form *f, const char *name, const char *label, const char *const *options, int n, int selected)
{
    int i = add(f, UI_FIELD_CHOICE, name, label, false);
    copy_options(&f->f[i], options, n);
    f->f[i].choice = n > 0 ? ui_clamp(selected, 0, n - 1) : 0;
    return i;
}

int ui_form_check(ui_form *f, const char *name, const char *label, bool on)
{
    int i = add(f, UI_FIELD_CHECK, name, label, false);
    f->f[i].on = on;
    return i;
}

int ui_form_multi(ui_form *f, const char *name, const char *label, const char *const *options, int n,
                  const bool *checked)
{
    int i = add(f, UI_FIELD_MULTI, name, label, false);
    copy_options(&f->f[i], options, n);
    for (int j = 0; checked && j < n; j++) f->f[i].checked[j] = checked[j];
    return i;
}

int ui_form_info(ui_form *f, const char *label, const char *text)
{
    int i = add(f, UI_FIELD_INFO, NULL, label, false);
    f->f[i].info = xstrdup(text ? text : "");
    return i;
}

void ui_form_free(ui_form *f)
{
    for (int i = 0; i < f->n; i++) {
        ui_field *fd = &f->f[i];
        ui_edit_free(&fd->edit);
        for (int j = 0; j < fd->noptions; j++) free(fd->options[j]);
        free(fd->options);
        free(fd->checked);
        free(fd->name);
        free(fd->label);
        free(fd->info);
        free(fd->error);
    }
    free(f->f);
    free(f->message);
    memset(f, 0, sizeof *f);
    f->focus = -1;
}

/* ---- values and errors ---- */

ui_field *ui_form_field(ui_form *f, const char *name)
{
    for (int i = 0; name && i < f->n; i++)
        if (strcmp(f->f[i].name, name) == 0) return &f->f[i];
    return NULL;
}

const char *ui_form_get(ui_form *f, const char *name)
{
    ui_field *fd = ui_form_field(f, name);
    if (!fd) return "";
    switch (fd->kind) {
    case UI_FIELD_TEXT:
    case UI_FIELD_PASSWORD: return ui_edit_text(&fd->edit);
    case UI_FIELD_CHOICE: return fd->noptions ? fd->options[fd->choice] : "";
    case UI_FIELD_CHECK: return fd->on ? "1" : "0";
    default: return "";
    }
}

void ui_form_set(ui_form *f, const char *name, const char *value)
{
    ui_field *fd = ui_form_field(f, name);
    if (!fd) return;
    if (is_text(fd)) ui_edit_set(&fd->edit, value);
    else if (fd->kind == UI_FIELD_CHOICE)
        for (int i = 0; i < fd->noptions; i++) {
            if (hy_streq(fd->options[i], value)) fd->choice = i;
        }
    else if (fd->kind == UI_FIELD_CHECK) fd->on = hy_streq(value, "1");
    else if (fd->kind == UI_FIELD_INFO) set_str(&fd->info, value);
}

bool ui_form_item_checked(ui_form *f, const char *name, int item)
{
    ui_field *fd = ui_form_field(f, name);
    return fd && fd->kind == UI_FIELD_MULTI && item >= 0 && item < fd->noptions && fd->checked[item];
}

void ui_form_focus(ui_form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (focusable(&f->f[i]) && strcmp(f->f[i].name, name) == 0) {
            f->focus = i;
            f->item = 0;
        }
}

void ui_form_clear_errors(ui_form *f)
{
    for (int i = 0; i < f->n; i++) set_str(&f->f[i].error, NULL);
    set_str(&f->message, NULL);
}

void ui_form_error(ui_form *f, const char *name, const char *msg)
{
    ui_field *fd = ui_form_field(f, name);
    if (fd) set_str(&fd->error, msg);
}

void ui_form_message(ui_form *f, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    set_str(&f->message, buf);
    f->message_error = error;
}

/* Focuses the first field with an error. */
static void focus_first_error(ui_form *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->f[i].error && focusable(&f->f[i])) {
            f->focus = i;
            f->item = 0;
            return;
        }
}

void ui_form_set_errors(ui_form *f, const hy_err *err)
{
    ui_form_clear_errors(f);
    hy_buf other = {0};
    for (int i = 0; i < err->nfield; i++) {
        ui_field *fd = ui_form_field(f, err->field[i].field);
        if (fd) {
            set_str(&fd->error, err->field[i].msg);
        } else {
            hy_buf_printf(&other, "%s%s: %s", other.len ? "; " : "", err->field[i].field, err->field[i].msg);
        }
    }
    if (other.len) ui_form_message(f, true, "%s", other.s);
    else if (err->nfield) ui_form_message(f, true, "Please correct the fields marked below.");
    else ui_form_message(f, true, "%s", err->msg[0] ? err->msg : hy_code_name(err->code));
    hy_buf_free(&other);
    focus_first_error(f);
}

bool ui_form_check_required(ui_form *f)
{
    bool ok = true;
    for (int i = 0; i < f->n; i++) {
        ui_field *fd = &f->f[i];
        if (fd->required && is_text(fd) && hy_empty(ui_edit_text(&fd->edit))) {
            set_str(&fd->error, "is required");
            ok = false;
        }
    }
    if (!ok) focus_first_error(f);
    return ok;
}

/* ---- geometry and drawing ---- */

static int value_pref(ui *u, const ui_field *fd)
{
    int w = 0;
    switch (fd->kind) {
    case UI_FIELD_TEXT:
    case UI_FIELD_PASSWORD: return fd->width;
    case UI_FIELD_CHECK: return 3;
    case UI_FIELD_CHOICE: {
        int all = 0;
        for (int i = 0; i < fd->noptions; i++) {
            w = ui_max(w, ui_text_width(fd->options[i], u->ascii));
            all += ui_text_width(fd->options[i], u->ascii) + 2;
        }
        return w + 4 + (fd->noptions > 1 ? all + 8 : 0); /* "  one of: a, b" when there is room */
    }
    case UI_FIELD_MULTI:
        for (int i = 0; i < fd->noptions; i++) w = ui_max(w, ui_text_width(fd->options[i], u->ascii));
        return w + 4;
    default: return 0;
    }
}

typedef struct {
    int msg_lines;
    int msg_start[MAX_MESSAGE_LINES], msg_len[MAX_MESSAGE_LINES];
    char *msg;              /* sanitized message */
    int fields_y;           /* first row of the fields */
    ui_form_place *place;   /* one per field */
    char **info;            /* sanitized info texts */
    bool any_required;
    int height;
} geometry;

static void geometry_free(geometry *g, int n)
{
    free(g->msg);
    for (int i = 0; g->info && i < n; i++) free(g->info[i]);
    free(g->info);
    free(g->place);
}

static void compute(ui *u, ui_form *f, int width, geometry *g)
{
    memset(g, 0, sizeof *g);
    int y = 0;
    if (f->message && *f->message) {
        g->msg = hy_sanitize(f->message);
        g->msg_lines = ui_wrap(g->msg, width, u->ascii, MAX_MESSAGE_LINES, g->msg_start, g->msg_len);
        y = g->msg_lines + 1;
    }
    g->fields_y = y;
    int n = f->n;
    ui_form_item *items = xcalloc((size_t)(n ? n : 1), sizeof *items);
    g->place = xcalloc((size_t)(n ? n : 1), sizeof *g->place);
    g->info = xcalloc((size_t)(n ? n : 1), sizeof *g->info);
    for (int i = 0; i < n; i++) {
        ui_field *fd = &f->f[i];
        items[i].label_w = ui_text_width(fd->label, u->ascii) + (fd->required ? 2 : 0);
        items[i].value_pref = value_pref(u, fd);
        items[i].lines = fd->kind == UI_FIELD_MULTI ? ui_max(1, fd->noptions) : 1;
        if (fd->kind == UI_FIELD_INFO) {
            g->info[i] = hy_sanitize(fd->info);
            items[i].wrap_text = g->info[i];
        }
        if (fd->error) {
            char *e = hy_sanitize(fd->error);
            items[i].error_w = ui_text_width(e, u->ascii);
            free(e);
        }
        if (fd->required) g->any_required = true;
    }
    y += ui_form_layout(items, n, width, u->ascii, g->place);
    free(items);
    if (g->any_required) y += 2;
    g->height = y;
}

int ui_form_height(ui *u, ui_form *f, int width)
{
    geometry g;
    compute(u, f, width, &g);
    int h = g.height;
    geometry_free(&g, f->n);
    return h;
}

/* The screen row of form row y, or -1 when scrolled out. */
static int row_of(ui_rect r, int top, int y) { return (y >= top && y < top + r.h) ? r.y + y - top : -1; }

static void draw_text_field(ui *u, ui_form *f, int i, ui_form_place *p, int sy, int x)
{
    ui_field *fd = &f->f[i];
    bool focused = i == f->focus;
    ui_style st = focused ? UI_S_FIELD_FOCUS : UI_S_FIELD;
    bool masked = fd->kind == UI_FIELD_PASSWORD;
    int col = ui_edit_view(&fd->edit, p->value_w, masked, u->ascii);
    const char *shown = ui_edit_text(&fd->edit) + fd->edit.first;
    if (masked) {
        hy_buf b = {0};
        hy_buf_put(&b, "");
        size_t n = 0;
        for (const char *c = shown; *c; c++)
            if (((unsigned char)*c & 0xC0) != 0x80 && n++ < (size_t)p->value_w) hy_buf_put(&b, u->g->mask);
        ui_put(u, sy, x, p->value_w, st, UI_FIT_RAW | UI_FIT_PAD, b.s);
        hy_buf_free(&b);
    } else {
        ui_put(u, sy, x, p->value_w, st, UI_FIT_PAD, shown);
    }
    if (focused) ui_cursor(u, sy, x + col);
}

void ui_form_draw(ui *u, ui_form *f, ui_rect r)
{
    if (r.h < 1 || r.w < 10) return;
    geometry g;
    compute(u, f, r.w, &g);
    /* Scroll so the focused field (and its error) is visible. */
    if (g.height <= r.h) {
        f->top = 0;
    } else if (f->focus >= 0) {
        ui_form_place *p = &g.place[f->focus];
        int first = g.fields_y + p->y, last = first + p->height - 1;
        if (f->f[f->focus].kind == UI_FIELD_MULTI) first = last = g.fields_y + p->y + f->item;
        if (f->focus == 0 || first <= g.fields_y) first = 0; /* show the message with the first field */
        if (first < f->top) f->top = first;
        if (last >= f->top + r.h) f->top = last - r.h + 1;
        f->top = ui_clamp(f->top, 0, g.height - r.h);
    }
    for (int i = 0; i < g.msg_lines; i++) {
        int sy = row_of(r, f->top, i);
        if (sy < 0) continue;
        char line[1024];
        snprintf(line, sizeof line, "%.*s", g.msg_len[i], g.msg + g.msg_start[i]);
        ui_put(u, sy, r.x, r.w, f->message_error ? UI_S_ERROR : UI_S_INFO, UI_FIT_RAW, line);
    }
    for (int i = 0; i < f->n; i++) {
        ui_field *fd = &f->f[i];
        ui_form_place *p = &g.place[i];
        int y0 = g.fields_y + p->y;
        bool focused = i == f->focus;
        int sy = row_of(r, f->top, y0);
        if (sy >= 0) {
            int lw = p->value_x - 2 - (fd->required ? 2 : 0);
            int drawn = ui_put(u, sy, r.x + p->label_x, lw, focused ? UI_S_TITLE : UI_S_NORMAL, 0, fd->label);
            if (fd->required) ui_put(u, sy, r.x + p->label_x + drawn + 1, 1, UI_S_REQUIRED, UI_FIT_RAW, "*");
        }
        int x = r.x + p->value_x;
        switch (fd->kind) {
        case UI_FIELD_TEXT:
        case UI_FIELD_PASSWORD:
            if (sy >= 0) draw_text_field(u, f, i, p, sy, x);
            break;
        case UI_FIELD_CHOICE:
            if (sy >= 0) {
                char buf[1024];
                snprintf(buf, sizeof buf, "%s %s %s", u->g->prev, fd->noptions ? fd->options[fd->choice] : "",
                         u->g->next);
                int n = ui_put(u, sy, x, p->value_w, focused ? UI_S_FIELD_FOCUS : UI_S_FIELD, 0, buf);
                /* The choices, when they fit whole: nothing is a surprise behind an arrow key. */
                hy_buf all = {0};
                hy_buf_put(&all, "  one of: ");
                for (int j = 0; j < fd->noptions; j++) hy_buf_printf(&all, "%s%s", j ? ", " : "", fd->options[j]);
                char *clean = hy_sanitize(all.s);
                if (fd->noptions > 1 && n + ui_text_width(clean, u->ascii) <= p->value_w)
                    ui_put(u, sy, x + n, p->value_w - n, UI_S_DIM, UI_FIT_RAW, clean);
                free(clean);
                hy_buf_free(&all);
            }
            break;
        case UI_FIELD_CHECK:
            if (sy >= 0) ui_put(u, sy, x, 3, focused ? UI_S_FIELD_FOCUS : UI_S_NORMAL, UI_FIT_RAW,
                                fd->on ? u->g->check_on : u->g->check_off);
            break;
        case UI_FIELD_MULTI:
            for (int j = 0; j < fd->noptions; j++) {
                int ly = row_of(r, f->top, y0 + j);
                if (ly < 0) continue;
                bool here = focused && j == f->item;
                ui_put(u, ly, x, 3, here ? UI_S_FIELD_FOCUS : UI_S_NORMAL, UI_FIT_RAW,
                       fd->checked[j] ? u->g->check_on : u->g->check_off);
                ui_put(u, ly, x + 4, p->value_w - 4, here ? UI_S_TITLE : UI_S_NORMAL, 0, fd->options[j]);
            }
            break;
        case UI_FIELD_INFO: {
            int st[64], ln[64];
            int nl = ui_wrap(g.info[i], p->value_w, u->ascii, 64, st, ln);
            for (int j = 0; j < nl; j++) {
                int ly = row_of(r, f->top, y0 + j);
                if (ly < 0) continue;
                char line[1024];
                snprintf(line, sizeof line, "%.*s", ln[j], g.info[i] + st[j]);
                ui_put(u, ly, x, p->value_w, UI_S_DIM, UI_FIT_RAW, line);
            }
            break;
        }
        }
        if (fd->error && p->error_w > 0) {
            int ey = row_of(r, f->top, g.fields_y + p->error_y);
            if (ey >= 0) ui_put(u, ey, r.x + p->error_x, p->error_w, UI_S_ERROR, 0, fd->error);
        }
    }
    if (g.any_required) {
        int sy = row_of(r, f->top, g.height - 1);
        if (sy >= 0) {
            ui_put(u, sy, r.x, 1, UI_S_REQUIRED, UI_FIT_RAW, "*");
            ui_put(u, sy, r.x + 2, r.w - 2, UI_S_DIM, UI_FIT_RAW, "required");
        }
    }
    geometry_free(&g, f->n);
}
