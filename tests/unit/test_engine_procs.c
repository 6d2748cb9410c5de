/* The engine across processes: a worker killed with SIGKILL in the middle of
 * a step (before and after its side effect) is replaced and the effect
 * happens once; 8 processes retrying the same failed step run it once; 4
 * workers drain 500 executions with no step run twice and no error. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib_exec.h"
#include "testlib_steps.h"
#include "util.h"

static char *db_file(t_env *e)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    return path;
}

static void wait_ready(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 15000) != 1) fail_msg("the worker never reached the step");
    char c;
    if (read(fd, &c, 1) != 1) fail_msg("the worker died before the step");
}

static void crash(ts_mode where)
{
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    ts_register(e);
    char id[HY_UUID_LEN];
    ts_start(e, &admin, id);
    int ready[2], block[2];
    if (pipe(ready) || pipe(block)) fail_msg("pipe");
    ts.mode = where;
    ts.ready_fd = ready[1];
    ts.block_fd = block[0];
    pid_t pid = fork();
    if (pid == 0) {
        hy_app *app = t_open_app(db_file(e));
        _exit(app ? t_worker_until_idle(app, 1000) : 2);
    }
    ts.mode = TS_OK;
    wait_ready(ready[0]);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    /* the step is held by the dead worker */
    char *owner = t_text(e, "SELECT status || ' ' || lease_owner FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1", id);
    char expect[64];
    snprintf(expect, sizeof expect, ":%d:", (int)pid);
    assert_non_null(strstr(owner, "running "));
    assert_non_null(strstr(owner, expect));
    free(owner);
    assert_int_equal(ts_lines("creations.log"), where == TS_BLOCK_AFTER ? 1 : 0);
    /* a new worker takes over once the lease runs out, and finishes */
    hy_app *app = t_open_app(db_file(e));
    int64_t t0 = hy_mono_ms();
    assert_int_equal(t_worker_until_idle(app, 1000), 0);
    assert_true(hy_mono_ms() - t0 < 5000);
    app_close(app);
    char *st = t_exec_status(e, id);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(ts_lines("runs.log"), 2);
    assert_int_equal(ts_lines("creations.log"), 1);  /* the effect happened once */
    assert_int_equal(t_count(e, "SELECT count(*) FROM test_effects WHERE exec_id = ?", "t", id), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 1 AND json_extract(output, '$.found') = CAST(? AS INTEGER)", "tt", id, where == TS_BLOCK_AFTER ? "1" : "0"), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.reclaim'", "t", id), 1);
    close(ready[0]); close(ready[1]); close(block[0]); close(block[1]);
    t_env_free(e);
}

static void killed_before_the_effect(void **state)
{
    (void)state;
    crash(TS_BLOCK_BEFORE);
}

static void killed_after_the_effect(void **state)
{
    (void)state;
    crash(TS_BLOCK_AFTER);
}

static void eight_processes_retry_one_step(void **state)
{
    (void)state;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    ts_register(e);
    char id[HY_UUID_LEN];
    ts.mode = TS_PERMANENT;
    ts.permanent_left = 1;
    ts_start(e, &admin, id);
    t_drain(e);
    char *st = t_exec_status(e, id);
    assert_string_equal(st, "failed");
    free(st);
    ts.mode = TS_OK;
    int gate[2];
    if (pipe(gate)) fail_msg("pipe");
    pid_t pids[8];
    for (int i = 0; i < 8; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(gate[1]);
            hy_app *app = t_open_app(db_file(e));
            if (!app) _exit(30);
            char c;
            ssize_t r = read(gate[0], &c, 1); /* EOF when the parent opens the gate */
            (void)r;
            hy_err err;
            hy_err_clear(&err);
            int rc = ops_exec_retry(&app->ctx, &admin, id, &err);
            if (rc && rc != HY_ERR_CONFLICT) fprintf(stderr, "retry: %s\n", err.msg);
            int w = t_worker_until_idle(app, 30000);
            _exit(w ? 20 : rc == 0 ? 0 : rc == HY_ERR_CONFLICT ? 10 : 21);
        }
    }
    close(gate[0]);
    close(gate[1]);
    int ok = 0, conflict = 0, other = 0;
    for (int i = 0; i < 8; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code == 0) ok++;
        else if (code == 10) conflict++;
        else other++;
    }
    assert_int_equal(other, 0);
    assert_int_equal(ok, 1);
    assert_int_equal(conflict, 7);
    st = t_exec_status(e, id);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(ts_lines("runs.log"), 2); /* the failed run + exactly one after the retry */
    assert_int_equal(ts_lines("creations.log"), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM test_effects", ""), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.retry'", "t", id), 1);
    t_assert_counts_consistent(e);
    t_env_free(e);
}

static void four_workers_drain_500(void **state)
{
    (void)state;
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    ts_register(e);
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(e, &admin, "Drain Co", "drain", org, pexec);
    for (int i = 0; i < 250; i++) {
        ts_start(e, &admin, id);
        t_start_user(e, &admin, org, id);
        char email[64];
        snprintf(email, sizeof email, "email=u%d@drain.example", i);
        t_submit_ok(e, &admin, id, "input_user_details", "firstname=U", "lastname=Ser", email, NULL);
    }
    pid_t pids[4];
    for (int i = 0; i < 4; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            hy_app *app = t_open_app(db_file(e));
            _exit(app ? t_worker_until_idle(app, 30000) : 2);
        }
    }
    int failed = 0;
    for (int i = 0; i < 4; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    assert_int_equal(failed, 0); /* no worker saw an error (e.g. SQLITE_BUSY) */
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions WHERE status = 'completed'", ""), 501);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_executions", ""), 501);
    /* no step ran twice */
    assert_int_equal(ts_lines("runs.log"), 250);
    assert_int_equal(ts_lines("creations.log"), 250);
    assert_int_equal(t_count(e, "SELECT count(*) FROM test_effects", ""), 250);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions s JOIN workflow_step_definitions d "
                                "ON d.id = s.step_definition_id WHERE d.type = 'auto' AND s.attempts != 1", ""),
                     0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM (SELECT target_id, json_extract(details, '$.step_order') k, "
                                "count(*) c FROM audit_log WHERE action = 'exec.step.complete' GROUP BY 1, 2 "
                                "HAVING c > 1)", ""),
                     0);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE action = 'exec.step.complete'", ""),
                     5 + 250 * 2 + 250 * 7);
    t_assert_counts_consistent(e);
    /* the work was shared */
    char *pids_seen = t_text(e, "SELECT count(DISTINCT substr(json_extract(details, '$.runner'), 1, 200)) FROM audit_log "
                                "WHERE action = 'exec.step.start'", NULL);
    assert_true(atoi(pids_seen) >= 2);
    free(pids_seen);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(killed_before_the_effect),
        cmocka_unit_test(killed_after_the_effect),
        cmocka_unit_test(eight_processes_retry_one_step),
        cmocka_unit_test(four_workers_drain_500),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
