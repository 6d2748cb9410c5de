/* One organisation: account types, Studio companies, system groups (tool,
 * name, external id), integration state, documentation links, its users,
 * its drift and last check (ops_access_org_status; A opens its access
 * matrix) and its executions (ops_org_show), as rows of a list so that long ones
 * scroll and `/` finds a line. Enter on a user opens it; the keys edit the
 * organisation, its links and group ids, or delete it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_view.h"
#include "list.h"
#include "ops.h"
#include "screens.h"

typedef enum { R_HEAD, R_FIELD, R_USER, R_EXEC, R_BLANK } row_kind;

typedef struct {
    row_kind kind;
    char *label, *value;        /* owned; raw (the list sanitizes) */
    char *id;                   /* user or execution id */
    ui_style style;
} detail_row;

typedef struct {
    ui_list list;
    char *org_id;
    char *title;                /* "Acme Corp" (raw) */
    detail_row *rows;
    int n, cap;
    ui_pending del;
    ui_revoke_pending revoke;
} org_state;

enum { A_OPEN = 1, A_ACCESS, A_EDIT, A_LINKS, A_GROUPS, A_IMPORT, A_REVOKE, A_OFFBOARD, A_DELETE, A_REFRESH };

static const ui_action ORG_ACTIONS[] = {
    {A_OPEN, "Enter", "Open", "Open the selected user (or execution)"},
    {A_ACCESS, "A", NULL, "Who has access: the users x systems matrix of the last reconciliation"},
    {A_EDIT, "e", "Edit", "Change the name and the account types"},
    {A_LINKS, "l", "Links", "Edit the documentation links"},
    {A_GROUPS, "i", "Group ids", "Edit the Metabase, Teams and Slack group ids"},
    {A_IMPORT, "I", "Import users", "Onboard several people of this organisation at once (a CSV file or pasted rows)"},
    {A_REVOKE, "r", "Revoke", "Revoke the selected user's access everywhere (asks first, saying what will be removed)"},
    {A_OFFBOARD, "O", "Offboard", "End the partnership: revoke every user, close the groups (asks first)"},
    {A_DELETE, "d Del", "Delete", "Delete the organisation (asks first, saying what goes with it)"},
    {A_REFRESH, "C-r F5", NULL, "Load it again"},
    UI_ACTIONS_END,
};

static const ui_column DETAIL_COLS[] = {
    {"", 14, 20, 5, false},
    {"", 20, 0, 9, false},
};

static void add_row(org_state *st, row_kind kind, const char *label, const char *value, const char *id,
                    ui_style style)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->rows = xrealloc(st->rows, (size_t)st->cap * sizeof *st->rows);
    }
    st->rows[st->n++] = (detail_row){kind, xstrdup(label ? label : ""), xstrdup(value ? value : ""), xstrdup(id), style};
}

static void head(org_state *st, const char *text) { add_row(st, R_HEAD, text, NULL, NULL, UI_S_TITLE); }
static void field(org_state *st, const char *label, const char *value)
{
    add_row(st, R_FIELD, label, value && *value ? value : "-", NULL, value && *value ? UI_S_NORMAL : UI_S_DIM);
}
static void blank(org_state *st) { add_row(st, R_BLANK, NULL, NULL, NULL, UI_S_NORMAL); }

static void free_rows(org_state *st)
{
    for (int i = 0; i < st->n; i++) {
        free(st->rows[i].label);
        free(st->rows[i].value);
        free(st->rows[i].id);
    }
    st->n = 0;
}

static ui_style status_style(const char *status)
{
    switch (hy_exec_status_of(status)) {
    case HY_EXEC_COMPLETED: return UI_S_OK;
    case HY_EXEC_FAILED: return UI_S_FAILED;
    case HY_EXEC_RUNNING: return UI_S_RUNNING;
    case HY_EXEC_AWAITING_INPUT: return UI_S_WAITING;
    default: return UI_S_DIM;
    }
}

static void build(org_state *st, const hy_org_detail *d, const hy_access_status *a)
{
    char buf[512], when[64];
    head(st, "Organisation");
    field(st, "Name", d->org.name);
    char *types = hy_strlist_join(&d->org.account_types, ", ");
    field(st, "Account types", types);
    free(types);
    ui_when_ago(d->org.created_at, hy_now_ms(), when, sizeof when);
    field(st, "Created", when);
    if (d->org.offboarded_at) {
        ui_when_ago(d->org.offboarded_at, hy_now_ms(), when, sizeof when);
        snprintf(buf, sizeof buf, "%s (read-only, kept for the audit trail)", when);
        field(st, "Offboarded", buf);
    }
    field(st, "Id", d->org.id);

    blank(st);
    snprintf(buf, sizeof buf, "Studio companies (%d)", d->ncompanies);
    head(st, buf);
    if (!d->ncompanies) field(st, "None", NULL);
    for (int i = 0; i < d->ncompanies; i++) {
        const hy_studio_company *c = &d->companies[i];
        snprintf(buf, sizeof buf, "%s  %s", c->studio_id ? c->studio_id : "", c->name ? c->name : "");
        field(st, c->environment, buf);
    }

    blank(st);
    snprintf(buf, sizeof buf, "System groups (%d)", d->ngroups);
    head(st, buf);
    if (!d->ngroups) field(st, "None", NULL);
    int placeholders = 0;
    for (int i = 0; i < d->ngroups; i++) {
        const hy_system_group *g = &d->groups[i];
        snprintf(buf, sizeof buf, "%s  (external id %s%s)", g->external_name ? g->external_name : "-",
                 g->external_id && *g->external_id ? g->external_id : "-", g->placeholder ? ", a placeholder" : "");
        field(st, g->tool, buf);
        placeholders += g->placeholder;
    }
    if (placeholders)
        add_row(st, R_FIELD, "", placeholders == 1 ? "the original app made it up: i sets the real id"
                                                   : "the original app made them up: i sets the real ids",
                NULL, UI_S_ERROR);

    blank(st);
    head(st, "Integrations");
    if (!d->has_integrations) {
        field(st, "State", "no integration record yet");
    } else {
        snprintf(buf, sizeof buf, "%s%s%s%s", d->keycloak_confirmed ? "confirmed" : "not confirmed",
                 d->keycloak_cluster && *d->keycloak_cluster ? " (cluster " : "",
                 d->keycloak_cluster && *d->keycloak_cluster ? d->keycloak_cluster : "",
                 d->keycloak_cluster && *d->keycloak_cluster ? ")" : "");
        field(st, "Keycloak", buf);
        snprintf(buf, sizeof buf, "collection %s%s",
                 d->metabase_collection_id && *d->metabase_collection_id ? d->metabase_collection_id : "not created",
                 d->metabase_collection_placeholder ? "  (placeholder from the original app)" : "");
        field(st, "Metabase", buf);
        field(st, "LMS", d->lms_confirmed ? "confirmed" : "not confirmed");
        ui_when_ago(d->integrations_updated_at, hy_now_ms(), when, sizeof when);
        field(st, "Updated", when);
    }

    blank(st);
    head(st, "Documentation links");
    field(st, "Internal", d->docs_internal);
    field(st, "General", d->docs_general);
    field(st, "Additional", d->docs_additional);

    blank(st);
    snprintf(buf, sizeof buf, "Users (%d)", d->nusers);
    head(st, buf);
    if (!d->nusers) field(st, "None", NULL);
    for (int i = 0; i < d->nusers; i++) {
        const hy_user_brief *u = &d->users[i];
        char *access = hy_access_summary(&u->access);
        snprintf(buf, sizeof buf, "%s %s  %s  access: %s%s%.10s", u->firstname ? u->firstname : "",
                 u->lastname ? u->lastname : "", hy_role_name(u->role), access,
                 u->offboarded_at ? "  offboarded " : "", u->offboarded_at ? u->offboarded_at : "");
        free(access);
        add_row(st, R_USER, u->email, buf, u->id, UI_S_NORMAL);
    }

    blank(st);
    head(st, "Access");
    if (!a) {
        field(st, "Drift", NULL);
    } else if (!a->last_check) {
        field(st, "Drift", "not checked yet (Access, R: reconcile)");
    } else {
        hy_time_short(a->last_check, when);
        snprintf(buf, sizeof buf, "%d finding%s  (last check %s%s)  A: the matrix", a->drift, a->drift == 1 ? "" : "s",
                 when, a->last_failed ? "; something could not be read" : "");
        add_row(st, R_FIELD, "Drift", buf, NULL, a->drift || a->last_failed ? UI_S_ERROR : UI_S_OK);
    }

    blank(st);
    if (d->org.nexecutions > d->nexecutions)
        snprintf(buf, sizeof buf, "Executions (%d, the newest %d shown)", d->org.nexecutions, d->nexecutions);
    else
        snprintf(buf, sizeof buf, "Executions (%d)", d->nexecutions);
    head(st, buf);
    if (!d->nexecutions) field(st, "None", NULL);
    for (int i = 0; i < d->nexecutions; i++) {
        const hy_exec_brief *e = &d->executions[i];
        char shortid[9];
        hy_strlcpy(shortid, e->id ? e->id : "", sizeof shortid);
        ui_when(e->created_at, false, when, sizeof when);
        snprintf(buf, sizeof buf, "%s  %s  step %d/%d  %s  created %s %s", ui_workflow_label(e->workflow),
                 ui_status_word(e->status, false), e->current_step, e->nsteps, e->user_email ? e->user_email : "-",
                 when, ui_zone());
        add_row(st, R_EXEC, shortid, buf, e->id, status_style(e->status));
    }
}

static const char *detail_cell(void *data, int row, int col, char *buf, size_t n)
{
    (void)buf, (void)n;
    org_state *st = data;
    return col == 0 ? st->rows[row].label : st->rows[row].value;
}

/* Headings and blank lines are not rows to rest on. */
static bool detail_selectable(void *data, int row)
{
    const detail_row *r = &((org_state *)data)->rows[row];
    return r->kind != R_HEAD && r->kind != R_BLANK;
}

static ui_style detail_style(void *data, int row, int col)
{
    org_state *st = data;
    const detail_row *r = &st->rows[row];
    if (r->kind == R_HEAD) return UI_S_TITLE;
    if (col == 0) return r->kind == R_FIELD ? UI_S_DIM : UI_S_NORMAL;
    return r->style;
}

static int org_reload(ui *u, screen *s)
{
    org_state *st = s->state;
    hy_org_detail d;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_show(u->ctx, &u->me, st->org_id, &d, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    free_rows(st);
    free(st->title);
    st->title = xstrdup(d.org.name);
    hy_access_status a;
    bool has_access = ops_access_org_status(u->ctx, &u->me, st->org_id, &a, &err) == 0;
    build(st, &d, has_access ? &a : NULL);
    if (has_access) hy_access_status_free(&a);
    hy_org_detail_free(&d);
    ui_list_set_count(&st->list, st->n);
    return UI_REDRAW;
}

static int org_open(ui *u, screen *s, const void *arg)
{
    org_state *st = s->state;
    st->org_id = xstrdup(arg);
    ui_list_init(&st->list, DETAIL_COLS, 2, st, detail_cell);
    st->list.style = detail_style;
    st->list.selectable = detail_selectable;
    st->list.noun = "lines";
    s->focus = &st->list.w;
    return org_reload(u, s);
}

static void org_draw(ui *u, screen *s, ui_rect body)
{
    org_state *st = s->state;
    ui_put(u, body.y, body.x + 2, body.w - 4, UI_S_TITLE, 0, st->title);
    ui_list_draw(u, &st->list, (ui_rect){body.y + 1, body.x + 1, body.h - 1, body.w - 2});
}

static int org_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    org_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case A_REFRESH: return UI_RELOAD;
    case A_ACCESS: ui_push(u, &ui_access_matrix_screen, st->org_id); return UI_REDRAW;
    case A_EDIT: ui_push(u, &ui_org_edit_screen, st->org_id); return UI_REDRAW;
    case A_LINKS: ui_push(u, &ui_org_docs_screen, st->org_id); return UI_REDRAW;
    case A_GROUPS: ui_push(u, &ui_org_groups_screen, st->org_id); return UI_REDRAW;
    case A_IMPORT: ui_push(u, &ui_import_screen, st->org_id); return UI_REDRAW;
    case A_DELETE: return ui_org_delete_ask(u, &st->del, st->org_id, true);
    case A_OFFBOARD: return ui_org_offboard_ask(u, &st->revoke, st->org_id);
    case A_REVOKE: {
        int row = ui_list_selected(&st->list);
        if (row < 0 || st->rows[row].kind != R_USER) {
            ui_msg(u, UI_S_INFO, "Select a user to revoke their access.");
            return UI_REDRAW;
        }
        return ui_user_revoke_ask(u, &st->revoke, st->rows[row].id);
    }
    case A_OPEN: {
        int row = ui_list_selected(&st->list);
        if (row < 0) return UI_HANDLED;
        const detail_row *r = &st->rows[row];
        if (r->kind == R_USER && !ops_can(&u->me, HY_CAP_MANAGE)) {
            ui_msg(u, UI_S_INFO, "Users are changed by administrators; Users lists them all.");
        } else if (r->kind == R_USER) {
            ui_push(u, &ui_user_edit_screen, r->id);
        } else if (r->kind == R_EXEC) {
            ui_push(u, ui_exec_screen_for(u), r->id);
        } else {
            ui_msg(u, UI_S_INFO, "Select a user or an execution to open it.");
        }
        return UI_REDRAW;
    }
    }
    return UI_NOT_MINE;
}

static void org_close(ui *u, screen *s)
{
    (void)u;
    org_state *st = s->state;
    ui_list_free(&st->list);
    free_rows(st);
    free(st->rows);
    free(st->org_id);
    free(st->title);
    ui_pending_free(&st->del);
    ui_revoke_pending_free(&st->revoke);
}

/* Changing needs the manage capability (ops_can): without it these keys do not exist. */
static bool org_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    return !(a->id == A_EDIT || a->id == A_LINKS || a->id == A_GROUPS || a->id == A_DELETE || a->id == A_REVOKE ||
             a->id == A_OFFBOARD) ||
           ops_can(&u->me, HY_CAP_MANAGE);
}

const screen_ops ui_org_screen = {
    .name = "Organisation",
    .state_size = sizeof(org_state),
    .actions = ORG_ACTIONS,
    .open = org_open,
    .draw = org_draw,
    .handle_key = org_key,
    .reload = org_reload,
    .close = org_close,
    .exists = org_exists,
};
