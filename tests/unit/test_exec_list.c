/* The execution list: counts per status (kept by the engine and triggers,
 * checked against the rows), paging newest first, status and organisation
 * filters, partner-admin scope, search by organisation name, user email or
 * id (indexed or still pending), renames and deletions by other writers,
 * and the cap on counting a very common search. */
#include <stdlib.h>
#include <string.h>

#include "exec_search.h"
#include "testlib_exec.h"
#include "util.h"

typedef struct {
    t_env *e;
    hy_principal admin, pa;
    char acme[HY_UUID_LEN], globex[HY_UUID_LEN];
    char ids[40][HY_UUID_LEN];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->e = t_exec_env();
    t_admin(f->e, &f->admin);
    char pexec[HY_UUID_LEN], id[HY_UUID_LEN];
    t_partner(f->e, &f->admin, "Acme Corp", "st-acme", f->acme, pexec);
    t_partner(f->e, &f->admin, "Globex", "st-glx", f->globex, pexec);
    t_user(f->e, "pa@acme.example", "partner_admin", f->acme, "pa-password-1", id);
    t_login(f->e, "pa@acme.example", &f->pa);
    /* 30 Acme users (20 given details, 10 waiting), 10 Globex users */
    for (int i = 0; i < 40; i++) {
        t_start_user(f->e, &f->admin, i < 30 ? f->acme : f->globex, f->ids[i]);
        if (i % 3 == 2 && i < 30) continue;
        char email[64];
        snprintf(email, sizeof email, "email=u%d@%s.example", i, i < 30 ? "acme" : "globex");
        t_submit_ok(f->e, &f->admin, f->ids[i], "2", "firstname=U", "lastname=N", email, NULL);
    }
    t_drain(f->e);
    hy_err err;
    assert_int_equal(ops_exec_cancel(f->e->c, &f->admin, f->ids[2], &err), 0);
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

static int list(fx *f, const hy_principal *p, hy_exec_query q, hy_exec_page *pg)
{
    hy_err err;
    hy_err_clear(&err);
    int rc = ops_exec_list(f->e->c, p, &q, pg, &err);
    if (rc && rc != HY_ERR_NOT_FOUND) fail_msg("list: %s", err.msg);
    return rc;
}

static void counts_and_paging(void **state)
{
    fx *f = *state;
    t_assert_counts_consistent(f->e);
    hy_exec_page pg;
    list(f, &f->admin, (hy_exec_query){0}, &pg);
    assert_int_equal(pg.total, 42);
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], 2 + 30);
    assert_int_equal(pg.counts[HY_EXEC_AWAITING_INPUT], 9);
    assert_int_equal(pg.counts[HY_EXEC_CANCELLED], 1);
    assert_true(pg.counts_exact);
    assert_int_equal(pg.count, 42);
    /* newest first */
    for (int i = 1; i < pg.count; i++) assert_true(strcmp(pg.items[i - 1].created_at, pg.items[i].created_at) >= 0);
    char first[HY_UUID_LEN];
    hy_strlcpy(first, pg.items[0].id, sizeof first);
    assert_string_equal(first, f->ids[39]);
    hy_exec_page_free(&pg);
    /* pages of 8 add up to the whole list, in order, without repeats */
    int seen = 0;
    int64_t before = 0;
    char last[HY_UUID_LEN] = "";
    for (;;) {
        list(f, &f->admin, (hy_exec_query){.limit = 8, .before = before}, &pg);
        for (int i = 0; i < pg.count; i++) {
            if (seen == 0) assert_string_equal(pg.items[i].id, first);
            assert_string_not_equal(pg.items[i].id, last);
            hy_strlcpy(last, pg.items[i].id, sizeof last);
            seen++;
        }
        bool more = pg.more;
        before = pg.next_before;
        hy_exec_page_free(&pg);
        if (!more) break;
    }
    assert_int_equal(seen, 42);
    /* a status: the window has only that status; counts stay for all */
    list(f, &f->admin, (hy_exec_query){.status = "awaiting_input", .limit = 5}, &pg);
    assert_int_equal(pg.count, 5);
    assert_true(pg.more);
    for (int i = 0; i < pg.count; i++) assert_string_equal(pg.items[i].status, "awaiting_input");
    assert_int_equal(pg.total, 42);
    hy_exec_page_free(&pg);
    /* an organisation */
    list(f, &f->admin, (hy_exec_query){.org_ref = "Globex"}, &pg);
    assert_int_equal(pg.total, 11); /* its new_partner and 10 users */
    assert_int_equal(pg.count, 11);
    hy_exec_page_free(&pg);
    list(f, &f->admin, (hy_exec_query){.org_ref = "Acme Corp", .status = "completed"}, &pg);
    assert_int_equal(pg.count, 21);
    hy_exec_page_free(&pg);
    /* a partner admin: their organisation's new_partner_user runs only */
    list(f, &f->pa, (hy_exec_query){0}, &pg);
    assert_int_equal(pg.total, 30);
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], 20);
    for (int i = 0; i < pg.count; i++) assert_string_equal(pg.items[i].workflow, "new_partner_user");
    hy_exec_page_free(&pg);
    hy_exec_query bad = {.status = "done"};
    hy_err err;
    assert_int_equal(ops_exec_list(f->e->c, &f->admin, &bad, &pg, &err), HY_ERR_INVALID);
    assert_non_null(hy_field_msg(&err, "status"));
}

static void search(void **state)
{
    fx *f = *state;
    hy_exec_page pg;
    /* user email, substring, any case */
    list(f, &f->admin, (hy_exec_query){.search = "U1@ACME"}, &pg);
    assert_int_equal(pg.total, 1);
    assert_string_equal(pg.items[0].user_email, "u1@acme.example");
    hy_exec_page_free(&pg);
    int64_t expect = t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE search_text LIKE '%1@acme%'", "");
    list(f, &f->admin, (hy_exec_query){.search = "1@acme"}, &pg);
    assert_int_equal(pg.total, expect);
    assert_true(expect > 1);
    hy_exec_page_free(&pg);
    /* organisation name, with a status */
    list(f, &f->admin, (hy_exec_query){.search = "globex", .status = "completed"}, &pg);
    assert_int_equal(pg.total, 11);
    assert_int_equal(pg.count, 11);
    hy_exec_page_free(&pg);
    /* id: 1-2 characters are an id prefix, 3+ a substring of it */
    char two[3] = {f->ids[5][0], f->ids[5][1], 0};
    expect = t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id LIKE ? || '%'", "t", two);
    list(f, &f->admin, (hy_exec_query){.search = two}, &pg);
    assert_int_equal(pg.total, expect);
    hy_exec_page_free(&pg);
    char mid[9];
    memcpy(mid, f->ids[5] + 9, 8);
    mid[8] = '\0';
    list(f, &f->admin, (hy_exec_query){.search = mid}, &pg);
    assert_true(pg.count >= 1);
    assert_string_equal(pg.items[0].id, f->ids[5]);
    hy_exec_page_free(&pg);
    list(f, &f->admin, (hy_exec_query){.search = "z"}, &pg);
    assert_int_equal(pg.total, 0);
    hy_exec_page_free(&pg);
    /* the partner admin's search stays in their scope */
    list(f, &f->pa, (hy_exec_query){.search = "globex"}, &pg);
    assert_int_equal(pg.total, 0);
    hy_exec_page_free(&pg);
    /* a small organisation is searched through its own rows: the same answers, exact */
    expect = t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE organization_id = ? AND search_text LIKE "
                     "'%@acme%'", "t", f->acme);
    assert_int_equal(expect, 20);
    list(f, &f->pa, (hy_exec_query){.search = "@ACME", .status = "completed"}, &pg);
    assert_true(pg.counts_exact);
    assert_int_equal(pg.total, expect);
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], pg.count);
    hy_exec_page_free(&pg);
    expect = t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE organization_id = ? AND id LIKE ? || '%'",
                     "tt", f->acme, two);
    assert_true(expect >= 1);
    list(f, &f->pa, (hy_exec_query){.search = two}, &pg);
    assert_int_equal(pg.total, expect);
    for (int i = 0; i < pg.count; i++) assert_memory_equal(pg.items[i].id, two, 2);
    hy_exec_page_free(&pg);
    list(f, &f->pa, (hy_exec_query){.search = "u1"}, &pg); /* 1-2 characters: ids only, and no id has a 'u' */
    assert_int_equal(pg.total, 0);
    assert_int_equal(pg.count, 0);
    assert_true(pg.counts_exact);
    for (int i = 0; i < HY_EXEC_NSTATUS; i++) assert_int_equal(pg.counts[i], 0);
    hy_exec_page_free(&pg);
    /* indexed or pending, the same answers */
    assert_true(t_count(f->e, "SELECT count(*) FROM exec_search_pending", "") > 0);
    list(f, &f->admin, (hy_exec_query){.search = "example"}, &pg);
    int64_t before_flush = pg.total;
    hy_exec_page_free(&pg);
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(db_begin(f->e->c->db, &err), 0);
    assert_int_equal(exec_search_flush(f->e->c, true, &err), 0);
    assert_int_equal(db_commit(f->e->c->db, &err), 0);
    assert_int_equal(t_count(f->e, "SELECT count(*) FROM exec_search_pending", ""), 0);
    list(f, &f->admin, (hy_exec_query){.search = "example"}, &pg);
    assert_int_equal(pg.total, before_flush);
    assert_int_equal(pg.total, 30);
    hy_exec_page_free(&pg);
    assert_int_equal(db_exec(f->e->c->db, &err, "INSERT INTO exec_search(exec_search) VALUES('integrity-check')", ""), 0);
}

static void other_writers_keep_search_and_counts_right(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    hy_exec_page pg;
    /* flush first, so that the changes below go through the pending path */
    db_begin(f->e->c->db, &err);
    exec_search_flush(f->e->c, true, &err);
    db_commit(f->e->c->db, &err);
    /* an organisation renamed (ops_org_update) */
    db_exec(f->e->c->db, &err, "UPDATE organizations SET name = 'Initech' WHERE id = ?", "t", f->acme);
    list(f, &f->admin, (hy_exec_query){.search = "corp"}, &pg);
    assert_int_equal(pg.total, 0);
    hy_exec_page_free(&pg);
    list(f, &f->admin, (hy_exec_query){.search = "initech"}, &pg);
    assert_int_equal(pg.total, 31);
    hy_exec_page_free(&pg);
    /* a user's email changed, then the user deleted (ops_user_delete nulls user_id) */
    char *uid = t_text(f->e, "SELECT user_id FROM workflow_executions WHERE id = ?", f->ids[30]);
    db_exec(f->e->c->db, &err, "UPDATE users SET email = 'renamed@globex.example' WHERE id = ?", "t", uid);
    list(f, &f->admin, (hy_exec_query){.search = "renamed@"}, &pg);
    assert_int_equal(pg.total, 1);
    hy_exec_page_free(&pg);
    db_begin(f->e->c->db, &err);
    assert_int_equal(engine_detach_user(f->e->c, uid, &err), 0);
    db_commit(f->e->c->db, &err);
    list(f, &f->admin, (hy_exec_query){.search = "renamed@"}, &pg);
    assert_int_equal(pg.total, 0);
    hy_exec_page_free(&pg);
    free(uid);
    /* an organisation deleted (ops_org_delete has the engine detach its executions) */
    db_begin(f->e->c->db, &err);
    assert_int_equal(engine_detach_org(f->e->c, f->globex, &err), 0);
    db_commit(f->e->c->db, &err);
    t_assert_counts_consistent(f->e);
    list(f, &f->admin, (hy_exec_query){.search = "globex"}, &pg);
    assert_int_equal(pg.total, 9); /* only its users' emails still say globex */
    for (int i = 0; i < pg.count; i++) assert_non_null(pg.items[i].user_email);
    hy_exec_page_free(&pg);
    db_begin(f->e->c->db, &err);
    assert_int_equal(exec_search_flush(f->e->c, true, &err), 0);
    db_commit(f->e->c->db, &err);
    list(f, &f->admin, (hy_exec_query){.search = "initech"}, &pg);
    assert_int_equal(pg.total, 31);
    hy_exec_page_free(&pg);
    assert_int_equal(db_exec(f->e->c->db, &err, "INSERT INTO exec_search(exec_search) VALUES('integrity-check')", ""), 0);
}

static void a_very_common_search_is_counted_up_to_the_cap(void **state)
{
    fx *f = *state;
    hy_err err;
    hy_err_clear(&err);
    /* 10,050 more finished runs of Globex (made in SQL: a test of the list, not of the engine) */
    char *wf = t_text(f->e, "SELECT id FROM workflow_definitions WHERE name = 'new_partner_user'", NULL);
    assert_int_equal(db_begin(f->e->c->db, &err), 0);
    assert_int_equal(db_exec(f->e->c->db, &err,
                             "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 10050) "
                             "INSERT INTO workflow_executions(id, workflow_definition_id, organization_id, status, "
                             "created_at, search_text) SELECT lower(hex(randomblob(16))), ?1, ?2, "
                             "CASE WHEN i <= 60 THEN 'failed' ELSE 'completed' END, "
                             "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 second'), 'bulk ' || i || ' globex' FROM s",
                             "tt", wf, f->globex),
                     0);
    assert_int_equal(db_exec(f->e->c->db, &err,
                             "INSERT INTO exec_search_pending(rowid, at) SELECT rowid, 0 FROM workflow_executions "
                             "WHERE search_text LIKE 'bulk %'",
                             ""),
                     0);
    assert_int_equal(exec_search_flush(f->e->c, true, &err), 0);
    assert_int_equal(db_exec(f->e->c->db, &err,
                             "INSERT INTO exec_counts(organization_id, workflow_definition_id, status, n) "
                             "SELECT organization_id, workflow_definition_id, status, count(*) FROM workflow_executions "
                             "WHERE search_text LIKE 'bulk %' GROUP BY 1, 2, 3 "
                             "ON CONFLICT(organization_id, workflow_definition_id, status) DO UPDATE SET n = n + excluded.n",
                             ""),
                     0);
    assert_int_equal(db_commit(f->e->c->db, &err), 0);
    free(wf);
    t_assert_counts_consistent(f->e);
    hy_exec_page pg;
    list(f, &f->admin, (hy_exec_query){.search = "globex", .limit = 20}, &pg);
    assert_false(pg.counts_exact);                   /* lower bounds */
    assert_true(pg.total >= HY_EXEC_COUNT_CAP);
    assert_true(pg.total <= HY_EXEC_COUNT_CAP + 1);
    assert_int_equal(pg.count, 20);
    for (int i = 1; i < pg.count; i++) /* newest first */
        assert_true(strcmp(pg.items[i - 1].created_at, pg.items[i].created_at) > 0 ||
                    (strcmp(pg.items[i - 1].created_at, pg.items[i].created_at) == 0 &&
                     pg.items[i - 1].cursor > pg.items[i].cursor));
    hy_exec_page_free(&pg);
    /* a status rare among the newest matches: the rest of the window comes from the index */
    list(f, &f->admin, (hy_exec_query){.search = "globex", .status = "failed", .limit = 20}, &pg);
    assert_int_equal(pg.count, 20);
    for (int i = 0; i < pg.count; i++) assert_string_equal(pg.items[i].status, "failed");
    hy_exec_page_free(&pg);
    /* a needle with a rare trigram ("123": a few dozen documents) among common
     * ones is read from that trigram's documents, each checked: exactly
     * the executions that contain the needle, those with only the trigram
     * ("bulk 1230 globex") left out */
    static const char *const rare[] = {"k 1234 g", "bulk 10", "bulk 1"};
    for (size_t i = 0; i < sizeof rare / sizeof rare[0]; i++) {
        int64_t want =
            t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE instr(search_text, ?) > 0", "t", rare[i]);
        assert_true(want > 0 && want < HY_EXEC_COUNT_CAP);
        list(f, &f->admin, (hy_exec_query){.search = rare[i], .limit = 5}, &pg);
        assert_true(pg.counts_exact);
        assert_int_equal(pg.total, want);
        assert_int_equal(pg.count, want < 5 ? want : 5);
        for (int k = 0; k < pg.count; k++)
            assert_int_equal(t_count(f->e, "SELECT count(*) FROM workflow_executions WHERE id = ? AND "
                                           "instr(search_text, ?) > 0", "tt", pg.items[k].id, rare[i]), 1);
        hy_exec_page_free(&pg);
    }
    /* within an organisation, the counts are exact again */
    list(f, &f->admin, (hy_exec_query){.search = "globex", .org_ref = "Globex"}, &pg);
    assert_true(pg.counts_exact);
    assert_int_equal(pg.total, 11 + 10050);
    assert_int_equal(pg.counts[HY_EXEC_FAILED], 60);
    hy_exec_page_free(&pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(counts_and_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(search, setup, teardown),
        cmocka_unit_test_setup_teardown(other_writers_keep_search_and_counts_right, setup, teardown),
        cmocka_unit_test_setup_teardown(a_very_common_search_is_counted_up_to_the_cap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
