/* The audit trail, newest first (ops_audit_list), a page at a time: older
 * entries load when the selection reaches the last row. Each entry says
 * what it is about in words (ops' target label: an organisation's name, a
 * user's name and email, an execution's workflow, organisation and user);
 * Enter opens that organisation, user or execution. `f` filters by actor,
 * action, target id and "about" (an email, a name or an organisation's
 * name) through ops (a small form); `/` searches the loaded rows. The
 * selected entry's details are shown under the list. Opened with an id (an
 * execution's `h`), it is that target's history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "exec_view.h"
#include "form.h"
#include "list.h"
#include "ops.h"
#include "sanitize.h"
#include "screens.h"

#define PAGE 200
#define DETAIL_ROWS 7

typedef struct {
    ui_list list;
    hy_audit_list entries;      /* the pages loaded so far (owned) */
    char *actor, *action, *target, *about;  /* the ops filter; NULL: none */
    ui_column cols[4];          /* the When column's title says the time zone */
    char when_title[32];
    ui *u;
    char idbuf[24];
} audit_state;

enum { A_OPEN = 1, A_FILTER, A_CLEAR, A_REFRESH };

static const ui_action AUDIT_ACTIONS[] = {
    {A_OPEN, "Enter", "Open", "Open what the selected entry is about: its organisation, user or execution"},
    {A_FILTER, "f", "Filter by", "Filter by actor, action, target or what it is about (through the whole trail)"},
    {A_CLEAR, "c", "Show all", "Clear the filter"},
    {A_REFRESH, "C-r", "Refresh", "Load the newest entries again"},
    UI_ACTIONS_END,
};

static const ui_column AUDIT_COLS[] = {
    {"When", 16, 16, 8, false},
    {"Actor", 14, 30, 6, false},
    {"Action", 14, 20, 9, false},
    {"About", 20, 0, 7, false},
};

static const char *audit_cell(void *data, int row, int col, char *buf, size_t n)
{
    audit_state *st = data;
    const hy_audit_entry *e = &st->entries.items[row];
    switch (col) {
    case 0: ui_when(e->at, false, buf, n); return buf;
    case 1: return e->actor_email ? e->actor_email : "system";
    case 2: return e->action;
    default:
        if (e->target_label) return e->target_label;
        snprintf(buf, n, "%s %s", e->target_type ? e->target_type : "", e->target_id ? e->target_id : "");
        return buf;
    }
}

static const char *audit_id(void *data, int row)
{
    audit_state *st = data;
    snprintf(st->idbuf, sizeof st->idbuf, "%lld", (long long)st->entries.items[row].id);
    return st->idbuf; /* the list compares or copies it at once */
}

/* Loads the next page (older than the last loaded entry) or, when reset,
 * the newest. Returns 0 or ui_fail's flags. */
static int load(audit_state *st, bool reset, int limit)
{
    hy_audit_filter f = {
        .actor = st->actor,
        .action = st->action,
        .target = st->target,
        .about = st->about,
        .limit = limit + 1,
        .before_id = reset || !st->entries.count ? 0 : st->entries.items[st->entries.count - 1].id,
    };
    hy_audit_list page;
    hy_err err;
    hy_err_clear(&err);
    if (ops_audit_list(st->u->ctx, &st->u->me, &f, &page, &err) != 0) return ui_fail(st->u, &err);
    bool more = page.count > limit;
    if (more) { /* one more than a page: there are older entries */
        hy_audit_entry_free(&page.items[limit]);
        page.count = limit;
    }
    if (reset) {
        hy_audit_list_free(&st->entries);
        st->entries = page;
    } else {
        st->entries.items =
            xrealloc(st->entries.items, (size_t)(st->entries.count + page.count) * sizeof *page.items);
        memcpy(st->entries.items + st->entries.count, page.items, (size_t)page.count * sizeof *page.items);
        st->entries.count += page.count;
        free(page.items);
    }
    st->list.more = more;
    ui_list_set_count(&st->list, st->entries.count);
    return 0;
}

static void on_more(void *data)
{
    audit_state *st = data;
    (void)load(st, false, PAGE); /* a failure is on the message line */
}

static int audit_reload(ui *u, screen *s)
{
    (void)u;
    audit_state *st = s->state;
    int f = load(st, true, PAGE);
    return f ? f : UI_REDRAW;
}

static int audit_open(ui *u, screen *s, const void *arg)
{
    audit_state *st = s->state;
    st->u = u;
    st->target = arg ? xstrdup(arg) : NULL; /* a history: this target's entries */
    memcpy(st->cols, AUDIT_COLS, sizeof st->cols);
    snprintf(st->when_title, sizeof st->when_title, "When (%s)", ui_zone());
    st->cols[0].title = st->when_title;
    ui_list_init(&st->list, st->cols, 4, st, audit_cell);
    st->list.row_id = audit_id;
    st->list.on_more = on_more;
    st->list.noun = "entries";
    st->list.empty_text = "No audit entries.";
    s->focus = &st->list.w;
    int f = audit_reload(u, s);
    return (f & UI_LOGOUT) ? (f | UI_CLOSE) : UI_REDRAW;
}

/* "key: value, key: value" from the details JSON (else the text). Caller frees. */
static char *details_text(const char *json)
{
    if (!json || !*json) return xstrdup("-");
    cJSON *j = cJSON_Parse(json);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return xstrdup(json);
    }
    hy_buf b = {0};
    hy_buf_put(&b, "");
    const cJSON *it;
    cJSON_ArrayForEach(it, j)
    {
        hy_buf_printf(&b, "%s%s: ", b.len ? "; " : "", it->string);
        if (cJSON_IsString(it)) {
            hy_buf_put(&b, it->valuestring);
        } else {
            char *v = cJSON_PrintUnformatted(it);
            hy_buf_put(&b, v);
            cJSON_free(v);
        }
    }
    cJSON_Delete(j);
    return hy_buf_take(&b);
}

static void draw_filter_line(ui *u, audit_state *st, int y, int x, int w)
{
    if (!st->actor && !st->action && !st->target && !st->about) {
        ui_put(u, y, x, w, UI_S_DIM, UI_FIT_RAW,
               "Newest first. f filters (actor, action, target, about). Enter opens it.");
        return;
    }
    hy_buf b = {0};
    hy_buf_put(&b, "Filter:");
    const char *sep = "";
    if (st->actor) hy_buf_printf(&b, "%s actor contains \"%s\"", sep, st->actor), sep = ",";
    if (st->action) hy_buf_printf(&b, "%s action starts with \"%s\"", sep, st->action), sep = ",";
    if (st->target) hy_buf_printf(&b, "%s target starts with \"%s\"", sep, st->target), sep = ",";
    if (st->about) hy_buf_printf(&b, "%s about \"%s\"", sep, st->about);
    hy_buf_put(&b, "  (c clears)");
    ui_put(u, y, x, w, UI_S_INFO, 0, b.s);
    hy_buf_free(&b);
}

static void draw_details(ui *u, audit_state *st, ui_rect r)
{
    int row = ui_list_selected(&st->list);
    ui_fill(u, r.y, r.x, r.w, UI_S_NORMAL);
    if (row < 0 || r.h < 2) return;
    const hy_audit_entry *e = &st->entries.items[row];
    char line[1024], when[40];
    ui_when(e->at, true, when, sizeof when);
    snprintf(line, sizeof line, "Entry %lld at %s %s by %s%s%s%s%s%s", (long long)e->id, when, ui_zone(),
             e->actor_email ? e->actor_email : "system", e->os_user ? " (OS user " : "", e->os_user ? e->os_user : "",
             e->remote ? ", from " : "", e->remote ? e->remote : "", e->os_user ? ")" : "");
    ui_put(u, r.y, r.x, r.w, UI_S_TITLE, 0, line);
    snprintf(line, sizeof line, "%s on %s%s%s %s%s", e->action ? e->action : "",
             e->target_label ? e->target_label : "", e->target_label ? " (" : "", e->target_type ? e->target_type : "-",
             e->target_id ? e->target_id : "", e->target_label ? ")" : "");
    ui_put(u, r.y + 1, r.x, r.w, UI_S_NORMAL, 0, line);
    char *d = details_text(e->details);
    char *safe = hy_sanitize(d);
    free(d);
    int start[16], len[16];
    int n = ui_wrap(safe, r.w, u->ascii, ui_min(16, r.h - 2), start, len);
    for (int i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%.*s", len[i], safe + start[i]);
        ui_put(u, r.y + 2 + i, r.x, r.w, UI_S_DIM, UI_FIT_RAW, line);
    }
    free(safe);
}

static void audit_draw(ui *u, screen *s, ui_rect body)
{
    audit_state *st = s->state;
    draw_filter_line(u, st, body.y, body.x + 2, body.w - 4);
    int list_h = body.h - 1 - DETAIL_ROWS - 1;
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, list_h, body.w - 2});
    draw_details(u, st, (ui_rect){body.y + 1 + list_h + 1, body.x + 2, DETAIL_ROWS, body.w - 4});
}

static char *json_field(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) && *v->valuestring ? xstrdup(v->valuestring) : NULL;
}

static void set_filter(audit_state *st, char *actor, char *action, char *target, char *about)
{
    free(st->actor);
    free(st->action);
    free(st->target);
    free(st->about);
    st->actor = actor;
    st->action = action;
    st->target = target;
    st->about = about;
}

static int filter_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)ctx;
    audit_state *st = s->state;
    if (result != 1 || !text) return UI_REDRAW;
    cJSON *j = cJSON_Parse(text);
    set_filter(st, json_field(j, "actor"), json_field(j, "action"), json_field(j, "target"), json_field(j, "about"));
    cJSON_Delete(j);
    return audit_reload(u, s);
}

/* Enter: the organisation, user or execution the entry is about. */
static int open_target(ui *u, audit_state *st)
{
    int row = ui_list_selected(&st->list);
    if (row < 0) return UI_HANDLED;
    const hy_audit_entry *e = &st->entries.items[row];
    const screen_ops *to = NULL;
    if (e->target_id && hy_streq(e->target_type, "organization")) to = &ui_org_screen;
    else if (e->target_id && hy_streq(e->target_type, "user")) to = &ui_user_edit_screen;
    else if (e->target_id && hy_streq(e->target_type, "execution")) to = ui_exec_screen_for(u);
    if (!to) {
        ui_msg(u, UI_S_INFO, "This entry is about nothing that can be opened.");
        return UI_REDRAW;
    }
    if (!e->target_label) {
        ui_msg(u, UI_S_INFO, "What this entry is about no longer exists (deleted).");
        return UI_REDRAW;
    }
    ui_push(u, to, e->target_id);
    return UI_REDRAW;
}

static int audit_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    audit_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case A_REFRESH: return UI_RELOAD;
    case A_CLEAR:
        set_filter(st, NULL, NULL, NULL, NULL);
        return UI_RELOAD;
    case A_OPEN: return open_target(u, st);
    case A_FILTER: {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "actor", st->actor ? st->actor : "");
        cJSON_AddStringToObject(j, "action", st->action ? st->action : "");
        cJSON_AddStringToObject(j, "target", st->target ? st->target : "");
        cJSON_AddStringToObject(j, "about", st->about ? st->about : "");
        char *text = cJSON_PrintUnformatted(j);
        ui_push_then(u, &ui_audit_filter_screen, text, filter_done, NULL);
        cJSON_free(text);
        cJSON_Delete(j);
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

static void audit_close(ui *u, screen *s)
{
    (void)u;
    audit_state *st = s->state;
    ui_list_free(&st->list);
    hy_audit_list_free(&st->entries);
    set_filter(st, NULL, NULL, NULL, NULL);
}

const screen_ops ui_audit_screen = {
    .name = "Audit",
    .state_size = sizeof(audit_state),
    .actions = AUDIT_ACTIONS,
    .open = audit_open,
    .draw = audit_draw,
    .handle_key = audit_key,
    .reload = audit_reload,
    .close = audit_close,
};

/* ---- the filter form ---- */

typedef struct {
    ui_form form;
} afilter_state;

enum { F_APPLY = 1, F_CANCEL };

static const ui_action AFILTER_ACTIONS[] = {
    {F_APPLY, "Enter", "Apply", "Show the entries that match every filled field"},
    {F_CANCEL, "Esc", "Cancel", "Keep the filter as it was"},
    UI_ACTIONS_END,
};

static int afilter_open(ui *u, screen *s, const void *arg)
{
    (void)u;
    afilter_state *st = s->state;
    cJSON *j = cJSON_Parse(arg ? arg : "{}");
    ui_form_init(&st->form);
    char *v;
    ui_form_text(&st->form, "actor", "Actor email contains", false, (v = json_field(j, "actor")), 254);
    free(v);
    ui_form_text(&st->form, "action", "Action starts with", false, (v = json_field(j, "action")), 100);
    free(v);
    ui_form_text(&st->form, "target", "Target id starts with", false, (v = json_field(j, "target")), 100);
    free(v);
    ui_form_text(&st->form, "about", "About (email, name, organisation)", false, (v = json_field(j, "about")), 200);
    free(v);
    ui_form_info(&st->form, "Examples", "action: org. or user.update or metabase. ; target: the first characters of "
                                        "an id; about: part of an email, a person's name or an organisation's name "
                                        "(their entries, their executions' and what they did)");
    cJSON_Delete(j);
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static void afilter_draw(ui *u, screen *s, ui_rect body)
{
    afilter_state *st = s->state;
    int w = ui_min(100, body.w - 4);
    ui_put(u, body.y + 1, body.x + 2, w, UI_S_TITLE, UI_FIT_RAW, "Filter the audit trail");
    ui_form_draw(u, &st->form, (ui_rect){body.y + 3, body.x + 2, body.h - 3, w});
}

static int afilter_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)u, (void)k;
    afilter_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    if (a->id == F_CANCEL) return ui_form_leave(u, &st->form, "Keep the filter as it was?");
    cJSON *j = cJSON_CreateObject();
    const char *names[] = {"actor", "action", "target", "about"};
    for (int i = 0; i < 4; i++) {
        char *copy = xstrdup(ui_form_get(&st->form, names[i]));
        cJSON_AddStringToObject(j, names[i], hy_trim(copy));
        free(copy);
    }
    char *text = cJSON_PrintUnformatted(j);
    int f = ui_finish(s, 1, text);
    cJSON_free(text);
    cJSON_Delete(j);
    return f;
}

static void afilter_close(ui *u, screen *s)
{
    (void)u;
    afilter_state *st = s->state;
    ui_form_free(&st->form);
}

const screen_ops ui_audit_filter_screen = {
    .name = "Audit filter",
    .state_size = sizeof(afilter_state),
    .actions = AFILTER_ACTIONS,
    .open = afilter_open,
    .draw = afilter_draw,
    .handle_key = afilter_key,
    .close = afilter_close,
};
