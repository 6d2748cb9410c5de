/* Local steps run by the action that queued them ([engine]
 * inline_local_steps): the same rows and audit trail as when a runner runs
 * them, live steps always left to a runner, a database error inside them
 * undoing only them, failures recorded as a runner records them, the time
 * bound, and every operator action that queues work. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    char pexec[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Inline GmbH", "st-inl", f->org, pexec);
    hy_clock_set_offset_ms(0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    t_assert_counts_consistent(f->e);
    engine_test_set_fault(NULL, NULL);
    hy_clock_set_offset_ms(0);
    t_env_free(f->e);
    free(f);
    return 0;
}

static void input_user(fx *f, const char *id, const char *email)
{
    char kv[128];
    snprintf(kv, sizeof kv, "email=%s", email);
    t_submit_ok(f->e, &f->admin, id, "input_user_details", "firstname=In", "lastname=Line", kv, "languages=en", NULL);
}

static char *step_text(fx *f, const char *id, int order, const char *expr)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT %s FROM workflow_step_executions WHERE execution_id = ? AND step_order = %d", expr,
             order);
    return t_text(f->e, sql, id);
}

/* Fails with the step, the column and both values when they differ. */
static void assert_step(fx *f, const char *id, int order, const char *expr, const char *want)
{
    char *got = step_text(f, id, order, expr);
    if (!got || strcmp(got, want) != 0)
        fail_msg("step %d, %s: \"%s\", expected \"%s\"", order, expr, got ? got : "(null)", want);
    free(got);
}

static int64_t step_int(fx *f, const char *id, int order, const char *expr)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(%s, -1) FROM workflow_step_executions WHERE execution_id = ? AND step_order = %d", expr,
             order);
    return t_count(f->e, sql, "t", id);
}

/* Everything about an execution that does not depend on timing or random
 * ids: its row, its steps (status, attempts, attempt log length, output
 * keys, who completed them, which times are set, leases) and its audit
 * trail in order (action, who, the detail keys and step). */
static char *shape(fx *f, const char *id)
{
    return t_text(f->e,
                  "SELECT (SELECT status || '|' || current_step_order || '|' || (next_run_at IS NULL) || '|' || "
                  "(completed_at IS NOT NULL) FROM workflow_executions WHERE id = ?1) || ' // ' || "
                  "(SELECT group_concat(x, ' ; ') FROM (SELECT step_order || ':' || status || ':' || attempts || ':' || "
                  "coalesce(json_array_length(attempt_log), 0) || ':' || "
                  "coalesce((SELECT group_concat(key) FROM json_each(output)), '') || ':' || "
                  "coalesce((SELECT group_concat(key) FROM json_each(attempt_log, '$[0]')), '') || ':' || "
                  "(completed_by IS NULL) || (input_by IS NULL) || (started_at IS NULL) || (completed_at IS NULL) || "
                  "(lease_owner IS NULL) || (next_attempt_at IS NULL) || (error IS NULL) AS x "
                  "FROM workflow_step_executions WHERE execution_id = ?1 ORDER BY step_order)) || ' // ' || "
                  "(SELECT group_concat(y, ' ; ') FROM (SELECT action || ':' || actor_email || ':' || "
                  "coalesce(json_extract(details, '$.step'), '') || ':' || "
                  "coalesce((SELECT group_concat(key) FROM json_each(details)), '') AS y "
                  "FROM audit_log WHERE target_id = ?1 ORDER BY id))",
                  id);
}

static void same_rows_and_audit_as_a_runner(void **state)
{
    fx *f = *state;
    char a[HY_UUID_LEN], b[HY_UUID_LEN];
    /* by a runner */
    f->e->app->cfg->engine.inline_local_steps = false;
    t_start_user(f->e, &f->admin, f->org, a);
    input_user(f, a, "runner@inline.example");
    char *st = t_exec_status(f->e, a);
    assert_string_equal(st, "pending"); /* queued: nothing ran yet */
    free(st);
    t_drain(f->e);
    /* by the input itself */
    f->e->app->cfg->engine.inline_local_steps = true;
    t_start_user(f->e, &f->admin, f->org, b);
    input_user(f, b, "inline@inline.example");
    st = t_exec_status(f->e, b);
    assert_string_equal(st, "completed"); /* before any runner */
    free(st);
    char *sa = shape(f, a), *sb = shape(f, b);
    assert_string_equal(sa, sb);
    /* and it is the complete trail: start, input, 7 steps, completion */
    assert_non_null(strstr(sb, "exec.start:admin@hyopps.local"));
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.complete' "
                                   "AND actor_email = 'system'",
                             "t", b),
                     7);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND id > (SELECT id FROM audit_log "
                                   "WHERE target_id = ?1 AND action = 'exec.input') AND action = 'exec.step.complete'",
                             "t", b),
                     7); /* the steps after the input that queued them */
    free(sa);
    free(sb);
    /* the same local rows */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE execution_id = ?", "t", b), 4);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users u JOIN workflow_executions e ON e.user_id = u.id "
                                   "WHERE e.id = ? AND u.metabase_user_id IS NOT NULL",
                             "t", b),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_companies c JOIN workflow_executions e "
                                   "ON e.user_id = c.user_id WHERE e.id = ?",
                             "t", b),
                     1);
    /* the runner field names this process */
    char *runner = step_text(f, b, 3, "json_extract(attempt_log, '$[0].runner')");
    char pid[32];
    snprintf(pid, sizeof pid, ":%ld:", (long)getpid());
    assert_non_null(strstr(runner, pid));
    free(runner);
}

static void live_steps_go_to_a_runner(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    f->e->app->cfg->metabase.mode = HY_MODE_LIVE;
    t_start_user(f->e, &f->admin, f->org, id);
    input_user(f, id, "live@inline.example");
    /* Studio (step 3) ran; Metabase (step 4) waits for a runner, unclaimed */
    assert_step(f, id, 3, "status", "completed");
    assert_step(f, id, 4, "status", "pending");
    assert_int_equal(step_int(f, id, 4, "attempts"), 0);
    assert_int_equal(step_int(f, id, 4, "length(lease_owner)"), -1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND status = 'pending' "
                                   "AND current_step_order = 4 AND next_run_at IS NOT NULL",
                             "t", id),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.start'",
                             "t", id),
                     0);
    /* a runner claims it with a lease, in a transaction of its own */
    t_drain(f->e);
    assert_int_equal(step_int(f, id, 4, "attempts"), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.start' "
                                   "AND json_extract(details, '$.step') = 'add_user_to_metabase_group'",
                             "t", id),
                     1);
    /* an always-remote step (an external service) is never run inline either */
    f->e->app->cfg->metabase.mode = HY_MODE_SIMULATE;
    f->e->app->cfg->teams.mode = HY_MODE_LIVE;
    char id2[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id2);
    input_user(f, id2, "live2@inline.example");
    assert_int_equal(t_count(f->e, "SELECT current_step_order FROM workflow_executions WHERE id = ?", "t", id2), 5);
    assert_step(f, id2, 5, "status", "pending"); /* steps 3 and 4 ran, 5 (live Teams) waits */
}

static int fail_audit_trigger(t_env *e, bool on)
{
    hy_err err;
    hy_err_clear(&err);
    return db_exec_script(e->c->db,
                          on ? "CREATE TEMP TRIGGER no_step_audit BEFORE INSERT ON audit_log "
                               "WHEN new.action = 'exec.step.complete' BEGIN SELECT RAISE(ABORT, 'injected'); END"
                             : "DROP TRIGGER temp.no_step_audit",
                          &err);
}

static void a_database_error_undoes_only_the_steps(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id);
    assert_int_equal(fail_audit_trigger(f->e, true), 0);
    input_user(f, id, "dberr@inline.example"); /* accepted */
    /* the input and its effects are there; the steps are not, and wait */
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM users WHERE email = 'dberr@inline.example'", ""), 1);
    assert_step(f, id, 2, "status", "completed");
    assert_step(f, id, 3, "status", "pending");
    assert_int_equal(step_int(f, id, 3, "attempts"), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND status = 'pending' "
                                   "AND current_step_order = 3 AND next_run_at IS NOT NULL",
                             "t", id),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.input'", "t", id),
                     1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action LIKE 'exec.step.%'",
                             "t", id),
                     0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM access_grants WHERE execution_id = ?", "t", id), 0);
    /* the cause gone, a runner finishes it */
    assert_int_equal(fail_audit_trigger(f->e, false), 0);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
}

static int teams_transient_once(const char *wf, const char *step, int attempt, hy_err *err, void *ud)
{
    (void)wf;
    (void)ud;
    if (strcmp(step, "add_user_to_teams_channel") == 0 && attempt == 1) {
        err->retry_after = 0;
        return hy_fail(err, HY_ERR_TRANSIENT, "injected: Teams throttled (429)");
    }
    return 0;
}

static void a_transient_failure_is_retried_by_a_runner(void **state)
{
    fx *f = *state;
    engine_test_set_fault(teams_transient_once, NULL);
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id);
    input_user(f, id, "retry@inline.example");
    assert_step(f, id, 4, "status", "completed");
    assert_step(f, id, 5, "status", "pending");
    assert_int_equal(step_int(f, id, 5, "attempts"), 1);
    assert_true(step_int(f, id, 5, "next_attempt_at") > hy_now_ms());
    assert_step(f, id, 5, "error", "injected: Teams throttled (429)");
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND status = 'running'", "t", id),
                     1);
    assert_true(t_count(f->e, "SELECT next_run_at FROM workflow_executions WHERE id = ?", "t", id) > hy_now_ms());
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.retry'",
                             "t", id),
                     1);
    t_drain(f->e); /* not due yet */
    assert_int_equal(step_int(f, id, 5, "attempts"), 1);
    hy_clock_set_offset_ms(2000);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(step_int(f, id, 5, "json_array_length(attempt_log)"), 2);
}

static int slow_studio(const char *wf, const char *step, int attempt, hy_err *err, void *ud)
{
    (void)wf;
    (void)attempt;
    (void)err;
    (void)ud;
    if (strcmp(step, "add_user_to_studio_companies") == 0) {
        struct timespec t = {0, 30 * 1000000L};
        nanosleep(&t, NULL);
    }
    return 0;
}

static void an_action_runs_steps_for_a_bounded_time(void **state)
{
    fx *f = *state;
    engine_test_set_fault(slow_studio, NULL);
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org, id);
    int64_t t0 = hy_mono_ms();
    input_user(f, id, "slow@inline.example");
    int64_t took = hy_mono_ms() - t0;
    /* the slow step ran; the next one is left to a runner */
    assert_step(f, id, 3, "status", "completed");
    assert_step(f, id, 4, "status", "pending");
    assert_int_equal(t_count(f->e, "SELECT current_step_order FROM workflow_executions WHERE id = ?", "t", id), 4);
    assert_true(took < 1000);
    t_drain(f->e);
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
}

static void every_action_that_queues_work_runs_it(void **state)
{
    fx *f = *state;
    hy_err err;
    char id[HY_UUID_LEN];
    /* a permanent failure at step 5 (Teams off), recorded as a runner would */
    f->e->app->cfg->teams.mode = HY_MODE_OFF;
    t_start_user(f->e, &f->admin, f->org, id);
    input_user(f, id, "actions@inline.example");
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "failed");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT current_step_order FROM workflow_executions WHERE id = ?", "t", id), 5);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.fail'",
                             "t", id),
                     1);
    /* retry: runs the rest at once, after its own audit row */
    f->e->app->cfg->teams.mode = HY_MODE_SIMULATE;
    assert_int_equal(ops_exec_retry(f->e->c, &f->admin, id, &err), 0);
    st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.complete' "
                                   "AND id > (SELECT id FROM audit_log WHERE target_id = ?1 AND action = 'exec.retry')",
                             "t", id),
                     1);
    /* re-run from step 3: reset and run again at once (find-or-create) */
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "3", &err), 0);
    st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(step_int(f, id, 3, "attempts"), 1);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM user_studio_companies c JOIN workflow_executions e "
                                   "ON e.user_id = c.user_id WHERE e.id = ?",
                             "t", id),
                     1);
    /* skip and done by hand: the steps after them run at once */
    char id2[HY_UUID_LEN], id3[HY_UUID_LEN];
    f->e->app->cfg->slack.mode = HY_MODE_OFF;
    t_start_user(f->e, &f->admin, f->org, id2);
    input_user(f, id2, "skip@inline.example");
    t_start_user(f->e, &f->admin, f->org, id3);
    input_user(f, id3, "done@inline.example");
    f->e->app->cfg->slack.mode = HY_MODE_SIMULATE;
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, id2, "6", "no Slack here", &err), 0);
    assert_int_equal(ops_exec_mark_done(f->e->c, &f->admin, id3, "6", "added by hand", &err), 0);
    st = t_exec_status(f->e, id2);
    assert_string_equal(st, "completed");
    free(st);
    st = t_exec_status(f->e, id3);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(step_int(f, id2, 7, "attempts"), 1);
    assert_int_equal(step_int(f, id3, 9, "attempts"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(same_rows_and_audit_as_a_runner, setup, teardown),
        cmocka_unit_test_setup_teardown(live_steps_go_to_a_runner, setup, teardown),
        cmocka_unit_test_setup_teardown(a_database_error_undoes_only_the_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(a_transient_failure_is_retried_by_a_runner, setup, teardown),
        cmocka_unit_test_setup_teardown(an_action_runs_steps_for_a_bounded_time, setup, teardown),
        cmocka_unit_test_setup_teardown(every_action_that_queues_work_runs_it, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
