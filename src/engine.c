/* Engine state transitions: start, advance, complete, and the operator
 * actions (submit, retry, skip, done by hand, re-run, cancel). Everything
 * here runs inside the caller's transaction. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "engine_internal.h"
#include "exec_search.h"
#include "notify.h"
#include "sanitize.h"
#include "store_grants.h"
#include "step_support.h"
#include "util.h"

/* ---- loading ---- */

int ex_load(hy_ctx *c, const char *exec_id, ex_state *x, hy_err *err)
{
    memset(x, 0, sizeof *x);
    hy_stmt *st = db_query(c->db, err,
                           "SELECT e.rowid, e.id, wd.name, e.status, e.current_step_order, e.organization_id, "
                           "e.user_id, e.requested_by, e.workflow_definition_id, e.child_of FROM workflow_executions e "
                           "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id WHERE e.id = ?",
                           "t", exec_id);
    bool found = db_row(st);
    if (found) {
        x->rowid = db_int(st, 0);
        hy_strlcpy(x->id, db_text(st, 1), sizeof x->id);
        hy_strlcpy(x->wf_name, db_text(st, 2), sizeof x->wf_name);
        x->status = hy_exec_status_of(db_text(st, 3));
        x->current = (int)db_int(st, 4);
        hy_strlcpy(x->org, db_text(st, 5), sizeof x->org);
        hy_strlcpy(x->user, db_text(st, 6), sizeof x->user);
        hy_strlcpy(x->requested_by, db_text(st, 7), sizeof x->requested_by);
        hy_strlcpy(x->wf_id, db_text(st, 8), sizeof x->wf_id);
        hy_strlcpy(x->parent, db_text(st, 9), sizeof x->parent);
    }
    int rc = db_done(st);
    if (rc) return rc;
    if (!found) return hy_fail(err, HY_ERR_NOT_FOUND, "no such execution");
    /* Loaded to be changed: its organisation's sessions are told (beacon.h). */
    if (db_in_tx(c->db)) db_beacon_org(c->db, x->org);
    x->wf = workflow_find(x->wf_name);
    st = db_query(c->db, err,
                  "SELECT step_order, id, status FROM workflow_step_executions WHERE execution_id = ? ORDER BY step_order",
                  "t", exec_id);
    while (db_row(st)) {
        int order = (int)db_int(st, 0);
        if (order < 1 || order > EX_MAX_STEPS) continue;
        hy_strlcpy(x->step[order - 1].id, db_text(st, 1), HY_UUID_LEN);
        x->step[order - 1].status = hy_step_status_of(db_text(st, 2));
        if (order > x->nsteps) x->nsteps = order;
    }
    rc = db_done(st);
    if (rc) return rc;
    if (x->wf && x->nsteps != x->wf->nsteps)
        return hy_fail(err, HY_ERR_INTERNAL, "execution %.8s has %d step rows; workflow %s has %d steps", x->id,
                       x->nsteps, x->wf_name, x->wf->nsteps);
    return 0;
}

static int count_delta(hy_ctx *c, const char *org, const char *wf_id, const char *status, int delta, hy_err *err)
{
    return db_exec(c->db, err,
                   "INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n) VALUES(?1, ?2, ?3, ?4) "
                   "ON CONFLICT(organization_id, workflow_definition_id, status) DO UPDATE SET n = n + ?4",
                   "ttti", org, wf_id, status, delta);
}

int ex_status_changed(hy_ctx *c, ex_state *x, hy_exec_status status, hy_err *err)
{
    if (x->status == status) return 0;
    const char *org = x->org[0] ? x->org : "";
    int rc = count_delta(c, org, x->wf_id, hy_exec_status_name(x->status), -1, err);
    if (rc == 0) rc = count_delta(c, org, x->wf_id, hy_exec_status_name(status), 1, err);
    if (rc == 0) x->status = status;
    if (rc == 0 && x->parent[0] &&
        (status == HY_EXEC_COMPLETED || status == HY_EXEC_FAILED || status == HY_EXEC_CANCELLED)) {
        /* the parent's waiting step looks at its children again (engine_run.c) */
        int64_t now = hy_now_ms();
        rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET next_run_at = ?1 WHERE id = ?2 AND status = 'running' "
                     "AND (next_run_at IS NULL OR next_run_at > ?1)",
                     "It", now, x->parent);
    }
    return rc;
}

/* The execution moves from one organisation to another (attach, detach):
 * the engine owns exec_counts, the triggers of migration 003 are gone. */
static int count_moved(hy_ctx *c, ex_state *x, const char *from_org, const char *to_org, hy_err *err)
{
    const char *name = hy_exec_status_name(x->status);
    int rc = count_delta(c, from_org ? from_org : "", x->wf_id, name, -1, err);
    return rc ? rc : count_delta(c, to_org ? to_org : "", x->wf_id, name, 1, err);
}

int engine_detach_org(hy_ctx *c, const char *org_id, hy_err *err)
{
    /* every count of the organisation moves to "no organisation" */
    int rc = db_exec(c->db, err,
                     "INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n) "
                     "SELECT '', workflow_definition_id, status, n FROM exec_counts WHERE organization_id = ?1 AND true "
                     "ON CONFLICT(organization_id, workflow_definition_id, status) DO UPDATE SET n = n + excluded.n",
                     "t", org_id);
    if (rc == 0) rc = db_exec(c->db, err, "DELETE FROM exec_counts WHERE organization_id = ?", "t", org_id);
    if (rc == 0)
        rc = db_exec(c->db, err, "UPDATE workflow_executions SET organization_id = NULL WHERE organization_id = ?",
                     "t", org_id);
    return rc;
}

int engine_detach_user(hy_ctx *c, const char *user_id, hy_err *err)
{
    static const char *const steps[] = {
        "UPDATE workflow_executions SET requested_by = NULL WHERE requested_by = ?1",
        "UPDATE workflow_executions SET user_id = NULL WHERE user_id = ?1",
        "UPDATE workflow_executions SET cancelled_by = NULL WHERE cancelled_by = ?1",
        "UPDATE workflow_step_executions SET completed_by = NULL WHERE completed_by = ?1",
        "UPDATE workflow_step_executions SET input_by = NULL WHERE input_by = ?1",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof steps / sizeof steps[0]; i++) rc = db_exec(c->db, err, steps[i], "t", user_id);
    return rc;
}

void ex_set_step_status(ex_state *x, int order, hy_step_status status)
{
    if (order >= 1 && order <= EX_MAX_STEPS) x->step[order - 1].status = status;
}

/* ---- context ---- */

static void set_item(cJSON *obj, const char *key, cJSON *item)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else cJSON_AddItemToObject(obj, key, item);
}

void ex_merge(cJSON *dst, const cJSON *src)
{
    const cJSON *it;
    if (!cJSON_IsObject(src)) return;
    cJSON_ArrayForEach(it, src) set_item(dst, it->string, cJSON_Duplicate(it, 1));
}

void ex_merge_move(cJSON *dst, cJSON *src)
{
    if (!cJSON_IsObject(src)) return;
    cJSON *it;
    while ((it = src->child)) {
        cJSON_DetachItemViaPointer(src, it);
        char *key = it->string; /* set_item takes its own copy of the key */
        it->string = NULL;
        set_item(dst, key, it);
        cJSON_free(key);
    }
}

static void merge_text(cJSON *dst, const char *json)
{
    if (!json) return;
    cJSON *o = cJSON_Parse(json);
    ex_merge_move(dst, o);
    cJSON_Delete(o);
}

int ex_context(hy_ctx *c, const ex_state *x, cJSON **out, hy_err *err)
{
    cJSON *ctx = cJSON_CreateObject();
    hy_stmt *st = db_query(c->db, err,
                           "SELECT manual_input, output FROM workflow_step_executions WHERE execution_id = ? "
                           "AND status = 'completed' ORDER BY step_order",
                           "t", x->id);
    while (db_row(st)) {
        merge_text(ctx, db_text(st, 0));
        merge_text(ctx, db_text(st, 1));
    }
    int rc = db_done(st);
    set_item(ctx, "execution_id", cJSON_CreateString(x->id));
    set_item(ctx, "workflow", cJSON_CreateString(x->wf_name));
    if (rc == 0 && x->org[0]) {
        set_item(ctx, "organization_id", cJSON_CreateString(x->org));
        st = db_query(c->db, err, "SELECT name FROM organizations WHERE id = ?", "t", x->org);
        if (db_row(st)) set_item(ctx, "organization_name", cJSON_CreateString(db_text(st, 0)));
        rc = db_done(st);
    }
    if (rc == 0 && x->user[0]) {
        set_item(ctx, "user_id", cJSON_CreateString(x->user));
        st = db_query(c->db, err, "SELECT email, firstname, lastname FROM users WHERE id = ?", "t", x->user);
        if (db_row(st)) {
            set_item(ctx, "user_email", cJSON_CreateString(db_text(st, 0)));
            set_item(ctx, "user_firstname", cJSON_CreateString(db_text(st, 1)));
            set_item(ctx, "user_lastname", cJSON_CreateString(db_text(st, 2)));
        }
        rc = db_done(st);
    }
    if (x->requested_by[0]) set_item(ctx, "requested_by", cJSON_CreateString(x->requested_by));
    if (x->parent[0]) set_item(ctx, "parent_execution_id", cJSON_CreateString(x->parent));
    if (rc) {
        cJSON_Delete(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

int engine_context(hy_ctx *c, const char *exec_id, cJSON **out, hy_err *err)
{
    ex_state x;
    *out = NULL;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    return ex_context(c, &x, out, err);
}

/* ---- audit ---- */

int ex_audit(hy_ctx *c, const hy_principal *actor, const char *action, const char *exec_id, cJSON *details,
             hy_err *err)
{
    int rc = audit_write(c, actor, action, "execution", exec_id, details, err);
    cJSON_Delete(details);
    return rc;
}

cJSON *ex_step_details(const ex_state *x, int order)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", x->wf_name);
    cJSON_AddNumberToObject(d, "step_order", order);
    if (x->wf && order >= 1 && order <= x->wf->nsteps) cJSON_AddStringToObject(d, "step", x->wf->steps[order - 1].name);
    return d;
}

static const char *nullable(const char *s) { return s && *s ? s : NULL; }

/* ---- access ---- */

int ex_record_access(hy_ctx *c, const ex_state *x, int order, const char *how, const char *note, const cJSON *output,
                     hy_err *err)
{
    const hy_step_def *sd = x->wf && order >= 1 && order <= x->wf->nsteps ? &x->wf->steps[order - 1] : NULL;
    if (!sd || (!sd->grants && !sd->revokes) || !x->user[0]) return 0;
    char account[64] = "";
    const cJSON *acc = sd->grant_account_key && output ? cJSON_GetObjectItemCaseSensitive(output, sd->grant_account_key)
                                                       : NULL;
    if (cJSON_IsString(acc) && acc->valuestring) hy_strlcpy(account, acc->valuestring, sizeof account);
    else if (cJSON_IsNumber(acc)) snprintf(account, sizeof account, "%.0f", acc->valuedouble);
    hy_grant_rec g = {.user_id = x->user, .resource = sd->grants ? sd->grants : sd->revokes,
                      .organization_id = nullable(x->org), .execution_id = x->id, .step_id = x->step[order - 1].id,
                      .how = how, .note = note, .account_id = nullable(account), .by = nullable(x->requested_by)};
    return sd->grants ? grant_record(c, &g, err) : grant_revoke(c, &g, NULL, err);
}

/* ---- advancing ---- */

static int complete(hy_ctx *c, const hy_principal *actor, ex_state *x, const cJSON *context, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = 0;
    if (x->wf && x->wf->on_complete) {
        cJSON *built = NULL;
        if (!context) {
            if ((rc = ex_context(c, x, &built, err))) return rc;
            context = built;
        }
        hy_step_io io = {.c = c, .actor = actor, .execution_id = x->id, .requested_by = nullable(x->requested_by),
                         .context = context};
        rc = x->wf->on_complete(&io, err);
        cJSON_Delete(built);
        if (rc) return rc;
    }
    rc = db_exec(c->db, err,
                 "UPDATE workflow_executions SET status = 'completed', completed_at = ?1, next_run_at = NULL, "
                 "current_step_order = ?2, updated_at = ?1, done_summary = (SELECT "
                 "coalesce(sum(k.status = 'skipped'), 0) * 100 + coalesce(sum(k.completed_manually), 0) "
                 "FROM workflow_step_executions k WHERE k.execution_id = ?3) WHERE id = ?3",
                 "tit", now, x->nsteps, x->id);
    if (rc == 0) rc = ex_status_changed(c, x, HY_EXEC_COMPLETED, err);
    if (rc == 0) rc = notify_finished(c, x->id, x->nsteps, false, NULL, err);
    if (rc) return rc;
    x->deferred = false;
    x->current = x->nsteps;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", x->wf_name);
    return ex_audit(c, actor, "exec.complete", x->id, d, err);
}

static int write_queued(hy_ctx *c, ex_state *x, int k, hy_err *err)
{
    char now[HY_TIME_LEN];
    int64_t now_ms = hy_now_ms();
    hy_iso_from_ms(now_ms, now);
    int rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET status = 'pending', current_step_order = ?, "
                     "next_run_at = ?, updated_at = ? WHERE id = ?",
                     "iItt", k, now_ms, now, x->id);
    if (rc == 0) rc = ex_status_changed(c, x, HY_EXEC_PENDING, err);
    x->deferred = false;
    return rc;
}

int ex_flush_deferred(hy_ctx *c, ex_state *x, hy_err *err)
{
    return x->deferred ? write_queued(c, x, x->current, err) : 0;
}

int ex_advance(hy_ctx *c, const hy_principal *actor, ex_state *x, int from, const cJSON *context, int *queued_auto,
               bool defer, hy_err *err)
{
    if (queued_auto) *queued_auto = 0;
    if (!x->wf) return hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not known to this program", x->wf_name);
    char now[HY_TIME_LEN];
    int64_t now_ms = hy_now_ms();
    hy_iso_from_ms(now_ms, now);
    cJSON *built = NULL;
    for (int k = from + 1; k <= x->nsteps; k++) {
        if (x->step[k - 1].status != HY_SS_PENDING) continue;
        const hy_step_def *sd = &x->wf->steps[k - 1];
        int rc;
        if (sd->kind == HY_STEP_MANUAL && sd->skip_if) {
            if (!context && (rc = ex_context(c, x, &built, err)) != 0) return rc;
            if (!context) context = built;
            if (cJSON_GetObjectItemCaseSensitive(context, sd->skip_if)) {
                rc = db_exec(c->db, err,
                             "UPDATE workflow_step_executions SET status = 'skipped', note = ?, completed_at = ?, "
                             "updated_at = ? WHERE id = ?",
                             "tttt", sd->skip_note, now, now, x->step[k - 1].id);
                ex_set_step_status(x, k, HY_SS_SKIPPED);
                cJSON *d = ex_step_details(x, k);
                if (sd->skip_note) cJSON_AddStringToObject(d, "reason", sd->skip_note);
                if (rc == 0) rc = ex_audit(c, actor, "exec.skip", x->id, d, err);
                else cJSON_Delete(d);
                if (rc) {
                    cJSON_Delete(built);
                    return rc;
                }
                continue;
            }
        }
        if (sd->kind == HY_STEP_MANUAL) {
            rc = db_exec(c->db, err,
                         "UPDATE workflow_step_executions SET status = 'awaiting_input', started_at = ?, "
                         "updated_at = ? WHERE id = ?",
                         "ttt", now, now, x->step[k - 1].id);
            if (rc == 0)
                rc = db_exec(c->db, err,
                             "UPDATE workflow_executions SET status = 'awaiting_input', current_step_order = ?, "
                             "next_run_at = NULL, updated_at = ? WHERE id = ?",
                             "itt", k, now, x->id);
            ex_set_step_status(x, k, HY_SS_AWAITING_INPUT);
            if (rc == 0) rc = ex_status_changed(c, x, HY_EXEC_AWAITING_INPUT, err);
            /* its "input needed" is made by runners from this row once it is due (notify.h) */
            x->deferred = false;
        } else if (defer) {
            rc = 0;
            x->deferred = true;
            if (queued_auto) *queued_auto = k;
        } else {
            rc = write_queued(c, x, k, err);
            if (queued_auto) *queued_auto = k;
        }
        x->current = k;
        cJSON_Delete(built);
        return rc;
    }
    int rc = complete(c, actor, x, context, err);
    cJSON_Delete(built);
    return rc;
}

/* ---- scheduled ---- */

int ex_hold(hy_ctx *c, const hy_principal *actor, ex_state *x, int k, int64_t at_ms, hy_err *err)
{
    while (k >= 1 && k <= x->nsteps && x->step[k - 1].status != HY_SS_PENDING &&
           x->step[k - 1].status != HY_SS_AWAITING_INPUT)
        k++;
    if (k < 1 || k > x->nsteps) return ex_advance(c, actor, x, x->nsteps, NULL, NULL, false, err);
    char now[HY_TIME_LEN], at[HY_TIME_LEN];
    hy_now_iso(now);
    hy_iso_from_ms(at_ms, at);
    int rc = 0;
    if (x->step[k - 1].status == HY_SS_AWAITING_INPUT) {
        /* its "input needed" notice finds it not waiting and is dropped (notify.c) */
        rc = db_exec(c->db, err,
                     "UPDATE workflow_step_executions SET status = 'pending', started_at = NULL, updated_at = ? "
                     "WHERE id = ?",
                     "tt", now, x->step[k - 1].id);
        ex_set_step_status(x, k, HY_SS_PENDING);
    }
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET status = 'scheduled', current_step_order = ?, next_run_at = ?, "
                     "completed_at = NULL, updated_at = ? WHERE id = ?",
                     "iItt", k, at_ms, now, x->id);
    if (rc == 0) rc = ex_status_changed(c, x, HY_EXEC_SCHEDULED, err);
    if (rc) return rc;
    x->current = k;
    x->deferred = false;
    cJSON *d = ex_step_details(x, k);
    cJSON_AddStringToObject(d, "at", at);
    return ex_audit(c, actor, "exec.schedule", x->id, d, err);
}

int ex_release(hy_ctx *c, const hy_principal *sys, ex_state *x, hy_err *err)
{
    cJSON *d = ex_step_details(x, x->current);
    int rc = ex_audit(c, sys, "exec.scheduled_start", x->id, d, err);
    return rc ? rc : ex_advance(c, sys, x, x->current - 1, NULL, NULL, false, err);
}

/* Past step `from`: the next step becomes current; a queued auto step that
 * waits on no network runs now, in this transaction (ex_run_deferred). */
static int advance_and_run(hy_ctx *c, const hy_principal *actor, ex_state *x, int from, hy_err *err)
{
    int rc = ex_advance(c, actor, x, from, NULL, NULL, true, err);
    return rc ? rc : ex_run_deferred(c, x, err);
}

/* The same, leaving a queued auto step to the runners. */
static int advance_queued(hy_ctx *c, const hy_principal *actor, ex_state *x, int from, hy_err *err)
{
    return ex_advance(c, actor, x, from, NULL, NULL, false, err);
}

/* ---- start ---- */

/* parent: the execution that starts it (a spawn step), with its requester
 * (requested_by; NULL: the actor). */
static int start(hy_ctx *c, const hy_principal *actor, const hy_workflow_def *wf, const char *org_id,
                 const char *batch_id, const char *parent, const char *requested_by, char id_out[HY_UUID_LEN],
                 hy_err *err)
{
    char *wf_id = NULL;
    int rc = db_get_text(c->db, err, &wf_id, "SELECT id FROM workflow_definitions WHERE name = ?", "t", wf->name);
    if (rc) return rc;
    if (!wf_id) return hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not in the database (seeding failed?)", wf->name);
    ex_state x;
    memset(&x, 0, sizeof x);
    x.wf = wf;
    x.nsteps = wf->nsteps;
    hy_strlcpy(x.wf_name, wf->name, sizeof x.wf_name);
    hy_uuid(x.id);
    hy_strlcpy(x.requested_by, parent ? (requested_by ? requested_by : "") : actor->user_id, sizeof x.requested_by);
    hy_strlcpy(x.parent, parent ? parent : "", sizeof x.parent);
    hy_strlcpy(x.org, org_id ? org_id : "", sizeof x.org);
    hy_strlcpy(x.wf_id, wf_id, sizeof x.wf_id);
    x.status = HY_EXEC_PENDING;
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    rc = db_exec(c->db, err,
                 "INSERT INTO workflow_executions(id, workflow_definition_id, organization_id, requested_by, status, "
                 "current_step_order, created_at, updated_at, search_text, batch_id, run_lane, child_of) "
                 "VALUES(?1, ?2, ?3, ?4, 'pending', 1, ?5, ?5, " EXEC_SEARCH_TEXT("?1", "?3", "NULL")
                 ", ?6, ?6 IS NOT NULL, ?7)",
                 "ttttttt", x.id, wf_id, nullable(org_id), nullable(x.requested_by), now, nullable(batch_id),
                 nullable(parent));
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "INSERT OR IGNORE INTO exec_search_pending(rowid, at) VALUES(last_insert_rowid(), ?)", "I",
                     hy_now_ms());
    if (rc == 0 && db_in_tx(c->db)) db_beacon_org(c->db, x.org);
    if (rc == 0) rc = count_delta(c, x.org, wf_id, "pending", 1, err);
    /* step definition ids of this database (a legacy one keeps its own) */
    char defs[EX_MAX_STEPS][HY_UUID_LEN];
    memset(defs, 0, sizeof defs);
    if (rc == 0) {
        hy_stmt *st = db_query(c->db, err,
                               "SELECT step_order, id FROM workflow_step_definitions WHERE workflow_definition_id = ?",
                               "t", wf_id);
        while (db_row(st)) {
            int o = (int)db_int(st, 0);
            if (o >= 1 && o <= EX_MAX_STEPS) hy_strlcpy(defs[o - 1], db_text(st, 1), HY_UUID_LEN);
        }
        rc = db_done(st);
    }
    for (int k = 1; rc == 0 && k <= wf->nsteps; k++) {
        if (!defs[k - 1][0]) {
            rc = hy_fail(err, HY_ERR_INTERNAL, "step %d of %s is missing from the database", k, wf->name);
            break;
        }
        hy_row_id(x.step[k - 1].id);
        x.step[k - 1].status = HY_SS_PENDING;
        rc = db_exec(c->db, err,
                     "INSERT INTO workflow_step_executions(id, execution_id, step_definition_id, step_order, status, "
                     "updated_at) VALUES(?, ?, ?, ?, 'pending', ?)",
                     "tttit", x.step[k - 1].id, x.id, defs[k - 1], k, now);
    }
    free(wf_id);
    if (rc == 0) rc = ex_advance(c, actor, &x, 0, NULL, NULL, false, err);
    if (rc == 0) hy_strlcpy(id_out, x.id, HY_UUID_LEN);
    return rc;
}

int engine_start(hy_ctx *c, const hy_principal *actor, const hy_workflow_def *wf, const char *org_id,
                 char id_out[HY_UUID_LEN], hy_err *err)
{
    return start(c, actor, wf, org_id, NULL, NULL, NULL, id_out, err);
}

int engine_start_in_batch(hy_ctx *c, const hy_principal *actor, const hy_workflow_def *wf, const char *org_id,
                          const char *batch_id, char id_out[HY_UUID_LEN], hy_err *err)
{
    return start(c, actor, wf, org_id, batch_id, NULL, NULL, id_out, err);
}

/* ---- children ---- */

int step_start_child(hy_step_io *io, const char *workflow, const char *org_id, const cJSON *first_input,
                     char id_out[HY_UUID_LEN], hy_err *err)
{
    const hy_workflow_def *wf = workflow_find(workflow);
    if (!wf) return hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not known to this program", workflow);
    int rc = start(io->c, io->actor, wf, org_id, NULL, io->execution_id, io->requested_by, id_out, err);
    if (rc == 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "workflow", wf->name);
        cJSON_AddStringToObject(d, "parent", io->execution_id);
        if (org_id) cJSON_AddStringToObject(d, "organization_id", org_id);
        rc = ex_audit(io->c, io->actor, "exec.start", id_out, d, err);
    }
    if (rc == 0 && first_input && wf->steps[0].kind == HY_STEP_MANUAL)
        rc = engine_submit_queued(io->c, io->actor, id_out, 1, first_input, err);
    return rc;
}

int step_children(hy_step_io *io, hy_child_list *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(io->c->db, err,
                           "SELECT e.id, e.user_id, wd.name, e.status FROM workflow_executions e "
                           "JOIN workflow_definitions wd ON wd.id = e.workflow_definition_id "
                           "WHERE e.child_of = ? ORDER BY e.created_at, e.rowid",
                           "t", io->execution_id);
    while (db_row(st)) {
        out->v = xrealloc(out->v, (size_t)(out->n + 1) * sizeof *out->v);
        hy_child *k = &out->v[out->n++];
        hy_strlcpy(k->id, db_text(st, 0), sizeof k->id);
        hy_strlcpy(k->user_id, db_text(st, 1), sizeof k->user_id);
        hy_strlcpy(k->workflow, db_text(st, 2), sizeof k->workflow);
        hy_strlcpy(k->status, db_text(st, 3), sizeof k->status);
    }
    int rc = db_done(st);
    if (rc) hy_child_list_free(out);
    return rc;
}

void hy_child_list_free(hy_child_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- scheduling (ops: exec start --at, exec reschedule) ---- */

int engine_hold(hy_ctx *c, const hy_principal *actor, const char *exec_id, int64_t at_ms, hy_err *err)
{
    ex_state x;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    if (!x.wf) return hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not known to this program", x.wf_name);
    int k = x.current;
    bool held = k >= 1 && k <= x.nsteps &&
                ((x.status == HY_EXEC_AWAITING_INPUT && x.step[k - 1].status == HY_SS_AWAITING_INPUT) ||
                 (x.status == HY_EXEC_PENDING && x.step[k - 1].status == HY_SS_PENDING));
    if (!held)
        return hy_fail(err, HY_ERR_CONFLICT, "the execution has started (it is %s at step %d): it cannot wait any more",
                       hy_exec_status_name(x.status), k);
    return ex_hold(c, actor, &x, k, at_ms, err);
}

int engine_reschedule(hy_ctx *c, const hy_principal *actor, const char *exec_id, int64_t at_ms, hy_err *err)
{
    (void)actor;
    ex_state x;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    if (x.status != HY_EXEC_SCHEDULED)
        return hy_fail(err, HY_ERR_CONFLICT, "only a scheduled execution can be rescheduled (this one is %s)",
                       hy_exec_status_name(x.status));
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    return db_exec(c->db, err, "UPDATE workflow_executions SET next_run_at = ?, updated_at = ? WHERE id = ?", "Itt",
                   at_ms, now, x.id);
}

/* ---- operator actions ---- */

static int refuse_scheduled(const ex_state *x, hy_err *err)
{
    if (x->status != HY_EXEC_SCHEDULED) return 0;
    return hy_fail(err, HY_ERR_CONFLICT, "the execution is scheduled: nothing has started yet (reschedule or cancel it)");
}

static int refuse_finished(const ex_state *x, hy_err *err)
{
    if (x->status == HY_EXEC_CANCELLED) return hy_fail(err, HY_ERR_CONFLICT, "the execution was cancelled");
    if (x->status == HY_EXEC_COMPLETED) return hy_fail(err, HY_ERR_CONFLICT, "the execution is completed");
    return 0;
}

static const char *step_name(const ex_state *x, int order)
{
    return x->wf && order >= 1 && order <= x->wf->nsteps ? x->wf->steps[order - 1].name : "?";
}

/* What an action on step `order` of an execution needs first: the
 * execution loaded, its workflow known, not finished, and the step there. */
static int load_for_step(hy_ctx *c, const char *exec_id, int order, ex_state *x, hy_err *err)
{
    if (ex_load(c, exec_id, x, err) != 0) return err->code;
    if (!x->wf) return hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not known to this program", x->wf_name);
    if (refuse_finished(x, err) || refuse_scheduled(x, err)) return err->code;
    if (order < 1 || order > x->nsteps) return hy_fail(err, HY_ERR_INVALID, "no step %d in %s", order, x->wf_name);
    return 0;
}

/* A person closes step `order` by hand (skipped, or completed with
 * completed_manually set) with a note; the execution goes on when it was
 * the current step. */
static int close_by_hand(hy_ctx *c, const hy_principal *actor, ex_state *x, int order, hy_step_status status,
                         bool manually, const char *note, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_exec(c->db, err,
                     "UPDATE workflow_step_executions SET status = ?, completed_manually = ?, note = ?, "
                     "completed_by = ?, completed_at = ?, next_attempt_at = NULL, lease_owner = NULL, "
                     "lease_expires_at = NULL, updated_at = ? WHERE id = ?",
                     "tittttt", hy_step_status_name(status), manually ? 1 : 0, note, nullable(actor->user_id), now, now,
                     x->step[order - 1].id);
    if (rc) return rc;
    ex_set_step_status(x, order, status);
    if (manually) { /* done by hand: the access it gives (or ends) is given, by hand */
        char *why = xasprintf("done by hand: %s", note ? note : "");
        rc = ex_record_access(c, x, order, "by_hand", why, NULL, err);
        free(why);
        if (rc) return rc;
    }
    if (order == x->current) return advance_and_run(c, actor, x, order, err);
    return 0;
}

static int submit(hy_ctx *c, const hy_principal *actor, const char *exec_id, int order, const cJSON *raw,
                  bool run_local, hy_err *err)
{
    ex_state x;
    if (load_for_step(c, exec_id, order, &x, err) != 0) return err->code;
    const hy_step_def *sd = &x.wf->steps[order - 1];
    if (order != x.current || x.step[order - 1].status != HY_SS_AWAITING_INPUT) {
        if (x.status == HY_EXEC_AWAITING_INPUT)
            return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is not waiting for input; step %d (%s) is", order,
                           sd->name, x.current, step_name(&x, x.current));
        return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is not waiting for input (the execution is %s at step %d)",
                       order, sd->name, hy_exec_status_name(x.status), x.current);
    }
    cJSON *ctx = NULL, *input = NULL;
    int rc = ex_context(c, &x, &ctx, err);
    if (rc == 0) rc = workflow_normalize_input(c, actor, sd, ctx, raw, &input, err);
    hy_step_io io = {.c = c, .actor = actor, .execution_id = x.id, .requested_by = nullable(x.requested_by),
                     .context = ctx};
    /* apply also runs after field errors, to report its own at once */
    if ((rc == 0 || (rc == HY_ERR_INVALID && input)) && sd->apply) {
        int arc = sd->apply(&io, input, err);
        if (rc == 0) rc = arc;
    }
    if (rc == 0 && err->nfield) rc = HY_ERR_INVALID;
    /* A picked organisation or user says what the execution is about. */
    for (int i = 0; rc == 0 && i < sd->nfields; i++) {
        const hy_field_def *f = &sd->fields[i];
        const char *v = f->kind == HY_FIELD_PICK ? wf_str(input, f->name) : NULL;
        if (v && f->attach == HY_ATTACH_ORG && !io.attach_org[0]) hy_strlcpy(io.attach_org, v, sizeof io.attach_org);
        if (v && f->attach == HY_ATTACH_USER && !io.attach_user[0])
            hy_strlcpy(io.attach_user, v, sizeof io.attach_user);
    }
    char *json = rc == 0 ? cJSON_PrintUnformatted(input) : NULL;
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE workflow_step_executions SET status = 'completed', manual_input = ?, input_by = ?, "
                     "input_at = ?, completed_by = ?, completed_at = ?, error = NULL, updated_at = ? WHERE id = ?",
                     "ttttttt", json, nullable(actor->user_id), now, nullable(actor->user_id), now, now,
                     x.step[order - 1].id);
    /* attaching: the search text follows in the same UPDATE */
    if (rc == 0 && io.attach_org[0] && strcmp(io.attach_org, x.org) != 0) {
        if (db_in_tx(c->db)) db_beacon_org(c->db, io.attach_org);
        rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET organization_id = ?1, updated_at = ?2, search_text = "
                     EXEC_SEARCH_TEXT("id", "?1", "user_id") " WHERE id = ?3",
                     "ttt", io.attach_org, now, x.id);
        if (rc == 0) rc = count_moved(c, &x, x.org, io.attach_org, err);
        hy_strlcpy(x.org, io.attach_org, sizeof x.org);
    }
    if (rc == 0 && io.attach_user[0] && strcmp(io.attach_user, x.user) != 0) {
        rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET user_id = ?1, updated_at = ?2, search_text = "
                     EXEC_SEARCH_TEXT("id", "organization_id", "?1") " WHERE id = ?3",
                     "ttt", io.attach_user, now, x.id);
        hy_strlcpy(x.user, io.attach_user, sizeof x.user);
    }
    /* A WHEN field in the future: the next step waits until then. */
    int64_t hold_until = 0;
    for (int i = 0; rc == 0 && i < sd->nfields; i++) {
        int64_t at;
        const char *v = sd->fields[i].kind == HY_FIELD_WHEN ? wf_str(input, sd->fields[i].name) : NULL;
        if (v && hy_parse_when(v, hy_now_ms(), &at) && at > hy_now_ms() && at > hold_until) hold_until = at;
    }
    cJSON_free(json);
    cJSON_Delete(ctx);
    cJSON_Delete(input);
    if (rc) return rc;
    ex_set_step_status(&x, order, HY_SS_COMPLETED);
    /* a manual step that ends (or gives) access: recorded as given in the form */
    if ((rc = ex_record_access(c, &x, order, "input", NULL, NULL, err))) return rc;
    if (hold_until) return ex_hold(c, actor, &x, order + 1, hold_until, err);
    return run_local ? advance_and_run(c, actor, &x, order, err) : advance_queued(c, actor, &x, order, err);
}

int engine_submit(hy_ctx *c, const hy_principal *actor, const char *exec_id, int order, const cJSON *raw,
                  hy_err *err)
{
    return submit(c, actor, exec_id, order, raw, true, err);
}

int engine_submit_queued(hy_ctx *c, const hy_principal *actor, const char *exec_id, int order, const cJSON *raw,
                         hy_err *err)
{
    return submit(c, actor, exec_id, order, raw, false, err);
}

int engine_retry(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err)
{
    (void)actor;
    ex_state x;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    if (x.status != HY_EXEC_FAILED)
        return hy_fail(err, HY_ERR_CONFLICT, "only a failed execution can be retried (this one is %s)", hy_exec_status_name(x.status));
    int k = x.current;
    if (k < 1 || k > x.nsteps || x.step[k - 1].status != HY_SS_FAILED)
        return hy_fail(err, HY_ERR_CONFLICT, "step %d is not failed: nothing to retry (re-run from a step instead)", k);
    char now[HY_TIME_LEN];
    int64_t now_ms = hy_now_ms();
    hy_iso_from_ms(now_ms, now);
    int rc = db_exec(c->db, err,
                     "UPDATE workflow_step_executions SET status = 'pending', attempts = 0, error = NULL, "
                     "next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? "
                     "WHERE id = ? AND status = 'failed'",
                     "tt", now, x.step[k - 1].id);
    if (rc == 0 && db_changes(c->db) != 1) rc = hy_fail(err, HY_ERR_CONFLICT, "the step changed meanwhile: look again");
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET status = 'pending', next_run_at = ?, completed_at = NULL, "
                     "updated_at = ? WHERE id = ?",
                     "Itt", now_ms, now, x.id);
    if (rc == 0) rc = ex_status_changed(c, &x, HY_EXEC_PENDING, err);
    if (rc) return rc;
    /* queued above; runs now if it waits on no network */
    ex_set_step_status(&x, k, HY_SS_PENDING);
    x.deferred = true;
    return ex_run_deferred(c, &x, err);
}

int engine_retry_now(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err)
{
    (void)actor;
    ex_state x;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    if (refuse_finished(&x, err)) return err->code;
    int k = x.current;
    int64_t now_ms = hy_now_ms(), next = 0;
    bool waiting = false;
    int rc = 0;
    if (k >= 1 && k <= x.nsteps && x.step[k - 1].status == HY_SS_PENDING)
        rc = db_get_int(c->db, err, &next, &waiting,
                        "SELECT next_attempt_at FROM workflow_step_executions WHERE id = ? AND attempts > 0 "
                        "AND next_attempt_at IS NOT NULL",
                        "t", x.step[k - 1].id);
    if (rc) return rc;
    if (!waiting || next <= now_ms)
        return hy_fail(err, HY_ERR_CONFLICT,
                       "step %d is not waiting between automatic attempts (the execution is %s): nothing to hurry",
                       k, hy_exec_status_name(x.status));
    char now[HY_TIME_LEN];
    hy_iso_from_ms(now_ms, now);
    rc = db_exec(c->db, err,
                 "UPDATE workflow_step_executions SET next_attempt_at = ?, updated_at = ? WHERE id = ? "
                 "AND status = 'pending'",
                 "Itt", now_ms, now, x.step[k - 1].id);
    if (rc == 0 && db_changes(c->db) != 1) rc = hy_fail(err, HY_ERR_CONFLICT, "the step changed meanwhile: look again");
    if (rc == 0)
        rc = db_exec(c->db, err, "UPDATE workflow_executions SET next_run_at = ?, updated_at = ? WHERE id = ?", "Itt",
                     now_ms, now, x.id);
    return rc;
}

int engine_skip(hy_ctx *c, const hy_principal *actor, const char *exec_id, int order, const char *reason,
                hy_err *err)
{
    ex_state x;
    if (load_for_step(c, exec_id, order, &x, err) != 0) return err->code;
    hy_step_status st = x.step[order - 1].status;
    if (order < x.current)
        return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is already behind the execution (%s); re-run from it instead",
                       order, step_name(&x, order), hy_step_status_name(st));
    if (st == HY_SS_RUNNING)
        return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is running: wait for it to finish", order,
                       step_name(&x, order));
    if (st != HY_SS_PENDING && st != HY_SS_AWAITING_INPUT && st != HY_SS_FAILED && st != HY_SS_WAITING)
        return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is %s: only a pending, waiting or failed step can be skipped",
                       order, step_name(&x, order), hy_step_status_name(st));
    return close_by_hand(c, actor, &x, order, HY_SS_SKIPPED, false, reason, err);
}

/* The step's on_done_by_hand: what it records as done becomes its checkpoint. */
static int record_done_by_hand(hy_ctx *c, const hy_principal *actor, ex_state *x, int order, hy_err *err)
{
    const hy_step_def *sd = &x->wf->steps[order - 1];
    if (!sd->on_done_by_hand) return 0;
    cJSON *ctx = NULL, *cp = NULL, *out = NULL;
    char *text = NULL;
    int rc = ex_context(c, x, &ctx, err);
    hy_step_io io = {.c = c, .actor = actor, .execution_id = x->id, .requested_by = nullable(x->requested_by),
                     .context = ctx};
    if (rc == 0 && sd->gather) rc = sd->gather(&io, ctx, err);
    if (rc == 0)
        rc = db_get_text(c->db, err, &text, "SELECT checkpoint FROM workflow_step_executions WHERE id = ?", "t",
                         x->step[order - 1].id);
    if (rc == 0) {
        cp = text ? cJSON_Parse(text) : NULL;
        rc = sd->on_done_by_hand(&io, cp, &out, err);
    }
    char *json = rc == 0 && out ? cJSON_PrintUnformatted(out) : NULL;
    if (json)
        rc = db_exec(c->db, err, "UPDATE workflow_step_executions SET checkpoint = ? WHERE id = ?", "tt", json,
                     x->step[order - 1].id);
    cJSON_free(json);
    cJSON_Delete(out);
    cJSON_Delete(cp);
    cJSON_Delete(ctx);
    free(text);
    return rc;
}

int engine_mark_done(hy_ctx *c, const hy_principal *actor, const char *exec_id, int order, const char *note,
                     hy_err *err)
{
    ex_state x;
    if (load_for_step(c, exec_id, order, &x, err) != 0) return err->code;
    if (x.step[order - 1].status != HY_SS_FAILED)
        return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is %s: only a failed step can be marked done by hand", order,
                       step_name(&x, order), hy_step_status_name(x.step[order - 1].status));
    if (record_done_by_hand(c, actor, &x, order, err) != 0) return err->code;
    return close_by_hand(c, actor, &x, order, HY_SS_COMPLETED, true, note, err);
}

int engine_rerun(hy_ctx *c, const hy_principal *actor, const char *exec_id, int from, hy_err *err)
{
    ex_state x;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    if (!x.wf) return hy_fail(err, HY_ERR_INTERNAL, "workflow %s is not known to this program", x.wf_name);
    if (from < 1 || from > x.nsteps)
        return hy_fail(err, HY_ERR_INVALID, "no step %d in %s (it has %d steps)", from, x.wf_name, x.nsteps);
    if (refuse_scheduled(&x, err)) return err->code;
    if (x.status == HY_EXEC_CANCELLED)
        return hy_fail(err, HY_ERR_CONFLICT,
                       "a cancelled execution cannot be run again: start a new request instead");
    if (x.status != HY_EXEC_COMPLETED && from > x.current)
        return hy_fail(err, HY_ERR_CONFLICT, "the execution has not reached step %d yet (it is at step %d)", from,
                       x.current);
    int64_t now_ms = hy_now_ms();
    hy_stmt *st = db_query(c->db, err,
                           "SELECT step_order FROM workflow_step_executions WHERE execution_id = ? AND status = 'running' "
                           "AND lease_expires_at > ? LIMIT 1",
                           "tI", x.id, now_ms);
    int running = db_row(st) ? (int)db_int(st, 0) : 0;
    int rc = db_done(st);
    if (rc) return rc;
    if (running)
        return hy_fail(err, HY_ERR_CONFLICT, "step %d (%s) is running: wait for it to finish, then re-run", running,
                       step_name(&x, running));
    char now[HY_TIME_LEN];
    hy_iso_from_ms(now_ms, now);
    /* attempt_log and calls are kept: they are the step's history; so is
     * the checkpoint: it records side effects that cannot be checked
     * remotely (a sent email is never sent twice; see workflows.h) */
    rc = db_exec(c->db, err,
                 "UPDATE workflow_step_executions SET status = 'pending', manual_input = NULL, output = NULL, "
                 "error = NULL, completed_by = NULL, started_at = NULL, completed_at = NULL, attempts = 0, "
                 "next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, input_by = NULL, "
                 "input_at = NULL, completed_manually = 0, note = NULL, updated_at = ? "
                 "WHERE execution_id = ? AND step_order >= ?",
                 "tti", now, x.id, from);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE workflow_executions SET status = 'pending', current_step_order = ?, completed_at = NULL, "
                     "cancelled_by = NULL, cancelled_at = NULL, next_run_at = NULL, updated_at = ? WHERE id = ?",
                     "itt", from, now, x.id);
    if (rc == 0) rc = ex_status_changed(c, &x, HY_EXEC_PENDING, err);
    if (rc) return rc;
    for (int k = from; k <= x.nsteps; k++) ex_set_step_status(&x, k, HY_SS_PENDING);
    return advance_and_run(c, actor, &x, from - 1, err);
}

/* The unfinished children of a cancelled execution are cancelled too (each audited). */
static int cancel_children(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err)
{
    char (*ids)[HY_UUID_LEN] = NULL;
    int n = 0;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT id FROM workflow_executions WHERE child_of = ? AND status != 'completed' "
                           "AND status != 'cancelled'",
                           "t", exec_id);
    while (db_row(st)) {
        ids = xrealloc(ids, (size_t)(n + 1) * sizeof *ids);
        hy_strlcpy(ids[n++], db_text(st, 0), HY_UUID_LEN);
    }
    int rc = db_done(st);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = engine_cancel(c, actor, ids[i], err);
        if (rc == 0) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "parent", exec_id);
            cJSON_AddStringToObject(d, "why", "its parent execution was cancelled");
            rc = ex_audit(c, actor, "exec.cancel", ids[i], d, err);
        }
    }
    free(ids);
    return rc;
}

int engine_cancel(hy_ctx *c, const hy_principal *actor, const char *exec_id, hy_err *err)
{
    ex_state x;
    if (ex_load(c, exec_id, &x, err) != 0) return err->code;
    if (refuse_finished(&x, err)) return err->code;
    char now[HY_TIME_LEN];
    int64_t now_ms = hy_now_ms();
    hy_iso_from_ms(now_ms, now);
    /* A step being run keeps its lease: the runner records its result; if
     * the runner died, the next one finds it when the lease runs out and
     * marks it cancelled. */
    int64_t lease = 0;
    bool running = false;
    int rc = db_get_int(c->db, err, &lease, &running,
                        "SELECT lease_expires_at FROM workflow_step_executions WHERE execution_id = ? "
                        "AND status = 'running' AND lease_expires_at IS NOT NULL",
                        "t", x.id);
    if (rc) return rc;
    rc = db_exec(c->db, err,
                 "UPDATE workflow_executions SET status = 'cancelled', cancelled_by = ?1, cancelled_at = ?2, "
                 "next_run_at = CASE WHEN ?3 > 0 THEN ?3 END, updated_at = ?2 WHERE id = ?4",
                 "ttIt", nullable(actor->user_id), now, running ? lease : (int64_t)0, x.id);
    if (rc == 0) rc = ex_status_changed(c, &x, HY_EXEC_CANCELLED, err);
    if (rc == 0) rc = notify_finished(c, x.id, x.current, true, actor->user_id, err);
    if (rc == 0)
        rc = db_exec(c->db, err,
                     "UPDATE workflow_step_executions SET status = 'cancelled', lease_owner = NULL, "
                     "lease_expires_at = NULL, next_attempt_at = NULL, updated_at = ? "
                     "WHERE execution_id = ? AND status IN ('pending', 'awaiting_input', 'failed', 'waiting')",
                     "tt", now, x.id);
    return rc == 0 ? cancel_children(c, actor, x.id, err) : rc;
}
