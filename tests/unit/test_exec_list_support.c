/* Issue 17, item 6: the executions list answers support's questions: the
 * person's name is searched (also after a rename), each row has the
 * current step, the requester, the user's name and when its state last
 * changed; unfinished executions sort by how long they have been in their
 * state, and the stuck ones (no change for N hours) have a view of their
 * own. */
#include <stdlib.h>
#include <string.h>

#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin;
    char org[HY_UUID_LEN], np[HY_UUID_LEN];
    char waiting[HY_UUID_LEN], old[HY_UUID_LEN], done[HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->org, f->np);
    t_start_user(f->e, &f->admin, f->org, f->waiting); /* waits at step 2 */
    t_start_user(f->e, &f->admin, f->org, f->old);
    t_start_user(f->e, &f->admin, f->org, f->done);
    t_submit_ok(f->e, &f->admin, f->done, "2", "firstname=Jane", "lastname=Doe", "email=jane@acme.example", NULL);
    t_drain(f->e);
    hy_err err;
    hy_err_clear(&err);
    /* one waiting execution has not changed for two days */
    db_exec(f->e->c->db, &err, "UPDATE workflow_executions SET updated_at = '2020-01-01T00:00:00.000Z' WHERE id = ?",
            "t", f->old);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    t_assert_counts_consistent(f->e);
    t_env_free(f->e);
    free(f);
    return 0;
}

static void search_by_name(void **state)
{
    fx *f = *state;
    hy_exec_page pg;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.search = "jane doe"}, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(pg.items[0].id, f->done);
    assert_string_equal(pg.items[0].user_name, "Jane Doe");
    assert_string_equal(pg.items[0].requested_by_email, "admin@hyopps.local");
    assert_string_equal(pg.items[0].current_step_label, "Share Documentation");
    hy_exec_page_free(&pg);
    /* a rename is followed (the search text is kept by a trigger) */
    db_exec(f->e->c->db, &err, "UPDATE users SET lastname = 'Roe' WHERE email = 'jane@acme.example'", "");
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.search = "jane roe"}, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    hy_exec_page_free(&pg);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.search = "jane doe"}, &pg, &err), 0);
    assert_int_equal(pg.count, 0);
    hy_exec_page_free(&pg);
}

/* The statements the stale views prepare for the waiting statuses. */
typedef struct {
    char *sql[4];
    int n;
} waiting_sql;

static void keep_waiting_sql(const char *sql, void *ud)
{
    waiting_sql *w = ud;
    if (strstr(sql, "updated_at < ?3") && (strstr(sql, "'awaiting_input'") || strstr(sql, "'failed'")) && w->n < 4)
        w->sql[w->n++] = xstrdup(sql);
}

static void longest_in_state_and_stuck(void **state)
{
    fx *f = *state;
    hy_exec_page pg;
    hy_err err;
    hy_err_clear(&err);
    waiting_sql seen = {0};
    db_on_prepare(f->e->c->db, keep_waiting_sql, &seen);
    hy_exec_query q = {.status = "awaiting_input", .order = HY_EXEC_LONGEST_IN_STATE};
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 2);
    assert_string_equal(pg.items[0].id, f->old); /* the longest in its state first */
    assert_string_equal(pg.items[1].id, f->waiting);
    assert_int_equal(pg.matched, 2);
    hy_exec_page_free(&pg);
    /* paging by the cursor */
    q.limit = 1;
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_true(pg.more);
    q.before = pg.next_before;
    hy_exec_page_free(&pg);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(pg.items[0].id, f->waiting);
    assert_false(pg.more);
    hy_exec_page_free(&pg);
    /* stuck for more than 24 hours: only the old one; the counts stay those of every status */
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.stuck_hours = 24}, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(pg.items[0].id, f->old);
    assert_int_equal(pg.matched, 1);
    assert_int_equal(pg.total, 4);
    hy_exec_page_free(&pg);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.stuck_hours = 24, .search = "zzz"}, &pg, &err),
                     0);
    assert_int_equal(pg.count, 0);
    hy_exec_page_free(&pg);
    /* with a search every execution matches: the stuck one only, the search's counts */
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.stuck_hours = 24, .search = "acme"}, &pg, &err),
                     0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(pg.items[0].id, f->old);
    assert_int_equal(pg.matched, 1);
    assert_int_equal(pg.total, 4);
    assert_false(pg.more);
    hy_exec_page_free(&pg);
    /* the executions waiting for a person are read from their own index
     * (idx_we_waiting), not one table row each through idx_we_status */
    db_on_prepare(f->e->c->db, NULL, NULL);
    assert_int_equal(seen.n, 2);
    for (int i = 0; i < seen.n; i++) {
        char *plan = db_query_plan(f->e->c->db, seen.sql[i]);
        assert_non_null(strstr(plan, "idx_we_waiting"));
        free(plan);
        free(seen.sql[i]);
    }
    /* finished executions have no "time in state" order */
    hy_err_clear(&err);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin,
                                   &(hy_exec_query){.status = "completed", .order = HY_EXEC_LONGEST_IN_STATE}, &pg, &err),
                     HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "order"));
    hy_err_clear(&err);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){.stuck_hours = -1}, &pg, &err), HY_ERR_INVALID);
}

/* The list reads in one transaction (one snapshot for the counts and the
 * page) and ends it: the next list sees what another connection did since. */
static void the_list_sees_later_commits(void **state)
{
    fx *f = *state;
    hy_exec_page pg;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){0}, &pg, &err), 0);
    int64_t before = pg.total;
    assert_int_equal(pg.count, before);
    hy_exec_page_free(&pg);
    assert_false(db_in_tx(f->e->c->db));
    hy_app *other = t_open_app(f->e->app->cfg->database.path);
    char id[HY_UUID_LEN];
    assert_int_equal(ops_exec_start(&other->ctx, &f->admin, "new_partner_user", f->org, id, &err), 0);
    app_close(other);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){0}, &pg, &err), 0);
    assert_int_equal(pg.total, before + 1);
    assert_string_equal(pg.items[0].id, id); /* newest first */
    hy_exec_page_free(&pg);
    /* inside a write transaction it reads that transaction's rows, and leaves it open */
    assert_int_equal(db_begin(f->e->c->db, &err), 0);
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &(hy_exec_query){0}, &pg, &err), 0);
    assert_int_equal(pg.total, before + 1);
    hy_exec_page_free(&pg);
    assert_true(db_in_tx(f->e->c->db));
    db_rollback(f->e->c->db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(search_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(longest_in_state_and_stuck, setup, teardown),
        cmocka_unit_test_setup_teardown(the_list_sees_later_commits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
