#include "check.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "email.h"
#include "graph.h"
#include "http.h"
#include "metabase.h"
#include "sanitize.h"
#include "slack.h"
#include "util.h"

typedef struct {
    const hy_config *cfg;
    int which;
    integ_check_line *line;
} check_job;

static void run_one(check_job *j)
{
    hy_integ *in = integ_new(j->cfg);
    hy_err err;
    hy_err_clear(&err);
    char who[256] = "", ok[512] = "";
    int rc = 0;
    switch (j->which) {
    case INTEG_METABASE:
        rc = mb_check(in, who, sizeof who, &err);
        snprintf(ok, sizeof ok, "OK: Metabase answers; the API key acts as %s", who);
        break;
    case INTEG_TEAMS:
        rc = graph_check(in, &err);
        snprintf(ok, sizeof ok, "OK: got a Microsoft Graph token for tenant %s", j->cfg->azure.tenant_id);
        break;
    case INTEG_SLACK:
        rc = slack_check(in, who, sizeof who, &err);
        snprintf(ok, sizeof ok, "OK: the bot token works (%s)", who);
        break;
    case INTEG_EMAIL:
        rc = email_check(in, &err);
        snprintf(ok, sizeof ok, "OK: %s:%d accepted %s and the login", j->cfg->smtp.host, j->cfg->smtp.port,
                 j->cfg->smtp.tls == HY_TLS_IMPLICIT ? "implicit TLS" : "STARTTLS");
        break;
    default:
        break;
    }
    integ_free(in);
    j->line->checked = true;
    j->line->ok = rc == 0;
    j->line->code = rc == 0 ? HY_OK : err.code;
    hy_sanitize_to(rc == 0 ? ok : err.msg, j->line->detail, sizeof j->line->detail);
}

static void *run_thread(void *arg)
{
    run_one(arg);
    return NULL;
}

static const char *off_hint(int which)
{
    switch (which) {
    case INTEG_METABASE: return "off: Metabase is not configured (set [metabase] url and api_key)";
    case INTEG_TEAMS:
        return "off: Microsoft Teams is not configured (set [azure] tenant_id, client_id, client_secret and [teams] "
               "team_id)";
    case INTEG_SLACK: return "off: Slack is not configured (set [slack] bot_token)";
    case INTEG_EMAIL: return "off: Email is not configured (set [smtp] host, user, password and from)";
    default: return "off";
    }
}

void integrations_check(const hy_config *cfg, integ_check_report *out)
{
    static const char *const names[INTEG_COUNT] = {"metabase", "teams", "slack", "email", "studio"};
    hy_mode modes[INTEG_COUNT] = {cfg->metabase.mode, cfg->teams.mode, cfg->slack.mode, cfg->smtp.mode,
                                  HY_MODE_SIMULATE};
    memset(out, 0, sizeof *out);
    integ_global_init();
    check_job jobs[INTEG_COUNT];
    pthread_t tids[INTEG_COUNT];
    bool started[INTEG_COUNT] = {false};
    for (int i = 0; i < INTEG_COUNT; i++) {
        integ_check_line *l = &out->line[i];
        l->name = names[i];
        l->mode = modes[i];
        l->ok = true;
        if (i == INTEG_STUDIO) {
            snprintf(l->detail, sizeof l->detail, "simulated: Studio has no public API");
            continue;
        }
        if (modes[i] == HY_MODE_OFF) {
            snprintf(l->detail, sizeof l->detail, "%s", off_hint(i));
            continue;
        }
        if (modes[i] == HY_MODE_SIMULATE) {
            snprintf(l->detail, sizeof l->detail, "simulated: no calls are made");
            continue;
        }
        jobs[i] = (check_job){.cfg = cfg, .which = i, .line = l};
        /* In parallel: a service that does not answer costs one timeout, not four. */
        started[i] = pthread_create(&tids[i], NULL, run_thread, &jobs[i]) == 0;
        if (!started[i]) run_one(&jobs[i]);
    }
    for (int i = 0; i < INTEG_COUNT; i++)
        if (started[i]) pthread_join(tids[i], NULL);
    for (int i = 0; i < INTEG_COUNT; i++)
        if (out->line[i].checked && !out->line[i].ok) out->failed++;
}
