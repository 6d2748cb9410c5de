/* DESIGN.md invariant 8: the cost of a step does not grow with history,
 * because every lookup the engine makes is served by an index. Every
 * statement a connection prepares while both workflows run (local steps
 * run by the inputs, and by a runner), a live step is claimed, operator
 * actions are taken and the search index is written, has its query plan
 * checked: none may scan a table that grows with history. (It would have
 * caught the search index batch that scanned every execution.) */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "exec_search.h"
#include "testlib_exec.h"
#include "util.h"

typedef struct {
    char **sql;
    int n, cap;
} stmts;

static void collect(const char *sql, void *ud)
{
    stmts *s = ud;
    if (s->n == s->cap) s->sql = xrealloc(s->sql, (size_t)(s->cap = s->cap ? s->cap * 2 : 64) * sizeof *s->sql);
    s->sql[s->n++] = xstrdup(sql);
}

/* Tables (or the aliases the engine gives them) that stay small whatever
 * the history: definitions, the six resources, the counts per status, the
 * few executions waiting to be indexed, and table-valued functions. */
static bool small(const char *name)
{
    static const char *const ok[] = {"workflow_definitions", "wd", "workflow_step_definitions", "resources",
                                     "exec_counts", "exec_search_pending", "p", "json_each", "CONSTANT", NULL};
    for (int i = 0; ok[i]; i++)
        if (strcmp(name, ok[i]) == 0) return true;
    return false;
}

static void every_engine_statement_uses_an_index(void **state)
{
    (void)state;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN];
    t_partner(e, &admin, "Plans AG", "st-pl", org, pexec);
    /* a second connection, so that every statement is prepared (and seen) */
    char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    t_env e2 = {.app = t_open_app(path)};
    e2.c = &e2.app->ctx;
    snprintf(e2.dir, sizeof e2.dir, "%s", e->dir);
    stmts seen = {0};
    db_on_prepare(e2.c->db, collect, &seen);
    hy_err err;
    hy_err_clear(&err);

    char a[HY_UUID_LEN], b[HY_UUID_LEN], c[HY_UUID_LEN], np[HY_UUID_LEN];
    /* new_partner_user: local steps run by the input */
    t_start_user(&e2, &admin, org, a);
    t_submit_ok(&e2, &admin, a, "input_user_details", "firstname=P", "lastname=Lan", "email=p1@plans.example", NULL);
    /* ... and by a runner, with a live step claimed under a lease */
    e2.app->cfg->engine.inline_local_steps = false;
    e2.app->cfg->slack.mode = HY_MODE_LIVE;
    t_start_user(&e2, &admin, org, b);
    t_submit_ok(&e2, &admin, b, "input_user_details", "firstname=P", "lastname=Lan", "email=p2@plans.example", NULL);
    t_drain(&e2);
    e2.app->cfg->slack.mode = HY_MODE_SIMULATE;
    assert_int_equal(ops_exec_retry(e2.c, &admin, b, &err), 0);
    t_drain(&e2);
    e2.app->cfg->engine.inline_local_steps = true;
    /* failures and operator actions */
    e2.app->cfg->teams.mode = HY_MODE_OFF;
    t_start_user(&e2, &admin, org, c);
    t_submit_ok(&e2, &admin, c, "input_user_details", "firstname=P", "lastname=Lan", "email=p3@plans.example", NULL);
    e2.app->cfg->teams.mode = HY_MODE_SIMULATE;
    assert_int_equal(ops_exec_skip(e2.c, &admin, c, "5", "not needed", &err), 0);
    assert_int_equal(ops_exec_rerun(e2.c, &admin, c, "3", &err), 0);
    char d[HY_UUID_LEN];
    t_start_user(&e2, &admin, org, d);
    assert_int_equal(ops_exec_cancel(e2.c, &admin, d, &err), 0);
    /* new_partner */
    assert_int_equal(ops_exec_start(e2.c, &admin, "new_partner", NULL, np, &err), 0);
    t_submit_ok(&e2, &admin, np, "1", "organization_name=Plans Two", "studio_company_id_test=pl2-t",
                "studio_company_id_prod=pl2-p", NULL);
    t_submit_ok(&e2, &admin, np, "2", "keycloak_cluster=prod-eu", "keycloak_confirmed=yes", NULL);
    t_submit_ok(&e2, &admin, np, "lms_setup", "lms_confirmed=yes", NULL);
    /* one execution's detail and form, as the console asks */
    hy_exec_detail det;
    assert_int_equal(ops_exec_show(e2.c, &admin, a, &det, &err), 0);
    hy_exec_detail_free(&det);
    /* the search index written */
    assert_int_equal(db_begin(e2.c->db, &err), 0);
    assert_int_equal(exec_search_flush(e2.c, true, &err), 0);
    assert_int_equal(db_commit(e2.c->db, &err), 0);
    db_on_prepare(e2.c->db, NULL, NULL);
    char *st = t_exec_status(&e2, np);
    assert_string_equal(st, "completed");
    free(st);

    assert_true(seen.n > 40);
    int bad = 0;
    for (int i = 0; i < seen.n; i++) {
        char *plan = db_query_plan(e2.c->db, seen.sql[i]);
        if (!plan) continue; /* (a statement of its own that EXPLAIN cannot wrap, e.g. SAVEPOINT) */
        for (char *line = strtok(plan, "\n"); line; line = strtok(NULL, "\n")) {
            const char *s = strstr(line, "SCAN ");
            if (!s) continue;
            char name[64] = "";
            sscanf(s + 5, "%63s", name);
            if (small(name)) continue;
            fprintf(stderr, "# scans %s: %s\n#   %.300s\n", name, line, seen.sql[i]);
            bad++;
        }
        free(plan);
        free(seen.sql[i]);
    }
    free(seen.sql);
    assert_int_equal(bad, 0);
    app_close(e2.app);
    t_env_free(e);
}

/* An execution's (or a user's) audit trail, asked by its whole id, is read
 * through idx_audit_target, not by walking the whole trail; a prefix still
 * finds the same rows. */
static void a_targets_trail_is_read_through_its_index(void **state)
{
    (void)state;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN], a[HY_UUID_LEN];
    t_partner(e, &admin, "Trail AG", "st-tr", org, pexec);
    t_start_user(e, &admin, org, a);
    t_submit_ok(e, &admin, a, "input_user_details", "firstname=T", "lastname=R", "email=t@trail.example", NULL);
    t_drain(e);
    int64_t want = t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ?", "t", a);
    assert_true(want >= 3);

    stmts seen = {0};
    db_on_prepare(e->c->db, collect, &seen);
    hy_audit_filter f = {.target = a, .limit = 1000};
    hy_audit_list whole, prefix;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(audit_query(e->c, &f, &whole, &err), 0);
    db_on_prepare(e->c->db, NULL, NULL);
    char pre[9];
    hy_strlcpy(pre, a, sizeof pre);
    f.target = pre;
    assert_int_equal(audit_query(e->c, &f, &prefix, &err), 0);
    assert_int_equal(whole.count, want);
    assert_int_equal(prefix.count, want);
    for (int i = 0; i < whole.count; i++) {
        assert_string_equal(whole.items[i].target_id, a);
        assert_int_equal(whole.items[i].id, prefix.items[i].id);
        if (i) assert_true(whole.items[i].id < whole.items[i - 1].id); /* newest first */
    }
    assert_int_equal(seen.n, 1);
    char *plan = db_query_plan(e->c->db, seen.sql[0]);
    assert_non_null(plan);
    if (!strstr(plan, "USING COVERING INDEX idx_audit_target") && !strstr(plan, "USING INDEX idx_audit_target"))
        fail_msg("the whole-id query does not use idx_audit_target:\n%s", plan);
    assert_null(strstr(plan, "SCAN audit_log"));
    free(plan);
    free(seen.sql[0]);
    free(seen.sql);
    hy_audit_list_free(&whole);
    hy_audit_list_free(&prefix);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_engine_statement_uses_an_index),
        cmocka_unit_test(a_targets_trail_is_read_through_its_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
