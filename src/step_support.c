/* What auto steps share: integration names and modes, call recording,
 * checkpoints, and running a live step with the runner's client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "integrations/http.h"
#include "model.h"
#include "step_support.h"
#include "store_groups.h"
#include "util.h"
#include "workflows.h"


static const struct {
    const char *name, *label, *off;
} INTEGRATIONS[] = {
    [HY_INT_STUDIO] = {"studio", "Studio", "Studio is always simulated"},
    [HY_INT_METABASE] = {"metabase", "Metabase", "Metabase is not configured (set [metabase] url and api_key)"},
    [HY_INT_TEAMS] = {"teams", "Microsoft Teams",
                      "Microsoft Teams is not configured (set [azure] tenant_id, client_id, client_secret and "
                      "[teams] team_id)"},
    [HY_INT_SLACK] = {"slack", "Slack", "Slack is not configured (set [slack] bot_token)"},
    [HY_INT_EMAIL] = {"email", "Email", "Email is not configured (set [smtp] host and from)"},
    [HY_INT_EXTERNAL] = {"external", "External service", "This service is not configured"},
    [HY_INT_LOCAL] = {"hyopps", "HyOpps", "HyOpps itself is always available"},
};

const char *hy_integration_name(hy_integration i) { return i <= HY_INT_LOCAL ? INTEGRATIONS[i].name : "?"; }
const char *hy_integration_label(hy_integration i) { return i <= HY_INT_LOCAL ? INTEGRATIONS[i].label : "?"; }
const char *hy_integration_off_message(hy_integration i)
{
    return i <= HY_INT_LOCAL ? INTEGRATIONS[i].off : "not configured";
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
    case HY_INT_LOCAL: return HY_MODE_LIVE;
    }
    return HY_MODE_OFF;
}

bool hy_integration_remote(const hy_config *cfg, hy_integration i)
{
    return i != HY_INT_LOCAL && hy_integration_mode(cfg, i) == HY_MODE_LIVE;
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
    if (db_in_tx(r->c->db)) {
        /* A local step runs (unclaimed) inside the transaction that records
         * its result: the checkpoint is written with it, in one UPDATE. */
        free(r->checkpoint_local);
        r->checkpoint_local = xstrdup(json);
        cJSON_free(json);
        return 0;
    }
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = db_begin(r->c->db, err);
    if (rc == 0)
        rc = db_exec(r->c->db, err,
                     "UPDATE workflow_step_executions SET checkpoint = ?, updated_at = ? "
                     "WHERE id = ? AND status = 'running' AND lease_owner IS ?",
                     "tttt", json, now, r->step_id, r->lease_owner);
    if (rc == 0 && db_changes(r->c->db) != 1)
        rc = hy_fail(err, HY_ERR_PERMANENT, "this runner lost the step (its lease expired); progress not saved");
    rc = rc ? (db_rollback(r->c->db), rc) : db_commit(r->c->db, err);
    cJSON_free(json);
    return rc;
}

void step_record_calls(hy_step_run *r, const hy_call_log *log)
{
    for (int i = 0; r->calls && i < log->n; i++) {
        const hy_call *k = &log->calls[i];
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
}

/* ---- simulated identifiers ---- */

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

/* ---- the organisation's groups, for steps ---- */

int step_gather_group(hy_ctx *c, cJSON *context, const char *tool, const char *key, hy_err *err)
{
    const char *org = wf_str(context, "organization_id");
    if (!org) return 0;
    char *name = NULL, *ext = NULL;
    bool placeholder = false;
    int rc = group_get(c, org, tool, &name, &ext, &placeholder, err);
    bool usable = ext && *ext;
    if (rc == 0 && usable) cJSON_AddStringToObject(context, key, ext);
    if (rc == 0 && usable && placeholder) {
        char *pkey = xasprintf("%s_placeholder", key);
        cJSON_AddBoolToObject(context, pkey, 1);
        free(pkey);
    }
    if (rc == 0 && (!usable || placeholder) && !cJSON_GetObjectItemCaseSensitive(context, "org_new_partner_execution_id")) {
        /* the execution whose step can create the group (a completed one first) */
        hy_stmt *st = db_query(c->db, err,
                               "SELECT e.id FROM workflow_executions e JOIN workflow_definitions w "
                               "ON w.id = e.workflow_definition_id WHERE e.organization_id = ? AND w.name = 'new_partner' "
                               "ORDER BY e.status = 'completed' DESC, e.created_at DESC LIMIT 1",
                               "t", org);
        if (db_row(st)) cJSON_AddStringToObject(context, "org_new_partner_execution_id", db_text(st, 0));
        rc = db_done(st);
    }
    free(name);
    free(ext);
    return rc;
}

static const struct {
    const char *tool, *what, *step;
} GROUP_FIX[] = {
    {"metabase", "Metabase group", "create_metabase_group"},
    {"teams", "Teams channel", "create_teams_channel"},
    {"slack", "Slack group", "create_slack_group"},
};

int step_need_group(const hy_step_run *r, const char *tool, const char *key, bool any_mode, hy_err *err)
{
    const char *id = wf_str(r->context, key);
    char *pkey = xasprintf("%s_placeholder", key);
    bool placeholder = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->context, pkey));
    free(pkey);
    if (id && (!placeholder || (r->mode != HY_MODE_LIVE && !any_mode))) return 0;
    int k = 0;
    while (k < 2 && strcmp(GROUP_FIX[k].tool, tool) != 0) k++;
    const char *org = wf_str(r->context, "organization_name");
    const char *np = wf_str(r->context, "org_new_partner_execution_id");
    /* the name when it is short and safe on a command line (the message has 512 bytes), else the id */
    char *word = org && strlen(org) <= 60 ? hy_shell_quoted(org) : NULL;
    if (!word) word = xstrdup(wf_str(r->context, "organization_id") ? wf_str(r->context, "organization_id") : "ORG");
    char *problem = id ? xasprintf("The %s of organisation \"%s\" is %s, a placeholder the original HyOpps app made, "
                                   "not a real id (HyOpps did not call the service)",
                                   GROUP_FIX[k].what, org ? org : "?", id)
                       : xasprintf("No %s configured for this organization (\"%s\")", GROUP_FIX[k].what,
                                   org ? org : "?");
    char *other = np ? xasprintf(", or create it by re-running its new_partner execution from %s: `hyopps exec rerun "
                                 "%s --from %s`",
                                 GROUP_FIX[k].step, np, GROUP_FIX[k].step)
                     : xasprintf(" (this organisation has no new_partner execution whose %s could create it)",
                                 GROUP_FIX[k].step);
    hy_fail(err, HY_ERR_PERMANENT, "%s. Set its id with `hyopps orgs edit %s %s ID`%s; then retry this step", problem,
            word, hy_group_edit_flag(tool), other);
    free(word);
    free(problem);
    free(other);
    return err->code;
}

