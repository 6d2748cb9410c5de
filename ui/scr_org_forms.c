/* The organisation's edit forms, all through ops_org_edit: the name and
 * account types, the documentation links, the system groups (each id with
 * its display name). Only the
 * fields that changed are sent (a legacy value left alone is never
 * re-validated); ops' field errors appear beside their fields and nothing
 * is saved then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "form.h"
#include "ops.h"
#include "screens.h"

enum { K_EDIT, K_DOCS, K_GROUPS };
#define NFIELDS 3           /* documentation links; system groups (each an id and a name) */
#define MAX_FIELDS 6

static const char *const TYPES[] = {"partner", "client", "internal"};
#define NTYPES 3

typedef struct {
    ui_form form;
    int kind;
    char *org_id;
    char *title;                /* "Documentation links of Acme" (raw) */
    char *orig[MAX_FIELDS];     /* the values the form started with */
    char *orig_types;           /* K_EDIT: "partner, client" as checked at open */
} orgf_state;

enum { A_SAVE = 1, A_CANCEL };

static const ui_action ORGF_ACTIONS[] = {
    {A_SAVE, "Enter", "Save", "Save the changes (only what changed is sent)"},
    {A_CANCEL, "Esc", "Cancel", "Leave without saving"},
    UI_ACTIONS_END,
};

static const char *const DOC_NAMES[NFIELDS] = {"internal", "general", "additional"};
static const char *const DOC_LABELS[NFIELDS] = {"Internal docs", "General docs", "Additional docs"};
/* id, name, id, name...: the names are ops' field names */
static const char *const GROUP_FIELDS[2 * NFIELDS] = {"metabase", "metabase_name", "teams",
                                                      "teams_name", "slack", "slack_name"};
static const char *const GROUP_LABELS[2 * NFIELDS] = {"Metabase group id",  "Metabase group name",
                                                      "Teams channel id",   "Teams channel name",
                                                      "Slack group id",     "Slack group name"};

/* The types checked in the form, as ops takes them: "partner, client". */
static char *checked_types(ui_form *f)
{
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (int i = 0; i < NTYPES; i++)
        if (ui_form_item_checked(f, "account_types", i)) hy_buf_printf(&b, "%s%s", b.len ? ", " : "", TYPES[i]);
    return hy_buf_take(&b);
}

static const hy_system_group *group_of(const hy_org_detail *d, const char *tool)
{
    for (int i = 0; i < d->ngroups; i++)
        if (hy_streq(d->groups[i].tool, tool)) return &d->groups[i];
    return NULL;
}

static int open_kind(ui *u, screen *s, const void *arg, int kind)
{
    orgf_state *st = s->state;
    st->kind = kind;
    st->org_id = xstrdup(arg);
    hy_org_detail d;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_show(u->ctx, &u->me, st->org_id, &d, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    ui_form_init(&st->form);
    switch (kind) {
    case K_EDIT: {
        st->title = xasprintf("Edit %s", d.org.name);
        st->orig[0] = xstrdup(d.org.name);
        ui_form_text(&st->form, "name", "Name", true, d.org.name, HY_MAX_NAME);
        bool on[NTYPES];
        for (int i = 0; i < NTYPES; i++) on[i] = hy_strlist_has(&d.org.account_types, TYPES[i]);
        ui_form_multi(&st->form, "account_types", "Account types", TYPES, NTYPES, on);
        st->orig_types = checked_types(&st->form);
        break;
    }
    case K_DOCS: {
        st->title = xasprintf("Documentation links of %s", d.org.name);
        const char *v[NFIELDS] = {d.docs_internal, d.docs_general, d.docs_additional};
        for (int i = 0; i < NFIELDS; i++) {
            st->orig[i] = xstrdup(v[i] ? v[i] : "");
            ui_form_text(&st->form, DOC_NAMES[i], DOC_LABELS[i], false, st->orig[i], HY_MAX_URL);
            st->form.f[st->form.n - 1].width = 60;
        }
        ui_form_info(&st->form, "Note", "http:// or https:// URLs; leave a field empty to remove its link.");
        break;
    }
    default: {
        st->title = xasprintf("Group ids of %s", d.org.name);
        for (int i = 0; i < 2 * NFIELDS; i++) {
            const hy_system_group *g = group_of(&d, GROUP_FIELDS[i - i % 2]);
            const char *v = !g ? NULL : i % 2 ? g->external_name : g->external_id;
            st->orig[i] = xstrdup(v ? v : "");
            ui_form_text(&st->form, GROUP_FIELDS[i], GROUP_LABELS[i], false, st->orig[i], HY_MAX_NAME);
        }
        ui_form_info(&st->form, "Note",
                     "The Metabase group id is a whole number (e.g. 7). Leave an id empty to remove that group; "
                     "a name is how the group is shown.");
        break;
    }
    }
    hy_org_detail_free(&d);
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static int edit_open(ui *u, screen *s, const void *arg) { return open_kind(u, s, arg, K_EDIT); }
static int docs_open(ui *u, screen *s, const void *arg) { return open_kind(u, s, arg, K_DOCS); }
static int groups_open(ui *u, screen *s, const void *arg) { return open_kind(u, s, arg, K_GROUPS); }

static void orgf_draw(ui *u, screen *s, ui_rect body)
{
    orgf_state *st = s->state;
    int w = ui_min(110, body.w - 4);
    int x = body.x + 2;
    ui_put(u, body.y + 1, x, w, UI_S_TITLE, 0, st->title);
    ui_form_draw(u, &st->form, (ui_rect){body.y + 3, x, body.h - 3, w});
}

/* The field's text if it differs from what the form started with, else NULL. */
static const char *changed(orgf_state *st, const char *name, int i)
{
    const char *v = ui_form_get(&st->form, name);
    return hy_streq(v, st->orig[i]) ? NULL : v;
}

static int save(ui *u, screen *s)
{
    orgf_state *st = s->state;
    ui_form *f = &st->form;
    ui_form_clear_errors(f);
    if (!ui_form_check_required(f)) return UI_REDRAW;
    hy_org_update up = {0};
    hy_org_docs docs = {0};
    hy_org_groups groups = {0};
    char *types = NULL;
    bool any = false;
    switch (st->kind) {
    case K_EDIT:
        up.name = changed(st, "name", 0);
        types = checked_types(f);
        if (!hy_streq(types, st->orig_types)) up.account_types = types;
        any = up.name || up.account_types;
        break;
    case K_DOCS:
        docs = (hy_org_docs){changed(st, "internal", 0), changed(st, "general", 1), changed(st, "additional", 2)};
        any = docs.internal || docs.general || docs.additional;
        break;
    default:
        groups = (hy_org_groups){.metabase = changed(st, "metabase", 0), .metabase_name = changed(st, "metabase_name", 1),
                                 .teams = changed(st, "teams", 2), .teams_name = changed(st, "teams_name", 3),
                                 .slack = changed(st, "slack", 4), .slack_name = changed(st, "slack_name", 5)};
        any = groups.metabase || groups.teams || groups.slack || groups.metabase_name || groups.teams_name ||
              groups.slack_name;
        break;
    }
    if (!any) {
        free(types);
        ui_msg(u, UI_S_INFO, "Nothing changed.");
        return UI_CLOSE;
    }
    hy_err err;
    hy_err_clear(&err);
    int rc = ops_org_edit(u->ctx, &u->me, st->org_id, st->kind == K_EDIT ? &up : NULL,
                          st->kind == K_DOCS ? &docs : NULL, st->kind == K_GROUPS ? &groups : NULL, &err);
    free(types);
    if (rc != 0) {
        if (err.code == HY_ERR_AUTH) return ui_fail(u, &err);
        ui_form_set_errors(f, &err);
        return UI_REDRAW;
    }
    ui_msg(u, UI_S_INFO, "%s",
           st->kind == K_EDIT ? "Organisation saved." : st->kind == K_DOCS ? "Documentation links saved."
                                                                            : "Group ids saved.");
    return UI_CLOSE | UI_RELOAD;
}

static int orgf_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    if (!a) return UI_NOT_MINE;
    if (a->id == A_CANCEL) return ui_form_leave(u, &((orgf_state *)s->state)->form, "Discard your changes?");
    return save(u, s);
}

static void orgf_close(ui *u, screen *s)
{
    (void)u;
    orgf_state *st = s->state;
    ui_form_free(&st->form);
    free(st->org_id);
    free(st->title);
    free(st->orig_types);
    for (int i = 0; i < MAX_FIELDS; i++) free(st->orig[i]);
}

const screen_ops ui_org_edit_screen = {
    .name = "Edit organisation",
    .state_size = sizeof(orgf_state),
    .actions = ORGF_ACTIONS,
    .open = edit_open,
    .draw = orgf_draw,
    .handle_key = orgf_key,
    .close = orgf_close,
};

const screen_ops ui_org_docs_screen = {
    .name = "Documentation links",
    .state_size = sizeof(orgf_state),
    .actions = ORGF_ACTIONS,
    .open = docs_open,
    .draw = orgf_draw,
    .handle_key = orgf_key,
    .close = orgf_close,
};

const screen_ops ui_org_groups_screen = {
    .name = "Group ids",
    .state_size = sizeof(orgf_state),
    .actions = ORGF_ACTIONS,
    .open = groups_open,
    .draw = orgf_draw,
    .handle_key = orgf_key,
    .close = orgf_close,
};
