/* The engine under database errors (issue 10, item 3): a statement that
 * fails once anywhere in a runner's transactions (claim, the call's
 * record, local steps, commits) leaves no transaction open on the runner's
 * connection, and the same runner goes on once the error has cleared. The
 * failures are injected with db_test_fail (a full disk, as SQLite says it). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "testlib_exec.h"
#include "testlib_steps.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin;
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    ts_register(f->e);
    hy_clock_set_offset_ms(0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    db_test_fail(NULL, 0);
    hy_clock_set_offset_ms(0);
    t_assert_counts_consistent(f->e);
    t_env_free(f->e);
    free(f);
    return 0;
}

static void expect_completed(fx *f, const char *id, const char *what)
{
    char *a = t_exec_status(f->e, id);
    if (strcmp(a, "completed") != 0) fail_msg("%s: execution %s, expected completed", what, a);
    free(a);
}

/* The failure the issue measured: the claim UPDATE fails once; before the
 * fix every later tick said "nested transaction (a bug)". */
static void a_failed_claim_does_not_stick_the_runner(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts_start(f->e, &f->admin, id);
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    engine_open(f->e->c, NULL, &eng, &err);
    db_test_fail("UPDATE workflow_step_executions SET status = 'running'", 1);
    bool worked = false;
    assert_int_not_equal(engine_tick(eng, &worked, &err), 0);
    assert_non_null(strstr(err.msg, "database or disk is full"));
    assert_false(db_in_tx(f->e->c->db));
    assert_int_equal(db_test_fail_left(), 0);
    /* the error has cleared: the same runner goes on (the execution was
     * parked for a few seconds so that a lasting error does not spin) */
    hy_clock_set_offset_ms(10000);
    for (int i = 0; i < 5; i++) {
        hy_err_clear(&err);
        if (engine_drain(eng, NULL, &err) != 0) fail_msg("tick %d after the error: %s", i, err.msg);
    }
    engine_close(eng);
    expect_completed(f, id, "after a failed claim");
    assert_int_equal(ts_lines("runs.log"), 1);
}

/* Every statement of a runner's cycle, failing once, twice or three times
 * in a row: never a transaction left open, and the work completes. */
static void every_failure_point_leaves_no_transaction_open(void **state)
{
    fx *f = *state;
    static const char *const points[] = {
        "BEGIN IMMEDIATE",
        "COMMIT",
        "SELECT id FROM workflow_executions WHERE next_run_at",      /* find_runnable */
        "SELECT status, attempts, lease_owner",                      /* the step row */
        "UPDATE workflow_step_executions SET status = 'running'",    /* the claim */
        "UPDATE workflow_executions SET status = 'running'",
        "INSERT INTO audit_log",
        "UPDATE workflow_step_executions SET status = 'completed'",  /* a success recorded */
        "SAVEPOINT step_persist",
        "RELEASE step_persist",
        "INSERT INTO exec_counts",                                   /* a status change counted */
        "UPDATE workflow_executions SET status = 'completed'",       /* the end */
    };
    int64_t clock = 0;
    int scenarios = 0;
    for (size_t p = 0; p < sizeof points / sizeof points[0]; p++) {
        for (int times = 1; times <= 3; times++) {
            char id[HY_UUID_LEN];
            ts_start(f->e, &f->admin, id);
            hy_engine *eng;
            hy_err err;
            hy_err_clear(&err);
            engine_open(f->e->c, NULL, &eng, &err);
            db_test_fail(points[p], times);
            /* Tick through the failures; each tick ends its transactions. */
            for (int tick = 0; tick < 40 && db_test_fail_left() != 0; tick++) {
                bool worked = false;
                hy_err_clear(&err);
                engine_tick(eng, &worked, &err);
                if (db_in_tx(f->e->c->db))
                    fail_msg("'%s' failing %d time(s): a transaction is still open after tick %d (%s)", points[p],
                             times, tick, err.msg);
                if (!worked) { /* parked, or a lease to wait out */
                    clock += 40000;
                    hy_clock_set_offset_ms(clock);
                }
            }
            db_test_fail(NULL, 0);
            /* Cleared: the same runner finishes the work (leases of a
             * claim whose record failed run out first). */
            for (int round = 0; round < 4; round++) {
                hy_err_clear(&err);
                if (engine_drain(eng, NULL, &err) != 0)
                    fail_msg("'%s' failing %d time(s), then cleared: %s", points[p], times, err.msg);
                clock += 40000;
                hy_clock_set_offset_ms(clock);
            }
            engine_close(eng);
            char what[160];
            snprintf(what, sizeof what, "'%s' failing %d time(s)", points[p], times);
            expect_completed(f, id, what);
            scenarios++;
        }
    }
    assert_int_equal(scenarios, 36);
    /* the remote effect happened once per execution, whatever failed */
    assert_int_equal(ts_lines("creations.log"), 36);
}

/* Local steps run inline by an operator action (engine_run_inline): a
 * database error inside them undoes them only; the action commits, nothing
 * is left open, and a runner finishes the steps. */
static void an_error_in_inline_steps_leaves_the_action_and_no_transaction(void **state)
{
    fx *f = *state;
    static const char *const points[] = {"SAVEPOINT engine_inline", "UPDATE workflow_step_executions SET status = 'completed', output",
                                         "RELEASE engine_inline", "INSERT INTO audit_log"};
    for (size_t p = 0; p < sizeof points / sizeof points[0]; p++) {
        char id[HY_UUID_LEN], name[64];
        hy_err err;
        assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, id, &err), 0);
        snprintf(name, sizeof name, "organization_name=Inline %zu", p);
        char test_id[32], prod_id[32];
        snprintf(test_id, sizeof test_id, "studio_company_id_test=in%zu-t", p);
        snprintf(prod_id, sizeof prod_id, "studio_company_id_prod=in%zu-p", p);
        t_submit_ok(f->e, &f->admin, id, "1", name, test_id, prod_id, NULL);
        db_test_fail(points[p], 1);
        int rc = t_submit(f->e, &f->admin, id, "2", &err, "keycloak_cluster=prod-eu", "keycloak_confirmed=yes", NULL);
        db_test_fail(NULL, 0);
        if (db_in_tx(f->e->c->db)) fail_msg("'%s': a transaction is left open (%s)", points[p], err.msg);
        if (rc != 0) { /* the action's own statement failed: it changed nothing; again */
            t_submit_ok(f->e, &f->admin, id, "2", "keycloak_cluster=prod-eu", "keycloak_confirmed=yes", NULL);
        }
        t_drain(f->e);
        char *st = t_exec_status(f->e, id);
        if (strcmp(st, "awaiting_input") != 0) fail_msg("'%s': execution %s, expected awaiting_input (lms_setup)", points[p], st);
        free(st);
    }
}

/* The runner thread of a terminal session: the error shows in its status,
 * it keeps going, and the status clears once a cycle goes well. */
static void the_runner_thread_survives_a_transient_error(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    hy_runner *r;
    hy_err err;
    hy_err_clear(&err);
    ts_start(f->e, &f->admin, id);
    db_test_fail("UPDATE workflow_step_executions SET status = 'running'", 1);
    hy_runner_opts o = {.poll_ms = 50};
    assert_int_equal(runner_start(f->e->app, &o, &r, &err), 0);
    runner_kick(r);
    int64_t deadline = hy_mono_ms() + 30000;
    hy_runner_status rs;
    for (;;) { /* (the next good cycle clears last_error: wait for the count) */
        runner_get_status(r, &rs);
        if (rs.errors > 0 || hy_mono_ms() > deadline) break;
        usleep(10000);
    }
    assert_int_equal(rs.errors, 1);
    assert_non_null(strstr(rs.recent_error, "database or disk is full"));
    hy_clock_set_offset_ms(10000); /* past the park of the execution */
    runner_kick(r);
    char *st = NULL;
    for (;;) {
        free(st);
        st = t_exec_status(f->e, id);
        if (strcmp(st, "completed") == 0 || hy_mono_ms() > deadline) break;
        usleep(10000);
    }
    assert_string_equal(st, "completed");
    free(st);
    do {
        runner_get_status(r, &rs);
        if (rs.last_error[0]) usleep(10000);
    } while (rs.last_error[0] && hy_mono_ms() < deadline);
    assert_string_equal(rs.last_error, "");
    runner_stop(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_failed_claim_does_not_stick_the_runner, setup, teardown),
        cmocka_unit_test_setup_teardown(every_failure_point_leaves_no_transaction_open, setup, teardown),
        cmocka_unit_test_setup_teardown(an_error_in_inline_steps_leaves_the_action_and_no_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(the_runner_thread_survives_a_transient_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
