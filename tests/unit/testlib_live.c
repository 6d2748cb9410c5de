#include "testlib_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static long first_id(cJSON *seeded, const char *list, int i)
{
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(seeded, list), i);
    if (!cJSON_IsNumber(v)) fail_msg("the Metabase fake did not seed %s", list);
    return (long)v->valuedouble;
}

static void seed_metabase(t_live *l)
{
    cJSON *c = t_fake_post(l->mb, "/_fake/seed", "{\"collections\": [{\"name\": \"Partners\"}, {\"name\": \"Template\"}]}");
    l->parent_collection = first_id(c, "collections", 0);
    l->template_collection = first_id(c, "collections", 1);
    cJSON_Delete(c);
    char *dash = xasprintf("{\"dashboards\": [{\"name\": \"Usage\", \"collection_id\": %ld}, "
                           "{\"name\": \"Costs\", \"collection_id\": %ld}]}",
                           l->template_collection, l->template_collection);
    cJSON_Delete(t_fake_post(l->mb, "/_fake/seed", dash));
    free(dash);
}

t_live *t_live_start(void)
{
    t_live *l = xcalloc(1, sizeof *l);
    l->certdir = t_tmpdir();
    t_make_cert(l->certdir, "smtp");
    l->cert = xasprintf("%s/smtp.pem", l->certdir);
    l->key = xasprintf("%s/smtp.key", l->certdir);
    l->mb = t_fake_start("metabase", NULL);
    l->graph = t_fake_start("graph", NULL);
    l->slack = t_fake_start("slack", NULL);
    const char *st[] = {"--mode", "starttls", NULL};
    l->smtp = t_fake_start_tls("smtp", l->cert, l->key, st);
    seed_metabase(l);
    return l;
}

void t_live_reset(t_live *l)
{
    t_fake_reset(l->mb);
    t_fake_reset(l->graph);
    t_fake_reset(l->slack);
    t_smtp_fault(l->smtp, "[]");
    seed_metabase(l);
}

void t_live_stop(t_live *l)
{
    if (!l) return;
    t_fake_stop(l->mb);
    t_fake_stop(l->graph);
    t_fake_stop(l->slack);
    t_fake_stop(l->smtp);
    t_rmdir(l->certdir);
    free(l->certdir);
    free(l->cert);
    free(l->key);
    free(l);
}

void t_live_config(const t_live *l, hy_config *cfg, int timeout_ms)
{
    t_config_metabase(cfg, l->mb->url, T_MB_KEY);
    cfg->metabase.parent_collection_id = l->parent_collection;
    cfg->metabase.template_collection_id = l->template_collection;
    cfg->metabase.database_ids[0] = 1;
    cfg->metabase.database_ids[1] = 2;
    cfg->metabase.ndatabase_ids = 2;
    t_config_graph(cfg, l->graph->url, T_GRAPH_SECRET);
    t_config_slack(cfg, l->slack->url, T_SLACK_TOKEN);
    t_config_smtp(cfg, l->smtp->port, "starttls", l->cert, T_SMTP_PASSWORD);
    cfg->http.timeout_ms = timeout_ms;
}

t_env *t_live_env(const t_live *l, int timeout_ms)
{
    t_env *e = t_env_new();
    t_live_config(l, e->app->cfg, timeout_ms);
    return e;
}

hy_app *t_live_open_app(const t_live *l, const char *db_path, int timeout_ms)
{
    hy_config *cfg = config_default();
    free(cfg->database.path);
    cfg->database.path = xstrdup(db_path);
    cfg->auth.password_memlimit = 8192;
    cfg->auth.password_opslimit = 1;
    t_live_config(l, cfg, timeout_ms);
    hy_app *app = NULL;
    hy_err err;
    hy_err_clear(&err);
    if (app_open(cfg, &app, &err) != 0) {
        fprintf(stderr, "t_live_open_app: %s\n", err.msg);
        return NULL;
    }
    return app;
}

void t_live_slack_user(const t_live *l, const char *email)
{
    char *body = xasprintf("{\"users\": [{\"email\": \"%s\"}]}", email);
    cJSON_Delete(t_fake_post(l->slack, "/_fake/seed", body));
    free(body);
}

static const cJSON *state_list(cJSON *st, const char *list)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, list);
    if (!cJSON_IsArray(v)) fail_msg("the fake's state has no list %s", list);
    return v;
}

int t_live_count(t_fake *f, const char *list)
{
    cJSON *st = t_fake_state(f);
    int n = cJSON_GetArraySize(state_list(st, list));
    cJSON_Delete(st);
    return n;
}

int t_live_count_where(t_fake *f, const char *list, const char *field, const char *value)
{
    cJSON *st = t_fake_state(f);
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, state_list(st, list)) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, field);
        if (cJSON_IsString(v) && hy_strcaseeq(v->valuestring, value)) n++;
    }
    cJSON_Delete(st);
    return n;
}

char *t_step_col(t_env *e, const char *exec_id, int order, const char *column)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s FROM workflow_step_executions WHERE execution_id = ? AND step_order = %d",
             column, order);
    return t_text(e, sql, exec_id);
}

int64_t t_step_int(t_env *e, const char *exec_id, int order, const char *column)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s FROM workflow_step_executions WHERE execution_id = ? AND step_order = %d",
             column, order);
    return t_count(e, sql, "t", exec_id);
}

cJSON *t_mail_parse(t_fake *smtp, int n)
{
    const char *root = getenv("HYOPPS_ROOT") ? getenv("HYOPPS_ROOT") : ".";
    char *cmd = xasprintf("/usr/bin/python3 '%s/tests/fakes/mailcheck.py' '%s/mail-%d.eml'", root, smtp->dir, n);
    FILE *p = popen(cmd, "r");
    if (!p) fail_msg("cannot run %s", cmd);
    hy_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0) hy_buf_putn(&b, chunk, got);
    if (pclose(p) != 0) fail_msg("%s failed", cmd);
    cJSON *j = cJSON_Parse(b.s ? b.s : "");
    if (!j) fail_msg("mailcheck printed no JSON");
    hy_buf_free(&b);
    free(cmd);
    return j;
}

const char *t_mail_header(const cJSON *mail, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItemCaseSensitive(mail, "headers"), name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *t_mail_part(const cJSON *mail, int i)
{
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(mail, "alternative"), i);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "text");
    return cJSON_IsString(t) ? t->valuestring : "";
}

static int64_t clock_offset;

void t_clock_forward(int64_t ms)
{
    clock_offset += ms;
    hy_clock_set_offset_ms(clock_offset);
}

int t_mb_memberships(const cJSON *mb_state, long user, long group)
{
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(mb_state, "memberships"))
        if ((long)cJSON_GetObjectItemCaseSensitive(it, "user_id")->valuedouble == user &&
            (long)cJSON_GetObjectItemCaseSensitive(it, "group_id")->valuedouble == group)
            n++;
    return n;
}

int t_team_members_with(const t_live *l, const char *email)
{
    cJSON *st = t_fake_state(l->graph);
    int n = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "team_members"), "team-1"))
        if (hy_strcaseeq(cJSON_GetObjectItemCaseSensitive(m, "email")->valuestring, email)) n++;
    cJSON_Delete(st);
    return n;
}
