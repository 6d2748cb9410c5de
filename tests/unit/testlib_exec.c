#include "testlib_exec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void t_set_modes(t_env *e, hy_mode m)
{
    e->app->cfg->metabase.mode = m;
    e->app->cfg->teams.mode = m;
    e->app->cfg->slack.mode = m;
    e->app->cfg->smtp.mode = m;
}

t_env *t_exec_env(void)
{
    t_env *e = t_env_new();
    t_set_modes(e, HY_MODE_SIMULATE);
    return e;
}

t_env *t_exec_env_from_file(const char *src_db)
{
    t_env *e = t_env_from_file(src_db);
    t_set_modes(e, HY_MODE_SIMULATE);
    return e;
}

hy_app *t_open_app(const char *db_path)
{
    hy_config *cfg = config_default();
    free(cfg->database.path);
    cfg->database.path = xstrdup(db_path);
    cfg->auth.password_memlimit = 8192;
    cfg->auth.password_opslimit = 1;
    cfg->metabase.mode = cfg->teams.mode = cfg->slack.mode = cfg->smtp.mode = HY_MODE_SIMULATE;
    hy_app *app = NULL;
    hy_err err;
    hy_err_clear(&err);
    if (app_open(cfg, &app, &err) != 0) {
        fprintf(stderr, "t_open_app: %s\n", err.msg);
        return NULL;
    }
    return app;
}

int t_worker_until_idle(hy_app *app, int lease_ms)
{
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    hy_engine_opts o = {.lease_ms = lease_ms};
    engine_open(&app->ctx, &o, &eng, &err);
    int rc = 0;
    for (;;) {
        if (engine_drain(eng, NULL, &err) != 0) {
            fprintf(stderr, "worker %d: %s\n", (int)getpid(), err.msg);
            rc = 1;
            break;
        }
        int64_t due = -1;
        if (engine_next_due(eng, &due, &err) != 0) {
            fprintf(stderr, "worker %d: %s\n", (int)getpid(), err.msg);
            rc = 1;
            break;
        }
        if (due < 0) break;
        int64_t wait = due - hy_now_ms();
        if (wait > 20) wait = 20;
        if (wait < 1) wait = 1;
        usleep((useconds_t)(wait * 1000));
    }
    engine_close(eng);
    return rc;
}

void t_drain(t_env *e)
{
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    engine_open(e->c, NULL, &eng, &err);
    if (engine_drain(eng, NULL, &err) != 0) fail_msg("engine_drain: %s", err.msg);
    engine_close(eng);
}

static int vsubmit(t_env *e, const hy_principal *p, const char *exec, const char *step, hy_err *err, va_list ap)
{
    char *pairs[32];
    int n = 0;
    for (const char *kv; n < 32 && (kv = va_arg(ap, const char *));) pairs[n++] = (char *)kv;
    hy_err_clear(err);
    cJSON *in = NULL;
    if (ops_exec_input_from_pairs(n, pairs, &in, err) != 0) return err->code;
    int rc = ops_exec_submit(e->c, p, exec, step, in, err);
    cJSON_Delete(in);
    return rc;
}

int t_submit(t_env *e, const hy_principal *p, const char *exec, const char *step, hy_err *err, ...)
{
    va_list ap;
    va_start(ap, err);
    int rc = vsubmit(e, p, exec, step, err, ap);
    va_end(ap);
    return rc;
}

void t_submit_ok(t_env *e, const hy_principal *p, const char *exec, const char *step, ...)
{
    hy_err err;
    va_list ap;
    va_start(ap, step);
    int rc = vsubmit(e, p, exec, step, &err, ap);
    va_end(ap);
    if (rc) fail_msg("submit %s: %s (%s: %s)", step, err.msg, err.nfield ? err.field[0].field : "",
                     err.nfield ? err.field[0].msg : "");
}

void t_partner(t_env *e, const hy_principal *admin, const char *name, const char *studio_prefix,
               char org_id[HY_UUID_LEN], char exec_id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(e->c, admin, "new_partner", NULL, exec_id, &err) != 0) fail_msg("start: %s", err.msg);
    char name_kv[256], t[128], p[128];
    snprintf(name_kv, sizeof name_kv, "organization_name=%s", name);
    snprintf(t, sizeof t, "studio_company_id_test=%s-t", studio_prefix);
    snprintf(p, sizeof p, "studio_company_id_prod=%s-p", studio_prefix);
    t_submit_ok(e, admin, exec_id, "input_studio_companies", name_kv, t, p, NULL);
    t_submit_ok(e, admin, exec_id, "trigger_infrabot", "keycloak_cluster=prod-eu", "scopes=read",
                "keycloak_confirmed=yes", NULL);
    t_drain(e);
    t_submit_ok(e, admin, exec_id, "lms_setup", "lms_confirmed=yes", NULL);
    char *st = t_exec_status(e, exec_id);
    if (strcmp(st, "completed") != 0) fail_msg("new_partner for %s ended %s", name, st);
    free(st);
    char *org = t_text(e, "SELECT organization_id FROM workflow_executions WHERE id = ?", exec_id);
    hy_strlcpy(org_id, org, HY_UUID_LEN);
    free(org);
}

void t_start_user(t_env *e, const hy_principal *p, const char *org_id, char exec_id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start(e->c, p, "new_partner_user", org_id, exec_id, &err) != 0) fail_msg("start: %s", err.msg);
}

char *t_text(t_env *e, const char *sql, const char *arg)
{
    hy_err err;
    hy_err_clear(&err);
    char *out = NULL;
    if (db_get_text(e->c->db, &err, &out, sql, arg ? "t" : "", arg) != 0) fail_msg("t_text: %s", err.msg);
    return out ? out : xstrdup("(null)");
}

char *t_exec_status(t_env *e, const char *exec_id)
{
    return t_text(e, "SELECT status FROM workflow_executions WHERE id = ?", exec_id);
}

char *t_step_status(t_env *e, const char *exec_id, int order)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT status FROM workflow_step_executions WHERE execution_id = ? AND step_order = %d",
             order);
    return t_text(e, sql, exec_id);
}

/* exec_counts says what the rows say (no missing, extra or negative counts). */
void t_assert_counts_consistent(t_env *e)
{
    int64_t bad = t_count(e,
                          "SELECT count(*) FROM (SELECT coalesce(organization_id, '') o, workflow_definition_id w, status s, "
                          "count(*) n FROM workflow_executions GROUP BY 1, 2, 3) a FULL OUTER JOIN "
                          "(SELECT organization_id o, workflow_definition_id w, status s, n FROM exec_counts WHERE n != 0) b "
                          "ON a.o = b.o AND a.w = b.w AND a.s = b.s WHERE a.n IS NOT b.n",
                          "");
    if (bad) fail_msg("exec_counts disagrees with the rows in %lld places", (long long)bad);
    if (t_count(e, "SELECT count(*) FROM exec_counts WHERE n < 0", "")) fail_msg("exec_counts has negative counts");
}


void t_recount(t_env *e)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_exec_script(e->c->db,
                       "DELETE FROM exec_counts; INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n) "
                       "SELECT coalesce(organization_id, ''), workflow_definition_id, status, count(*) "
                       "FROM workflow_executions GROUP BY 1, 2, 3",
                       &err) != 0)
        fail_msg("t_recount: %s", err.msg);
}

char *t_onboard(t_env *e, const hy_principal *p, const char *org_id, const char *email)
{
    char id[HY_UUID_LEN];
    t_start_user(e, p, org_id, id);
    char *em = xasprintf("email=%s", email);
    t_submit_ok(e, p, id, "input_user_details", "firstname=Jane", "lastname=Doe", em, NULL);
    free(em);
    t_drain(e);
    char *st = t_exec_status(e, id);
    if (strcmp(st, "completed") != 0) fail_msg("onboarding %s ended %s", email, st);
    free(st);
    return t_text(e, "SELECT user_id FROM workflow_executions WHERE id = ?", id);
}

char *t_org_group(t_env *e, const char *org_id, const char *tool)
{
    char *sql = xasprintf("SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = '%s'", tool);
    char *v = t_text(e, sql, org_id);
    free(sql);
    return v;
}
