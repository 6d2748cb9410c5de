/* Reconciliation against the fake services (Metabase, Graph, Slack on
 * loopback): what each run costs in calls, what the services answer by
 * hand-made changes (a deactivated account, strangers, a team owner),
 * failures mid-run (503, 429 with Retry-After, a hang) retried like steps
 * and, when they last, reported as unreadable with nothing false, and an
 * upgraded database of the original app whose stub ids reach no service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "reconcile.h"
#include "testlib_live.h"
#include "util.h"

static t_live *L;

static int setup_all(void **s)
{
    (void)s;
    L = t_live_start();
    return 0;
}

static int teardown_all(void **s)
{
    (void)s;
    t_live_stop(L);
    return 0;
}

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], np[HY_UUID_LEN];
} fx;

static void onboard(fx *f, const char *email)
{
    char id[HY_UUID_LEN];
    t_live_slack_user(L, email);
    t_start_user(f->e, &f->admin, f->org, id);
    char *em = xasprintf("email=%s", email);
    t_submit_ok(f->e, &f->admin, id, "input_user_details", "firstname=Pat", "lastname=Doe", em, NULL);
    free(em);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    if (strcmp(st, "completed") != 0) fail_msg("onboarding %s ended %s", email, st);
    free(st);
}

/* Acme Corp, live, with ann, bob and cy. */
static int setup(void **state)
{
    t_live_reset(L);
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_live_env(L, 2000);
    f->e->app->cfg->http.max_attempts = 3;
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org, f->np);
    onboard(f, "ann@acme.test");
    onboard(f, "bob@acme.test");
    onboard(f, "cy@acme.test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    t_env_free(f->e);
    free(f);
    return 0;
}

static hy_reconcile_stats run(fx *f, const char *org)
{
    hy_err err;
    hy_err_clear(&err);
    hy_reconcile_req req = {.org_ref = org};
    hy_reconcile_stats st;
    if (ops_reconcile(f->e->c, &f->admin, &req, &st, &err) != 0) fail_msg("reconcile: %s", err.msg);
    return st;
}

static hy_finding_list drift(fx *f)
{
    hy_err err;
    hy_err_clear(&err);
    hy_finding_list l;
    if (ops_access_drift(f->e->c, &f->admin, NULL, &l, &err) != 0) fail_msg("drift: %s", err.msg);
    return l;
}

static int count_kind(const hy_finding_list *l, int sys, int kind)
{
    int n = 0;
    for (int i = 0; i < l->count; i++) n += l->items[i].sys == sys && l->items[i].kind == kind;
    return n;
}

static const hy_finding *find(const hy_finding_list *l, int sys, int kind, const char *who)
{
    for (int i = 0; i < l->count; i++) {
        const hy_finding *x = &l->items[i];
        if (x->sys == sys && x->kind == kind && (hy_streq(x->email, who) || hy_streq(x->account_id, who))) return x;
    }
    return NULL;
}

static int total_requests(t_fake *fk) { return t_fake_state_int(fk, "total_requests"); }

/* ---- cost, and what the services say ---- */

static void calls_per_group_and_what_is_found(void **state)
{
    fx *f = *state;
    int mb0 = total_requests(L->mb), sl0 = total_requests(L->slack), gr0 = total_requests(L->graph);
    hy_reconcile_stats st = run(f, NULL);
    assert_int_equal(st.findings, 0);
    assert_false(st.incomplete);
    /* a list of the groups and one member list per group; the team once (and its token) */
    assert_int_equal(st.calls[HY_SYS_METABASE], 2);
    assert_int_equal(st.calls[HY_SYS_SLACK], 2);
    assert_true(st.calls[HY_SYS_TEAMS] <= 3);
    assert_int_equal(total_requests(L->mb) - mb0, st.calls[HY_SYS_METABASE]);
    assert_int_equal(total_requests(L->slack) - sl0, st.calls[HY_SYS_SLACK]);
    assert_int_equal(total_requests(L->graph) - gr0, st.calls[HY_SYS_TEAMS]);
    hy_reconcile_stats_free(&st);

    /* by hand: ann deactivated in Metabase, a stranger and an owner in the team, an unknown Slack id */
    char *ann = t_text(f->e, "SELECT CAST(metabase_user_id AS TEXT) FROM users WHERE email = 'ann@acme.test'", NULL);
    char *body = xasprintf("{\"deactivate\": [%s]}", ann);
    cJSON_Delete(t_fake_post(L->mb, "/_fake/remove", body));
    free(body);
    cJSON_Delete(t_fake_post(L->graph, "/_fake/seed",
                             "{\"team_members\": [{\"mail\": \"stranger@else.test\", \"displayName\": \"Stranger\"}, "
                             "{\"mail\": \"owner@company.test\", \"displayName\": \"Owner\", \"roles\": [\"owner\"]}]}"));
    char *sl = t_org_group(f->e, f->org, "slack");
    body = xasprintf("{\"usergroup\": \"%s\", \"add\": [\"U0STRANGE\"]}", sl);
    cJSON_Delete(t_fake_post(L->slack, "/_fake/members", body));
    free(body);
    st = run(f, NULL);
    /* the deactivated account needed one more call (never one per person) */
    assert_int_equal(st.calls[HY_SYS_METABASE], 3);
    assert_int_equal(st.calls[HY_SYS_SLACK], 2);
    assert_int_equal(st.findings, 3);
    hy_reconcile_stats_free(&st);
    hy_finding_list l = drift(f);
    const hy_finding *x = find(&l, HY_SYS_METABASE, HY_DRIFT_MISSING, "ann@acme.test");
    assert_non_null(x);
    assert_string_equal(x->detail, "the Metabase account is deactivated");
    x = find(&l, HY_SYS_TEAMS, HY_DRIFT_UNEXPECTED, "stranger@else.test");
    assert_non_null(x);
    assert_string_equal(x->organization_id, "");
    assert_null(find(&l, HY_SYS_TEAMS, HY_DRIFT_UNEXPECTED, "owner@company.test"));
    x = find(&l, HY_SYS_SLACK, HY_DRIFT_UNEXPECTED, "U0STRANGE");
    assert_non_null(x);
    assert_false(x->known);
    assert_string_equal(x->group_id, sl);
    hy_finding_list_free(&l);
    /* the shared team's stranger once, however many organisations share it */
    char org2[HY_UUID_LEN], np2[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Initech", "st-ini", org2, np2);
    st = run(f, NULL);
    assert_int_equal(st.organizations, 2);
    hy_reconcile_stats_free(&st);
    l = drift(f);
    assert_int_equal(count_kind(&l, HY_SYS_TEAMS, HY_DRIFT_UNEXPECTED), 1);
    hy_finding_list_free(&l);
    free(sl);
    free(ann);
}

/* ---- the case: two hand changes found, repaired, gone ---- */

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "ann@acme.test,bob@acme.test,..." : the members of Metabase group gid in the fake, by email */
static char *mb_members(long gid)
{
    cJSON *st = t_fake_state(L->mb);
    const cJSON *users = cJSON_GetObjectItemCaseSensitive(st, "users"), *m;
    hy_strlist l = {0};
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(st, "memberships"))
    {
        if ((long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "group_id")) != gid) continue;
        long uid = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "user_id"));
        const cJSON *u;
        cJSON_ArrayForEach(u, users)
        if ((long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(u, "id")) == uid)
            hy_strlist_add(&l, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(u, "email")));
    }
    qsort(l.v, (size_t)l.n, sizeof *l.v, by_text);
    char *out = hy_strlist_join(&l, ",");
    hy_strlist_free(&l);
    cJSON_Delete(st);
    return out;
}

/* how many users Slack user group id holds in the fake, and whether account is one */
static int slack_members(const char *id, const char *account, bool *has)
{
    cJSON *st = t_fake_state(L->slack);
    const cJSON *g;
    int n = -1;
    *has = false;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(st, "usergroups"))
    {
        if (!hy_streq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "id")), id)) continue;
        const cJSON *users = cJSON_GetObjectItemCaseSensitive(g, "users"), *u;
        n = cJSON_GetArraySize(users);
        cJSON_ArrayForEach(u, users) *has = *has || hy_streq(cJSON_GetStringValue(u), account);
    }
    cJSON_Delete(st);
    return n;
}

static void two_hand_changes_repaired_on_the_fakes(void **state)
{
    fx *f = *state;
    char *sl = t_org_group(f->e, f->org, "slack"), *mbg = t_org_group(f->e, f->org, "metabase");
    char *bob = t_text(f->e,
                       "SELECT g.account_id FROM access_grants g JOIN resources r ON r.id = g.resource_id "
                       "JOIN users u ON u.id = g.user_id WHERE r.name = 'Slack' AND u.email = ?",
                       "bob@acme.test");
    char *before = mb_members(atol(mbg));
    assert_string_equal(before, "ann@acme.test,bob@acme.test,cy@acme.test");
    /* by hand: bob out of the Slack user group, a stranger into the Metabase group */
    char *body = xasprintf("{\"usergroup\": \"%s\", \"remove\": [\"%s\"]}", sl, bob);
    cJSON_Delete(t_fake_post(L->slack, "/_fake/members", body));
    free(body);
    long stranger = t_fake_seed_id(L->mb, "users", "{\"users\": [{\"email\": \"stranger@else.test\"}]}");
    body = xasprintf("{\"memberships\": [{\"user_id\": %ld, \"group_id\": %s}]}", stranger, mbg);
    cJSON_Delete(t_fake_post(L->mb, "/_fake/seed", body));
    free(body);

    hy_reconcile_stats st = run(f, NULL);
    assert_int_equal(st.findings, 2);
    hy_reconcile_stats_free(&st);
    hy_finding_list l = drift(f);
    assert_int_equal(l.count, 2);
    const hy_finding *miss = find(&l, HY_SYS_SLACK, HY_DRIFT_MISSING, "bob@acme.test");
    const hy_finding *odd = find(&l, HY_SYS_METABASE, HY_DRIFT_UNEXPECTED, "stranger@else.test");
    assert_non_null(miss);
    assert_non_null(odd);
    assert_false(odd->known);
    int64_t ids[2] = {miss->id, odd->id};
    hy_finding_list_free(&l);

    /* both repaired: the removal calls Metabase, the re-grant runs repair_access live */
    hy_err err;
    hy_err_clear(&err);
    hy_repair_result res;
    assert_int_equal(ops_access_repair(f->e->c, &f->admin, ids, 2, HY_REPAIR_DEFAULT, NULL, &res, &err), 0);
    assert_int_equal(res.done, 2);
    assert_int_equal(res.failed, 0);
    hy_repair_result_free(&res);
    t_drain(f->e);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions e JOIN workflow_definitions d "
                                   "ON d.id = e.workflow_definition_id WHERE d.name = 'repair_access' AND e.status = 'completed'", NULL),
                     1);
    st = run(f, NULL);
    assert_int_equal(st.findings, 0);
    assert_false(st.incomplete);
    hy_reconcile_stats_free(&st);
    /* the fakes hold exactly the three */
    char *after = mb_members(atol(mbg));
    assert_string_equal(after, "ann@acme.test,bob@acme.test,cy@acme.test");
    bool has = false;
    assert_int_equal(slack_members(sl, bob, &has), 3);
    assert_true(has);
    free(after);
    free(before);
    free(bob);
    free(mbg);
    free(sl);
}

/* ---- failures mid-run ---- */

static void faults_are_retried_then_reported_as_unreadable(void **state)
{
    fx *f = *state;
    /* once each: a 503, a 429 with Retry-After, a hang (the timeout) */
    t_fake_fault(L->slack, "{\"method\": \"POST\", \"path\": \"usergroups.users.list\", \"kind\": \"status\", \"status\": 503}");
    t_fake_fault(L->mb, "{\"method\": \"GET\", \"path\": \"^/api/permissions/group/\", \"kind\": \"status\", "
                        "\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}");
    t_fake_fault(L->graph, "{\"method\": \"GET\", \"path\": \"/members\", \"kind\": \"hang\", \"seconds\": 4}");
    int64_t t0 = hy_mono_ms();
    hy_reconcile_stats st = run(f, NULL);
    int64_t took = hy_mono_ms() - t0;
    assert_false(st.incomplete);
    assert_int_equal(st.findings, 0);
    assert_int_equal(st.retries, 3);
    assert_true(took >= 1000); /* Retry-After honoured */
    hy_reconcile_stats_free(&st);

    /* bob removed from Slack by hand: found */
    char *sl = t_org_group(f->e, f->org, "slack");
    char *bob = t_text(f->e, "SELECT g.account_id FROM access_grants g JOIN resources r ON r.id = g.resource_id JOIN "
                             "users u ON u.id = g.user_id WHERE r.name = 'Slack' AND u.email = 'bob@acme.test'",
                       NULL);
    char *body = xasprintf("{\"usergroup\": \"%s\", \"remove\": [\"%s\"]}", sl, bob);
    cJSON_Delete(t_fake_post(L->slack, "/_fake/members", body));
    free(body);
    st = run(f, NULL);
    assert_int_equal(st.findings, 1);
    hy_reconcile_stats_free(&st);
    /* now Slack keeps failing: every attempt, then the run says what it could not read */
    t_fake_fault(L->slack, "{\"method\": \"POST\", \"path\": \"usergroups.users.list\", \"kind\": \"status\", "
                           "\"status\": 503, \"count\": 10}");
    /* and cy is removed from Metabase meanwhile: that, it reads */
    char *cy = t_text(f->e, "SELECT CAST(metabase_user_id AS TEXT) FROM users WHERE email = 'cy@acme.test'", NULL);
    char *mb = t_org_group(f->e, f->org, "metabase");
    body = xasprintf("{\"memberships\": [{\"user_id\": %s, \"group_id\": %s}]}", cy, mb);
    cJSON_Delete(t_fake_post(L->mb, "/_fake/remove", body));
    free(body);
    st = run(f, NULL);
    assert_true(st.incomplete);
    assert_int_equal(st.nfailures, 1);
    assert_non_null(strstr(st.failures[0], "Acme Corp, Slack: gave up after 3 attempts: Slack answered 503"));
    assert_int_equal(st.findings, 1); /* Metabase's; nothing for Slack */
    assert_int_equal(st.by_system[HY_SYS_SLACK], 0);
    char run_id[HY_UUID_LEN];
    hy_strlcpy(run_id, st.run_id, sizeof run_id);
    hy_reconcile_stats_free(&st);
    EXPECT_TEXT(f->e, "incomplete", "SELECT status FROM reconcile_runs WHERE id = ?", run_id);
    EXPECT_TEXT(f->e, "error", "SELECT status FROM reconcile_checks WHERE run_id = ? AND system = 'slack'", run_id);
    /* no false "missing": the current drift keeps the last Slack check that was read (bob) */
    hy_finding_list l = drift(f);
    assert_int_equal(l.count, 2);
    assert_non_null(find(&l, HY_SYS_SLACK, HY_DRIFT_MISSING, "bob@acme.test"));
    assert_non_null(find(&l, HY_SYS_METABASE, HY_DRIFT_MISSING, "cy@acme.test"));
    hy_finding_list_free(&l);
    hy_access_status as;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_access_org_status(f->e->c, &f->admin, "Acme Corp", &as, &err), 0);
    assert_true(as.last_failed);
    hy_access_status_free(&as);
    free(sl);
    free(bob);
    free(cy);
    free(mb);
}

/* ---- the original app's stub ids ---- */

static void legacy_stub_ids_reach_no_service(void **state)
{
    (void)state;
    t_live_reset(L);
    t_env *e = t_exec_env_from_file(t_fixture("legacy-hyopps.db"));
    t_live_config(L, e->app->cfg, 2000);
    hy_principal admin;
    t_admin(e, &admin);
    int mb0 = total_requests(L->mb), sl0 = total_requests(L->slack), gr0 = total_requests(L->graph);
    int groups0 = t_fake_count(L->mb, "GET /api/permissions/group");
    hy_err err;
    hy_err_clear(&err);
    hy_reconcile_req req = {0};
    hy_reconcile_stats st;
    assert_int_equal(ops_reconcile(e->c, &admin, &req, &st, &err), 0);
    assert_false(st.incomplete);
    assert_int_equal(st.by_kind[HY_DRIFT_UNKNOWN_GROUP], 3);
    hy_reconcile_stats_free(&st);
    /* Slack and Graph got no call at all; Metabase only its group list (7 is not in it) */
    assert_int_equal(total_requests(L->slack) - sl0, 0);
    assert_int_equal(total_requests(L->graph) - gr0, 0);
    assert_int_equal(total_requests(L->mb) - mb0, 1);
    assert_int_equal(t_fake_count(L->mb, "GET /api/permissions/group") - groups0, 1);
    hy_finding_list l;
    assert_int_equal(ops_access_drift(e->c, &admin, NULL, &l, &err), 0);
    assert_int_equal(l.count, 3);
    int stubs = 0;
    for (int i = 0; i < l.count; i++) {
        const hy_finding *x = &l.items[i];
        assert_int_equal(x->kind, HY_DRIFT_UNKNOWN_GROUP);
        if (strstr(x->detail, "is a placeholder id the original app made up (sent to no service)")) stubs++;
        if (x->sys == HY_SYS_METABASE) assert_non_null(strstr(x->detail, "Metabase has no group 7"));
    }
    assert_int_equal(stubs, 2);
    hy_finding_list_free(&l);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(calls_per_group_and_what_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(two_hand_changes_repaired_on_the_fakes, setup, teardown),
        cmocka_unit_test_setup_teardown(faults_are_retried_then_reported_as_unreadable, setup, teardown),
        cmocka_unit_test(legacy_stub_ids_reach_no_service),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
