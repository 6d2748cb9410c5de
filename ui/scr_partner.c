/* The partner admin's home: a dashboard of their own organisation
 * (ops_org_show scopes it): what they can do first (Add user, Requests,
 * Change password), then the account types, the integration state, the
 * documentation links and the users, read-only, and last Access (its drift
 * and last check; Enter or A: its users x systems matrix), as rows of one list so
 * that they scroll and `/` finds a line. Nothing here takes an id: the
 * organisation is the session's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_view.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

typedef enum { R_ADD_USER, R_ADD_MANY, R_REQUESTS, R_ACCESS, R_PASSWORD, R_HEAD, R_FIELD, R_USER, R_BLANK } row_kind;

typedef struct {
    row_kind kind;
    char *label, *value;        /* owned; raw (the list sanitizes) */
} prow;

typedef struct {
    ui_list list;
    char *title;
    prow *rows;
    int n, cap;
    char *sig;
    ui_revoke_pending revoke;
} partner_state;

enum { A_OPEN = 1, A_ADD, A_ADD_MANY, A_REMOVE, A_REQUESTS, A_ACCESS, A_LOGOUT };

static const ui_action PARTNER_ACTIONS[] = {
    {A_OPEN, "Enter l Right", "Open", "Open the selected entry (the organisation's details are read-only)"},
    {A_ADD, "a", "Add user", "Give a new person of your organisation access (starts a request)"},
    {A_ADD_MANY, "m", "Add several", "Add several users: paste their rows, check them, start them all at once"},
    {A_REMOVE, "x", "Remove user", "Remove the selected user's access everywhere (asks first, saying what will be removed)"},
    {A_REQUESTS, "r", "Requests", "Your organisation's user requests and their progress"},
    {A_ACCESS, "A", "Access", "Who of your organisation has access to Metabase, Teams and Slack (read-only)"},
    {A_LOGOUT, "L", "Log out", "End the session and return to the login screen"},
    UI_ACTIONS_END,
};

static const ui_column DASH_COLS[] = {
    {"", 16, 20, 5, false},
    {"", 20, 0, 9, false},
};

static void add(partner_state *st, row_kind kind, const char *label, const char *value)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->rows = xrealloc(st->rows, (size_t)st->cap * sizeof *st->rows);
    }
    st->rows[st->n++] = (prow){kind, xstrdup(label ? label : ""), xstrdup(value ? value : "")};
}

static void field(partner_state *st, const char *label, const char *value)
{
    add(st, R_FIELD, label, value && *value ? value : "-");
}

static void free_rows(partner_state *st)
{
    for (int i = 0; i < st->n; i++) {
        free(st->rows[i].label);
        free(st->rows[i].value);
    }
    st->n = 0;
}

/* "2 waiting for input, 1 failed, 14 completed" (or how to start). */
static char *requests_line(ui *u)
{
    hy_exec_query q = {.limit = 1};
    hy_exec_page pg;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_list(u->ctx, &u->me, &q, &pg, &err) != 0) return xstrdup("Your organisation's user requests");
    char *out;
    if (pg.total == 0) {
        out = xstrdup("No requests yet: Add user starts one");
    } else {
        int64_t active = pg.counts[HY_EXEC_PENDING] + pg.counts[HY_EXEC_RUNNING];
        out = xasprintf("%lld waiting for input, %lld failed, %lld in progress, %lld completed, %lld cancelled",
                        (long long)pg.counts[HY_EXEC_AWAITING_INPUT], (long long)pg.counts[HY_EXEC_FAILED],
                        (long long)active, (long long)pg.counts[HY_EXEC_COMPLETED],
                        (long long)pg.counts[HY_EXEC_CANCELLED]);
    }
    hy_exec_page_free(&pg);
    return out;
}

/* "2 drifts (checked 2026-12-05 10:00)": what the last reconciliation saw. */
static char *access_line(ui *u)
{
    hy_access_status a;
    hy_err err;
    hy_err_clear(&err);
    if (ops_access_org_status(u->ctx, &u->me, u->me.org_id, &a, &err) != 0)
        return xstrdup("Who of your organisation has access to what");
    char t[HY_TIME_LEN];
    hy_time_short(a.last_check, t);
    char *out = a.last_check ? xasprintf("%d drift%s (checked %s%s): who has access to what", a.drift,
                                         a.drift == 1 ? "" : "s", t, a.last_failed ? ", not everything could be read" : "")
                             : xstrdup("Who has access to what (not checked yet)");
    hy_access_status_free(&a);
    return out;
}

static void build(ui *u, partner_state *st, const hy_org_detail *d)
{
    char buf[512], when[64];
    add(st, R_ADD_USER, "Add user", "Give a new person of your organisation access");
    add(st, R_ADD_MANY, "Add several users", "Paste a list of people: checked first, then started together");
    char *req = requests_line(u);
    add(st, R_REQUESTS, "Requests", req);
    free(req);
    add(st, R_PASSWORD, "Change password", "Choose a new password for your account");
    add(st, R_BLANK, NULL, NULL);

    add(st, R_HEAD, "Organisation", NULL);
    field(st, "Name", d->org.name);
    char *types = hy_strlist_join(&d->org.account_types, ", ");
    field(st, "Account types", types);
    free(types);

    add(st, R_BLANK, NULL, NULL);
    add(st, R_HEAD, "Integrations", NULL);
    if (!d->has_integrations) {
        field(st, "State", "not set up yet");
    } else {
        snprintf(buf, sizeof buf, "%s%s%s%s", d->keycloak_confirmed ? "confirmed" : "not confirmed",
                 d->keycloak_cluster && *d->keycloak_cluster ? " (cluster " : "",
                 d->keycloak_cluster && *d->keycloak_cluster ? d->keycloak_cluster : "",
                 d->keycloak_cluster && *d->keycloak_cluster ? ")" : "");
        field(st, "Keycloak", buf);
        field(st, "Metabase", d->metabase_collection_id && *d->metabase_collection_id ? "collection set up"
                                                                                      : "not set up yet");
        field(st, "LMS", d->lms_confirmed ? "confirmed" : "not confirmed");
        ui_when_ago(d->integrations_updated_at, hy_now_ms(), when, sizeof when);
        field(st, "Updated", when);
    }

    add(st, R_BLANK, NULL, NULL);
    add(st, R_HEAD, "Documentation links", NULL);
    field(st, "Internal", d->docs_internal);
    field(st, "General", d->docs_general);
    field(st, "Additional", d->docs_additional);

    add(st, R_BLANK, NULL, NULL);
    snprintf(buf, sizeof buf, "Users (%d)", d->nusers);
    add(st, R_HEAD, buf, NULL);
    if (!d->nusers) field(st, "None", "Add user gives a person access");
    for (int i = 0; i < d->nusers; i++) {
        const hy_user_brief *b = &d->users[i];
        char *access = hy_access_summary(&b->access);
        snprintf(buf, sizeof buf, "%s %s  %s  %s access: %s%s%.10s", b->firstname ? b->firstname : "",
                 b->lastname ? b->lastname : "", b->role == HY_ROLE_PARTNER_ADMIN ? "partner admin" : hy_role_name(b->role),
                 u->g->dash, access, b->offboarded_at ? "  offboarded " : "", b->offboarded_at ? b->offboarded_at : "");
        free(access);
        add(st, R_USER, b->email, buf);
    }

    /* last, so that the users stay on the first screen (A opens it from anywhere) */
    add(st, R_BLANK, NULL, NULL);
    char *acc = access_line(u);
    add(st, R_ACCESS, "Access", acc);
    free(acc);
}

static const char *cell(void *data, int row, int col, char *buf, size_t n)
{
    (void)buf, (void)n;
    partner_state *st = data;
    return col == 0 ? st->rows[row].label : st->rows[row].value;
}

/* Headings and blank lines are not rows to rest on. */
static bool selectable(void *data, int row)
{
    const prow *r = &((partner_state *)data)->rows[row];
    return r->kind != R_HEAD && r->kind != R_BLANK;
}

static ui_style style(void *data, int row, int col)
{
    partner_state *st = data;
    const prow *r = &st->rows[row];
    if (r->kind == R_HEAD) return UI_S_TITLE;
    if (r->kind <= R_PASSWORD) return col == 0 ? UI_S_NORMAL : UI_S_DIM;
    return col == 0 ? UI_S_DIM : UI_S_NORMAL;
}

static char *signature(partner_state *st)
{
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (int i = 0; i < st->n; i++) hy_buf_printf(&b, "%s=%s|", st->rows[i].label, st->rows[i].value);
    return hy_buf_take(&b);
}

static int load(ui *u, partner_state *st, bool *changed)
{
    hy_org_detail d;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_show(u->ctx, &u->me, u->me.org_id, &d, &err) != 0) return ui_fail(u, &err);
    free_rows(st);
    free(st->title);
    st->title = xstrdup(d.org.name);
    build(u, st, &d);
    hy_org_detail_free(&d);
    char *sig = signature(st);
    *changed = !hy_streq(sig, st->sig);
    free(st->sig);
    st->sig = sig;
    ui_list_set_count(&st->list, st->n);
    return 0;
}

static int partner_reload(ui *u, screen *s)
{
    bool changed;
    int f = load(u, s->state, &changed);
    return f ? f : UI_REDRAW;
}

static int partner_tick(ui *u, screen *s)
{
    partner_state *st = s->state;
    if (!u->data_changed) return 0;
    bool changed = false;
    int f = load(u, st, &changed);
    return f ? f : changed ? UI_REDRAW : 0;
}

static int partner_open(ui *u, screen *s, const void *arg)
{
    (void)arg;
    partner_state *st = s->state;
    ui_list_init(&st->list, DASH_COLS, 2, st, cell);
    st->list.style = style;
    st->list.selectable = selectable;
    st->list.noun = "lines";
    s->focus = &st->list.w;
    bool changed;
    int f = load(u, st, &changed);
    if (f & UI_LOGOUT) return f | UI_CLOSE;
    if (f) { /* the organisation cannot be shown (e.g. detached): still a way out */
        st->title = xstrdup("Your organisation");
        add(st, R_PASSWORD, "Change password", "Choose a new password for your account");
        ui_list_set_count(&st->list, st->n);
    }
    return UI_REDRAW;
}

static void partner_draw(ui *u, screen *s, ui_rect body)
{
    partner_state *st = s->state;
    ui_put(u, body.y + 1, body.x + 2, body.w - 4, UI_S_TITLE, 0, st->title);
    ui_list_draw(u, &st->list, (ui_rect){body.y + 2, body.x + 1, body.h - 2, body.w - 2});
}

static int run_row(ui *u, row_kind kind)
{
    switch (kind) {
    case R_ADD_USER: return ui_exec_start(u, "new_partner_user", NULL);
    case R_ADD_MANY: ui_push(u, &ui_import_screen, NULL); return UI_REDRAW;
    case R_REQUESTS: ui_push(u, &ui_requests_screen, NULL); return UI_REDRAW;
    case R_ACCESS: ui_push(u, &ui_access_matrix_screen, NULL); return UI_REDRAW;
    case R_PASSWORD: ui_push(u, &ui_passwd_screen, NULL); return UI_REDRAW;
    default:
        ui_msg(u, UI_S_INFO, "Your organisation's details are read-only here: a HyOpps admin changes them.");
        return UI_REDRAW;
    }
}

static int partner_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    partner_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case A_LOGOUT: ui_msg(u, UI_S_INFO, "Logged out."); return UI_LOGOUT;
    case A_ADD: return run_row(u, R_ADD_USER);
    case A_ADD_MANY: return run_row(u, R_ADD_MANY);
    case A_REQUESTS: return run_row(u, R_REQUESTS);
    case A_ACCESS: return run_row(u, R_ACCESS);
    case A_REMOVE: {
        int row = ui_list_selected(&st->list);
        if (row < 0 || st->rows[row].kind != R_USER) {
            ui_msg(u, UI_S_INFO, "Select one of your users to remove their access.");
            return UI_REDRAW;
        }
        return ui_user_revoke_ask(u, &st->revoke, st->rows[row].label);
    }
    case A_OPEN: {
        int row = ui_list_selected(&st->list);
        return row < 0 ? UI_HANDLED : run_row(u, st->rows[row].kind);
    }
    }
    return UI_NOT_MINE;
}

static void partner_close(ui *u, screen *s)
{
    (void)u;
    partner_state *st = s->state;
    ui_list_free(&st->list);
    free_rows(st);
    free(st->rows);
    free(st->title);
    free(st->sig);
    ui_revoke_pending_free(&st->revoke);
}

const screen_ops ui_partner_home_screen = {
    .name = "Home",
    .state_size = sizeof(partner_state),
    .actions = PARTNER_ACTIONS,
    .open = partner_open,
    .draw = partner_draw,
    .handle_key = partner_key,
    .tick = partner_tick,
    .reload = partner_reload,
    .close = partner_close,
};
