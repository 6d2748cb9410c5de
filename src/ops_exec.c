/* ops for executions: references, authorization, and the operator actions
 * (start, form, submit, retry, skip, done by hand, re-run, cancel). The
 * lists and detail views are in ops_exec_list.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "engine.h"
#include "exec_search.h"
#include "json_input.h"
#include "ops.h"
#include "ops_exec_internal.h"
#include "ops_refs.h"
#include "sanitize.h"
#include "util.h"

/* ---- who may see what: authz.h, the one rule ---- */

unsigned opx_actions(const hy_principal *p, const char *wf_name, const char *org_id)
{
    return authz_exec_actions(p, workflow_find(wf_name), org_id);
}

int opx_scope_wf_ids(hy_ctx *c, const hy_principal *p, char **out, hy_err *err)
{
    *out = NULL;
    hy_exec_scope s;
    authz_exec_scope(p, &s);
    if (s.all_workflows) return 0;
    cJSON *names = cJSON_CreateArray();
    const hy_workflow_def *wf;
    for (int i = 0; (wf = workflow_at(i)); i++)
        if (!s.none && authz_workflow_in_scope(p, wf)) cJSON_AddItemToArray(names, cJSON_CreateString(wf->name));
    char *json = cJSON_PrintUnformatted(names);
    cJSON_Delete(names);
    int rc = db_get_text(c->db, err, out,
                         "SELECT json_group_array(id) FROM workflow_definitions "
                         "WHERE name IN (SELECT value FROM json_each(?))",
                         "t", json);
    cJSON_free(json);
    return rc;
}

static int not_found(hy_err *err, const char *ref)
{
    char shown[64];
    hy_sanitize_to(ref, shown, sizeof shown);
    return hy_fail(err, HY_ERR_NOT_FOUND, "no execution matches '%s'", shown);
}

int ops_exec_resolve(hy_ctx *c, const hy_principal *p, const char *ref, char id[HY_UUID_LEN], hy_err *err)
{
    id[0] = '\0';
    if (!ref || hy_empty(ref)) return hy_fail(err, HY_ERR_INVALID, "give an execution id (or a unique prefix of it)");
    char prefix[HY_UUID_LEN];
    size_t n = strlen(ref);
    if (n >= sizeof prefix) return not_found(err, ref);
    for (size_t i = 0; i <= n; i++) prefix[i] = (char)tolower((unsigned char)ref[i]);
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)prefix[i]) && prefix[i] != '-') return not_found(err, ref);
    if (n < 4) return hy_fail(err, HY_ERR_INVALID, "id prefix '%s' is too short: give at least 4 characters", prefix);
    /* ids are [0-9a-f-], all sorting before 'g' */
    char upper[HY_UUID_LEN + 1];
    snprintf(upper, sizeof upper, "%sg", prefix);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT e.id, e.organization_id, wd.name FROM workflow_executions e "
                           "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                           "WHERE e.id >= ? AND e.id < ? ORDER BY e.id LIMIT 50",
                           "tt", prefix, upper);
    int found = 0;
    hy_buf list = {0};
    while (db_row(st)) {
        if (!(opx_actions(p, db_text(st, 2), db_text(st, 1)) & HY_ACT_SEE)) continue;
        if (strcmp(db_text(st, 0), prefix) == 0) { /* a full id wins */
            hy_strlcpy(id, db_text(st, 0), HY_UUID_LEN);
            found = 1;
            break;
        }
        if (found++ == 0) hy_strlcpy(id, db_text(st, 0), HY_UUID_LEN);
        if (found <= 6) hy_buf_printf(&list, "%s  %.13s (%s)", found > 1 ? "\n" : "", db_text(st, 0), db_text(st, 2));
    }
    int rc = db_done(st);
    if (rc == 0 && found == 0) rc = not_found(err, ref);
    else if (rc == 0 && found > 1 && strcmp(id, prefix) != 0) {
        char first[HY_UUID_LEN];
        hy_strlcpy(first, id, sizeof first);
        id[0] = '\0';
        rc = hy_fail(err, HY_ERR_INVALID, "id prefix '%s' is ambiguous; it matches:\n%s%s", prefix, list.s,
                     found > 6 ? "\n  ..." : "");
    }
    hy_buf_free(&list);
    return rc;
}

/* Resolves an execution the caller may see and checks that it may take
 * `action` on it (authz.h): not visible -> not found; visible but not
 * allowed -> forbidden. A role that never has the action is refused before
 * anything is looked up. Fills the workflow and, if wanted, the actions. */
static int resolve_for(hy_ctx *c, const hy_principal *p, const char *ref, hy_exec_action action, char id[HY_UUID_LEN],
                       const hy_workflow_def **wf, unsigned *actions_out, hy_err *err)
{
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return not_found(err, ref ? ref : ""); /* as if there were none */
    if (!authz_role_may(p, action))
        return hy_fail(err, HY_ERR_FORBIDDEN, "your role may not %s executions", hy_exec_action_verb(action));
    if (ops_exec_resolve(c, p, ref, id, err) != 0) return err->code;
    char *name = NULL, *org = NULL;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT wd.name, e.organization_id FROM workflow_executions e JOIN workflow_definitions wd "
                           "ON wd.id = e.workflow_definition_id WHERE e.id = ?",
                           "t", id);
    if (db_row(st)) {
        name = db_dup(st, 0);
        org = db_dup(st, 1);
    }
    int rc = db_done(st);
    const hy_workflow_def *w = workflow_find(name);
    unsigned actions = authz_exec_actions(p, w, org);
    free(name);
    free(org);
    if (rc) return rc;
    if (!(actions & HY_ACT_SEE)) return not_found(err, ref);
    if (!(actions & action))
        return hy_fail(err, HY_ERR_FORBIDDEN, "your role may not %s this execution", hy_exec_action_verb(action));
    if (wf) {
        *wf = w;
        if (!w) return hy_fail(err, HY_ERR_CONFLICT, "this execution's workflow is not known to this program");
    }
    if (actions_out) *actions_out = actions;
    return 0;
}

static int step_order(const hy_workflow_def *wf, const char *step, int *order, hy_err *err)
{
    if (workflow_step_ref(wf, step, order)) return 0;
    hy_buf names = {0};
    for (int i = 0; i < wf->nsteps; i++) hy_buf_printf(&names, "%s%d %s", i ? ", " : "", i + 1, wf->steps[i].name);
    char shown[64];
    hy_sanitize_to(step ? step : "", shown, sizeof shown);
    hy_fail(err, HY_ERR_INVALID, "no step '%s' in %s (steps: %s)", shown, wf->name, names.s);
    hy_buf_free(&names);
    return err->code;
}

static int audit_action(hy_ctx *c, const hy_principal *p, const char *action, const char *id, cJSON *details,
                        hy_err *err)
{
    int rc = audit_write(c, p, action, "execution", id, details, err);
    cJSON_Delete(details);
    return rc;
}

static cJSON *details_step(const hy_workflow_def *wf, int order)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", wf->name);
    cJSON_AddNumberToObject(d, "step_order", order);
    cJSON_AddStringToObject(d, "step", wf->steps[order - 1].name);
    return d;
}

/* ---- workflows ---- */

int ops_exec_workflows(hy_ctx *c, const hy_principal *p, const hy_workflow_def **out, int max, int *n, hy_err *err)
{
    *n = 0;
    if (ops_begin(c, p, err) != 0) return err->code;
    const hy_workflow_def *wf;
    for (int i = 0; (wf = workflow_at(i)) && *n < max; i++)
        if (authz_may_start(p, wf)) out[(*n)++] = wf;
    return 0;
}

/* The field of the first step that picks what the execution is about (an
 * organisation, or a user), if any. */
static const hy_field_def *about_field(const hy_workflow_def *wf, hy_attach *attach)
{
    const hy_step_def *sd = &wf->steps[0];
    if (sd->kind != HY_STEP_MANUAL) return NULL;
    for (int i = 0; i < sd->nfields; i++)
        if (sd->fields[i].kind == HY_FIELD_PICK && sd->fields[i].attach != HY_ATTACH_NONE) {
            *attach = sd->fields[i].attach;
            return &sd->fields[i];
        }
    return NULL;
}

/* A time a person gave for a start: field error "at" when it is not one,
 * or more than a minute ago. */
static int parse_at(const char *at, int64_t *ms, hy_err *err)
{
    int64_t now = hy_now_ms();
    char shown[64];
    hy_sanitize_to(at, shown, sizeof shown);
    if (strlen(at) > 64 || !hy_parse_when(at, now, ms))
        hy_field(err, "at", "'%s' is not a date/time: give 2026-03-31, 2026-03-31 17:00 (UTC), 2026-03-31T17:00+02:00, "
                 "or from now +3d, +12h, +30m", shown);
    else if (*ms < now - 60000)
        hy_field(err, "at", "%s is in the past: leave it out to start now", shown);
    return err->nfield ? HY_ERR_INVALID : 0;
}

int ops_exec_start(hy_ctx *c, const hy_principal *p, const char *workflow, const char *org_ref,
                   char id_out[HY_UUID_LEN], hy_err *err)
{
    hy_exec_start st = {.workflow = workflow, .org_ref = org_ref};
    return ops_exec_start_ex(c, p, &st, id_out, err);
}

int ops_exec_start_ex(hy_ctx *c, const hy_principal *p, const hy_exec_start *req, char id_out[HY_UUID_LEN],
                      hy_err *err)
{
    id_out[0] = '\0';
    if (ops_begin(c, p, err) != 0) return err->code;
    const hy_workflow_def *wf = workflow_find(req->workflow);
    if (!authz_may_start(p, wf)) {
        char shown[64];
        hy_sanitize_to(req->workflow ? req->workflow : "", shown, sizeof shown);
        return hy_fail(err, HY_ERR_NOT_FOUND, "no workflow named '%s'", shown);
    }
    const char *org_ref = req->org_ref;
    hy_attach attach = HY_ATTACH_NONE;
    const hy_field_def *of = about_field(wf, &attach);
    char org[HY_UUID_LEN] = "", own[HY_UUID_LEN];
    bool any_org = authz_org_choices_any(p, own);
    if (!any_org) {
        /* scoped to one organisation: every execution is about it */
        hy_strlcpy(org, own, sizeof org);
        if (org_ref && !hy_empty(org_ref)) {
            char given[HY_UUID_LEN];
            if (ops_find_org(c, p, org_ref, given, err) != 0) return err->code;
        }
    } else if (org_ref && !hy_empty(org_ref)) {
        if (!of)
            return hy_fail(err, HY_ERR_INVALID, "%s does not start with an organisation to choose: --org does not apply",
                           wf->name);
        if (ops_find_org(c, p, org_ref, org, err) != 0) return err->code;
    }
    int64_t at = 0;
    bool scheduled = req->at && !hy_empty(req->at);
    if (scheduled && parse_at(req->at, &at, err) != 0) return err->code;
    if (req->input && hy_json_input_check_keys(req->input, err) != 0) return err->code;
    if (req->input && !authz_may_input_step(p, authz_exec_actions(p, wf, org[0] ? org : NULL), &wf->steps[0]))
        return hy_fail(err, HY_ERR_FORBIDDEN, "step 1 (%s) is for HyOpps staff to fill in", wf->steps[0].label);
    if (db_begin(c->db, err) != 0) return err->code;
    /* The audit row before what the engine does next (local steps it runs
     * at once are audited as it goes). */
    int rc = engine_start(c, p, wf, org[0] ? org : NULL, id_out, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "workflow", wf->name);
        if (org[0]) cJSON_AddStringToObject(d, "organization_id", org);
        rc = audit_action(c, p, "exec.start", id_out, d, err);
    }
    /* what the first step needs now: the given input, or the organisation
     * when that is all it asks */
    cJSON *in = NULL;
    if (req->input) in = cJSON_Duplicate(req->input, 1);
    else if (of && attach == HY_ATTACH_ORG && org[0] && wf->steps[0].nfields == 1) {
        in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, of->name, org);
    }
    if (rc == 0 && in) {
        if (req->input) rc = audit_action(c, p, "exec.input", id_out, details_step(wf, 1), err);
        /* a start that waits leaves the steps after it queued (engine_hold) */
        if (rc == 0) rc = scheduled ? engine_submit_queued(c, p, id_out, 1, in, err) : engine_submit(c, p, id_out, 1, in, err);
    } else if (rc == 0 && wf->steps[0].kind == HY_STEP_AUTO && !scheduled) {
        rc = engine_run_inline(c, id_out, err);
    }
    cJSON_Delete(in);
    if (rc == 0 && scheduled) {
        rc = engine_hold(c, p, id_out, at, err);
        if (rc == HY_ERR_CONFLICT) {
            hy_err_clear(err);
            hy_field(err, "at", "the step's own date field schedules it already: give the time once");
            rc = HY_ERR_INVALID;
        }
    }
    /* Runners index new executions in the background; this keeps the
     * backlog bounded when none runs. */
    if (rc == 0 && exec_search_due(c, true, err, &rc)) rc = exec_search_index(c, err);
    rc = ops_finish(c, rc, err);
    if (rc) id_out[0] = '\0';
    return rc;
}

int ops_exec_reschedule(hy_ctx *c, const hy_principal *p, const char *ref, const char *at, hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    if (resolve_for(c, p, ref, HY_ACT_RESCHEDULE, id, &wf, NULL, err) != 0) return err->code;
    int64_t ms;
    if (hy_empty(at)) {
        hy_field(err, "at", "is required: when should it start? (2026-03-31 17:00, +3d, now)");
        return err->code;
    }
    if (parse_at(at, &ms, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = engine_reschedule(c, p, id, ms, err);
    if (rc == 0) {
        char iso[HY_TIME_LEN];
        hy_iso_from_ms(ms, iso);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "workflow", wf->name);
        cJSON_AddStringToObject(d, "at", iso);
        rc = audit_action(c, p, "exec.reschedule", id, d, err);
    }
    return ops_finish(c, rc, err);
}

/* ---- input ---- */

/* The step waiting for input, which p may fill in. */
static int waiting_step(hy_ctx *c, const hy_principal *p, const char *id, const hy_workflow_def *wf, unsigned actions,
                        int *order_out, hy_err *err)
{
    char *status = NULL;
    int64_t order = 0;
    int rc = db_get_text(c->db, err, &status, "SELECT status FROM workflow_executions WHERE id = ?", "t", id);
    if (rc == 0)
        rc = db_get_int(c->db, err, &order, NULL, "SELECT current_step_order FROM workflow_executions WHERE id = ?",
                        "t", id);
    if (rc == 0 && (!hy_streq(status, "awaiting_input") || order < 1 || order > wf->nsteps ||
                    wf->steps[order - 1].kind != HY_STEP_MANUAL))
        rc = hy_fail(err, HY_ERR_CONFLICT, "no step of this execution is waiting for input (it is %s)",
                     status ? status : "?");
    free(status);
    if (rc == 0 && !authz_may_input_step(p, actions, &wf->steps[order - 1]))
        rc = hy_fail(err, HY_ERR_FORBIDDEN, "step %d (%s) is for HyOpps staff to fill in", (int)order,
                     wf->steps[order - 1].label);
    *order_out = (int)order;
    return rc;
}

int ops_exec_form(hy_ctx *c, const hy_principal *p, const char *ref, hy_step_form *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    unsigned actions;
    int order = 0;
    if (resolve_for(c, p, ref, HY_ACT_INPUT, id, &wf, &actions, err) != 0) return err->code;
    int rc = waiting_step(c, p, id, wf, actions, &order, err);
    cJSON *ctx = NULL;
    if (rc == 0) rc = engine_context(c, id, &ctx, err);
    if (rc == 0) rc = workflow_build_form(c, p, &wf->steps[order - 1], ctx, out, err);
    out->context = ctx;
    out->execution_id = xstrdup(id);
    out->step_order = order;
    if (rc == 0) out->step = &wf->steps[order - 1];
    if (rc) hy_step_form_free(out);
    return rc;
}

int ops_exec_submit(hy_ctx *c, const hy_principal *p, const char *ref, const char *step, const cJSON *input,
                    hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    unsigned actions;
    int order;
    if (resolve_for(c, p, ref, HY_ACT_INPUT, id, &wf, &actions, err) != 0) return err->code;
    if (step_order(wf, step, &order, err) != 0) return err->code;
    if (!authz_may_input_step(p, actions, &wf->steps[order - 1]) && wf->steps[order - 1].kind == HY_STEP_MANUAL)
        return hy_fail(err, HY_ERR_FORBIDDEN, "step %d (%s) is for HyOpps staff to fill in", order,
                       wf->steps[order - 1].label);
    if (hy_json_input_check_keys(input, err) != 0) return err->code; /* cJSON would keep the first */
    if (db_begin(c->db, err) != 0) return err->code;
    /* audited first: engine_submit may run local steps after it (engine.h) */
    int rc = audit_action(c, p, "exec.input", id, details_step(wf, order), err);
    if (rc == 0) rc = engine_submit(c, p, id, order, input, err);
    return ops_finish(c, rc, err);
}

int ops_exec_input_from_pairs(int n, char *const *pairs, cJSON **out, hy_err *err)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(pairs[i], '=');
        char shown[64];
        hy_sanitize_to(pairs[i], shown, sizeof shown);
        if (!eq || eq == pairs[i]) {
            hy_field(err, "input", "'%s' is not key=value", shown);
            continue;
        }
        char *key = xstrndup(pairs[i], (size_t)(eq - pairs[i]));
        if (cJSON_GetObjectItemCaseSensitive(o, key)) hy_field(err, key, "is given twice");
        else cJSON_AddStringToObject(o, key, eq + 1);
        free(key);
    }
    if (err->nfield) {
        cJSON_Delete(o);
        *out = NULL;
        return HY_ERR_INVALID;
    }
    *out = o;
    return 0;
}

int ops_exec_input_from_json(const char *text, size_t len, cJSON **out, hy_err *err)
{
    return hy_json_input_parse(text, len, out, err);
}

/* ---- operator actions ---- */

int ops_exec_retry(hy_ctx *c, const hy_principal *p, const char *ref, hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    if (resolve_for(c, p, ref, HY_ACT_RETRY, id, &wf, NULL, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", wf->name);
    int rc = audit_action(c, p, "exec.retry", id, d, err); /* first: see ops_exec_submit */
    if (rc == 0) rc = engine_retry(c, p, id, err);
    return ops_finish(c, rc, err);
}

static int check_note(const char *field, const char *text, hy_err *err)
{
    if (hy_empty(text)) hy_field(err, field, "is required: say why, for the audit trail");
    else if (strlen(text) > 500) hy_field(err, field, "must be at most 500 bytes");
    else if (!hy_text_is_clean(text, NULL)) hy_field(err, field, "must be plain text (no control characters)");
    return err->nfield ? HY_ERR_INVALID : 0;
}

/* A role that can never take the action is refused before its input is
 * even looked at. */
static int check_role(const hy_principal *p, hy_exec_action action, hy_err *err)
{
    hy_exec_scope scope;
    authz_exec_scope(p, &scope);
    if (scope.none) return hy_fail(err, HY_ERR_FORBIDDEN, "this account has no access to executions");
    if (!authz_role_may(p, action))
        return hy_fail(err, HY_ERR_FORBIDDEN, "your role may not %s executions", hy_exec_action_verb(action));
    return 0;
}

typedef int (*step_action)(hy_ctx *, const hy_principal *, const char *, int, const char *, hy_err *);

static int noted_step_action(hy_ctx *c, const hy_principal *p, hy_exec_action act, const char *ref, const char *step,
                             const char *field, const char *text, step_action fn, const char *action, hy_err *err)
{
    if (ops_begin(c, p, err) != 0 || check_role(p, act, err) != 0) return err->code;
    if (check_note(field, text, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    int order;
    if (resolve_for(c, p, ref, act, id, &wf, NULL, err) != 0) return err->code;
    if (step_order(wf, step, &order, err) != 0) return err->code;
    char *trimmed = xstrdup(text);
    const char *t = hy_trim(trimmed);
    if (db_begin(c->db, err) != 0) {
        free(trimmed);
        return err->code;
    }
    cJSON *d = details_step(wf, order);
    cJSON_AddStringToObject(d, field, t);
    int rc = audit_action(c, p, action, id, d, err); /* first: see ops_exec_submit */
    if (rc == 0) rc = fn(c, p, id, order, t, err);
    free(trimmed);
    return ops_finish(c, rc, err);
}

int ops_exec_skip(hy_ctx *c, const hy_principal *p, const char *ref, const char *step, const char *reason,
                  hy_err *err)
{
    return noted_step_action(c, p, HY_ACT_SKIP, ref, step, "reason", reason, engine_skip, "exec.skip", err);
}

int ops_exec_mark_done(hy_ctx *c, const hy_principal *p, const char *ref, const char *step, const char *note,
                       hy_err *err)
{
    return noted_step_action(c, p, HY_ACT_DONE, ref, step, "note", note, engine_mark_done, "exec.done_by_hand", err);
}

int ops_exec_rerun(hy_ctx *c, const hy_principal *p, const char *ref, const char *from_step, hy_err *err)
{
    if (ops_begin(c, p, err) != 0 || check_role(p, HY_ACT_RERUN, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    int order;
    if (resolve_for(c, p, ref, HY_ACT_RERUN, id, &wf, NULL, err) != 0) return err->code;
    if (step_order(wf, from_step, &order, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = audit_action(c, p, "exec.rerun", id, details_step(wf, order), err); /* first: see ops_exec_submit */
    if (rc == 0) rc = engine_rerun(c, p, id, order, err);
    return ops_finish(c, rc, err);
}

int ops_exec_cancel(hy_ctx *c, const hy_principal *p, const char *ref, hy_err *err)
{
    if (ops_begin(c, p, err) != 0) return err->code;
    char id[HY_UUID_LEN];
    const hy_workflow_def *wf;
    if (resolve_for(c, p, ref, HY_ACT_CANCEL, id, &wf, NULL, err) != 0) return err->code;
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = engine_cancel(c, p, id, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "workflow", wf->name);
        rc = audit_action(c, p, "exec.cancel", id, d, err);
    }
    return ops_finish(c, rc, err);
}
