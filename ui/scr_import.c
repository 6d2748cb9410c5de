/* Onboarding several people at once (ops_bulk.h): "Import users" on an
 * organisation (admins: a CSV file's path, not offered under --restricted,
 * or a paste area) and "Add several users" in the partner console (the
 * paste area only). Check shows every row with its errors beside it (fix a
 * row in place with `e`, or go back and edit); Enter starts the batch; its
 * progress updates live, Enter on a person opens their execution. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "form.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

/* ---- the paste area: typed or pasted lines (a widget that takes text) ---- */

typedef struct {
    ui_widget w;
    hy_buf text;
} paste_area;

enum { P_NEWLINE = 1, P_BKSP, P_KILL };

static const ui_action PASTE_KEYS[] = {
    {P_NEWLINE, "Enter", NULL, "Start a new line"},
    {P_BKSP, "Bksp", NULL, "Delete the last character"},
    {P_KILL, "C-u", NULL, "Delete the last line"},
    UI_ACTIONS_END,
};

static const ui_action *paste_actions(const ui_widget *w)
{
    (void)w;
    return PASTE_KEYS;
}

static bool paste_takes_text(const ui_widget *w)
{
    (void)w;
    return true;
}

static void put_utf8(hy_buf *b, unsigned cp)
{
    char s[5] = {0};
    if (cp < 0x80) s[0] = (char)cp;
    else if (cp < 0x800) {
        s[0] = (char)(0xc0 | (cp >> 6));
        s[1] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        s[0] = (char)(0xe0 | (cp >> 12));
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        s[2] = (char)(0x80 | (cp & 0x3f));
    } else {
        s[0] = (char)(0xf0 | (cp >> 18));
        s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        s[3] = (char)(0x80 | (cp & 0x3f));
    }
    hy_buf_put(b, s);
}

static int paste_key(ui *u, ui_widget *w, ui_key k)
{
    (void)u;
    paste_area *p = (paste_area *)w;
    hy_buf *b = &p->text;
    unsigned cp;
    if (ui_key_is(k, "Enter")) {
        if (b->len < CSV_MAX_BYTES) hy_buf_putc(b, '\n');
        return UI_REDRAW;
    }
    if (ui_key_is(k, "Bksp")) {
        while (b->len > 0) {
            unsigned char c = (unsigned char)b->s[--b->len];
            if ((c & 0xc0) != 0x80) break;
        }
        if (b->s) b->s[b->len] = '\0';
        return UI_REDRAW;
    }
    if (ui_key_is(k, "C-u")) {
        if (b->len && b->s[b->len - 1] == '\n') b->len--;
        while (b->len && b->s[b->len - 1] != '\n') b->len--;
        if (b->s) b->s[b->len] = '\0';
        return UI_REDRAW;
    }
    if (ui_key_char(k, &cp)) {
        if (b->len + 4 < CSV_MAX_BYTES) put_utf8(b, cp);
        return UI_REDRAW;
    }
    return UI_NOT_MINE;
}

static void paste_init(paste_area *p)
{
    p->w = (ui_widget){.name = "Paste area", .handle_key = paste_key, .actions = paste_actions,
                       .takes_text = paste_takes_text};
    hy_buf_put(&p->text, "firstname,lastname,email\n");
}

/* The last lines that fit, numbered as the check numbers them. */
static void paste_draw(ui *u, paste_area *p, ui_rect r, bool focused)
{
    const char *s = p->text.s ? p->text.s : "";
    int nlines = 1;
    for (const char *c = s; *c; c++) nlines += *c == '\n';
    int first = nlines > r.h ? nlines - r.h : 0, line = 0, y = r.y;
    const char *start = s;
    for (const char *c = s;; c++) {
        if (*c == '\n' || !*c) {
            if (line >= first && y < r.y + r.h) {
                char num[12], *text = xstrndup(start, (size_t)(c - start));
                snprintf(num, sizeof num, "%4d ", line + 1);
                ui_put(u, y, r.x, 5, UI_S_DIM, 0, num);
                int w = ui_put(u, y, r.x + 5, r.w - 5, focused ? UI_S_FIELD_FOCUS : UI_S_FIELD, 0, text);
                if (!*c && focused) ui_cursor(u, y, r.x + 5 + w);
                free(text);
                y++;
            }
            line++;
            if (!*c) break;
            start = c + 1;
        }
    }
}

/* ---- 1. the rows: a file or pasted text ---- */

typedef struct {
    char org_id[HY_UUID_LEN];   /* "" = a partner admin's own */
    char *org_name;
    bool with_file;
    ui_form file;
    paste_area paste;
    bool on_file;
} import_state;

enum { A_CHECK = 1, A_SWITCH };

static const ui_action IMPORT_ACTIONS[] = {
    {A_CHECK, "F2 C-d", "Check", "Check every row (nothing starts yet): the preview shows each one"},
    {A_SWITCH, "Tab BTab", "File/rows", "Switch between the file path and the paste area"},
    UI_ACTIONS_END,
};

typedef struct {
    const char *org_id;
    hy_bulk_input *in;          /* moved into the preview */
    const char *source;
} preview_arg;

extern const screen_ops ui_import_preview_screen;

static int import_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)s;
    (void)ctx;
    if (result != 2 || !text) return UI_REDRAW;
    ui_push(u, &ui_batch_screen, text); /* started: the progress replaces the rows */
    return UI_CLOSE;
}

static char *read_path(const char *path, size_t *len, hy_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hy_fail(err, HY_ERR_INVALID, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = xmalloc(CSV_MAX_BYTES + 2);
    *len = fread(buf, 1, CSV_MAX_BYTES + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        hy_fail(err, HY_ERR_INVALID, "cannot read %s (is it a file?)", path);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

static int import_check(ui *u, screen *s)
{
    import_state *st = s->state;
    const char *path = st->with_file ? ui_form_get(&st->file, "file") : NULL;
    bool from_file = path && !hy_empty(path);
    hy_err err;
    hy_err_clear(&err);
    size_t len = st->paste.text.len;
    char *file = from_file ? read_path(path, &len, &err) : NULL;
    if (from_file && !file) return ui_fail(u, &err);
    hy_bulk_input in;
    int rc = ops_bulk_parse(u->ctx, &u->me, "new_partner_user", from_file ? file : st->paste.text.s, len, &in, &err);
    free(file);
    if (rc) return ui_fail(u, &err);
    preview_arg a = {.org_id = st->org_id, .in = &in, .source = from_file ? path : "pasted rows"};
    if (!ui_push_then(u, &ui_import_preview_screen, &a, import_done, NULL)) hy_bulk_input_free(&in);
    return UI_REDRAW;
}

static int import_open(ui *u, screen *s, const void *arg)
{
    import_state *st = s->state;
    if (arg) hy_strlcpy(st->org_id, arg, sizeof st->org_id);
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_name(u->ctx, &u->me, st->org_id[0] ? st->org_id : u->me.org_id, &st->org_name, &err) != 0)
        return ui_fail(u, &err) | UI_CLOSE;
    /* A restricted shell takes no file path; partner admins paste. */
    st->with_file = st->org_id[0] && !u->restricted;
    ui_form_init(&st->file);
    if (st->with_file) ui_form_text(&st->file, "file", "CSV file", false, "", 1024);
    paste_init(&st->paste);
    s->focus = &st->paste.w;
    return UI_REDRAW;
}

static void import_draw(ui *u, screen *s, ui_rect body)
{
    import_state *st = s->state;
    int y = body.y + 1, x = body.x + 2, w = body.w - 4;
    char *title = xasprintf("New users for %s", st->org_name ? st->org_name : "your organisation");
    ui_put(u, y++, x, w, UI_S_TITLE, 0, title);
    free(title);
    ui_put(u, y++, x, w, UI_S_DIM, 0,
           "Columns: firstname, lastname, email (required); languages, skills, roles, studio_companies.");
    ui_put(u, y++, x, w, UI_S_DIM, 0,
           "One person a line, comma or semicolon; put a value with commas in quotes. F2 checks them.");
    if (st->with_file) {
        ui_put(u, y++, x, w, UI_S_DIM, 0, "Give a file's path, or leave it empty and paste the rows below:");
        ui_form_draw(u, &st->file, (ui_rect){y, x, 2, w});
        y += 2;
    }
    ui_put(u, y++, x, w, UI_S_TITLE, 0, "Rows (the first line names the columns):");
    paste_draw(u, &st->paste, (ui_rect){y, x, body.y + body.h - y, w}, !st->on_file);
}

static int import_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    import_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_CHECK) return import_check(u, s);
    if (a->id == A_SWITCH) {
        if (!st->with_file) {
            ui_msg(u, UI_S_INFO, "Paste the rows here (no file paths in this session).");
            return UI_REDRAW;
        }
        st->on_file = !st->on_file;
        s->focus = st->on_file ? &st->file.w : &st->paste.w;
        return UI_REDRAW;
    }
    return UI_NOT_MINE;
}

static bool import_enabled(ui *u, const screen *s, const ui_action *a)
{
    (void)u;
    const import_state *st = s->state;
    return a->id != A_SWITCH || st->with_file;
}

static void import_close(ui *u, screen *s)
{
    (void)u;
    import_state *st = s->state;
    ui_form_free(&st->file);
    hy_buf_free(&st->paste.text);
    free(st->org_name);
}

const screen_ops ui_import_screen = {
    .name = "Import users",
    .state_size = sizeof(import_state),
    .actions = IMPORT_ACTIONS,
    .open = import_open,
    .draw = import_draw,
    .handle_key = import_key,
    .enabled = import_enabled,
    .close = import_close,
};

/* ---- 2. the preview: every row, its errors beside it ---- */

typedef struct {
    char org_id[HY_UUID_LEN];
    char *source;
    hy_bulk_input in;
    hy_bulk_report rep;
    ui_list list;
    int fixing;
} preview_state;

enum { V_START = 1, V_FIX, V_RECHECK };

static const ui_action PREVIEW_ACTIONS[] = {
    {V_START, "Enter", "Start", "Start one request per ready row, all at once (only when no row has an error)"},
    {V_FIX, "e", "Fix row", "Correct the selected row here, then check again"},
    {V_RECHECK, "r", "Check again", "Check every row again"},
    UI_ACTIONS_END,
};

static const ui_column PREVIEW_COLS[] = {
    {"Line", 4, 5, 8, true},
    {"Email", 16, 24, 9, false},
    {"Name", 8, 14, 3, false},
    {"Status", 7, 7, 7, false},
    {"Errors / note", 24, 0, 6, false},
};

static const char *preview_cell(void *data, int row, int col, char *buf, size_t n)
{
    preview_state *st = data;
    const hy_bulk_result *x = &st->rep.rows[row];
    switch (col) {
    case 0: snprintf(buf, n, "%d", x->line); return buf;
    case 1: return x->email;
    case 2: return x->name;
    case 3: return hy_bulk_status_name(x->status);
    default:
        if (x->nerrors > 1) {
            snprintf(buf, n, "%s (+%d more below)", x->errors[0], x->nerrors - 1);
            return buf;
        }
        return x->nerrors ? x->errors[0] : x->note;
    }
}

static ui_style preview_style(void *data, int row, int col)
{
    preview_state *st = data;
    hy_bulk_status s = st->rep.rows[row].status;
    if (col < 3) return UI_S_NORMAL;
    return s == HY_BULK_ERROR ? UI_S_FAILED : s == HY_BULK_SKIPPED ? UI_S_DIM : UI_S_OK;
}

static int preview_check(ui *u, screen *s)
{
    preview_state *st = s->state;
    hy_bulk_report_free(&st->rep);
    hy_err err;
    hy_err_clear(&err);
    hy_bulk_opts o = {.org_ref = st->org_id[0] ? st->org_id : NULL, .dry_run = true};
    int rc = ops_bulk_import(u->ctx, &u->me, &o, &st->in, &st->rep, &err);
    ui_list_set_count(&st->list, st->rep.nrows);
    if (rc && st->rep.nrows == 0) return ui_fail(u, &err);
    return UI_REDRAW;
}

static int preview_open(ui *u, screen *s, const void *arg)
{
    const preview_arg *a = arg;
    preview_state *st = s->state;
    hy_strlcpy(st->org_id, a->org_id, sizeof st->org_id);
    st->source = xstrdup(a->source);
    st->in = *a->in; /* moved */
    memset(a->in, 0, sizeof *a->in);
    ui_list_init(&st->list, PREVIEW_COLS, 5, st, preview_cell);
    st->list.style = preview_style;
    st->list.noun = "rows";
    s->focus = &st->list.w;
    int f = preview_check(u, s);
    return (f & UI_LOGOUT) || st->rep.nrows == 0 ? f | UI_CLOSE : UI_REDRAW;
}

static void preview_draw(ui *u, screen *s, ui_rect body)
{
    preview_state *st = s->state;
    const hy_bulk_report *r = &st->rep;
    char line[256];
    snprintf(line, sizeof line, "%s: %d rows, %d ready, %d skipped, %d with errors", r->org_name ? r->org_name : "",
             r->nrows, r->nready, r->nskipped, r->nerrors);
    ui_put(u, body.y + 1, body.x + 2, body.w - 4, UI_S_TITLE, 0, line);
    ui_put(u, body.y + 2, body.x + 2, body.w - 4, r->nerrors ? UI_S_ERROR : UI_S_DIM, 0,
           r->nerrors ? "Nothing starts while a row has an error: e fixes the selected row, Esc goes back to edit."
           : r->nready ? "Enter starts them all at once."
                       : "Nobody to start: everyone here already has access.");
    int detail = 4;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 3, body.x + 1, body.h - 3 - detail, body.w - 2});
    int row = ui_list_selected(&st->list), y = body.y + body.h - detail;
    if (row < 0) return;
    const hy_bulk_result *x = &r->rows[row];
    snprintf(line, sizeof line, "Line %d:", x->line);
    ui_put(u, y, body.x + 2, 9, UI_S_TITLE, 0, line);
    if (!x->nerrors) ui_put(u, y, body.x + 11, body.w - 13, UI_S_DIM, 0, x->note ? x->note : "ready");
    for (int k = 0; k < x->nerrors && k < detail; k++)
        ui_put(u, y + k, body.x + 11, body.w - 13, UI_S_ERROR, 0, x->errors[k]);
}

typedef struct {
    hy_bulk_input *in;
    int row;
} fix_arg;

extern const screen_ops ui_import_row_screen;

static int fix_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)text;
    (void)ctx;
    return result == 1 ? preview_check(u, s) : UI_REDRAW;
}

static int preview_start(ui *u, screen *s)
{
    preview_state *st = s->state;
    if (st->rep.nerrors) {
        ui_msg(u, UI_S_ERROR, "%d row%s still %s errors: fix them (e) or go back (Esc).", st->rep.nerrors,
               st->rep.nerrors == 1 ? "" : "s", st->rep.nerrors == 1 ? "has" : "have");
        return UI_REDRAW;
    }
    if (!st->rep.nready) {
        ui_msg(u, UI_S_INFO, "Nothing to start.");
        return UI_REDRAW;
    }
    hy_bulk_report_free(&st->rep);
    hy_err err;
    hy_err_clear(&err);
    hy_bulk_opts o = {.org_ref = st->org_id[0] ? st->org_id : NULL, .source = st->source};
    int rc = ops_bulk_import(u->ctx, &u->me, &o, &st->in, &st->rep, &err);
    ui_list_set_count(&st->list, st->rep.nrows);
    if (rc) return ui_fail(u, &err);
    ui_runner_kick(u);
    ui_msg(u, UI_S_INFO, "Started %d request%s.", st->rep.nready, st->rep.nready == 1 ? "" : "s");
    return ui_finish(s, 2, st->rep.batch_id);
}

static int preview_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    preview_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case V_START: return preview_start(u, s);
    case V_RECHECK: return preview_check(u, s);
    case V_FIX: {
        int row = ui_list_selected(&st->list);
        if (row < 0) return UI_HANDLED;
        fix_arg fa = {&st->in, row};
        ui_push_then(u, &ui_import_row_screen, &fa, fix_done, NULL);
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

static void preview_close(ui *u, screen *s)
{
    (void)u;
    preview_state *st = s->state;
    ui_list_free(&st->list);
    hy_bulk_report_free(&st->rep);
    hy_bulk_input_free(&st->in);
    free(st->source);
}

const screen_ops ui_import_preview_screen = {
    .name = "Check the rows",
    .state_size = sizeof(preview_state),
    .actions = PREVIEW_ACTIONS,
    .open = preview_open,
    .draw = preview_draw,
    .handle_key = preview_key,
    .close = preview_close,
};

/* ---- 2b. one row, fixed in place ---- */

typedef struct {
    ui_form form;
    hy_bulk_input *in;
    int row;
} fixrow_state;

enum { F_SAVE = 1 };

static const ui_action FIXROW_ACTIONS[] = {
    {F_SAVE, "Enter", "Save", "Keep these values and check every row again"},
    UI_ACTIONS_END,
};

static int fixrow_open(ui *u, screen *s, const void *arg)
{
    (void)u;
    const fix_arg *a = arg;
    fixrow_state *st = s->state;
    st->in = a->in;
    st->row = a->row;
    ui_form_init(&st->form);
    char line[32];
    snprintf(line, sizeof line, "%d", a->in->rows[a->row].line);
    ui_form_info(&st->form, "Line", line);
    for (int k = 0; k < a->in->ncols; k++)
        ui_form_text(&st->form, a->in->cols[k], a->in->cols[k], false, a->in->rows[a->row].values[k], 1024);
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static void fixrow_draw(ui *u, screen *s, ui_rect body)
{
    fixrow_state *st = s->state;
    ui_form_draw(u, &st->form, (ui_rect){body.y + 1, body.x + 2, body.h - 1, body.w - 4});
}

static int fixrow_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u;
    (void)k;
    fixrow_state *st = s->state;
    if (!a || a->id != F_SAVE) return UI_NOT_MINE;
    hy_bulk_row *r = &st->in->rows[st->row];
    for (int k2 = 0; k2 < st->in->ncols; k2++) {
        free(r->values[k2]);
        r->values[k2] = xstrdup(ui_form_get(&st->form, st->in->cols[k2]));
    }
    if (r->nfields > st->in->nfilecols) r->nfields = st->in->nfilecols; /* the extra fields are dropped */
    return ui_finish(s, 1, NULL);
}

static void fixrow_close(ui *u, screen *s)
{
    (void)u;
    fixrow_state *st = s->state;
    ui_form_free(&st->form);
}

const screen_ops ui_import_row_screen = {
    .name = "Fix a row",
    .state_size = sizeof(fixrow_state),
    .actions = FIXROW_ACTIONS,
    .open = fixrow_open,
    .draw = fixrow_draw,
    .handle_key = fixrow_key,
    .close = fixrow_close,
};

/* ---- 3. a batch's progress, live ---- */

typedef struct {
    char id[HY_UUID_LEN];
    hy_batch_detail d;
    ui_list list;
    char sig[256];          /* what was drawn: redraw only on change */
} batch_state;

enum { B_OPEN = 1, B_REFRESH };

static const ui_action BATCH_ACTIONS[] = {
    {B_OPEN, "Enter", "Open", "Open the selected person's execution"},
    {B_REFRESH, "r", NULL, "Load it again"},
    UI_ACTIONS_END,
};

static const ui_column BATCH_COLS[] = {
    {"Line", 4, 5, 8, true},
    {"Email", 16, 32, 9, false},
    {"Status", 9, 14, 7, false},
    {"Step / error", 20, 0, 6, false},
};

static const char *batch_cell(void *data, int row, int col, char *buf, size_t n)
{
    batch_state *st = data;
    const hy_batch_item *it = &st->d.items[row];
    switch (col) {
    case 0: snprintf(buf, n, "%d", it->line); return buf;
    case 1: return it->email;
    case 2: return it->execution_id ? it->status : "skipped";
    default:
        if (!it->execution_id) return it->note;
        if (hy_streq(it->status, "completed")) return "";
        snprintf(buf, n, "%d/%d %s%s%s", it->current_step, it->nsteps,
                 it->current_step_name ? it->current_step_name : "?", it->error ? ": " : "", it->error ? it->error : "");
        return buf;
    }
}

static ui_style batch_style(void *data, int row, int col)
{
    batch_state *st = data;
    const hy_batch_item *it = &st->d.items[row];
    if (col != 2) return UI_S_NORMAL;
    return it->execution_id ? ui_status_style(it->status) : UI_S_DIM;
}

static const char *batch_row_id(void *data, int row)
{
    batch_state *st = data;
    return st->d.items[row].execution_id ? st->d.items[row].execution_id : st->d.items[row].email;
}

static int batch_reload(ui *u, screen *s)
{
    batch_state *st = s->state;
    hy_batch_detail fresh;
    hy_err err;
    hy_err_clear(&err);
    if (ops_batch_show(u->ctx, &u->me, st->id, &fresh, &err) != 0) return ui_fail(u, &err);
    hy_batch_detail_free(&st->d);
    st->d = fresh;
    ui_list_set_count(&st->list, st->d.count);
    return UI_REDRAW;
}

/* The counts and every status, to redraw only when something moved. */
static void signature(const batch_state *st, char *out, size_t n)
{
    hy_buf b = {0};
    for (int i = 0; i < HY_EXEC_NSTATUS; i++) hy_buf_printf(&b, "%lld,", (long long)st->d.s.counts[i]);
    for (int i = 0; i < st->d.count; i++) hy_buf_printf(&b, "%d", st->d.items[i].current_step);
    unsigned long h = 5381;
    for (const char *p = b.s ? b.s : ""; *p; p++) h = h * 33 + (unsigned char)*p;
    snprintf(out, n, "%.64s%lu", b.s ? b.s : "", h);
    hy_buf_free(&b);
}

static int batch_tick(ui *u, screen *s)
{
    batch_state *st = s->state;
    if (!u->data_changed) return 0;           /* its progress comes as data changes */
    if (st->d.settled && st->d.s.id) return 0; /* nothing moves any more */
    int f = batch_reload(u, s);
    if (f & UI_LOGOUT) return f;
    char sig[sizeof st->sig];
    signature(st, sig, sizeof sig);
    if (strcmp(sig, st->sig) == 0) return 0;
    hy_strlcpy(st->sig, sig, sizeof st->sig);
    return UI_REDRAW;
}

static int batch_open(ui *u, screen *s, const void *arg)
{
    batch_state *st = s->state;
    hy_strlcpy(st->id, arg, sizeof st->id);
    ui_list_init(&st->list, BATCH_COLS, 4, st, batch_cell);
    st->list.style = batch_style;
    st->list.row_id = batch_row_id;
    st->list.noun = "people";
    s->focus = &st->list.w;
    int f = batch_reload(u, s);
    return (f & UI_LOGOUT) || !st->d.s.id ? f | UI_CLOSE : UI_REDRAW;
}

static void batch_draw(ui *u, screen *s, ui_rect body)
{
    batch_state *st = s->state;
    const hy_batch_summary *b = &st->d.s;
    char line[320];
    snprintf(line, sizeof line, "Batch %.8s %s %s: %d started, %d skipped", b->id, u->g->sep,
             b->organization_name ? b->organization_name : "-", b->rows_started, b->rows_skipped);
    ui_put(u, body.y + 1, body.x + 2, body.w - 4, UI_S_TITLE, 0, line);
    int64_t done = b->counts[HY_EXEC_COMPLETED] + b->counts[HY_EXEC_FAILED] + b->counts[HY_EXEC_CANCELLED];
    snprintf(line, sizeof line, "%lld/%d finished: %lld completed, %lld failed, %lld running, %lld queued%s",
             (long long)done, b->rows_started, (long long)b->counts[HY_EXEC_COMPLETED],
             (long long)b->counts[HY_EXEC_FAILED], (long long)b->counts[HY_EXEC_RUNNING],
             (long long)b->counts[HY_EXEC_PENDING], st->d.settled ? "" : "  (updates by itself)");
    ui_put(u, body.y + 2, body.x + 2, body.w - 4, b->counts[HY_EXEC_FAILED] ? UI_S_FAILED : UI_S_NORMAL, 0, line);
    ui_list_draw(u, &st->list, (ui_rect){body.y + 3, body.x + 1, body.h - 3, body.w - 2});
}

static int batch_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    batch_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == B_REFRESH) return UI_RELOAD;
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    if (!st->d.items[row].execution_id) {
        ui_msg(u, UI_S_INFO, "Line %d started nothing: %s.", st->d.items[row].line,
               st->d.items[row].note ? st->d.items[row].note : "skipped");
        return UI_REDRAW;
    }
    ui_push(u, ui_exec_screen_for(u), st->d.items[row].execution_id);
    return UI_REDRAW;
}

static void batch_close(ui *u, screen *s)
{
    (void)u;
    batch_state *st = s->state;
    ui_list_free(&st->list);
    hy_batch_detail_free(&st->d);
}

const screen_ops ui_batch_screen = {
    .name = "Batch",
    .state_size = sizeof(batch_state),
    .actions = BATCH_ACTIONS,
    .open = batch_open,
    .draw = batch_draw,
    .handle_key = batch_key,
    .tick = batch_tick,
    .reload = batch_reload,
    .close = batch_close,
};
