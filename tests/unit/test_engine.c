/* The engine's durability rules in one process: transient errors retried
 * with backoff (Retry-After honoured) up to the limit, permanent ones failing
 * at once, calls and checkpoints kept, leases taken over when they expire
 * and renewed while a call is slow, integration modes, the runner thread. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    t_assert_counts_consistent(f->e);
    hy_clock_set_offset_ms(0);
    engine_test_set_fault(NULL, NULL);
    t_env_free(f->e);
    free(f);
    return 0;
}

static int64_t step_int(fx *f, const char *id, int order, const char *col)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT coalesce(%s, -1) FROM workflow_step_executions WHERE execution_id = ? AND step_order = %d",
             col, order);
    return t_count(f->e, sql, "t", id);
}

static void expect(fx *f, const char *id, const char *exec_status, const char *step1_status)
{
    char *a = t_exec_status(f->e, id), *b = t_step_status(f->e, id, 1);
    if (strcmp(a, exec_status) || strcmp(b, step1_status))
        fail_msg("execution %s / step 1 %s; expected %s / %s", a, b, exec_status, step1_status);
    free(a);
    free(b);
}

static void transient_retried_then_succeeds(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts.mode = TS_TRANSIENT;
    ts.transient_left = 2;
    ts_start(f->e, &f->admin, id);
    int64_t t0 = hy_now_ms();
    t_drain(f->e);
    expect(f, id, "running", "pending");
    assert_int_equal(step_int(f, id, 1, "attempts"), 1);
    int64_t next = step_int(f, id, 1, "next_attempt_at");
    assert_true(next - t0 >= 1000 && next - hy_now_ms() <= 1500); /* 1 s + jitter */
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", id);
    assert_string_equal(e, "service unavailable (503)");
    free(e);
    t_drain(f->e); /* not due yet: nothing runs */
    assert_int_equal(ts_lines("runs.log"), 1);
    hy_clock_set_offset_ms(1600);
    int64_t t1 = hy_now_ms();
    t_drain(f->e);
    assert_int_equal(step_int(f, id, 1, "attempts"), 2);
    next = step_int(f, id, 1, "next_attempt_at");
    assert_true(next - t1 >= 2000 && next - hy_now_ms() <= 3000); /* doubled */
    hy_clock_set_offset_ms(1600 + 3100);
    t_drain(f->e);
    expect(f, id, "completed", "completed");
    assert_int_equal(step_int(f, id, 1, "attempts"), 3);
    assert_int_equal(ts_lines("runs.log"), 3);
    /* every attempt kept: time, error, duration */
    assert_int_equal(t_count(f->e, "SELECT json_array_length(attempt_log) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", "t", id), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions, json_each(attempt_log) j WHERE execution_id = ? AND step_order = 1 AND json_extract(j.value, '$.transient') = 1 AND json_extract(j.value, '$.error') IS NOT NULL AND json_extract(j.value, '$.duration_ms') >= 0", "t", id), 2);
    /* and every call */
    assert_int_equal(t_count(f->e, "SELECT json_array_length(calls) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", "t", id), 3);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.retry'", "t", id), 2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM test_effects WHERE exec_id = ?", "t", id), 1);
    assert_int_equal(ts_lines("creations.log"), 1);
}

static void retry_after_is_honoured(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts.mode = TS_TRANSIENT;
    ts.transient_left = 1;
    ts.retry_after = 30;
    ts_start(f->e, &f->admin, id);
    t_drain(f->e);
    int64_t next = step_int(f, id, 1, "next_attempt_at");
    assert_true(next - hy_now_ms() >= 29000);
    hy_clock_set_offset_ms(20000);
    t_drain(f->e);
    assert_int_equal(ts_lines("runs.log"), 1); /* still waiting */
    hy_clock_set_offset_ms(31000);
    t_drain(f->e);
    expect(f, id, "completed", "completed");
}

static void transient_gives_up_at_the_limit(void **state)
{
    fx *f = *state;
    f->e->app->cfg->http.max_attempts = 3;
    char id[HY_UUID_LEN];
    ts.mode = TS_TRANSIENT;
    ts.transient_left = 100;
    ts_start(f->e, &f->admin, id);
    for (int i = 0; i < 5; i++) {
        t_drain(f->e);
        hy_clock_set_offset_ms((i + 1) * 600000);
    }
    expect(f, id, "failed", "failed");
    assert_int_equal(ts_lines("runs.log"), 3);
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", id);
    assert_string_equal(e, "gave up after 3 attempts: service unavailable (503)");
    free(e);
}

static void permanent_fails_at_once(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts.mode = TS_PERMANENT;
    ts.permanent_left = 1;
    ts_start(f->e, &f->admin, id);
    t_drain(f->e);
    expect(f, id, "failed", "failed");
    assert_int_equal(step_int(f, id, 1, "attempts"), 1);
    assert_int_equal(step_int(f, id, 1, "next_attempt_at"), -1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND next_run_at IS NULL", "t", id), 1);
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", id);
    assert_string_equal(e, "the service refused (400): bad request");
    free(e);
    hy_clock_set_offset_ms(3600000);
    t_drain(f->e);
    assert_int_equal(ts_lines("runs.log"), 1); /* never retried by itself */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.start'", "t", id), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.fail'", "t", id), 1);
}

static int fail_local_once(const char *wf, const char *step, int attempt, hy_err *err, void *ud)
{
    (void)wf;
    int *calls = ud;
    if (strcmp(step, "local_work") != 0) return 0;
    (*calls)++;
    if (attempt == 1) return hy_fail(err, HY_ERR_TRANSIENT, "injected: database of the service restarting");
    return 0;
}

static void local_step_transient_via_fault_injection(void **state)
{
    fx *f = *state;
    int calls = 0;
    engine_test_set_fault(fail_local_once, &calls);
    char id[HY_UUID_LEN];
    ts_start(f->e, &f->admin, id);
    t_drain(f->e);
    char *st = t_step_status(f->e, id, 2);
    assert_string_equal(st, "pending");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM test_effects", ""), 0); /* no effect of a failed attempt */
    hy_clock_set_offset_ms(2000);
    t_drain(f->e);
    expect(f, id, "completed", "completed");
    assert_int_equal(calls, 2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM test_effects", ""), 1);
}

static void checkpoint_prevents_a_second_send(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts.checkpoint = true;
    ts_start(f->e, &f->admin, id);
    t_drain(f->e); /* sends, saves the checkpoint, then fails transiently */
    assert_int_equal(ts.sends, 1);
    hy_clock_set_offset_ms(2000);
    t_drain(f->e);
    expect(f, id, "completed", "completed");
    assert_int_equal(ts.sends, 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1 AND json_extract(output, '$.resumed') = 1", "t", id), 1);
    /* the checkpoint survives a re-run: what cannot be checked remotely is not done twice */
    hy_err err;
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "1", &err), 0);
    t_drain(f->e);
    expect(f, id, "completed", "completed");
    assert_int_equal(ts.sends, 1);
}

static void expired_lease_is_taken_over(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts_start(f->e, &f->admin, id);
    hy_err err;
    hy_err_clear(&err);
    int64_t now = hy_now_ms();
    /* another runner holds it with a live lease: left alone */
    db_exec(f->e->c->db, &err, "UPDATE workflow_step_executions SET status = 'running', attempts = 1, lease_owner = 'otherhost:99:99', lease_expires_at = ? WHERE execution_id = ? AND step_order = 1", "It", now + 5000, id);
    db_exec(f->e->c->db, &err, "UPDATE workflow_executions SET status = 'running', next_run_at = ? WHERE id = ?", "It", now - 10, id);
    t_recount(f->e);
    t_drain(f->e);
    expect(f, id, "running", "running");
    assert_int_equal(t_count(f->e, "SELECT next_run_at FROM workflow_executions WHERE id = ?", "t", id) - now, 5000);
    assert_int_equal(ts_lines("runs.log"), 0);
    /* the lease runs out: the next runner takes over */
    hy_clock_set_offset_ms(6000);
    t_drain(f->e);
    expect(f, id, "completed", "completed");
    assert_int_equal(ts_lines("runs.log"), 1);
    assert_int_equal(step_int(f, id, 1, "attempts"), 2);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.reclaim' AND json_extract(details, '$.previous_runner') = 'otherhost:99:99'", "t", id), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_step_executions, json_each(attempt_log) j WHERE execution_id = ? AND step_order = 1 AND json_extract(j.value, '$.lost') = 1", "t", id), 1);
    /* a step whose runner keeps dying is failed, not retried forever */
    char id2[HY_UUID_LEN];
    ts_start(f->e, &f->admin, id2);
    now = hy_now_ms();
    db_exec(f->e->c->db, &err, "UPDATE workflow_step_executions SET status = 'running', attempts = 5, lease_owner = 'dead:1:1', lease_expires_at = ? WHERE execution_id = ? AND step_order = 1", "It", now - 1, id2);
    t_drain(f->e);
    expect(f, id2, "failed", "failed");
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", id2);
    assert_non_null(strstr(e, "the runner stopped 5 times"));
    free(e);
}

static void slow_call_keeps_its_lease(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts.sleep_ms = 900;
    ts_start(f->e, &f->admin, id);
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    hy_engine_opts o = {.lease_ms = 300};
    engine_open(f->e->c, &o, &eng, &err);
    assert_int_equal(engine_drain(eng, NULL, &err), 0);
    engine_close(eng);
    assert_true(ts.saw_renewed_lease); /* 900 ms into a 300 ms lease, still ours */
    expect(f, id, "completed", "completed");
    assert_int_equal(step_int(f, id, 1, "attempts"), 1);
}

static void integration_modes(void **state)
{
    fx *f = *state;
    hy_err err;
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN], id[HY_UUID_LEN];
    f->e->app->cfg->metabase.mode = HY_MODE_OFF;
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, id, &err), 0);
    t_submit_ok(f->e, &f->admin, id, "1", "organization_name=Off Co", "studio_company_id_test=o-t", "studio_company_id_prod=o-p", NULL);
    t_submit_ok(f->e, &f->admin, id, "2", "keycloak_cluster=prod-eu", "keycloak_confirmed=yes", NULL);
    t_drain(f->e);
    char *e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 3", id);
    assert_string_equal(e, "Metabase is not configured (set [metabase] url and api_key, or [metabase] mode = simulate to go on without it)");
    free(e);
    assert_int_equal(step_int(f, id, 3, "attempts"), 1);
    /* live: claimed, run outside a transaction, recorded; the live client
     * without its settings fails at once (a config error is not retried) */
    f->e->app->cfg->metabase.mode = HY_MODE_LIVE;
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id, &err), 0);
    t_drain(f->e);
    e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 3", id);
    assert_string_equal(e, "Metabase is not configured (set [metabase] url and api_key)");
    free(e);
    assert_int_equal(step_int(f, id, 3, "attempts"), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.start'", "t", id), 1);
    /* teams off in the user workflow */
    f->e->app->cfg->metabase.mode = HY_MODE_SIMULATE;
    t_partner(f->e, &f->admin, "On Co", "on", org, pexec);
    f->e->app->cfg->teams.mode = HY_MODE_OFF;
    t_start_user(f->e, &f->admin, org, id);
    t_submit_ok(f->e, &f->admin, id, "2", "firstname=A", "lastname=B", "email=a@on.example", NULL);
    t_drain(f->e);
    char *st = t_step_status(f->e, id, 5);
    assert_string_equal(st, "failed");
    free(st);
    e = t_text(f->e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 5", id);
    assert_non_null(strstr(e, "Microsoft Teams is not configured"));
    free(e);
    (void)pexec;
}

static int cancel_during_run(const char *wf, const char *step, int attempt, hy_err *err, void *ud)
{
    (void)wf; (void)attempt; (void)err;
    if (strcmp(step, "ext_call") != 0) return 0;
    t_env *e = ud;
    hy_principal sys;
    principal_system(&sys);
    hy_err e2;
    hy_err_clear(&e2);
    char *id = t_text(e, "SELECT execution_id FROM workflow_step_executions WHERE status = 'running'", NULL);
    if (db_begin(e->c->db, &e2) == 0) {
        if (engine_cancel(e->c, &sys, id, &e2) == 0) db_commit(e->c->db, &e2);
        else db_rollback(e->c->db);
    }
    free(id);
    return 0;
}

static void cancelled_while_running(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    ts_start(f->e, &f->admin, id);
    engine_test_set_fault(cancel_during_run, f->e);
    t_drain(f->e);
    /* the call happened: its result is kept, nothing runs after it */
    expect(f, id, "cancelled", "completed");
    char *st = t_step_status(f->e, id, 2);
    assert_string_equal(st, "cancelled");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND next_run_at IS NULL", "t", id), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM test_effects", ""), 0);
}

static void runner_thread_advances_work(void **state)
{
    fx *f = *state;
    /* the runner's path: local steps are not run by the inputs themselves */
    f->e->app->cfg->engine.inline_local_steps = false;
    hy_runner *r;
    hy_err err;
    hy_err_clear(&err);
    hy_runner_opts o = {.poll_ms = 50};
    assert_int_equal(runner_start(f->e->app, &o, &r, &err), 0);
    char id[HY_UUID_LEN], org[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(f->e->c, &f->admin, "new_partner", NULL, id, &err), 0);
    t_submit_ok(f->e, &f->admin, id, "1", "organization_name=Runner Co", "studio_company_id_test=r-t", "studio_company_id_prod=r-p", NULL);
    t_submit_ok(f->e, &f->admin, id, "2", "keycloak_cluster=prod-eu", "keycloak_confirmed=yes", NULL);
    runner_kick(r);
    int64_t deadline = hy_mono_ms() + 10000;
    char *st = NULL;
    for (;;) {
        free(st);
        st = t_exec_status(f->e, id);
        if (strcmp(st, "awaiting_input") == 0 || hy_mono_ms() > deadline) break;
        usleep(20000);
    }
    assert_string_equal(st, "awaiting_input");
    free(st);
    hy_runner_status rs;
    do { /* the thread publishes its counts once its drain returns */
        runner_get_status(r, &rs);
        if (rs.engine.steps_completed < 5) usleep(10000);
    } while (rs.engine.steps_completed < 5 && hy_mono_ms() < deadline);
    assert_int_equal(rs.engine.steps_completed, 5);
    assert_string_equal(rs.last_error, "");
    runner_stop(r);
    (void)org;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(transient_retried_then_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(retry_after_is_honoured, setup, teardown),
        cmocka_unit_test_setup_teardown(transient_gives_up_at_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(permanent_fails_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(local_step_transient_via_fault_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(checkpoint_prevents_a_second_send, setup, teardown),
        cmocka_unit_test_setup_teardown(expired_lease_is_taken_over, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_call_keeps_its_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(integration_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(cancelled_while_running, setup, teardown),
        cmocka_unit_test_setup_teardown(runner_thread_advances_work, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
