/* Access revocation in live mode against the fake services (Metabase,
 * Graph, Slack, SMTP): onboard two, revoke one (what each service then
 * holds, the grants), running it again changes nothing at the services, a
 * runner killed mid-step, and an organisation of three offboarded through
 * transient faults (503, 429 with Retry-After, dropped connections). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"
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
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN];
} fx;

static int setup(void **s)
{
    t_live_reset(L);
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_live_env(L, 1500);
    t_admin(f->e, &f->admin);
    *s = f;
    return 0;
}

static int teardown(void **s)
{
    fx *f = *s;
    t_env_free(f->e);
    free(f);
    return 0;
}

static void expect_exec(fx *f, const char *id, const char *status)
{
    char *st = t_exec_status(f->e, id);
    if (strcmp(st, status) != 0) {
        char *err = t_text(f->e, "SELECT group_concat(step_order || ' ' || status || ': ' || coalesce(error, ''), ' | ') "
                                 "FROM workflow_step_executions WHERE execution_id = ?", id);
        fail_msg("execution %.8s is %s, expected %s (steps: %s)", id, st, status, err);
    }
    free(st);
}

/* Drains until nothing is due any more, jumping the clock over retry waits
 * (at most `rounds` jumps). */
static void drain_through_retries(fx *f, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        t_drain(f->e);
        int64_t due = t_count(f->e, "SELECT coalesce(min(next_attempt_at), 0) FROM workflow_step_executions "
                                    "WHERE status = 'pending' AND next_attempt_at IS NOT NULL", "");
        if (!due) return;
        int64_t wait = due - hy_now_ms();
        t_clock_forward(wait > 0 ? wait + 10 : 10);
    }
    t_drain(f->e);
}

static char *group_of(fx *f, const char *tool)
{
    char *sql = xasprintf("SELECT external_id FROM system_groups WHERE organization_id = ? AND tool = '%s'", tool);
    char *v = t_text(f->e, sql, f->org);
    free(sql);
    return v;
}

/* Onboards email into the partner (live), to completion; returns the user id. */
static bool slack_known(const char *email);

static char *onboard(fx *f, const char *first, const char *email)
{
    if (!slack_known(email)) t_live_slack_user(L, email);
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id);
    char a[80], c[200];
    snprintf(a, sizeof a, "firstname=%s", first);
    snprintf(c, sizeof c, "email=%s", email);
    t_submit_ok(f->e, &f->admin, id, "input_user_details", a, "lastname=Doe", c, NULL);
    drain_through_retries(f, 5);
    expect_exec(f, id, "completed");
    return t_text(f->e, "SELECT user_id FROM workflow_executions WHERE id = ?", id);
}

static void start_revoke(fx *f, const char *who, char id[HY_UUID_LEN])
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "user", who);
    cJSON_AddStringToObject(in, "reason", "left the company");
    hy_exec_start st = {.workflow = "revoke_partner_user", .input = in};
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_start_ex(f->e->c, &f->admin, &st, id, &err) != 0) fail_msg("revoke %s: %s", who, err.msg);
    cJSON_Delete(in);
}

/* Revokes who to completion (the LMS confirmed by the admin). */
static void revoke_done(fx *f, const char *who, char id[HY_UUID_LEN])
{
    start_revoke(f, who, id);
    drain_through_retries(f, 5);
    expect_exec(f, id, "awaiting_input");
    t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    drain_through_retries(f, 5);
    expect_exec(f, id, "completed");
}

/* ---- the fakes' state ---- */

static long mb_user(cJSON *st, const char *email, bool *active)
{
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(st, "users")) {
        if (!hy_strcaseeq(cJSON_GetObjectItemCaseSensitive(u, "email")->valuestring, email)) continue;
        if (active) *active = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "is_active"));
        return (long)cJSON_GetObjectItemCaseSensitive(u, "id")->valuedouble;
    }
    return 0;
}

/* The Slack group's members as "U1,U2" and whether it is disabled. Caller frees. */
static char *slack_group_state(const char *group_id, bool *disabled)
{
    cJSON *st = t_fake_state(L->slack);
    hy_buf b = {0};
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(st, "usergroups")) {
        if (!hy_streq(cJSON_GetObjectItemCaseSensitive(g, "id")->valuestring, group_id)) continue;
        if (disabled) *disabled = cJSON_GetObjectItemCaseSensitive(g, "date_delete")->valuedouble != 0;
        const cJSON *u;
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(g, "users"))
            hy_buf_printf(&b, "%s%s", b.len ? "," : "", u->valuestring);
    }
    cJSON_Delete(st);
    return b.s ? hy_buf_take(&b) : xstrdup("");
}

/* Whether the Slack workspace has an account for email. */
static bool slack_known(const char *email)
{
    cJSON *st = t_fake_state(L->slack);
    bool found = false;
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(st, "users")) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(u, "profile");
        const cJSON *em = p ? cJSON_GetObjectItemCaseSensitive(p, "email") : NULL;
        found |= cJSON_IsString(em) && hy_strcaseeq(em->valuestring, email);
    }
    cJSON_Delete(st);
    return found;
}

static char *slack_id(const char *email)
{
    cJSON *st = t_fake_state(L->slack);
    char *id = NULL;
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(st, "users")) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(u, "profile");
        const cJSON *em = p ? cJSON_GetObjectItemCaseSensitive(p, "email") : NULL;
        if (!id && cJSON_IsString(em) && hy_strcaseeq(em->valuestring, email))
            id = xstrdup(cJSON_GetObjectItemCaseSensitive(u, "id")->valuestring);
    }
    cJSON_Delete(st);
    if (!id) fail_msg("Slack has no user %s", email);
    return id;
}

/* Requests that change something (not GET) a fake has seen. */
static int writes(t_fake *fk)
{
    cJSON *log = t_fake_get(fk, "/_fake/requests");
    int n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, log) {
        const char *m = cJSON_GetObjectItemCaseSensitive(r, "method")->valuestring;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "path");
        const char *path = cJSON_IsString(p) ? p->valuestring : "";
        if (strcmp(m, "GET") == 0) continue;
        /* Slack's reads are POSTs too; Graph's token requests change nothing */
        if (fk == L->slack && !strstr(path, "update") && !strstr(path, "disable") && !strstr(path, "enable") &&
            !strstr(path, "create"))
            continue;
        if (fk == L->graph && strstr(path, "/token")) continue;
        n++;
    }
    cJSON_Delete(log);
    return n;
}

static int all_writes(void) { return writes(L->mb) + writes(L->graph) + writes(L->slack); }

/* Onboard two users live, revoke one: that user's Metabase membership gone
 * and account deactivated, their Teams membership gone, the Slack group
 * holding exactly the other; their grants all revoked, the other's not. */
static void revoking_one_of_two_live(void **s)
{
    fx *f = *s;
    t_partner(f->e, &f->admin, "Live Revoke Co", "lr", f->org, f->pexec);
    drain_through_retries(f, 5);
    expect_exec(f, f->pexec, "completed");
    char *ann = onboard(f, "Ann", "ann@revoke.test"), *bob = onboard(f, "Bob", "bob@revoke.test");
    char *mbg = group_of(f, "metabase"), *slg = group_of(f, "slack");
    long gid = atol(mbg);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_at IS NULL", "t", ann), 4);
    int64_t bob_grants = t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_at IS NULL", "t", bob);
    assert_true(bob_grants >= 4);

    char id[HY_UUID_LEN];
    revoke_done(f, "ann@revoke.test", id);

    cJSON *mb = t_fake_state(L->mb);
    bool ann_active = true, bob_active = false;
    long ann_mb = mb_user(mb, "ann@revoke.test", &ann_active), bob_mb = mb_user(mb, "bob@revoke.test", &bob_active);
    assert_true(ann_mb > 0);
    assert_int_equal(t_mb_memberships(mb, ann_mb, gid), 0);
    assert_false(ann_active);
    assert_int_equal(t_mb_memberships(mb, bob_mb, gid), 1);
    assert_true(bob_active);
    cJSON_Delete(mb);
    assert_int_equal(t_team_members_with(L, "ann@revoke.test"), 0);
    assert_int_equal(t_team_members_with(L, "bob@revoke.test"), 1);
    bool disabled = true;
    char *members = slack_group_state(slg, &disabled), *bob_slack = slack_id("bob@revoke.test");
    assert_string_equal(members, bob_slack);
    assert_false(disabled);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_at IS NULL", "t", ann), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_at IS NULL", "t", bob),
                     bob_grants);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE id = ? AND offboarded_at IS NOT NULL", "t", ann), 1);
    /* what each service answered is on the steps */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND "
                                   "step_order IN (3, 4, 5) AND json_array_length(calls) > 0", "t", id), 3);
    free(members);
    free(bob_slack);

    /* again: nothing more at the services, and it completes */
    int before = all_writes();
    char again[HY_UUID_LEN];
    revoke_done(f, "ann@revoke.test", again);
    assert_int_equal(all_writes(), before);
    /* re-running every step of the first one: nothing more either */
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_rerun(f->e->c, &f->admin, id, "remove_from_metabase_group", &err) != 0) fail_msg("rerun: %s", err.msg);
    drain_through_retries(f, 5);
    char *st = t_exec_status(f->e, id);
    if (strcmp(st, "awaiting_input") == 0) t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    free(st);
    drain_through_retries(f, 5);
    expect_exec(f, id, "completed");
    assert_int_equal(all_writes(), before);
    members = slack_group_state(slg, NULL);
    bob_slack = slack_id("bob@revoke.test");
    assert_string_equal(members, bob_slack);
    free(members);
    free(bob_slack);

    /* bob, the Slack group's last member: the group is disabled (Slack
     * refuses an empty list) and keeps him listed */
    char bob_rev[HY_UUID_LEN];
    revoke_done(f, "bob@revoke.test", bob_rev);
    disabled = false;
    members = slack_group_state(slg, &disabled);
    assert_true(disabled);
    free(members);
    EXPECT_TEXT(f->e, "1", "SELECT json_extract(output, '$.slack_group_disabled') FROM workflow_step_executions "
                           "WHERE execution_id = ? AND step_order = 5", bob_rev);
    /* ann onboarded again: reactivated in Metabase, a member again, the
     * Slack group enabled again holding only her, no longer offboarded */
    free(onboard(f, "Ann", "ann@revoke.test"));
    mb = t_fake_state(L->mb);
    ann_active = false;
    assert_int_equal(mb_user(mb, "ann@revoke.test", &ann_active), ann_mb); /* the same account */
    assert_true(ann_active);
    assert_int_equal(t_mb_memberships(mb, ann_mb, gid), 1);
    cJSON_Delete(mb);
    assert_int_equal(t_team_members_with(L, "ann@revoke.test"), 1);
    disabled = true;
    members = slack_group_state(slg, &disabled);
    char *ann_slack = slack_id("ann@revoke.test");
    assert_false(disabled);
    assert_string_equal(members, ann_slack);
    free(members);
    free(ann_slack);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE id = ? AND offboarded_at IS NULL", "t", ann), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE user_id = ? AND revoked_at IS NULL", "t", ann), 4);
    free(mbg);
    free(slg);
    free(ann);
    free(bob);
}

static char *db_file(t_env *e)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    return path;
}

/* A runner killed in the middle of the Metabase step (the service does not
 * answer the membership's removal; the forked runner is killed): once its
 * lease runs out another runner takes the step over, and the end is the
 * same as without the kill. */
static void a_runner_killed_mid_step(void **s)
{
    fx *f = *s;
    t_partner(f->e, &f->admin, "Killed Runner Co", "kr", f->org, f->pexec);
    drain_through_retries(f, 5);
    char *cy = onboard(f, "Cy", "cy@killed.test"), *di = onboard(f, "Di", "di@killed.test");
    char *mbg = group_of(f, "metabase");
    t_fake_fault(L->mb, "{\"method\": \"DELETE\", \"path\": \"^/api/permissions/membership/\", \"kind\": \"hang\", "
                        "\"seconds\": 20}");
    char id[HY_UUID_LEN];
    start_revoke(f, "cy@killed.test", id);
    int base = writes(L->mb);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        hy_app *app = t_live_open_app(L, db_file(f->e), 3000);
        _exit(app ? t_worker_until_idle(app, 1000) : 2);
    }
    for (int i = 0; i < 300 && writes(L->mb) == base; i++) {
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    assert_true(writes(L->mb) > base);
    char *owner = t_text(f->e, "SELECT status || ' ' || lease_owner FROM workflow_step_executions WHERE execution_id = ? "
                               "AND step_order = 3", id);
    char expect[64];
    snprintf(expect, sizeof expect, ":%d:", (int)pid);
    assert_non_null(strstr(owner, "running "));
    assert_non_null(strstr(owner, expect));
    free(owner);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    hy_app *app = t_live_open_app(L, db_file(f->e), 3000);
    assert_non_null(app);
    assert_int_equal(t_worker_until_idle(app, 1000), 0);
    expect_exec(f, id, "awaiting_input");
    t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    assert_int_equal(t_worker_until_idle(app, 1000), 0);
    app_close(app);
    expect_exec(f, id, "completed");
    if (t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.reclaim'", "t", id) != 1) {
        char *a = t_text(f->e, "SELECT group_concat(action, ' ') FROM audit_log WHERE target_id = ?", id);
        char *st = t_text(f->e, "SELECT group_concat(step_order || ':' || attempts || ':' || coalesce(attempt_log, ''), ' | ') FROM workflow_step_executions WHERE execution_id = ?", id);
        fail_msg("no reclaim: %s // %s", a, st);
    }
    cJSON *mb = t_fake_state(L->mb);
    bool active = true;
    long cy_mb = mb_user(mb, "cy@killed.test", &active), di_mb = mb_user(mb, "di@killed.test", NULL);
    assert_int_equal(t_mb_memberships(mb, cy_mb, atol(mbg)), 0);
    assert_false(active);
    assert_int_equal(t_mb_memberships(mb, di_mb, atol(mbg)), 1);
    cJSON_Delete(mb);
    assert_int_equal(t_team_members_with(L, "cy@killed.test"), 0);
    assert_int_equal(t_team_members_with(L, "di@killed.test"), 1);
    free(mbg);
    free(cy);
    free(di);
}

/* An organisation of three offboarded through transient faults: every child
 * completed, the Slack group disabled, the channel archived, the group's data
 * access removed, the collection archived, the group deleted. */
static void offboarding_three_through_faults(void **s)
{
    fx *f = *s;
    t_partner(f->e, &f->admin, "Offboard Live Co", "ol", f->org, f->pexec);
    drain_through_retries(f, 5);
    char *u[3] = {onboard(f, "Al", "al@off.test"), onboard(f, "Bo", "bo@off.test"), onboard(f, "Ce", "ce@off.test")};
    char *mbg = group_of(f, "metabase"), *slg = group_of(f, "slack"), *chan = group_of(f, "teams");
    char *col = t_text(f->e, "SELECT metabase_collection_id FROM organization_integrations WHERE organization_id = ?", f->org);
    long gid = atol(mbg);

    t_fake_fault(L->mb, "{\"method\": \"DELETE\", \"path\": \"^/api/permissions/membership\", \"kind\": \"status\", "
                        "\"status\": 503}");
    t_fake_fault(L->graph, "{\"method\": \"POST\", \"path\": \"/archive$\", \"kind\": \"status\", \"status\": 429, "
                           "\"headers\": {\"Retry-After\": \"3\"}}");
    t_fake_fault(L->slack, "{\"path\": \"usergroups.disable\", \"kind\": \"close\", \"count\": 2}");
    t_fake_fault(L->mb, "{\"method\": \"PUT\", \"path\": \"^/api/permissions/graph\", \"kind\": \"status\", \"status\": 503}");

    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "organization_id", f->org);
    cJSON_AddStringToObject(in, "reason", "the partnership ended");
    hy_exec_start st = {.workflow = "offboard_partner", .input = in};
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    if (ops_exec_start_ex(f->e->c, &f->admin, &st, id, &err) != 0) fail_msg("offboard: %s", err.msg);
    cJSON_Delete(in);
    drain_through_retries(f, 20);
    expect_exec(f, id, "awaiting_input"); /* keycloak_removal */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE child_of = ? AND status = 'completed'",
                             "t", id), 3);
    t_submit_ok(f->e, &f->admin, id, "keycloak_removal", "keycloak_removed=yes", NULL);
    t_submit_ok(f->e, &f->admin, id, "lms_removal", "lms_removed=yes", NULL);
    drain_through_retries(f, 5);
    expect_exec(f, id, "completed");
    /* the faults happened and were retried */
    assert_true(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE attempts > 1 AND (execution_id = ? "
                              "OR execution_id IN (SELECT id FROM workflow_executions WHERE child_of = ?))",
                        "tt", id, id) >= 3);

    bool disabled = false;
    char *members = slack_group_state(slg, &disabled);
    assert_true(disabled);
    free(members);
    /* Graph archives asynchronously: wait for the channel to show it */
    bool archived = false;
    for (int i = 0; i < 60 && !archived; i++) {
        cJSON *gs = t_fake_state(L->graph);
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(gs, "channels"), "team-1"))
            if (hy_streq(cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring, chan))
                archived = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "isArchived"));
        cJSON_Delete(gs);
        if (!archived) {
            struct timespec ts = {0, 50 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(archived);
    cJSON *mb = t_fake_state(L->mb);
    for (long db = 1; db <= 2; db++) {
        const cJSON *e = t_mb_graph_entry(mb, gid, db);
        if (e) { /* data access removed: no query creation */
            const cJSON *cq = cJSON_GetObjectItemCaseSensitive(e, "create-queries");
            assert_true(cJSON_IsString(cq) && hy_streq(cq->valuestring, "no"));
        }
    }
    const cJSON *c;
    bool col_archived = false, group_left = false;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(mb, "collections"))
        if ((long)cJSON_GetObjectItemCaseSensitive(c, "id")->valuedouble == atol(col))
            col_archived = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "archived"));
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(mb, "groups"))
        if ((long)cJSON_GetObjectItemCaseSensitive(c, "id")->valuedouble == gid) group_left = true;
    assert_true(col_archived);
    assert_false(group_left);
    for (int i = 0; i < 3; i++) {
        char *email = t_text(f->e, "SELECT email FROM users WHERE id = ?", u[i]);
        bool active = true;
        assert_true(mb_user(mb, email, &active) > 0);
        assert_false(active);
        assert_int_equal(t_team_members_with(L, email), 0);
        free(email);
        free(u[i]);
    }
    cJSON_Delete(mb);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM organizations WHERE id = ? AND offboarded_at IS NOT NULL", "t",
                             f->org), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants g JOIN users u ON u.id = g.user_id "
                                   "WHERE u.organization_id = ? AND g.revoked_at IS NULL", "t", f->org), 0);
    free(mbg);
    free(slg);
    free(chan);
    free(col);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(revoking_one_of_two_live, setup, teardown),
        cmocka_unit_test_setup_teardown(a_runner_killed_mid_step, setup, teardown),
        cmocka_unit_test_setup_teardown(offboarding_three_through_faults, setup, teardown),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
