/* What auto steps share: integration names and modes, call recording,
 * checkpoints, and running a live step with the runner's client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "integrations/http.h"
#include "step_support.h"
#include "util.h"
#include "workflows.h"


static const struct {
    const char *name, *label, *off;
} INTEGRATIONS[] = {
    [HY_INT_STUDIO] = {"studio", "Studio", "Studio is always simulated"},
    /* each says what to set, and how to go on without the service */
    [HY_INT_METABASE] = {"metabase", "Metabase",
                         "Metabase is not configured (set [metabase] url and api_key, or [metabase] mode = simulate "
                         "to go on without it)"},
    [HY_INT_TEAMS] = {"teams", "Microsoft Teams",
                      "Microsoft Teams is not configured (set [azure] tenant_id, client_id, client_secret and "
                      "[teams] team_id, or [teams] mode = simulate to go on without it)"},
    [HY_INT_SLACK] = {"slack", "Slack",
                      "Slack is not configured (set [slack] bot_token, or [slack] mode = simulate to go on without it)"},
    [HY_INT_EMAIL] = {"email", "Email",
                      "Email is not configured (set [smtp] host and from, or [smtp] mode = simulate to go on without "
                      "it)"},
    [HY_INT_EXTERNAL] = {"external", "External service", "This service is not configured"},
};

const char *hy_integration_name(hy_integration i) { return i <= HY_INT_EXTERNAL ? INTEGRATIONS[i].name : "?"; }
const char *hy_integration_label(hy_integration i) { return i <= HY_INT_EXTERNAL ? INTEGRATIONS[i].label : "?"; }
const char *hy_integration_off_message(hy_integration i)
{
    return i <= HY_INT_EXTERNAL ? INTEGRATIONS[i].off : "not configured";
}

hy_mode hy_integration_mode(const hy_config *cfg, hy_integration i)
{
    switch (i) {
    case HY_INT_STUDIO: return HY_MODE_SIMULATE;
    case HY_INT_METABASE: return cfg->metabase.mode;
    case HY_INT_TEAMS: return cfg->teams.mode;
    case HY_INT_SLACK: return cfg->slack.mode;
    case HY_INT_EMAIL: return cfg->smtp.mode;
    case HY_INT_EXTERNAL: return HY_MODE_LIVE;
    }
    return HY_MODE_OFF;
}

bool hy_integration_remote(const hy_config *cfg, hy_integration i)
{
    return hy_integration_mode(cfg, i) == HY_MODE_LIVE;
}

void step_record_call(hy_step_run *r, const char *method, const char *path, int status, int64_t duration_ms)
{
    if (!r->calls) return;
    cJSON *call = cJSON_CreateObject();
    char at[HY_TIME_LEN];
    hy_now_iso(at);
    cJSON_AddStringToObject(call, "at", at);
    cJSON_AddStringToObject(call, "method", method ? method : "");
    cJSON_AddStringToObject(call, "path", path ? path : "");
    cJSON_AddNumberToObject(call, "status", status);
    cJSON_AddNumberToObject(call, "duration_ms", (double)duration_ms);
    cJSON_AddItemToArray(r->calls, call);
}

int step_save_checkpoint(hy_step_run *r, const cJSON *checkpoint, hy_err *err)
{
    char *json = cJSON_PrintUnformatted(checkpoint);
    if (!json) hy_fatal("out of memory");
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    /* Steps run inside a transaction only when nothing waits on the
     * network (simulate): then the checkpoint commits with the result. */
    bool own_tx = !db_in_tx(r->c->db);
    int rc = own_tx ? db_begin(r->c->db, err) : 0;
    if (rc == 0)
        rc = db_exec(r->c->db, err,
                     "UPDATE workflow_step_executions SET checkpoint = ?, updated_at = ? "
                     "WHERE id = ? AND status = 'running' AND lease_owner IS ?",
                     "tttt", json, now, r->step_id, r->lease_owner);
    if (rc == 0 && db_changes(r->c->db) != 1)
        rc = hy_fail(err, HY_ERR_PERMANENT, "this runner lost the step (its lease expired); progress not saved");
    if (own_tx) rc = rc ? (db_rollback(r->c->db), rc) : db_commit(r->c->db, err);
    cJSON_free(json);
    return rc;
}

int step_run_live(hy_step_run *r, step_live_fn fn, hy_err *err)
{
    if (!r->integ) return hy_fail(err, HY_ERR_INTERNAL, "this runner has no live client");
    hy_call_log log = {0};
    integ_set_log(r->integ, &log);
    int rc = fn(r, r->integ, err);
    integ_set_log(r->integ, NULL);
    for (int i = 0; r->calls && i < log.n; i++) {
        const hy_call *k = &log.calls[i];
        cJSON *call = cJSON_CreateObject();
        char at[HY_TIME_LEN];
        hy_iso_from_ms(k->at_ms, at);
        cJSON_AddStringToObject(call, "at", at);
        cJSON_AddStringToObject(call, "service", k->service);
        cJSON_AddStringToObject(call, "method", k->method);
        cJSON_AddStringToObject(call, "path", k->path);
        cJSON_AddNumberToObject(call, "status", k->status);
        cJSON_AddNumberToObject(call, "duration_ms", k->ms);
        if (k->error[0]) cJSON_AddStringToObject(call, "error", k->error);
        if (k->new_connections > 0) cJSON_AddNumberToObject(call, "new_connections", k->new_connections);
        cJSON_AddItemToArray(r->calls, call);
    }
    call_log_free(&log);
    if (rc && err->code == HY_OK) hy_fail(err, HY_ERR_PERMANENT, "step %s failed", r->step_name);
    return rc;
}

/* ---- simulated identifiers ---- */

int64_t sim_int_id(void) { return 1000 + (int64_t)hy_random_uniform(900000); }

void sim_token(char *out, size_t n, const char *alphabet)
{
    size_t len = strlen(alphabet);
    for (size_t i = 0; i + 1 < n; i++) out[i] = alphabet[hy_random_uniform((uint32_t)len)];
    if (n) out[n - 1] = '\0';
}

void hy_row_id(char out[HY_UUID_LEN])
{
    unsigned char b[16];
    hy_random(b + 6, 10);
    uint64_t ms = (uint64_t)hy_now_ms();
    for (int i = 0; i < 6; i++) b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x70);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    hy_uuid_format(b, out);
}

void step_mark_simulated(cJSON *output) { cJSON_AddBoolToObject(output, "simulated", 1); }

/* ---- local rows shared by several steps ---- */

int step_upsert_system_group(hy_ctx *c, const char *org_id, const char *tool, const char *name,
                             const char *external_id, hy_err *err)
{
    if (!org_id || !*org_id)
        return hy_fail(err, HY_ERR_PERMANENT, "this execution has no organisation: cannot record the %s group", tool);
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id, created_at) "
                   "VALUES(?,?,?,?,?,?) ON CONFLICT(organization_id, tool) DO UPDATE SET "
                   "external_name = excluded.external_name, external_id = excluded.external_id",
                   "tttttt", id, org_id, tool, name, external_id, now);
}

int step_ensure_integrations_row(hy_ctx *c, const char *org_id, hy_err *err)
{
    char id[HY_UUID_LEN], now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    return db_exec(c->db, err,
                   "INSERT INTO organization_integrations(id, organization_id, updated_at) VALUES(?,?,?) "
                   "ON CONFLICT(organization_id) DO NOTHING",
                   "ttt", id, org_id, now);
}

int step_system_group(hy_ctx *c, const char *org_id, const char *tool, char **name, char **external_id,
                      hy_err *err)
{
    *name = *external_id = NULL;
    hy_stmt *st = db_query(c->db, err,
                           "SELECT external_name, external_id FROM system_groups WHERE organization_id = ? AND tool = ?",
                           "tt", org_id, tool);
    if (db_row(st)) {
        *name = db_dup(st, 0);
        *external_id = db_dup(st, 1);
    }
    return db_done(st);
}

int step_gather_group(hy_ctx *c, cJSON *context, const char *tool, const char *key, hy_err *err)
{
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    char *name = NULL, *ext = NULL;
    int rc = step_system_group(c, org, tool, &name, &ext, err);
    if (rc == 0 && ext && *ext) cJSON_AddStringToObject(context, key, ext);
    free(name);
    free(ext);
    return rc;
}

char *step_group_name(const cJSON *context)
{
    char *slug = hy_slug(wf_str(context, "organization_name"));
    char *name = xasprintf("ext-%s", slug);
    free(slug);
    return name;
}
