/* The workflow registry: the two built-in tables (steps_partner.c,
 * steps_user.c), tables registered at run time, lookup and seeding. */
#include "workflows.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

extern const hy_workflow_def hy_wf_new_partner;
extern const hy_workflow_def hy_wf_new_partner_user;

const hy_workflow_def *const hy_workflows[] = {&hy_wf_new_partner, &hy_wf_new_partner_user};
const int hy_workflow_count = 2;

#define MAX_EXTRA 8
static const hy_workflow_def *extra[MAX_EXTRA];
static int nextra;

const hy_workflow_def *workflow_find(const char *name)
{
    for (int i = 0; i < hy_workflow_count; i++)
        if (hy_streq(hy_workflows[i]->name, name)) return hy_workflows[i];
    for (int i = 0; i < nextra; i++)
        if (hy_streq(extra[i]->name, name)) return extra[i];
    return NULL;
}

const hy_step_def *workflow_step(const hy_workflow_def *wf, const char *step_name)
{
    for (int i = 0; wf && i < wf->nsteps; i++)
        if (hy_streq(wf->steps[i].name, step_name)) return &wf->steps[i];
    return NULL;
}

const hy_step_def *workflow_step_ref(const hy_workflow_def *wf, const char *ref, int *order_out)
{
    if (!wf || !ref) return NULL;
    char *end = NULL;
    long n = strtol(ref, &end, 10);
    if (*ref && end && *end == '\0') {
        if (n < 1 || n > wf->nsteps) return NULL;
        if (order_out) *order_out = (int)n;
        return &wf->steps[n - 1];
    }
    for (int i = 0; i < wf->nsteps; i++) {
        if (hy_streq(wf->steps[i].name, ref)) {
            if (order_out) *order_out = i + 1;
            return &wf->steps[i];
        }
    }
    return NULL;
}

static int seed_one(hy_ctx *c, const hy_workflow_def *wf, const char *now, hy_err *err)
{
    int rc = db_exec(c->db, err,
                     "INSERT INTO workflow_definitions(id, name, description, created_at) VALUES(?,?,?,?) "
                     "ON CONFLICT(name) DO UPDATE SET description = excluded.description",
                     "tttt", wf->id, wf->name, wf->description, now);
    if (rc) return rc;
    char *wid = NULL;
    rc = db_get_text(c->db, err, &wid, "SELECT id FROM workflow_definitions WHERE name = ?", "t", wf->name);
    if (rc) return rc;
    for (int s = 0; s < wf->nsteps && rc == 0; s++) {
        const hy_step_def *sd = &wf->steps[s];
        rc = db_exec(c->db, err,
                     "INSERT INTO workflow_step_definitions(id, workflow_definition_id, step_order, name, label, "
                     "type, description) VALUES(?,?,?,?,?,?,?) "
                     "ON CONFLICT(workflow_definition_id, step_order) DO UPDATE SET name = excluded.name, "
                     "label = excluded.label, type = excluded.type, description = excluded.description",
                     "ttitttt", sd->id, wid, s + 1, sd->name, sd->label,
                     sd->kind == HY_STEP_MANUAL ? "manual" : "auto", sd->description);
    }
    free(wid);
    return rc;
}

int workflows_seed(hy_ctx *c, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    for (int w = 0; w < hy_workflow_count; w++) {
        int rc = seed_one(c, hy_workflows[w], now, err);
        if (rc) return rc;
    }
    return 0;
}

int workflows_register(hy_ctx *c, const hy_workflow_def *wf, hy_err *err)
{
    if (!workflow_find(wf->name)) {
        if (nextra >= MAX_EXTRA) return hy_fail(err, HY_ERR_INTERNAL, "too many workflows registered");
        extra[nextra++] = wf;
    }
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    if (db_begin(c->db, err) != 0) return err->code;
    int rc = seed_one(c, wf, now, err);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, err);
}

const char *wf_str(const cJSON *obj, const char *key)
{
    const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsString(it) && it->valuestring ? it->valuestring : NULL;
}

bool wf_int(const cJSON *obj, const char *key, int64_t *out)
{
    const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d != (double)(int64_t)d) return false;
        *out = (int64_t)d;
        return true;
    }
    if (cJSON_IsString(it) && it->valuestring && *it->valuestring) {
        char *end = NULL;
        long long v = strtoll(it->valuestring, &end, 10);
        if (*end) return false;
        *out = v;
        return true;
    }
    return false;
}
