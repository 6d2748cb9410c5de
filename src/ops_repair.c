/* Repairing what reconciliation found (ops_access.h): explicit, audited,
 * administrators only (HY_CAP_REPAIR).
 *   missing               -> a repair_access execution re-runs the granting
 *                            steps (one per person and organisation)
 *   unexpected, known     -> revoke_partner_user for them, adopt (a grant
 *                            "adopted"), or remove them from that group
 *   unexpected, unknown   -> remove the account from that group
 *   revoked but present   -> remove, revoke, or adopt
 *   unknown group         -> nothing here: the organisation's group ids */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "engine.h"
#include "model.h"
#include "ops.h"
#include "ops_access.h"
#include "store_grants.h"
#include "store_reconcile.h"
#include "svc.h"
#include "util.h"
#include "workflows.h"

#define REVOKE_WORKFLOW "revoke_partner_user"

const char *hy_repair_name(hy_repair a)
{
    switch (a) {
    case HY_REPAIR_REGRANT: return "regrant";
    case HY_REPAIR_REVOKE: return "revoke";
    case HY_REPAIR_ADOPT: return "adopt";
    case HY_REPAIR_REMOVE: return "remove";
    case HY_REPAIR_DEFAULT: break;
    }
    return "default";
}

unsigned hy_repair_choices(const hy_finding *f)
{
    bool person = f->user_id && *f->user_id;
    switch (f->kind) {
    case HY_DRIFT_MISSING: return person ? 1u << HY_REPAIR_REGRANT : 0;
    case HY_DRIFT_UNEXPECTED:
    case HY_DRIFT_REVOKED:
        return (1u << HY_REPAIR_REMOVE) | (person ? (1u << HY_REPAIR_REVOKE) | (1u << HY_REPAIR_ADOPT) : 0);
    default: return 0;
    }
}

static const char *group_word(int sys)
{
    return sys == HY_SYS_METABASE ? "group" : sys == HY_SYS_SLACK ? "user group" : "channel";
}

static const char *where(const hy_finding *f)
{
    return f->organization_name ? f->organization_name : "the shared Teams team";
}

char *hy_repair_describe(const hy_finding *f, hy_repair a)
{
    if (!(hy_repair_choices(f) & (1u << a))) return NULL;
    char *who = hy_finding_person(f);
    char *out = NULL;
    switch (a) {
    case HY_REPAIR_REGRANT:
        out = xasprintf("Give %s their %s access back in %s: a repair_access execution re-runs the granting step",
                        who, hy_sys_label(f->sys), where(f));
        break;
    case HY_REPAIR_REMOVE:
        if (f->sys == HY_SYS_TEAMS)
            out = xasprintf("Remove Teams account %s (%s) from the shared Teams team", f->account_id ? f->account_id : "?",
                            f->email && *f->email ? f->email : f->known ? who : "unknown to HyOpps");
        else
            out = xasprintf("Remove %s account %s (%s) from %s %s of %s", hy_sys_label(f->sys),
                            f->account_id ? f->account_id : "?",
                            f->email && *f->email ? f->email : f->known ? who : "unknown to HyOpps",
                            group_word(f->sys), f->group_id ? f->group_id : "?", where(f));
        break;
    case HY_REPAIR_ADOPT:
        out = xasprintf("Record %s's %s access in %s as a grant: given by hand, accepted by you", who,
                        hy_sys_label(f->sys), where(f));
        break;
    case HY_REPAIR_REVOKE:
        out = xasprintf("Start %s for %s (%s): it removes all of their access", REVOKE_WORKFLOW, who, where(f));
        break;
    case HY_REPAIR_DEFAULT: break;
    }
    free(who);
    return out;
}

void hy_repair_result_free(hy_repair_result *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->v[i].message);
        free(r->v[i].execution_id);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

cJSON *hy_repair_result_to_json(const hy_repair_result *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "done", r->done);
    cJSON_AddNumberToObject(j, "failed", r->failed);
    cJSON *arr = cJSON_AddArrayToObject(j, "findings");
    for (int i = 0; i < r->n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "id", (double)r->v[i].id);
        cJSON_AddBoolToObject(x, "ok", r->v[i].code == 0);
        cJSON_AddStringToObject(x, "message", r->v[i].message ? r->v[i].message : "");
        if (r->v[i].execution_id) cJSON_AddStringToObject(x, "execution_id", r->v[i].execution_id);
        cJSON_AddItemToArray(arr, x);
    }
    return j;
}

/* ---- one repair ---- */

typedef struct {
    hy_finding f;
    hy_repair action;
    bool loaded, handled;
} item;

static void outcome(hy_repair_result *r, int64_t id, int code, const char *exec_id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void outcome(hy_repair_result *r, int64_t id, int code, const char *exec_id, const char *fmt, ...)
{
    r->v = xrealloc(r->v, (size_t)(r->n + 1) * sizeof *r->v);
    hy_repair_outcome *o = &r->v[r->n++];
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) hy_fatal("out of memory");
    va_end(ap);
    *o = (hy_repair_outcome){.id = id, .code = code, .message = msg, .execution_id = exec_id ? xstrdup(exec_id) : NULL};
    if (code) r->failed++;
    else r->done++;
}

/* The action for a finding, or why none (err). */
static int choose(const hy_finding *f, hy_repair a, hy_repair *out, hy_err *err)
{
    unsigned allowed = hy_repair_choices(f);
    if (f->kind == HY_DRIFT_UNKNOWN_GROUP) {
        const char *tool = hy_sys_name(f->sys);
        return hy_fail(err, HY_ERR_CONFLICT,
                       "an unknown group is repaired by setting its id: `hyopps orgs edit '%s' %s ID` (or i on the "
                       "organisation's screen), then reconcile again",
                       f->organization_name ? f->organization_name : "?", hy_group_edit_flag(tool));
    }
    if (a == HY_REPAIR_DEFAULT) {
        if (f->kind == HY_DRIFT_MISSING) a = HY_REPAIR_REGRANT;
        else if (f->kind == HY_DRIFT_UNEXPECTED && !f->known) a = HY_REPAIR_REMOVE;
        else
            return hy_fail(err, HY_ERR_INVALID, "%s is a person HyOpps knows: choose revoke, adopt or remove",
                           f->email ? f->email : f->account_id ? f->account_id : "this");
    }
    if (!(allowed & (1u << a))) {
        if (a == HY_REPAIR_REGRANT)
            return hy_fail(err, HY_ERR_INVALID, "only a missing access can be granted again (this one is %s)",
                           hy_drift_label(f->kind));
        if (a == HY_REPAIR_REMOVE)
            return hy_fail(err, HY_ERR_INVALID, "a missing access is granted again, not removed");
        return hy_fail(err, HY_ERR_INVALID, "%s needs a person HyOpps knows (this is %s)", hy_repair_name(a),
                       f->known || f->kind == HY_DRIFT_MISSING ? hy_drift_label(f->kind) : "an unknown account");
    }
    *out = a;
    return 0;
}

static cJSON *details(const hy_finding *f, const char *action)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "finding", (double)f->id);
    cJSON_AddStringToObject(d, "action", action);
    cJSON_AddStringToObject(d, "system", hy_sys_name(f->sys));
    cJSON_AddStringToObject(d, "kind", hy_drift_name(f->kind));
    if (f->organization_id && *f->organization_id) cJSON_AddStringToObject(d, "organization_id", f->organization_id);
    if (f->user_id) cJSON_AddStringToObject(d, "user_id", f->user_id);
    if (f->email) cJSON_AddStringToObject(d, "email", f->email);
    if (f->account_id) cJSON_AddStringToObject(d, "account_id", f->account_id);
    if (f->group_id) cJSON_AddStringToObject(d, "group_id", f->group_id);
    return d;
}

static int audit_finding(hy_ctx *c, const hy_principal *p, const char *action, const hy_finding *f, cJSON *d,
                         hy_err *err)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)f->id);
    int rc = audit_write(c, p, action, "reconcile_finding", id, d, err);
    cJSON_Delete(d);
    return rc;
}

/* Missing access of one person in one organisation (items[0..n) share
 * them): one repair_access execution, the systems with nothing missing
 * skipped before it starts running. */
static int regrant(hy_ctx *c, const hy_principal *p, item **its, int n, const char *note, char exec_id[HY_UUID_LEN],
                   hy_err *err)
{
    const hy_workflow_def *wf = workflow_find("repair_access");
    if (!wf) return hy_fail(err, HY_ERR_INTERNAL, "the repair_access workflow is not registered");
    const hy_finding *f0 = &its[0]->f;
    unsigned systems = 0;
    hy_buf ids = {0};
    for (int i = 0; i < n; i++) {
        systems |= 1u << its[i]->f.sys;
        hy_buf_printf(&ids, "%s#%lld", i ? ", " : "", (long long)its[i]->f.id);
    }
    char *reason = note && *note ? xstrdup(note)
                                 : xasprintf("reconciliation found the access missing (finding %s)", ids.s);
    int rc = db_begin(c->db, err);
    if (rc == 0) rc = engine_start(c, p, wf, f0->organization_id, exec_id, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        cJSON *d = details(&its[i]->f, "regrant");
        cJSON_AddStringToObject(d, "execution_id", exec_id);
        rc = audit_finding(c, p, "access.repair", &its[i]->f, d, err);
    }
    for (int s = 0; rc == 0 && s < HY_NSYS; s++) {
        if (systems & (1u << s)) continue;
        char step[32];
        snprintf(step, sizeof step, "regrant_%s", hy_sys_name(s));
        int order = 0;
        if (!workflow_step_ref(wf, step, &order)) continue;
        char *why = xasprintf("not part of this repair: nothing is missing in %s", hy_sys_label(s));
        rc = engine_skip(c, p, exec_id, order, why, err);
        free(why);
    }
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "organization_id", f0->organization_id);
    if (rc == 0) rc = engine_submit(c, p, exec_id, 1, in, err);
    cJSON_Delete(in);
    in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "user_id", f0->user_id);
    cJSON_AddStringToObject(in, "reason", reason);
    if (rc == 0) rc = engine_submit(c, p, exec_id, 2, in, err);
    cJSON_Delete(in);
    char *mark = xasprintf("repair_access %s", exec_id);
    for (int i = 0; rc == 0 && i < n; i++) rc = rcs_mark_repair(c, its[i]->f.id, mark, p->user_id, NULL, err);
    free(mark);
    free(reason);
    hy_buf_free(&ids);
    return ops_finish(c, rc, err);
}

/* Takes the account out of the group, through the integration: a live one
 * with no transaction open, then what it did recorded. */
static int remove_account(hy_ctx *c, const hy_principal *p, const hy_finding *f, bool *removed, hy_err *err)
{
    *removed = false;
    hy_mode modes[HY_NSYS] = {c->cfg->metabase.mode, c->cfg->teams.mode, c->cfg->slack.mode};
    hy_mode mode = modes[f->sys];
    if (mode == HY_MODE_OFF) return hy_fail(err, HY_ERR_CONFIG, "%s is off: nothing can be removed there", hy_sys_label(f->sys));
    if (!f->account_id || !*f->account_id)
        return hy_fail(err, HY_ERR_CONFLICT, "the finding names no %s account to remove", hy_sys_label(f->sys));
    bool live = mode == HY_MODE_LIVE;
    char owner[300];
    snprintf(owner, sizeof owner, "ops:%s:%s", p->email, f->account_id);
    hy_svc s = {.c = c, .integ = live ? integ_new(c->cfg) : NULL, .owner = owner, .lock_wait_ms = -1};
    int rc = live ? 0 : db_begin(c->db, err);
    if (rc == 0 && f->sys == HY_SYS_METABASE) {
        char *e1, *e2;
        long uid = strtol(f->account_id, &e1, 10), gid = f->group_id ? strtol(f->group_id, &e2, 10) : 0;
        if (*e1 || uid <= 0 || gid <= 2) rc = hy_fail(err, HY_ERR_CONFLICT, "not a Metabase user and group to remove");
        else rc = svc_metabase(mode)->remove_membership(&s, uid, gid, removed, err);
    } else if (rc == 0 && f->sys == HY_SYS_SLACK) {
        slack_remove_result res;
        if (!f->group_id) rc = hy_fail(err, HY_ERR_CONFLICT, "the finding names no Slack user group");
        else rc = svc_slack(mode)->remove_user(&s, f->group_id, NULL, f->account_id, &res, err);
        if (rc == 0) *removed = res.removed;
    } else if (rc == 0) {
        rc = svc_teams(mode)->remove_user(&s, f->account_id, f->email, removed, err);
    }
    integ_free(s.integ);
    if (live && rc == 0) rc = db_begin(c->db, err);
    if (live && rc) return rc; /* nothing recorded: the call failed */
    cJSON *d = details(f, "remove");
    cJSON_AddBoolToObject(d, "removed", *removed);
    if (!live) cJSON_AddBoolToObject(d, "simulated", true);
    if (rc == 0) rc = audit_finding(c, p, "access.remove", f, d, err);
    else cJSON_Delete(d);
    if (rc == 0) rc = rcs_mark_repair(c, f->id, *removed ? "removed" : "removed (it was gone already)", p->user_id, NULL, err);
    return ops_finish(c, rc, err);
}

/* A person holds one grant per resource (the grants' schema): one given
 * through another organisation is not moved here by an adoption. */
static int held_elsewhere(hy_ctx *c, const hy_finding *f, hy_err *err)
{
    hy_grant_list gl;
    int rc = grant_list_user(c, f->user_id, &gl, err);
    for (int i = 0; rc == 0 && i < gl.count; i++) {
        const hy_grant *g = &gl.items[i];
        if (g->revoked_at || !hy_streq(g->resource, hy_sys_resource(f->sys)) || !g->organization_name ||
            hy_streq(g->organization_name, f->organization_name))
            continue;
        rc = hy_fail(err, HY_ERR_CONFLICT,
                     "%s holds %s access through %s already (one grant per person and system): remove it from "
                     "this group instead, or revoke",
                     f->email ? f->email : "this person", hy_sys_label(f->sys), g->organization_name);
    }
    hy_grant_list_free(&gl);
    return rc;
}

static int adopt(hy_ctx *c, const hy_principal *p, const hy_finding *f, const char *note, hy_err *err)
{
    if (held_elsewhere(c, f, err)) return err->code;
    int rc = db_begin(c->db, err);
    const char *org = f->organization_id && *f->organization_id ? f->organization_id : NULL;
    if (rc == 0)
        rc = grant_adopt(c, f->user_id, hy_sys_resource(f->sys), org, f->account_id, p->user_id, p->email, note, err);
    if (rc == 0) rc = audit_finding(c, p, "access.adopt", f, details(f, "adopt"), err);
    if (rc == 0) rc = rcs_mark_repair(c, f->id, "adopted", p->user_id, NULL, err);
    return ops_finish(c, rc, err);
}

/* Fills in the revocation's waiting form with the person, their
 * organisation and the reason, when it asks for them (pick fields attaching
 * the user or the organisation; "reason"). */
static void prefill_revocation(hy_ctx *c, const hy_principal *p, const char *exec_id, const hy_finding *f,
                               const char *reason, bool *filled)
{
    *filled = false;
    hy_err e;
    hy_err_clear(&e);
    hy_step_form form;
    if (ops_exec_form(c, p, exec_id, &form, &e) != 0) return;
    cJSON *in = cJSON_CreateObject();
    bool user = false;
    for (int i = 0; i < form.nfields; i++) {
        const hy_field_def *d = form.fields[i].def;
        if (d->attach == HY_ATTACH_USER) {
            cJSON_AddStringToObject(in, d->name, f->user_id);
            user = true;
        } else if (d->attach == HY_ATTACH_ORG && f->organization_id && *f->organization_id) {
            cJSON_AddStringToObject(in, d->name, f->organization_id);
        } else if (hy_streq(d->name, "reason")) {
            cJSON_AddStringToObject(in, d->name, reason);
        }
    }
    if (user && ops_exec_submit(c, p, exec_id, form.step->name, in, &e) == 0) *filled = true;
    cJSON_Delete(in);
    hy_step_form_free(&form);
}

static int start_revocation(hy_ctx *c, const hy_principal *p, const hy_finding *f, const char *note, char exec_id[HY_UUID_LEN],
                  bool *filled, hy_err *err)
{
    exec_id[0] = '\0';
    if (!workflow_find(REVOKE_WORKFLOW))
        return hy_fail(err, HY_ERR_CONFLICT,
                       "the %s workflow is not in this version of HyOpps (access revocation, issue 12): remove the "
                       "access from this group instead (remove), or accept it (adopt)",
                       REVOKE_WORKFLOW);
    /* the organisation, when the workflow starts by choosing one */
    const hy_workflow_def *wf = workflow_find(REVOKE_WORKFLOW);
    bool org_first = false;
    for (int i = 0; wf->nsteps && i < wf->steps[0].nfields; i++)
        org_first = org_first || wf->steps[0].fields[i].attach == HY_ATTACH_ORG;
    const char *org = org_first && f->organization_id && *f->organization_id ? f->organization_id : NULL;
    if (ops_exec_start(c, p, REVOKE_WORKFLOW, org, exec_id, err) != 0) return err->code;
    char *reason = note && *note ? xstrdup(note)
                                 : xasprintf("reconciliation found %s access %s (finding #%lld)", hy_sys_label(f->sys),
                                             f->kind == HY_DRIFT_REVOKED ? "still there after its revocation"
                                                                         : "that HyOpps did not grant",
                                             (long long)f->id);
    prefill_revocation(c, p, exec_id, f, reason, filled);
    free(reason);
    int rc = db_begin(c->db, err);
    cJSON *d = details(f, "revoke");
    cJSON_AddStringToObject(d, "execution_id", exec_id);
    if (rc == 0) rc = audit_finding(c, p, "access.revoke", f, d, err);
    else cJSON_Delete(d);
    char *mark = xasprintf("%s %s", REVOKE_WORKFLOW, exec_id);
    if (rc == 0) rc = rcs_mark_repair(c, f->id, mark, p->user_id, NULL, err);
    free(mark);
    return ops_finish(c, rc, err);
}

static bool same_person(const hy_finding *a, const hy_finding *b)
{
    return hy_streq(a->organization_id, b->organization_id) && hy_streq(a->user_id, b->user_id);
}

int ops_access_repair(hy_ctx *c, const hy_principal *p, const int64_t *ids, int n, hy_repair a, const char *note,
                      hy_repair_result *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (ops_begin(c, p, err)) return err->code;
    if (!authz_can(p, HY_CAP_REPAIR)) return hy_fail(err, HY_ERR_FORBIDDEN, "only administrators may repair access");
    if (n <= 0) return hy_fail(err, HY_ERR_INVALID, "which findings? give their numbers (hyopps reconcile --last lists them)");
    if (note && strlen(note) > 500) return hy_fail(err, HY_ERR_INVALID, "the note is longer than 500 bytes");
    item *its = xcalloc((size_t)n, sizeof *its);
    for (int i = 0; i < n; i++) {
        hy_err e;
        hy_err_clear(&e);
        for (int j = 0; j < i; j++)
            if (ids[j] == ids[i]) its[i].handled = true; /* given twice */
        if (its[i].handled) continue;
        if (ops_access_finding(c, p, ids[i], &its[i].f, &e) != 0) {
            outcome(out, ids[i], e.code, NULL, "%s", e.msg);
            its[i].handled = true;
            continue;
        }
        its[i].loaded = true;
        if (its[i].f.repaired_at) {
            outcome(out, ids[i], HY_ERR_CONFLICT, NULL, "already repaired (%s, %s): reconcile again to see it gone",
                    its[i].f.repair ? its[i].f.repair : "?", its[i].f.repaired_at);
            its[i].handled = true;
        } else if (choose(&its[i].f, a, &its[i].action, &e) != 0) {
            outcome(out, ids[i], e.code, NULL, "%s", e.msg);
            its[i].handled = true;
        }
    }
    for (int i = 0; i < n; i++) {
        if (its[i].handled) continue;
        its[i].handled = true;
        hy_finding *f = &its[i].f;
        hy_err e;
        hy_err_clear(&e);
        char exec_id[HY_UUID_LEN] = "";
        int rc;
        switch (its[i].action) {
        case HY_REPAIR_REGRANT: {
            item **group = xcalloc((size_t)n, sizeof *group);
            int ng = 0;
            group[ng++] = &its[i];
            for (int j = i + 1; j < n; j++)
                if (!its[j].handled && its[j].action == HY_REPAIR_REGRANT && same_person(&its[j].f, f)) {
                    its[j].handled = true;
                    group[ng++] = &its[j];
                }
            rc = regrant(c, p, group, ng, note, exec_id, &e);
            for (int j = 0; j < ng; j++) {
                if (rc) outcome(out, group[j]->f.id, e.code, NULL, "%s", e.msg);
                else
                    outcome(out, group[j]->f.id, 0, exec_id, "%s: repair_access %.8s started", hy_sys_label(group[j]->f.sys),
                            exec_id);
            }
            free(group);
            break;
        }
        case HY_REPAIR_REMOVE: {
            bool removed;
            rc = remove_account(c, p, f, &removed, &e);
            char *who = hy_finding_person(f);
            if (rc) outcome(out, f->id, e.code, NULL, "%s", e.msg);
            else
                outcome(out, f->id, 0, NULL, "%s: %s %s", hy_sys_label(f->sys), who,
                        removed ? "removed" : "was not there any more");
            free(who);
            break;
        }
        case HY_REPAIR_ADOPT:
            rc = adopt(c, p, f, note, &e);
            if (rc) outcome(out, f->id, e.code, NULL, "%s", e.msg);
            else outcome(out, f->id, 0, NULL, "%s: %s's access recorded as adopted", hy_sys_label(f->sys), f->email ? f->email : "?");
            break;
        case HY_REPAIR_REVOKE: {
            bool filled = false;
            rc = start_revocation(c, p, f, note, exec_id, &filled, &e);
            if (rc && !exec_id[0]) outcome(out, f->id, e.code, NULL, "%s", e.msg);
            else if (rc) outcome(out, f->id, e.code, exec_id, "%s started %.8s, but: %s", REVOKE_WORKFLOW, exec_id, e.msg);
            else if (filled) outcome(out, f->id, 0, exec_id, "%s %.8s started for %s", REVOKE_WORKFLOW, exec_id, f->email ? f->email : "?");
            else
                outcome(out, f->id, 0, exec_id, "%s %.8s started: fill in its form (hyopps exec input %.8s ...)",
                        REVOKE_WORKFLOW, exec_id, exec_id);
            break;
        }
        case HY_REPAIR_DEFAULT: break;
        }
    }
    for (int i = 0; i < n; i++)
        if (its[i].loaded) hy_finding_free(&its[i].f);
    free(its);
    return 0;
}
