/* Issue 17, item 3: a step waiting between automatic attempts can be run
 * now (ops_exec_retry_now: authorized like retry, audited), the detail
 * says so (can_retry_now, max_attempts); a cancelled execution is never
 * run again (re-run refused, can_rerun false); a completed execution says
 * how many of its steps were skipped or done by hand. */
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin, pa, pb;
    char org_a[HY_UUID_LEN], org_b[HY_UUID_LEN], np[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org_a, f->np);
    char np_b[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Globex", "st-glx", f->org_b, np_b);
    t_user(f->e, "pa@acme.example", "partner_admin", f->org_a, "pa-password-1", id);
    t_user(f->e, "pb@globex.example", "partner_admin", f->org_b, "pb-password-1", id);
    t_login(f->e, "pa@acme.example", &f->pa);
    t_login(f->e, "pb@globex.example", &f->pb);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    engine_test_set_fault(NULL, NULL);
    t_assert_counts_consistent(f->e);
    t_env_free(f->e);
    free(f);
    return 0;
}

/* The Metabase step meets a 503 with Retry-After: 60 once. */
static int busy_once(const char *workflow, const char *step, int attempt, hy_err *err, void *ud)
{
    (void)workflow, (void)ud;
    if (strcmp(step, "add_user_to_metabase_group") != 0 || attempt > 1) return 0;
    hy_fail(err, HY_ERR_TRANSIENT, "Metabase answered 503");
    err->retry_after = 60;
    return err->code;
}

static void retry_now(void **state)
{
    fx *f = *state;
    engine_test_set_fault(busy_once, NULL);
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->pa, f->org_a, id);
    t_submit_ok(f->e, &f->pa, id, "2", "firstname=Re", "lastname=Try", "email=retry@acme.example", NULL);
    t_drain(f->e); /* the next attempt is a minute away: nothing runs */
    hy_exec_detail d;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_show(f->e->c, &f->pa, id, &d, &err), 0);
    assert_string_equal(d.s.status, "running");
    assert_int_equal(d.s.current_step, 4);
    const hy_exec_step *s4 = &d.steps[3];
    assert_string_equal(s4->status, "pending");
    assert_int_equal(s4->attempts, 1);
    assert_int_equal(s4->max_attempts, 5);
    assert_non_null(s4->next_attempt_at);
    assert_true(d.can_retry_now);
    assert_false(d.can_retry);
    hy_exec_detail_free(&d);
    /* another organisation's partner admin: not found */
    assert_int_equal(ops_exec_retry_now(f->e->c, &f->pb, id, &err), HY_ERR_NOT_FOUND);
    /* the organisation's partner admin may (as for retry) */
    assert_int_equal(ops_exec_retry_now(f->e->c, &f->pa, id, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM audit_log WHERE action = 'exec.retry_now' AND target_id = ?",
                             "t", id),
                     1);
    t_drain(f->e); /* due now: the runner runs it */
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "completed");
    free(st);
    /* nothing waits now: refused, with a reason */
    hy_err_clear(&err);
    assert_int_equal(ops_exec_retry_now(f->e->c, &f->admin, id, &err), HY_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "the execution is completed"));
}

static void cancelled_is_final(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    t_start_user(f->e, &f->admin, f->org_a, id);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_cancel(f->e->c, &f->admin, id, &err), 0);
    hy_exec_detail d;
    assert_int_equal(ops_exec_show(f->e->c, &f->admin, id, &d, &err), 0);
    assert_false(d.can_rerun);
    assert_false(d.can_retry_now);
    hy_exec_detail_free(&d);
    assert_int_equal(ops_exec_rerun(f->e->c, &f->admin, id, "1", &err), HY_ERR_CONFLICT);
    assert_non_null(strstr(err.msg, "cannot be run again"));
    char *st = t_exec_status(f->e, id);
    assert_string_equal(st, "cancelled");
    free(st);
}

/* A new_partner_user for ab@acme.example completed with its documentation
 * step skipped; its list row (the completed ones matching "ab@acme"). */
static void complete_with_a_skip(fx *f, char id[HY_UUID_LEN], hy_exec_page *pg)
{
    t_start_user(f->e, &f->admin, f->org_a, id);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_skip(f->e->c, &f->admin, id, "share_documentation", "sent by hand", &err), 0);
    t_submit_ok(f->e, &f->admin, id, "2", "firstname=A", "lastname=B", "email=ab@acme.example", NULL);
    t_drain(f->e);
    hy_exec_query q = {.status = "completed", .search = "ab@acme"};
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, pg, &err), 0);
    assert_int_equal(pg->count, 1);
}

static void completed_says_what_was_not_run(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    hy_exec_page pg;
    complete_with_a_skip(f, id, &pg);
    assert_int_equal(pg.items[0].nskipped, 1);
    assert_int_equal(pg.items[0].nmanual, 0);
    hy_exec_page_free(&pg);
    /* the per-status counts add up to all */
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){0}, &pg, &err), 0);
    int64_t sum = 0;
    for (int i = 0; i < HY_EXEC_NSTATUS; i++) sum += pg.counts[i];
    assert_int_equal(sum, pg.total);
    hy_exec_page_free(&pg);
}

/* The completion writes the skipped / by-hand counts in the execution's row
 * (done_summary); the list reads them there, or from the step rows for an
 * execution completed before that column. */
static void completion_keeps_its_summary_in_the_row(void **state)
{
    fx *f = *state;
    char id[HY_UUID_LEN];
    hy_err err;
    hy_err_clear(&err);
    hy_exec_page pg;
    complete_with_a_skip(f, id, &pg);
    hy_exec_page_free(&pg);
    int64_t summary = -1;
    bool found = false;
    assert_int_equal(db_get_int(f->e->c->db, &err, &summary, &found, "SELECT done_summary FROM workflow_executions WHERE id = ?",
                                "t", id), 0);
    assert_true(found);
    assert_int_equal(summary, 100); /* one skipped, none by hand */
    hy_exec_query q = {.status = "completed", .search = "ab@acme"};
    /* read from the row: a value the step rows do not give */
    assert_int_equal(db_exec(f->e->c->db, &err, "UPDATE workflow_executions SET done_summary = 203 WHERE id = ?", "t", id), 0);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_int_equal(pg.items[0].nskipped, 2);
    assert_int_equal(pg.items[0].nmanual, 3);
    hy_exec_page_free(&pg);
    /* completed before the column: from the step rows */
    assert_int_equal(db_exec(f->e->c->db, &err, "UPDATE workflow_executions SET done_summary = NULL WHERE id = ?", "t", id), 0);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_int_equal(pg.items[0].nskipped, 1);
    assert_int_equal(pg.items[0].nmanual, 0);
    hy_exec_page_free(&pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(retry_now, setup, teardown),
        cmocka_unit_test_setup_teardown(cancelled_is_final, setup, teardown),
        cmocka_unit_test_setup_teardown(completed_says_what_was_not_run, setup, teardown),
        cmocka_unit_test_setup_teardown(completion_keeps_its_summary_in_the_row, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
