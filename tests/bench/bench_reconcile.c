/* Reconciliation on the fakes (Metabase, Graph, Slack over HTTP on
 * loopback): N organisations x U users, every integration live, each
 * organisation with its Metabase group, Slack user group and Teams channel
 * holding exactly the users HyOpps granted (seeded in one go in the fakes
 * and the database: onboarding 5,000 people is not what is measured). One
 * run over every organisation: service calls per organisation and system,
 * seconds, and that it found nothing.
 *
 *   bench_reconcile [--orgs N] [--users U]
 *
 * Prints "| what | value |" Markdown rows, and exits 1 when a target is
 * missed (<= 3 calls per organisation per system, <= 5 s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "ops.h"
#include "reconcile.h"
#include "store_grants.h"
#include "util.h"
#include "workflows.h"
#include "../unit/testlib_live.h"

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_reconcile: %s: %s\n", what, msg ? msg : "");
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const cJSON *list_of(const cJSON *j, const char *key)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsArray(l)) die("seed answer", key);
    return l;
}

/* id i of a seed answer's list, as text (numbers too) */
static char *nth_id(const cJSON *l, int i, char *buf, size_t n)
{
    const cJSON *x = cJSON_GetArrayItem(l, i);
    if (cJSON_IsNumber(x)) snprintf(buf, n, "%lld", (long long)x->valuedouble);
    else if (cJSON_IsString(x)) snprintf(buf, n, "%s", x->valuestring);
    else die("seed answer", "an id is missing");
    return buf;
}

int main(int argc, char **argv)
{
    int norgs = 100, nusers = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--orgs") == 0) norgs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--users") == 0) nusers = atoi(argv[i + 1]);
    }
    if (norgs < 1 || nusers < 1) die("usage", "bench_reconcile [--orgs N] [--users U]");
    int total = norgs * nusers;
    t_live *L = t_live_start();
    t_env *e = t_live_env(L, 5000);
    hy_ctx *c = e->c;
    hy_err err;
    hy_err_clear(&err);

    /* ---- the fakes: accounts, groups, members ---- */
    hy_buf mb = {0}, sl = {0}, gr = {0};
    hy_buf_put(&mb, "{\"users\": [");
    hy_buf_put(&sl, "{\"users\": [");
    hy_buf_put(&gr, "{\"users\": [");
    for (int i = 0; i < total; i++) {
        const char *sep = i ? "," : "";
        hy_buf_printf(&mb, "%s{\"email\": \"u%d@o%d.bench\", \"first_name\": \"U\", \"last_name\": \"%d\"}", sep,
                      i % nusers, i / nusers, i);
        hy_buf_printf(&sl, "%s{\"email\": \"u%d@o%d.bench\"}", sep, i % nusers, i / nusers);
        hy_buf_printf(&gr, "%s{\"mail\": \"u%d@o%d.bench\", \"displayName\": \"U %d\", \"userType\": \"Guest\"}", sep,
                      i % nusers, i / nusers, i);
    }
    hy_buf_put(&mb, "], \"groups\": [");
    for (int o = 0; o < norgs; o++) hy_buf_printf(&mb, "%s{\"name\": \"ext-org-%d\"}", o ? "," : "", o);
    hy_buf_put(&mb, "]}");
    hy_buf_put(&sl, "]}");
    hy_buf_put(&gr, "], \"channels\": [");
    for (int o = 0; o < norgs; o++) hy_buf_printf(&gr, "%s{\"displayName\": \"Org %d\"}", o ? "," : "", o);
    hy_buf_put(&gr, "], \"team_members\": [");
    for (int i = 0; i < total; i++) hy_buf_printf(&gr, "%s{\"mail\": \"u%d@o%d.bench\"}", i ? "," : "", i % nusers, i / nusers);
    hy_buf_put(&gr, "]}");
    cJSON *mb_ids = t_fake_post(L->mb, "/_fake/seed", mb.s);
    cJSON *sl_ids = t_fake_post(L->slack, "/_fake/seed", sl.s);
    cJSON *gr_ids = t_fake_post(L->graph, "/_fake/seed", gr.s);
    hy_buf_free(&mb);
    hy_buf_free(&sl);
    hy_buf_free(&gr);
    if (!mb_ids || !sl_ids || !gr_ids) die("seeding the fakes", NULL);
    const cJSON *mb_users = list_of(mb_ids, "users"), *mb_groups = list_of(mb_ids, "groups");
    const cJSON *sl_users = list_of(sl_ids, "users"), *gr_users = list_of(gr_ids, "users");
    /* Metabase memberships; Slack user groups with their members; the Teams channels' ids */
    hy_buf_put(&mb, "{\"memberships\": [");
    hy_buf_put(&sl, "{\"usergroups\": [");
    char a[64], b[64];
    for (int o = 0; o < norgs; o++) {
        hy_buf_printf(&sl, "%s{\"handle\": \"ext-org-%d\", \"users\": [", o ? "," : "", o);
        for (int k = 0; k < nusers; k++) {
            int i = o * nusers + k;
            hy_buf_printf(&mb, "%s{\"user_id\": %s, \"group_id\": %s}", i ? "," : "", nth_id(mb_users, i, a, sizeof a),
                          nth_id(mb_groups, o, b, sizeof b));
            hy_buf_printf(&sl, "%s\"%s\"", k ? "," : "", nth_id(sl_users, i, a, sizeof a));
        }
        hy_buf_put(&sl, "]}");
    }
    hy_buf_put(&mb, "]}");
    hy_buf_put(&sl, "]}");
    cJSON_Delete(t_fake_post(L->mb, "/_fake/seed", mb.s));
    cJSON *sl_groups_ans = t_fake_post(L->slack, "/_fake/seed", sl.s);
    hy_buf_free(&mb);
    hy_buf_free(&sl);
    const cJSON *sl_groups = list_of(sl_groups_ans, "usergroups");
    cJSON *gstate = t_fake_state(L->graph);
    const cJSON *chs = cJSON_GetObjectItemCaseSensitive(gstate, "channels");
    const cJSON *team_chs = chs && chs->child ? chs->child : NULL;
    if (!cJSON_IsArray(team_chs) || cJSON_GetArraySize(team_chs) < norgs) die("the Teams channels", NULL);

    /* ---- the database: organisations, their groups, users, grants ---- */
    double t0 = now_s();
    if (db_begin(c->db, &err)) die("begin", err.msg);
    for (int o = 0; o < norgs && !err.code; o++) {
        char org[HY_UUID_LEN], name[64];
        hy_uuid(org);
        snprintf(name, sizeof name, "Org %d", o);
        db_exec(c->db, &err, "INSERT INTO organizations(id, name) VALUES(?, ?)", "tt", org, name);
        const cJSON *ch = cJSON_GetArrayItem(team_chs, o);
        const char *chid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "id"));
        const char *tools[3] = {"metabase", "slack", "teams"};
        const char *ext[3] = {nth_id(mb_groups, o, a, sizeof a), nth_id(sl_groups, o, b, sizeof b), chid};
        for (int t = 0; t < 3 && !err.code; t++) {
            char gid[HY_UUID_LEN], gname[64];
            hy_uuid(gid);
            snprintf(gname, sizeof gname, "ext-org-%d", o);
            db_exec(c->db, &err,
                    "INSERT INTO system_groups(id, organization_id, tool, external_name, external_id) VALUES(?, ?, ?, ?, ?)",
                    "ttttt", gid, org, tools[t], gname, ext[t]);
        }
        for (int k = 0; k < nusers && !err.code; k++) {
            int i = o * nusers + k;
            char uid[HY_UUID_LEN], email[64], mbid[64], slid[64], grid[64];
            hy_uuid(uid);
            snprintf(email, sizeof email, "u%d@o%d.bench", k, o);
            nth_id(mb_users, i, mbid, sizeof mbid);
            db_exec(c->db, &err,
                    "INSERT INTO users(id, firstname, lastname, email, organization_id, password_hash, metabase_user_id) "
                    "VALUES(?, 'U', 'B', ?, ?, 'x', ?)",
                    "tttt", uid, email, org, mbid);
            const char *res[3] = {HY_RES_METABASE, HY_RES_SLACK, HY_RES_TEAMS};
            const char *acct[3] = {mbid, nth_id(sl_users, i, slid, sizeof slid), nth_id(gr_users, i, grid, sizeof grid)};
            for (int r = 0; r < 3 && !err.code; r++) {
                hy_grant_rec g = {.user_id = uid, .resource = res[r], .organization_id = org, .how = "auto",
                                  .account_id = acct[r]};
                grant_record(c, &g, &err);
            }
        }
    }
    if (err.code || db_commit(c->db, &err)) die("seeding the database", err.msg);
    double seeded = now_s() - t0;
    cJSON_Delete(mb_ids);
    cJSON_Delete(sl_ids);
    cJSON_Delete(gr_ids);
    cJSON_Delete(sl_groups_ans);
    cJSON_Delete(gstate);

    /* ---- one run over every organisation ---- */
    hy_principal admin;
    t_admin(e, &admin);
    hy_reconcile_req req = {0};
    hy_reconcile_stats st;
    t0 = now_s();
    if (ops_reconcile(c, &admin, &req, &st, &err) != 0) die("reconcile", err.msg);
    double secs = now_s() - t0;
    printf("%d organisations x %d users, every integration live on the fakes (loopback)\n", norgs, nusers);
    printf("| seeding (database only, not measured) | %.2f s |\n", seeded);
    printf("| organisations looked at | %d |\n", st.organizations);
    const char *names[HY_NSYS] = {"Metabase", "Teams", "Slack"};
    bool ok = st.findings == 0 && !st.incomplete && st.organizations == norgs;
    for (int s = 0; s < HY_NSYS; s++) {
        double per = (double)st.calls[s] / norgs;
        printf("| %s calls | %d (%.2f per organisation) |\n", names[s], st.calls[s], per);
        if (per > 3.0) ok = false;
    }
    printf("| findings (none expected) | %d |\n", st.findings);
    printf("| retries | %d |\n", st.retries);
    printf("| seconds | %.2f |\n", secs);
    if (secs > 5.0) ok = false;
    hy_reconcile_stats_free(&st);
    t_env_free(e);
    t_live_stop(L);
    if (!ok) fprintf(stderr, "bench_reconcile: a target was missed (<= 3 calls per organisation and system, "
                             "<= 5 s, nothing found, complete)\n");
    return ok ? 0 : 1;
}
