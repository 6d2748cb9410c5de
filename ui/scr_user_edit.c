/* Editing a user through ops_user_update: names, email, languages, skills,
 * roles, organisation (typed, or chosen with a picker that filters), the
 * access role, and a new password with its confirmation. Only what changed
 * is sent; a new role, organisation or password ends the user's sessions
 * (ops does it, in the same transaction). Under the title: whether the
 * account is locked by failed logins and until when; Ctrl-X (or F6)
 * unlocks it (asks first; audited). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "exec_view.h"
#include "form.h"
#include "ops.h"
#include "screens.h"

/* What a role may do, for the confirmation of a raise. */
static const char *role_meaning(hy_role r)
{
    switch (r) {
    case HY_ROLE_ADMIN:
        return "An admin can do everything: every organisation, user and execution, the audit trail and the "
               "integrations.";
    case HY_ROLE_SUPPORT:
        return "Support sees every organisation, user and execution and the audit trail, and fills in and retries "
               "steps of any organisation (it starts, cancels and edits nothing).";
    case HY_ROLE_PARTNER_ADMIN:
        return "A partner admin sees their organisation in HyOpps (its users and requests) and onboards new users "
               "into it.";
    default: return "A user has no access to HyOpps.";
    }
}

/* Its place from least to most powerful (hy_role_at). */
static int role_rank(const char *role)
{
    for (int i = 0; i < HY_NROLES; i++)
        if (hy_streq(hy_role_name(hy_role_at(i)), role)) return i;
    return 0;
}

enum { F_FIRST, F_LAST, F_EMAIL, F_LANGS, F_SKILLS, F_ROLES, F_ORG, F_ROLE, NORIG };
static const char *const NAMES[NORIG] = {"firstname", "lastname", "email", "languages",
                                         "skills", "roles", "organization", "role"};

typedef struct {
    ui_form form;
    char *user_id;
    char *title;                /* "Edit Jane Doe <jane@...>" (raw) */
    char *orig[NORIG];          /* what each field started with */
    char *picked_id, *picked_name;  /* the organisation chosen in the picker */
    char *confirmed_role;       /* a raise the person confirmed already (not asked again) */
    hy_lock_state lock;         /* failed logins, locked until */
    char lock_line[160];        /* "" when nothing to say */
} uedit_state;

enum { A_SAVE = 1, A_CANCEL, A_PICK_ORG, A_UNLOCK };

static const ui_action UEDIT_ACTIONS[] = {
    {A_SAVE, "Enter", "Save", "Save the changes (only what changed is sent)"},
    {A_CANCEL, "Esc", "Cancel", "Leave without saving"},
    {A_PICK_ORG, "C-o F2", "Pick organisation", "Choose the organisation from a list (with a filter)"},
    {A_UNLOCK, "C-x F6", "Unlock", "Clear the failed logins that lock this account (asks first)"},
    UI_ACTIONS_END,
};

/* The lock as a line under the title. */
static void load_lock(ui *u, uedit_state *st)
{
    hy_err err;
    hy_err_clear(&err);
    st->lock_line[0] = '\0';
    if (ops_user_lock(u->ctx, &u->me, st->user_id, &st->lock, &err) != 0) {
        memset(&st->lock, 0, sizeof st->lock);
        return;
    }
    char until[40];
    ui_when(st->lock.until, false, until, sizeof until);
    if (st->lock.locked)
        snprintf(st->lock_line, sizeof st->lock_line, "Locked until %s %s (%d failed logins): Ctrl-X unlocks", until,
                 ui_zone(), st->lock.failures);
    else if (st->lock.failures)
        snprintf(st->lock_line, sizeof st->lock_line, "%d failed login%s since the last success (not locked)",
                 st->lock.failures, st->lock.failures == 1 ? "" : "s");
}

/* "en, de"; "" when empty. Caller frees. */
static char *join(const hy_strlist *l)
{
    hy_buf b = {0};
    hy_buf_put(&b, "");
    for (int i = 0; i < l->n; i++) hy_buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
    return hy_buf_take(&b);
}

static int uedit_open(ui *u, screen *s, const void *arg)
{
    uedit_state *st = s->state;
    st->user_id = xstrdup(arg);
    hy_user usr;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_show(u->ctx, &u->me, st->user_id, &usr, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    st->title = xasprintf("Edit %s %s <%s>", usr.firstname, usr.lastname, usr.email);
    st->orig[F_FIRST] = xstrdup(usr.firstname ? usr.firstname : "");
    st->orig[F_LAST] = xstrdup(usr.lastname ? usr.lastname : "");
    st->orig[F_EMAIL] = xstrdup(usr.email ? usr.email : "");
    st->orig[F_LANGS] = join(&usr.languages);
    st->orig[F_SKILLS] = join(&usr.skills);
    st->orig[F_ROLES] = join(&usr.roles);
    st->orig[F_ORG] = xstrdup(usr.organization_name ? usr.organization_name : "");
    st->orig[F_ROLE] = xstrdup(hy_role_name(usr.role));
    ui_form *f = &st->form;
    ui_form_init(f);
    ui_form_text(f, "firstname", "First name", true, st->orig[F_FIRST], HY_MAX_NAME);
    ui_form_text(f, "lastname", "Last name", true, st->orig[F_LAST], HY_MAX_NAME);
    ui_form_text(f, "email", "Email", true, st->orig[F_EMAIL], 254);
    ui_form_text(f, "languages", "Languages", false, st->orig[F_LANGS], 400);
    ui_form_text(f, "skills", "Skills", false, st->orig[F_SKILLS], 2000);
    ui_form_text(f, "roles", "Job roles (text)", false, st->orig[F_ROLES], 2000);
    ui_form_text(f, "organization", "Organisation", false, st->orig[F_ORG], HY_MAX_NAME);
    const char *roles[HY_NROLES]; /* least to most powerful */
    for (int i = 0; i < HY_NROLES; i++) roles[i] = hy_role_name(hy_role_at(i));
    ui_form_choice(f, "role", "Permissions", roles, HY_NROLES, role_rank(st->orig[F_ROLE]));
    ui_form_password(f, "password", "New password", false, 1024);
    ui_form_password(f, "confirm", "Confirm password", false, 1024);
    ui_form_info(f, "Note",
                 "Lists are comma-separated; languages are ISO 639-1 codes (en, de). Job roles are free text (what "
                 "they do); Permissions is what they may do in HyOpps (a more powerful one is confirmed first). "
                 "Organisation: its exact name, or Ctrl-O to choose; empty for none. Leave the password empty to keep "
                 "it. New permissions, organisation or password end the user's sessions; a password you set must be "
                 "changed at their next login.");
    hy_user_free(&usr);
    load_lock(u, st);
    s->focus = &f->w;
    return UI_REDRAW;
}

static void uedit_draw(ui *u, screen *s, ui_rect body)
{
    uedit_state *st = s->state;
    int w = ui_min(110, body.w - 4);
    int x = body.x + 2;
    ui_put(u, body.y + 1, x, w, UI_S_TITLE, 0, st->title);
    if (st->lock_line[0]) ui_put(u, body.y + 2, x, w, st->lock.locked ? UI_S_FAILED : UI_S_DIM, 0, st->lock_line);
    ui_form_draw(u, &st->form, (ui_rect){body.y + 3, x, body.h - 3, w});
}

static const char *changed(uedit_state *st, int i)
{
    const char *v = ui_form_get(&st->form, NAMES[i]);
    return hy_streq(v, st->orig[i]) ? NULL : v;
}

static void wipe_passwords(ui_form *f)
{
    ui_form_set(f, "password", "");
    ui_form_set(f, "confirm", "");
}

static int save(ui *u, screen *s);

static int raise_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    uedit_state *st = s->state;
    if (yes != 1) {
        ui_msg(u, UI_S_INFO, "Nothing was saved: the permissions are as they were in the form.");
        return UI_REDRAW;
    }
    free(st->confirmed_role);
    st->confirmed_role = xstrdup(ui_form_get(&st->form, "role"));
    return save(u, s);
}

/* A more powerful role (user -> partner admin -> support -> admin) is confirmed first, saying what it may do. Returns true when it
 * asked. */
static bool ask_raise(ui *u, uedit_state *st)
{
    const char *role = ui_form_get(&st->form, "role");
    int to = role_rank(role), from = role_rank(st->orig[F_ROLE]);
    if (to <= from || hy_streq(role, st->confirmed_role)) return false;
    hy_role r = hy_role_at(to);
    const char *as = r == HY_ROLE_ADMIN ? "an admin" : r == HY_ROLE_SUPPORT ? "support" : "a partner admin";
    char *text = xasprintf("Make %s %s? %s Their sessions end now.", st->orig[F_EMAIL], as, role_meaning(r));
    ui_confirm(u, "More permissions", text, raise_done, NULL);
    free(text);
    return true;
}

static int save(ui *u, screen *s)
{
    uedit_state *st = s->state;
    ui_form *f = &st->form;
    ui_form_clear_errors(f);
    if (!ui_form_check_required(f)) return UI_REDRAW;
    const char *pw = ui_form_get(f, "password"), *confirm = ui_form_get(f, "confirm");
    if (strcmp(pw, confirm) != 0) {
        ui_form_error(f, *pw ? "confirm" : "password", *pw ? "does not match the new password" : "type the new password here too");
        wipe_passwords(f);
        ui_form_focus(f, "password");
        return UI_REDRAW;
    }
    if (ask_raise(u, st)) return UI_REDRAW;
    hy_user_update up = {
        .firstname = changed(st, F_FIRST),
        .lastname = changed(st, F_LAST),
        .email = changed(st, F_EMAIL),
        .languages = changed(st, F_LANGS),
        .skills = changed(st, F_SKILLS),
        .roles = changed(st, F_ROLES),
        .role = changed(st, F_ROLE),
        .password = *pw ? pw : NULL,
    };
    const char *org = changed(st, F_ORG);
    if (org) /* the picker's choice goes by id: a name could read as an id prefix */
        up.org_ref = st->picked_id && hy_streq(org, st->picked_name) ? st->picked_id : org;
    if (!up.firstname && !up.lastname && !up.email && !up.languages && !up.skills && !up.roles && !up.role &&
        !up.password && !up.org_ref) {
        ui_msg(u, UI_S_INFO, "Nothing changed.");
        return UI_CLOSE;
    }
    hy_err err;
    hy_err_clear(&err);
    int rc = ops_user_update(u->ctx, &u->me, st->user_id, &up, &err);
    bool password_set = up.password != NULL;
    wipe_passwords(f);
    if (rc != 0) {
        if (err.code == HY_ERR_AUTH) return ui_fail(u, &err);
        ui_form_set_errors(f, &err);
        return UI_REDRAW;
    }
    bool ends = password_set || up.role || up.org_ref;
    ui_msg(u, UI_S_INFO, "User saved.%s", ends ? " Their sessions were ended." : "");
    return UI_CLOSE | UI_RELOAD;
}

static int pick_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)ctx;
    uedit_state *st = s->state;
    if (result != 1 || !text) return UI_REDRAW;
    char *name = NULL;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_name(u->ctx, &u->me, text, &name, &err) != 0) return ui_fail(u, &err);
    free(st->picked_id);
    free(st->picked_name);
    st->picked_id = xstrdup(text);
    st->picked_name = name;
    ui_form_set(&st->form, "organization", name);
    ui_form_focus(&st->form, "organization");
    return UI_REDRAW;
}

static int pick_org(ui *u, screen *s)
{
    uedit_state *st = s->state;
    hy_org_list l;
    hy_err err;
    hy_err_clear(&err);
    if (ops_org_list(u->ctx, &u->me, NULL, &l, &err) != 0) return ui_fail(u, &err);
    const char **ids = xcalloc((size_t)(l.count ? l.count : 1), sizeof *ids);
    const char **names = xcalloc((size_t)(l.count ? l.count : 1), sizeof *names);
    char **types = xcalloc((size_t)(l.count ? l.count : 1), sizeof *types);
    const char *current = NULL;
    const char *typed = ui_form_get(&st->form, "organization");
    for (int i = 0; i < l.count; i++) {
        ids[i] = l.items[i].id;
        names[i] = l.items[i].name;
        types[i] = join(&l.items[i].account_types);
        if (hy_streq(names[i], typed)) current = ids[i];
    }
    char *heading = xasprintf("Choose the organisation of %s", st->orig[F_EMAIL]);
    ui_pick_arg a = {
        .heading = heading,
        .noun = "organisations",
        .col1 = "Organisation",
        .col2 = "Account types",
        .n = l.count,
        .ids = ids,
        .labels = names,
        .details = (const char *const *)types,
        .selected = current,
    };
    ui_push_then(u, &ui_pick_screen, &a, pick_done, NULL);
    for (int i = 0; i < l.count; i++) free(types[i]);
    free(types);
    free(ids);
    free(names);
    free(heading);
    hy_org_list_free(&l);
    return UI_REDRAW;
}

static int unlock_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    uedit_state *st = s->state;
    if (yes != 1) return UI_REDRAW;
    hy_lock_state before;
    hy_err err;
    hy_err_clear(&err);
    if (ops_user_unlock(u->ctx, &u->me, st->user_id, &before, &err) != 0) return ui_fail(u, &err);
    load_lock(u, st);
    ui_msg(u, UI_S_INFO, "Unlocked: %d failed login%s cleared.", before.failures, before.failures == 1 ? "" : "s");
    return UI_REDRAW;
}

static bool uedit_exists(ui *u, const screen *s, const ui_action *a)
{
    (void)s;
    return a->id != A_UNLOCK || ops_can(&u->me, HY_CAP_MANAGE);
}

static bool uedit_enabled(ui *u, const screen *s, const ui_action *a)
{
    (void)u;
    const uedit_state *st = s->state;
    return a->id != A_UNLOCK || st->lock.failures > 0;
}

static int uedit_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    uedit_state *st = s->state;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case A_CANCEL: return ui_form_leave(u, &((uedit_state *)s->state)->form, "Discard your changes?");
    case A_PICK_ORG: return pick_org(u, s);
    case A_UNLOCK: {
        if (!st->lock.failures) {
            ui_msg(u, UI_S_INFO, "Not locked: no failed logins since the last successful one.");
            return UI_REDRAW;
        }
        char text[200];
        snprintf(text, sizeof text, "Clear the %d failed login%s of %s? They can log in again at once.",
                 st->lock.failures, st->lock.failures == 1 ? "" : "s", st->orig[F_EMAIL]);
        ui_confirm(u, "Unlock", text, unlock_done, NULL);
        return UI_REDRAW;
    }
    default: return save(u, s);
    }
}

static void uedit_close(ui *u, screen *s)
{
    (void)u;
    uedit_state *st = s->state;
    ui_form_free(&st->form);
    free(st->user_id);
    free(st->title);
    free(st->picked_id);
    free(st->picked_name);
    free(st->confirmed_role);
    for (int i = 0; i < NORIG; i++) free(st->orig[i]);
}

const screen_ops ui_user_edit_screen = {
    .name = "Edit user",
    .state_size = sizeof(uedit_state),
    .actions = UEDIT_ACTIONS,
    .open = uedit_open,
    .draw = uedit_draw,
    .handle_key = uedit_key,
    .close = uedit_close,
    .enabled = uedit_enabled,
    .exists = uedit_exists,
};
