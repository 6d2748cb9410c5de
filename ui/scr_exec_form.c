/* The form of a step waiting for input, generated from the workflow's
 * definition through ops_exec_form: its read-only info lines first (e.g.
 * the values to copy to Infrabot), then one widget per field:
 *   text, email, list        a text field (lists comma-separated)
 *   choice                   ‹ option › (←/→/Space)
 *   confirm                  a checkbox
 *   pick                     a text field (a name or an id) + ^O to choose
 *                            from the choices ops offers; read-only when
 *                            ops says there is nothing to choose (fixed)
 *   multi pick               a checkbox per choice (e.g. the organisation's
 *                            Studio companies)
 * Defaults come from ops; a field whose default is a template over other
 * fields ("{organization_name} TEST") follows them as they are typed until
 * the person edits it. The focused field's help is shown under the form.
 *
 * Enter submits (ops_exec_submit). Field errors from ops appear beside
 * their fields, all at once, and nothing typed is lost. After a submit the
 * runner is kicked; when the very next step is manual too (new_partner's
 * first two steps), its form replaces this one, else the form closes onto
 * the execution (which shows the progress).
 *
 * A new request (ui_exec_new_form_screen) is the same form before anything
 * exists (ops_exec_start_form): Enter starts the workflow and submits the
 * form in one transaction (ops_exec_start_with_input), so leaving it leaves
 * nothing behind. An admin's organisation form there only chooses: the next
 * form (the user's details) replaces it, still with nothing created. Esc
 * with something typed asks before throwing it away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "form.h"
#include "ops.h"
#include "screens.h"

typedef struct {
    ui_form form;
    char *exec_id;              /* NULL: a new request, nothing exists yet */
    char *workflow, *org_id;    /* a new request: its workflow, the organisation chosen (or NULL) */
    char *at;                   /* a new request started later: when (or NULL) */
    char *title, *description;
    hy_step_form sf;            /* owned: field definitions, choices, defaults, context */
    bool *touched;              /* per sf field: the person edited it (no more live default) */
    char **autofill;            /* per sf field: the live default last put there */
    int pick_field;             /* sf index of the field ^O chooses for, or -1 */
    char *picked_id, *picked_name;  /* what was chosen with ^O */
    char *existing_ok;          /* an existing person's email the person confirmed (names kept) */
} xform_state;

enum { A_SUBMIT = 1, A_CANCEL, A_PICK };

static const ui_action XFORM_ACTIONS[] = {
    {A_SUBMIT, "Enter", "Submit", "Submit the form"},
    {A_CANCEL, "Esc", "Cancel", "Leave without submitting (asks first when something was typed)"},
    {A_PICK, "C-o F2", "Choose from list", "Choose the field's value from a list (e.g. the organisation)"},
    UI_ACTIONS_END,
};

static const hy_form_field *field_at(xform_state *st, int i) { return &st->sf.fields[i]; }

/* The current text values of the form's text fields, for templates. */
static cJSON *text_values(xform_state *st)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < st->sf.nfields; i++) {
        const hy_field_def *d = field_at(st, i)->def;
        ui_field *fd = ui_form_field(&st->form, d->name);
        if (fd && fd->kind == UI_FIELD_TEXT) cJSON_AddStringToObject(o, d->name, ui_form_get(&st->form, d->name));
    }
    return o;
}

/* Recomputes the live defaults of the fields the person has not edited. */
static void refresh_defaults(xform_state *st)
{
    cJSON *values = NULL;
    for (int i = 0; i < st->sf.nfields; i++) {
        const hy_field_def *d = field_at(st, i)->def;
        if (!d->default_tmpl || st->touched[i]) continue;
        if (!values) values = text_values(st);
        cJSON_DeleteItemFromObjectCaseSensitive(values, d->name); /* a template never uses itself */
        char *v = workflow_expand(d->default_tmpl, values, st->sf.context);
        if (!hy_streq(v ? v : "", ui_form_get(&st->form, d->name))) ui_form_set(&st->form, d->name, v ? v : "");
        free(st->autofill[i]);
        st->autofill[i] = xstrdup(v ? v : "");
        free(v);
    }
    cJSON_Delete(values);
}

static void on_change(ui_form *f, int field, void *data)
{
    xform_state *st = data;
    const char *name = f->f[field].name;
    for (int i = 0; i < st->sf.nfields; i++) {
        if (strcmp(field_at(st, i)->def->name, name) != 0) continue;
        /* Edited by hand: it keeps what was typed; emptied: it follows again. */
        const char *now = ui_form_get(f, name);
        st->touched[i] = *now && !hy_streq(now, st->autofill[i]);
    }
    refresh_defaults(st);
}

static const char *choice_label(const hy_choice *c) { return c->label ? c->label : c->value; }

static void add_field(xform_state *st, int i)
{
    const hy_form_field *ff = field_at(st, i);
    const hy_field_def *d = ff->def;
    const char *def = ff->default_value;
    int max = d->max_len > 0 ? d->max_len : HY_FIELD_MAX_DEFAULT;
    switch (d->kind) {
    case HY_FIELD_LIST:
        ui_form_text(&st->form, d->name, d->label, d->required, def, 2000);
        st->form.f[st->form.n - 1].width = 50;
        break;
    case HY_FIELD_CHOICE: {
        const char **opts = xcalloc((size_t)(ff->nchoices + 1), sizeof *opts);
        int n = 0, sel = 0;
        if (!d->required) opts[n++] = "(none)";
        for (int k = 0; k < ff->nchoices; k++) {
            if (def && hy_streq(def, ff->choices[k].value)) sel = n;
            opts[n++] = choice_label(&ff->choices[k]);
        }
        ui_form_choice(&st->form, d->name, d->label, opts, n, sel);
        st->form.f[st->form.n - 1].required = d->required;
        free(opts);
        break;
    }
    case HY_FIELD_CONFIRM:
        ui_form_check(&st->form, d->name, d->label, false);
        st->form.f[st->form.n - 1].required = d->required;
        break;
    case HY_FIELD_PICK:
        if (ff->fixed) { /* nothing to choose: what ops offered */
            const char *shown = def;
            for (int k = 0; def && k < ff->nchoices; k++)
                if (hy_streq(def, ff->choices[k].value)) shown = choice_label(&ff->choices[k]);
            ui_form_info(&st->form, d->label, shown ? shown : "-");
            break;
        }
        if (st->pick_field < 0) st->pick_field = i;
        for (int k = 0; def && k < ff->nchoices; k++)
            if (hy_streq(def, ff->choices[k].value)) {
                st->picked_id = xstrdup(ff->choices[k].value);
                st->picked_name = xstrdup(choice_label(&ff->choices[k]));
            }
        ui_form_text(&st->form, d->name, d->label, d->required, st->picked_name ? st->picked_name : def, max);
        break;
    case HY_FIELD_MULTI_PICK: {
        if (ff->nchoices == 0) {
            char *none = xasprintf("There are no %s yet.", d->provider && d->provider->noun ? d->provider->noun : "choices");
            ui_form_info(&st->form, d->label, none);
            free(none);
            break;
        }
        const char **opts = xcalloc((size_t)ff->nchoices, sizeof *opts);
        bool *on = xcalloc((size_t)ff->nchoices, sizeof *on);
        hy_strlist defaults = {0};
        hy_strlist_split(&defaults, def ? def : "");
        for (int k = 0; k < ff->nchoices; k++) {
            opts[k] = choice_label(&ff->choices[k]);
            on[k] = hy_strlist_has(&defaults, ff->choices[k].value);
        }
        ui_form_multi(&st->form, d->name, d->label, opts, ff->nchoices, on);
        hy_strlist_free(&defaults);
        free(opts);
        free(on);
        break;
    }
    default: /* text, email */
        ui_form_text(&st->form, d->name, d->label, d->required, def, max);
        break;
    }
}

/* The form from st->sf: title, info lines, fields, live defaults. */
static int build(ui *u, screen *s)
{
    xform_state *st = s->state;
    const hy_workflow_def *wf = workflow_find(st->workflow);
    if (!wf) {
        cJSON *w = cJSON_GetObjectItemCaseSensitive(st->sf.context, "workflow");
        wf = workflow_find(cJSON_IsString(w) ? w->valuestring : NULL);
    }
    int nsteps = wf ? wf->nsteps : st->sf.step_order;
    if (st->exec_id)
        st->title = xasprintf("%s %.8s %s step %d of %d: %s", wf ? wf->label : "Execution", st->sf.execution_id,
                              u->g->sep, st->sf.step_order, nsteps, st->sf.step->label);
    else
        st->title = xasprintf("%s (new request%s%s) %s step %d of %d: %s", wf ? wf->label : "Request",
                              st->at ? ", starts " : "", st->at ? st->at : "", u->g->sep, st->sf.step_order, nsteps,
                              st->sf.step->label);
    st->description = xstrdup(st->sf.step->description ? st->sf.step->description : "");
    int n = st->sf.nfields;
    st->touched = xcalloc((size_t)(n ? n : 1), sizeof *st->touched);
    st->autofill = xcalloc((size_t)(n ? n : 1), sizeof *st->autofill);
    ui_form_init(&st->form);
    for (int i = 0; i < st->sf.ninfo; i++) ui_form_info(&st->form, st->sf.info[i].label, st->sf.info[i].value);
    for (int i = 0; i < n; i++) add_field(st, i);
    /* A default that ops computed is the template's current value. */
    for (int i = 0; i < n; i++) {
        const hy_form_field *ff = field_at(st, i);
        st->autofill[i] = xstrdup(ff->def->default_tmpl && ff->default_value ? ff->default_value : "");
    }
    refresh_defaults(st);
    st->form.on_change = on_change;
    st->form.change_data = st;
    s->focus = &st->form.w;
    return UI_REDRAW;
}

static int xform_open(ui *u, screen *s, const void *arg)
{
    xform_state *st = s->state;
    st->exec_id = xstrdup(arg);
    st->pick_field = -1;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_form(u->ctx, &u->me, st->exec_id, &st->sf, &err) != 0) return ui_fail(u, &err) | UI_CLOSE;
    return build(u, s);
}

static int xnew_open(ui *u, screen *s, const void *arg)
{
    xform_state *st = s->state;
    const ui_new_request *r = arg;
    st->workflow = xstrdup(r->workflow);
    st->org_id = xstrdup(r->org_id);
    st->at = r->at ? xstrdup(r->at) : NULL;
    st->pick_field = -1;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start_form(u->ctx, &u->me, st->workflow, st->org_id, &st->sf, &err) != 0)
        return ui_fail(u, &err) | UI_CLOSE;
    return build(u, s);
}

/* The help of the focused field, if any. */
static const char *focused_help(xform_state *st)
{
    if (st->form.focus < 0) return NULL;
    const char *name = st->form.f[st->form.focus].name;
    for (int i = 0; i < st->sf.nfields; i++)
        if (strcmp(field_at(st, i)->def->name, name) == 0) return field_at(st, i)->def->help;
    return NULL;
}

static void xform_draw(ui *u, screen *s, ui_rect body)
{
    xform_state *st = s->state;
    int w = ui_min(110, body.w - 4), x = body.x + 2;
    ui_put(u, body.y + 1, x, w, UI_S_TITLE, 0, st->title);
    int y = body.y + 2;
    if (*st->description) ui_put(u, y, x, w, UI_S_DIM, 0, st->description);
    const char *help = focused_help(st);
    int bottom = body.y + body.h - (help ? 2 : 0);
    ui_form_draw(u, &st->form, (ui_rect){y + 2, x, bottom - y - 2, w});
    if (help) {
        char line[400];
        snprintf(line, sizeof line, "%s %s", st->form.f[st->form.focus].label, u->g->dash);
        int n = ui_put(u, body.y + body.h - 1, x, w, UI_S_DIM, 0, line);
        ui_put(u, body.y + body.h - 1, x + n + 1, w - n - 1, UI_S_INFO, 0, help);
    }
}

/* The input object for ops: field -> string, bool or array of strings. */
static cJSON *build_input(xform_state *st)
{
    cJSON *in = cJSON_CreateObject();
    for (int i = 0; i < st->sf.nfields; i++) {
        const hy_form_field *ff = field_at(st, i);
        const hy_field_def *d = ff->def;
        ui_field *fd = ui_form_field(&st->form, d->name);
        switch (d->kind) {
        case HY_FIELD_CHOICE: {
            if (!fd) break;
            int k = fd->choice - (d->required ? 0 : 1);
            if (k >= 0 && k < ff->nchoices) cJSON_AddStringToObject(in, d->name, ff->choices[k].value);
            break;
        }
        case HY_FIELD_CONFIRM: cJSON_AddBoolToObject(in, d->name, fd && fd->on); break;
        case HY_FIELD_MULTI_PICK: {
            cJSON *arr = cJSON_AddArrayToObject(in, d->name);
            for (int k = 0; fd && k < ff->nchoices; k++)
                if (ui_form_item_checked(&st->form, d->name, k))
                    cJSON_AddItemToArray(arr, cJSON_CreateString(ff->choices[k].value));
            break;
        }
        case HY_FIELD_PICK:
            if (ff->fixed) { /* what ops offered */
                if (ff->default_value) cJSON_AddStringToObject(in, d->name, ff->default_value);
                break;
            }
            /* The chosen value when the text is still the one chosen. */
            if (i == st->pick_field && st->picked_id && hy_streq(ui_form_get(&st->form, d->name), st->picked_name))
                cJSON_AddStringToObject(in, d->name, st->picked_id);
            else cJSON_AddStringToObject(in, d->name, ui_form_get(&st->form, d->name));
            break;
        default: cJSON_AddStringToObject(in, d->name, ui_form_get(&st->form, d->name)); break;
        }
    }
    return in;
}

/* What the execution is at now, after an input: the next form when the
 * very next step waits for one, and a message that says what happened. */
static void after_submit(ui *u, xform_state *st, const char *id)
{
    hy_exec_detail d;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_show(u->ctx, &u->me, id, &d, &err) != 0) return;
    const hy_workflow_def *wf = workflow_find(d.s.workflow);
    const char *label = wf ? wf->label : d.s.workflow;
    bool completed = hy_exec_status_of(d.s.status) == HY_EXEC_COMPLETED;
    if (completed && d.s.user_email)
        ui_msg(u, UI_S_INFO, "Done: %s has access (%s completed).", d.s.user_email, label);
    else if (completed && d.s.organization_name)
        ui_msg(u, UI_S_INFO, "Done: %s is onboarded (%s completed).", d.s.organization_name, label);
    else if (completed)
        ui_msg(u, UI_S_INFO, "Done: %s completed.", label);
    /* Only a manual step right after this one: with auto steps between,
     * the execution shows their progress first (whatever the runner's
     * speed), and opens the form when it is due. */
    bool next = d.can_input && d.s.current_step == st->sf.step_order + 1;
    hy_exec_detail_free(&d);
    if (next) ui_push(u, &ui_exec_form_screen, id);
}

/* A new request's organisation form (an admin's): nothing is created; the
 * next form, for that organisation, replaces this one. */
static int choose_org(ui *u, screen *s, const cJSON *in)
{
    xform_state *st = s->state;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, field_at(st, st->pick_field)->def->name);
    const char *ref = cJSON_IsString(v) ? v->valuestring : "";
    hy_step_form next;
    hy_err err;
    hy_err_clear(&err);
    if (hy_empty(ref)) {
        ui_form_error(&st->form, field_at(st, st->pick_field)->def->name, "is required");
        return UI_REDRAW;
    }
    if (ops_exec_start_form(u->ctx, &u->me, st->workflow, ref, &next, &err) != 0) {
        if (err.code == HY_ERR_AUTH) return ui_fail(u, &err);
        ui_form_set_errors(&st->form, &err);
        return UI_REDRAW;
    }
    const cJSON *org = cJSON_GetObjectItemCaseSensitive(next.context, "organization_id");
    ui_new_request r = {.workflow = st->workflow, .org_id = cJSON_IsString(org) ? org->valuestring : ref, .at = st->at};
    bool opened = ui_push(u, &ui_exec_new_form_screen, &r);
    hy_step_form_free(&next);
    return opened ? UI_CLOSE : UI_REDRAW;
}

/* A new request whose first form only picks the organisation (someone
 * who may choose among several: the field is not fixed). */
static bool only_chooses_org(xform_state *st)
{
    return !st->exec_id && st->pick_field >= 0 && st->sf.step_order == 1 &&
           field_at(st, st->pick_field)->def->attach == HY_ATTACH_ORG &&
           ui_form_field(&st->form, field_at(st, st->pick_field)->def->name) != NULL;
}

static int submit(ui *u, screen *s);

static int existing_done(ui *u, screen *s, int yes, const char *text, void *ctx)
{
    (void)text, (void)ctx;
    xform_state *st = s->state;
    if (yes != 1) {
        ui_msg(u, UI_S_INFO, "Nothing was submitted: change the email, or go on with the existing person.");
        return UI_REDRAW;
    }
    free(st->existing_ok);
    st->existing_ok = xstrdup(ui_form_get(&st->form, "email"));
    return submit(u, s);
}

/* A form that names a person (email, first and last name) whose email
 * belongs to someone HyOpps knows under other names: say so before
 * submitting (the existing person is reused; the names typed are not
 * applied). Returns true when it asked. */
static bool ask_existing(ui *u, xform_state *st)
{
    if (!ui_form_field(&st->form, "email") || !ui_form_field(&st->form, "firstname") ||
        !ui_form_field(&st->form, "lastname"))
        return false;
    char *email = xstrdup(ui_form_get(&st->form, "email"));
    char *first = xstrdup(ui_form_get(&st->form, "firstname")), *last = xstrdup(ui_form_get(&st->form, "lastname"));
    const char *e = hy_trim(email), *f = hy_trim(first), *l = hy_trim(last);
    bool asked = false;
    hy_user usr;
    hy_err err;
    hy_err_clear(&err);
    if (*e && !hy_streq(e, st->existing_ok) && ops_user_show(u->ctx, &u->me, e, &usr, &err) == 0) {
        if (!hy_streq(f, usr.firstname) || !hy_streq(l, usr.lastname)) {
            char *text = xasprintf("%s is already %s %s%s%s in HyOpps. That person is reused and keeps their names: "
                                   "\"%s %s\" is not applied (an admin edits names in Users). Go on?",
                                   usr.email, usr.firstname ? usr.firstname : "", usr.lastname ? usr.lastname : "",
                                   usr.organization_name ? ", of " : "",
                                   usr.organization_name ? usr.organization_name : "", f, l);
            ui_confirm(u, "An existing person", text, existing_done, NULL);
            free(text);
            asked = true;
        }
        hy_user_free(&usr);
    }
    free(email);
    free(first);
    free(last);
    return asked;
}

static int submit(ui *u, screen *s)
{
    xform_state *st = s->state;
    ui_form_clear_errors(&st->form);
    if (ask_existing(u, st)) return UI_REDRAW;
    /* No local check first: ops reports every field's error at once. */
    cJSON *in = build_input(st);
    if (only_chooses_org(st)) {
        int f = choose_org(u, s, in);
        cJSON_Delete(in);
        return f;
    }
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    int rc;
    if (st->exec_id) {
        hy_strlcpy(id, st->exec_id, sizeof id);
        rc = ops_exec_submit(u->ctx, &u->me, st->exec_id, st->sf.step->name, in, &err);
    } else {
        hy_exec_start req = {.workflow = st->workflow, .org_ref = st->org_id, .at = st->at, .input = in,
                             .step = st->sf.step->name};
        rc = ops_exec_start_ex(u->ctx, &u->me, &req, id, &err);
    }
    cJSON_Delete(in);
    if (rc != 0) {
        if (err.code == HY_ERR_AUTH) return ui_fail(u, &err);
        const char *at = hy_field_msg(&err, "at"); /* no field of the form: the time given before it */
        if (at) ui_msg(u, UI_S_ERROR, "Start at: %s (Esc, then S again for another time)", at);
        ui_form_set_errors(&st->form, &err); /* beside the fields; nothing typed is lost */
        return UI_REDRAW;
    }
    ui_runner_kick(u);
    if (st->exec_id) {
        ui_msg(u, UI_S_INFO, "Step %d (%s) submitted.", st->sf.step_order, st->sf.step->label);
    } else {
        const hy_workflow_def *wf = workflow_find(st->workflow);
        ui_msg(u, UI_S_INFO, "%s %.8s %s: step %d (%s) submitted.", wf ? wf->label : st->workflow, id,
               st->at ? "scheduled" : "started", st->sf.step_order, st->sf.step->label);
        /* The execution replaces this form (it shows the progress). */
        ui_push(u, ui_exec_screen_for(u), id);
    }
    after_submit(u, st, id);
    return UI_CLOSE | UI_RELOAD;
}

static int pick_done(ui *u, screen *s, int result, const char *text, void *ctx)
{
    (void)u, (void)ctx;
    xform_state *st = s->state;
    if (result != 1 || !text || st->pick_field < 0) return UI_REDRAW;
    const hy_form_field *ff = field_at(st, st->pick_field);
    for (int k = 0; k < ff->nchoices; k++) {
        if (!hy_streq(ff->choices[k].value, text)) continue;
        free(st->picked_id);
        free(st->picked_name);
        st->picked_id = xstrdup(ff->choices[k].value);
        st->picked_name = xstrdup(choice_label(&ff->choices[k]));
        ui_form_set(&st->form, ff->def->name, st->picked_name);
        ui_form_error(&st->form, ff->def->name, NULL);
        ui_form_focus(&st->form, ff->def->name);
    }
    return UI_REDRAW;
}

static int pick(ui *u, screen *s)
{
    xform_state *st = s->state;
    if (st->pick_field < 0) {
        ui_msg(u, UI_S_INFO, "This form has nothing to choose from a list.");
        return UI_REDRAW;
    }
    const hy_form_field *ff = field_at(st, st->pick_field);
    const char *noun = ff->def->provider && ff->def->provider->noun ? ff->def->provider->noun : "choices";
    if (ff->nchoices == 0) {
        if (ff->def->attach == HY_ATTACH_ORG)
            ui_msg(u, UI_S_INFO, "There is no partner organisation yet: the new_partner workflow creates them.");
        else ui_msg(u, UI_S_INFO, "There are no %s to choose from.", noun);
        return UI_REDRAW;
    }
    const char **ids = xcalloc((size_t)ff->nchoices, sizeof *ids);
    const char **names = xcalloc((size_t)ff->nchoices, sizeof *names);
    for (int k = 0; k < ff->nchoices; k++) {
        ids[k] = ff->choices[k].value;
        names[k] = choice_label(&ff->choices[k]);
    }
    char *heading = xasprintf("Choose from the %s:", noun);
    ui_pick_arg a = {.heading = heading, .noun = noun, .col1 = ff->def->label, .col2 = "Id", .n = ff->nchoices,
                     .ids = ids, .labels = names, .details = ids, .selected = st->picked_id};
    ui_push_then(u, &ui_pick_screen, &a, pick_done, NULL);
    free(heading);
    free(ids);
    free(names);
    return UI_REDRAW;
}

static bool xform_enabled(ui *u, const screen *s, const ui_action *a)
{
    xform_state *st = s->state;
    (void)u;
    return a->id != A_PICK || st->pick_field >= 0;
}

static int xform_key(ui *u, screen *s, ui_key k, const ui_action *a)
{
    (void)k;
    if (!a) return UI_NOT_MINE;
    switch (a->id) {
    case A_SUBMIT: return submit(u, s);
    case A_PICK: return pick(u, s);
    case A_CANCEL: {
        xform_state *st = s->state;
        if (!st->form.dirty) {
            ui_msg(u, UI_S_INFO, "%s", st->exec_id ? "Nothing was submitted." : "Nothing was started.");
            return UI_CLOSE;
        }
        return ui_form_leave(u, &st->form,
                             st->exec_id ? "Leave this form? Nothing of it is submitted."
                                         : "Discard this request? Nothing has been created yet.");
    }
    }
    return UI_NOT_MINE;
}

static void xform_close(ui *u, screen *s)
{
    (void)u;
    xform_state *st = s->state;
    ui_form_free(&st->form);
    for (int i = 0; st->autofill && i < st->sf.nfields; i++) free(st->autofill[i]);
    free(st->autofill);
    free(st->touched);
    hy_step_form_free(&st->sf);
    free(st->exec_id);
    free(st->workflow);
    free(st->org_id);
    free(st->at);
    free(st->title);
    free(st->description);
    free(st->picked_id);
    free(st->picked_name);
    free(st->existing_ok);
}

const screen_ops ui_exec_form_screen = {
    .name = "Fill in",
    .state_size = sizeof(xform_state),
    .actions = XFORM_ACTIONS,
    .open = xform_open,
    .draw = xform_draw,
    .handle_key = xform_key,
    .close = xform_close,
    .enabled = xform_enabled,
};

const screen_ops ui_exec_new_form_screen = {
    .name = "New request",
    .state_size = sizeof(xform_state),
    .actions = XFORM_ACTIONS,
    .open = xnew_open,
    .draw = xform_draw,
    .handle_key = xform_key,
    .close = xform_close,
    .enabled = xform_enabled,
};
