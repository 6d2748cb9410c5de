/* Live steps across processes and threads: a worker killed with SIGKILL
 * while a live step waits on a service is replaced, and the effect happened
 * once (for the email: it is not sent again; a person is asked); and, with
 * one execution's step hanging on a slow service, the other executions
 * keep completing and nobody meets a locked database (DESIGN.md,
 * invariant 7). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static char *db_file(t_env *e)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    return path;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Requests the fake received whose "METHOD /path" starts with prefix. */
static int requests_like(t_fake *f, const char *prefix)
{
    cJSON *st = t_fake_state(f);
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(st, "requests"))
        if (strncmp(it->string, prefix, strlen(prefix)) == 0) n += it->valueint;
    cJSON_Delete(st);
    return n;
}

static pid_t live_worker(t_env *e)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        hy_app *app = t_live_open_app(L, db_file(e), 3000);
        _exit(app ? t_worker_until_idle(app, 1000) : 2);
    }
    return pid;
}

static void kill_worker(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
}

static void finish_with_a_new_worker(t_env *e)
{
    hy_app *app = t_live_open_app(L, db_file(e), 3000);
    assert_non_null(app);
    assert_int_equal(t_worker_until_idle(app, 1000), 0);
    app_close(app);
}

static void partner_and_user(t_env *e, const hy_principal *admin, const char *org_name, const char *prefix,
                             const char *email, char id[HY_UUID_LEN])
{
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN];
    t_partner(e, admin, org_name, prefix, org, pexec);
    t_live_slack_user(L, email);
    t_start_user(e, admin, org, id);
    char kv[200];
    snprintf(kv, sizeof kv, "email=%s", email);
    t_submit_ok(e, admin, id, "input_user_details", "firstname=Kim", "lastname=Killed", kv, NULL);
}

static void killed_in_a_live_step_the_effect_happens_once(void **s)
{
    (void)s;
    t_env *e = t_live_env(L, 3000);
    hy_principal admin;
    t_admin(e, &admin);
    char id[HY_UUID_LEN];
    partner_and_user(e, &admin, "Killed Co", "kc", "kim@killed.test", id);
    /* the Metabase user is created, then the next call of the step hangs */
    t_fake_fault(L->mb, "{\"method\": \"GET\", \"path\": \"^/api/user/[0-9]+$\", \"kind\": \"hang\", \"seconds\": 20}");
    int before = requests_like(L->mb, "GET /api/user/");
    pid_t pid = live_worker(e);
    int waited = 0;
    while (requests_like(L->mb, "GET /api/user/") == before && waited < 15000) {
        sleep_ms(20);
        waited += 20;
    }
    assert_true(waited < 15000);
    char *owner = t_text(e, "SELECT status || ' ' || lease_owner FROM workflow_step_executions WHERE execution_id = ? AND step_order = 4", id);
    char expect[64];
    snprintf(expect, sizeof expect, ":%d:", (int)pid);
    assert_non_null(strstr(owner, "running "));
    assert_non_null(strstr(owner, expect));
    free(owner);
    assert_int_equal(t_live_count_where(L->mb, "users", "email", "kim@killed.test"), 1);
    kill_worker(pid);

    finish_with_a_new_worker(e);
    char *st = t_exec_status(e, id);
    assert_string_equal(st, "completed");
    free(st);
    /* once: one Metabase user, found (not created) by the new worker, one membership */
    assert_int_equal(t_live_count_where(L->mb, "users", "email", "kim@killed.test"), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 4 "
                               "AND attempts = 2 AND json_extract(output, '$.metabase_user_existed') = 1 AND "
                               "json_extract(attempt_log, '$[0].lost') = 1", "t", id), 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM audit_log WHERE target_id = ? AND action = 'exec.step.reclaim'", "t", id), 1);
    cJSON *mb = t_fake_state(L->mb);
    long uid = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(mb, "users"))
        if (hy_streq(cJSON_GetObjectItemCaseSensitive(it, "email")->valuestring, "kim@killed.test"))
            uid = (long)cJSON_GetObjectItemCaseSensitive(it, "id")->valuedouble;
    int memberships = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(mb, "memberships"))
        if ((long)cJSON_GetObjectItemCaseSensitive(it, "user_id")->valuedouble == uid &&
            (long)cJSON_GetObjectItemCaseSensitive(it, "group_id")->valuedouble > 2)
            memberships++;
    cJSON_Delete(mb);
    assert_int_equal(memberships, 1);
    t_env_free(e);
}

static void killed_while_sending_the_email_it_is_not_sent_again(void **s)
{
    (void)s;
    t_env *e = t_live_env(L, 3000);
    hy_principal admin;
    t_admin(e, &admin);
    char id[HY_UUID_LEN];
    partner_and_user(e, &admin, "Mailkill Co", "mk", "kim@mailkill.test", id);
    int mails = t_smtp_messages(L->smtp);
    /* the server keeps the message, then does not answer */
    t_smtp_fault(L->smtp, "[{\"kind\": \"hang_after_data\", \"seconds\": 20}]");
    pid_t pid = live_worker(e);
    int waited = 0;
    while (t_smtp_messages(L->smtp) == mails && waited < 15000) {
        sleep_ms(20);
        waited += 20;
    }
    assert_true(waited < 15000);
    kill_worker(pid);

    finish_with_a_new_worker(e);
    char *st = t_step_status(e, id, 9);
    assert_string_equal(st, "failed"); /* it may have arrived: a person decides */
    free(st);
    char *err = t_text(e, "SELECT error FROM workflow_step_executions WHERE execution_id = ? AND step_order = 9", id);
    assert_non_null(strstr(err, "an earlier attempt stopped while it was handing the email to kim@mailkill.test"));
    assert_non_null(strstr(err, "HyOpps will not send it again by itself"));
    cJSON *mail = t_mail_parse(L->smtp, mails + 1);
    char *msgid = xstrdup(t_mail_header(mail, "Message-ID"));
    cJSON_Delete(mail);
    assert_non_null(strstr(err, msgid));
    free(err);
    assert_int_equal(t_smtp_messages(L->smtp), mails + 1);
    assert_int_equal(t_count(e, "SELECT count(*) FROM workflow_step_executions WHERE execution_id = ? AND step_order = 9 "
                               "AND attempts = 2", "t", id), 1);
    /* the person looked, found nothing, retried: sent again, with the same Message-ID */
    t_smtp_fault(L->smtp, "[]");
    hy_err herr;
    assert_int_equal(ops_exec_retry(e->c, &admin, id, &herr), 0);
    finish_with_a_new_worker(e);
    st = t_exec_status(e, id);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(t_smtp_messages(L->smtp), mails + 2);
    mail = t_mail_parse(L->smtp, mails + 2);
    assert_string_equal(t_mail_header(mail, "Message-ID"), msgid);
    cJSON_Delete(mail);
    free(msgid);
    t_env_free(e);
}

/* ---- invariant 7 ---- */

#define FAST 12

static void a_step_waiting_on_a_slow_service_blocks_nobody(void **s)
{
    (void)s;
    t_env *e = t_live_env(L, 8000);
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN];
    t_partner(e, &admin, "Slow Co", "sl", org, pexec);
    t_live_slack_user(L, "slow@slow.test");
    for (int i = 0; i < FAST; i++) {
        char email[64];
        snprintf(email, sizeof email, "fast%d@slow.test", i);
        t_live_slack_user(L, email);
    }
    /* Metabase answers this one user's lookup only after 3 s */
    t_fake_fault(L->mb, "{\"method\": \"GET\", \"path\": \"query=slow\", \"kind\": \"hang\", \"seconds\": 3}");
    char slow[HY_UUID_LEN];
    t_start_user(e, &admin, org, slow);
    t_submit_ok(e, &admin, slow, "input_user_details", "firstname=Sam", "lastname=Slow", "email=slow@slow.test", NULL);

    /* two runner threads, each with its own connection */
    hy_runner *r1, *r2;
    hy_err err;
    hy_runner_opts ro = {.poll_ms = 20, .lease_ms = 2000};
    assert_int_equal(runner_start(e->app, &ro, &r1, &err), 0);
    assert_int_equal(runner_start(e->app, &ro, &r2, &err), 0);
    int waited = 0;
    char *st = NULL;
    for (;; waited += 10) {
        free(st);
        st = t_step_status(e, slow, 4);
        if (strcmp(st, "running") == 0 || waited > 10000) break;
        sleep_ms(10);
    }
    assert_string_equal(st, "running");
    free(st);
    int64_t t0 = hy_mono_ms();

    /* while it waits: people start executions and give input (writes on
     * this connection), and the other runner completes them */
    char fast[FAST][HY_UUID_LEN];
    for (int i = 0; i < FAST; i++) {
        char kv[80];
        snprintf(kv, sizeof kv, "email=fast%d@slow.test", i);
        hy_err_clear(&err);
        assert_int_equal(ops_exec_start(e->c, &admin, "new_partner_user", org, fast[i], &err), 0);
        int rc = t_submit(e, &admin, fast[i], "input_user_details", &err, "firstname=Fay", "lastname=Fast", kv, NULL);
        if (rc) fail_msg("submit while a step waits: %s", err.msg);
        runner_kick(r1);
        runner_kick(r2);
    }
    int done = 0;
    for (waited = 0; waited < 20000; waited += 10) {
        done = 0;
        for (int i = 0; i < FAST; i++) {
            char *x = t_exec_status(e, fast[i]);
            done += strcmp(x, "completed") == 0;
            free(x);
        }
        if (done == FAST) break;
        sleep_ms(10);
    }
    int64_t elapsed = hy_mono_ms() - t0;
    assert_int_equal(done, FAST);
    /* ... all of them before the slow service answered */
    char *slow_step = t_step_status(e, slow, 4);
    if (strcmp(slow_step, "running") != 0 || elapsed >= 3000)
        fail_msg("the %d other executions took %lld ms; the slow step is %s", FAST, (long long)elapsed, slow_step);
    free(slow_step);
    fprintf(stderr, "# %d executions completed in %lld ms while one step waited on a slow service\n", FAST,
            (long long)elapsed);

    /* the slow one is retried (the fake closed without answering) and completes */
    for (waited = 0; waited < 20000; waited += 20) {
        st = t_exec_status(e, slow);
        bool fin = strcmp(st, "completed") == 0 || strcmp(st, "failed") == 0;
        free(st);
        if (fin) break;
        sleep_ms(20);
    }
    st = t_exec_status(e, slow);
    assert_string_equal(st, "completed");
    free(st);
    assert_int_equal(t_step_int(e, slow, 4, "attempts"), 2);
    hy_runner_status rs1, rs2;
    runner_get_status(r1, &rs1);
    runner_get_status(r2, &rs2);
    runner_stop(r1);
    runner_stop(r2);
    /* nobody met a locked database, and no runner's result was lost */
    assert_string_equal(rs1.last_error, "");
    assert_string_equal(rs2.last_error, "");
    assert_int_equal(rs1.engine.lease_lost + rs2.engine.lease_lost, 0);
    assert_int_equal(rs1.engine.steps_failed + rs2.engine.steps_failed, 0);
    /* the runner that waited on the slow service did none of the others' steps meanwhile */
    char *waiter = t_text(e, "SELECT json_extract(attempt_log, '$[0].runner') FROM workflow_step_executions "
                             "WHERE execution_id = ? AND step_order = 4", slow);
    for (int i = 0; i < FAST; i++) {
        char *other = t_text(e, "SELECT json_extract(attempt_log, '$[0].runner') FROM workflow_step_executions "
                                "WHERE execution_id = ? AND step_order = 4", fast[i]);
        assert_string_not_equal(other, waiter);
        free(other);
    }
    free(waiter);
    t_env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(killed_in_a_live_step_the_effect_happens_once),
        cmocka_unit_test(killed_while_sending_the_email_it_is_not_sent_again),
        cmocka_unit_test(a_step_waiting_on_a_slow_service_blocks_nobody),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
