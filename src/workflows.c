/* The workflow registry (src/workflow_list.h), workflows added at run
 * time (tests), lookup, and seeding keyed on a hash of the definitions. */
#include "workflows.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

#define HY_WORKFLOW(x) extern const hy_workflow_def hy_wf_##x;
#include "workflow_list.h"
#undef HY_WORKFLOW

static const hy_workflow_def *const registry[] = {
#define HY_WORKFLOW(x) &hy_wf_##x,
#include "workflow_list.h"
#undef HY_WORKFLOW
    NULL,
};

#define NREGISTRY (int)(sizeof registry / sizeof registry[0] - 1)
#define MAX_EXTRA 16
static const hy_workflow_def *extra[MAX_EXTRA];
static int nextra;
static char hash_hex[65]; /* "" until computed; reset when a workflow is added */

const hy_workflow_def *workflow_at(int i)
{
    if (i < 0) return NULL;
    if (i < NREGISTRY) return registry[i];
    return i - NREGISTRY < nextra ? extra[i - NREGISTRY] : NULL;
}

const hy_workflow_def *workflow_find(const char *name)
{
    const hy_workflow_def *wf;
    for (int i = 0; name && (wf = workflow_at(i)); i++)
        if (hy_streq(wf->name, name)) return wf;
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

static void hash_text(crypto_hash_sha256_state *h, const char *s)
{
    /* each with its NUL, so that fields cannot run into each other */
    crypto_hash_sha256_update(h, (const unsigned char *)(s ? s : ""), strlen(s ? s : "") + 1);
}

const char *workflows_hash(void)
{
    if (hash_hex[0]) return hash_hex;
    if (sodium_init() < 0) hy_fatal("libsodium failed to initialise");
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    const hy_workflow_def *wf;
    for (int i = 0; (wf = workflow_at(i)); i++) {
        hash_text(&h, wf->id);
        hash_text(&h, wf->name);
        hash_text(&h, wf->description);
        for (int s = 0; s < wf->nsteps; s++) {
            const hy_step_def *sd = &wf->steps[s];
            hash_text(&h, sd->id);
            hash_text(&h, sd->name);
            hash_text(&h, sd->label);
            hash_text(&h, sd->kind == HY_STEP_MANUAL ? "manual" : "auto");
            hash_text(&h, sd->description);
        }
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(hash_hex, sizeof hash_hex, d, sizeof d);
    return hash_hex;
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
    const hy_workflow_def *wf;
    for (int i = 0; (wf = workflow_at(i)); i++) {
        int rc = seed_one(c, wf, now, err);
        if (rc) return rc;
    }
    return 0;
}

int workflows_add(const hy_workflow_def *wf, hy_err *err)
{
    const hy_workflow_def *known = workflow_find(wf->name);
    if (known == wf) return 0;
    if (known) return hy_fail(err, HY_ERR_INTERNAL, "two workflows are named %s", wf->name);
    if (nextra >= MAX_EXTRA) return hy_fail(err, HY_ERR_INTERNAL, "too many workflows added");
    extra[nextra++] = wf;
    hash_hex[0] = '\0';
    return 0;
}

int workflows_register(hy_ctx *c, const hy_workflow_def *wf, hy_err *err)
{
    if (workflows_add(wf, err) != 0) return err->code;
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
