/* Onboarding many people at once (ops_bulk.h): the CSV reader with what
 * spreadsheets write and with hostile files; the columns; every row
 * checked (the form's rules, duplicates, other organisations, people
 * already onboarded); one batch started in one transaction; partner
 * admins kept to their organisation; the batch list and views; the
 * executions list by batch (indexed); and the runners' lanes: a one-off
 * request is taken before a batch's queued steps. */
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "testlib_exec.h"
#include "util.h"

/* ---- the CSV reader ---- */

static void read_ok(const char *text, size_t len, csv_table *t)
{
    hy_err err;
    hy_err_clear(&err);
    if (csv_read(text, len, 500, t, &err) != 0) fail_msg("csv_read: %s", err.msg);
}

static void csv_reads_what_spreadsheets_write(void **state)
{
    (void)state;
    csv_table t;
    /* BOM, semicolons, CRLF, a quoted field with the delimiter, doubled
     * quotes and a line break; a blank line; a row of empty fields */
    const char text[] = "\xef\xbb\xbf" "email;firstname;lastname\r\n"
                        "a@x.test;\"Ann; Jr\";\"O\"\"Neil\"\r\n"
                        "\r\n"
                        "b@x.test;\"Bo\r\nB\";Smith\r\n"
                        "c@x.test;Cy;Z\r\n"
                        ";;\r\n";
    read_ok(text, sizeof text - 1, &t);
    assert_int_equal(t.delim, ';');
    assert_int_equal(t.header.nfields, 3);
    assert_string_equal(t.header.fields[0], "email"); /* no BOM left */
    assert_int_equal(t.nrows, 3);
    assert_int_equal(t.rows[0].line, 2);
    assert_string_equal(t.rows[0].fields[1], "Ann; Jr");
    assert_string_equal(t.rows[0].fields[2], "O\"Neil");
    assert_int_equal(t.rows[1].line, 4);
    assert_string_equal(t.rows[1].fields[1], "Bo\r\nB");
    assert_int_equal(t.rows[2].line, 6); /* after the field that spans two lines */
    csv_table_free(&t);
    /* commas, LF, no newline at the end, a lone CR as line end */
    const char t2[] = "firstname,lastname,email\nA,\"B, C\",a@x.test\rD,E,d@x.test";
    read_ok(t2, sizeof t2 - 1, &t);
    assert_int_equal(t.delim, ',');
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[0].fields[1], "B, C");
    assert_int_equal(t.rows[1].line, 3);
    assert_string_equal(t.rows[1].fields[2], "d@x.test");
    csv_table_free(&t);
}

static void expect_csv_error(const char *text, size_t len, int max_rows, const char *needle)
{
    csv_table t;
    hy_err err;
    hy_err_clear(&err);
    assert_int_equal(csv_read(text, len, max_rows, &t, &err), HY_ERR_INVALID);
    if (!strstr(err.msg, needle)) fail_msg("expected '%s' in: %s", needle, err.msg);
    assert_int_equal(t.nrows, 0);
    assert_null(t.rows);
}

static void csv_refuses_hostile_files(void **state)
{
    (void)state;
    expect_csv_error("", 0, 500, "the file is empty");
    expect_csv_error("firstname,lastname,email\n", 25, 500, "no rows below it");
    const char unclosed[] = "firstname,lastname,email\nA,B,a@x.test\n\"C,D,c@x.test\nE,F,e@x.test\n";
    expect_csv_error(unclosed, sizeof unclosed - 1, 500, "line 3: a quoted field starts there and is never closed");
    const char midquote[] = "firstname,lastname,email\nA,B,a@x.test\nC,5\" screen,c@x.test\n";
    expect_csv_error(midquote, sizeof midquote - 1, 500, "line 3: a quote (\") in the middle of a field");
    const char nul[] = "firstname,lastname,email\nA,B,a@x.test\nC,D\0,c@x.test\n";
    expect_csv_error(nul, sizeof nul - 1, 500, "line 3 contains a NUL byte");
    const char latin1[] = "firstname,lastname,email\nA,B,a@x.test\nJ\xfcrgen,D,c@x.test\n";
    expect_csv_error(latin1, sizeof latin1 - 1, 500, "line 3 is not valid UTF-8");
    const char utf16[] = "\xff\xfe" "f\0i\0";
    expect_csv_error(utf16, sizeof utf16 - 1, 500, "UTF-16");
    const char rows3[] = "firstname,lastname,email\na,b,c\nd,e,f\ng,h,i\n";
    expect_csv_error(rows3, sizeof rows3 - 1, 2, "the file has 3 rows; at most 2");
    /* 10,000 columns */
    hy_buf b = {0};
    for (int i = 0; i < 10000; i++) hy_buf_printf(&b, "%sc%d", i ? "," : "", i);
    hy_buf_put(&b, "\nx\n");
    expect_csv_error(b.s, b.len, 500, "has 10000 columns; at most 64");
    hy_buf_free(&b);
    /* more than 1 MiB (one field) */
    size_t big = CSV_MAX_BYTES + 10;
    char *huge = xmalloc(big + 1);
    memcpy(huge, "firstname,lastname,email\na,b,", 29);
    memset(huge + 29, 'x', big - 29);
    huge[big] = '\0';
    expect_csv_error(huge, big, 500, "at most 1 MiB");
    /* a field of almost 1 MiB is read (the form's rules refuse it later) */
    size_t n = CSV_MAX_BYTES - 100;
    huge[n] = '\n';
    csv_table t;
    read_ok(huge, n + 1, &t);
    assert_int_equal(t.nrows, 1);
    assert_int_equal((int)strlen(t.rows[0].fields[2]), (int)(n - 29));
    csv_table_free(&t);
    free(huge);
    /* a data row of 10,000 fields: counted, 64 kept */
    hy_buf r = {0};
    hy_buf_put(&r, "firstname,lastname,email\n");
    for (int i = 0; i < 10000; i++) hy_buf_printf(&r, "%sv", i ? "," : "");
    hy_buf_put(&r, "\n");
    read_ok(r.s, r.len, &t);
    assert_int_equal(t.rows[0].nfields, 10000);
    csv_table_free(&t);
    hy_buf_free(&r);
}

/* ---- parsing, checking, starting ---- */

typedef struct {
    t_env *e;
    hy_principal admin, pa, pb;
    char org[HY_UUID_LEN], other[HY_UUID_LEN];
} world;

static int setup(void **state)
{
    world *w = xcalloc(1, sizeof *w);
    w->e = t_exec_env();
    t_admin(w->e, &w->admin);
    char x[HY_UUID_LEN];
    t_partner(w->e, &w->admin, "Acme", "st-acme", w->org, x);
    t_partner(w->e, &w->admin, "Globex Secret Corp", "st-glx", w->other, x);
    t_user(w->e, "pa@acme.test", "partner_admin", w->org, "partner-pass-1", x);
    t_user(w->e, "pb@globex.test", "partner_admin", w->other, "partner-pass-1", x);
    t_user(w->e, "taken@globex.test", "user", w->other, NULL, x);
    t_login(w->e, "pa@acme.test", &w->pa);
    t_login(w->e, "pb@globex.test", &w->pb);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    t_env_free(w->e);
    free(w);
    return 0;
}

/* The issue's file: 50 people, a bad email on line 7 and line 31 repeating
 * line 5's address (bad = false: both fixed). */
static char *fifty(bool bad)
{
    hy_buf b = {0};
    hy_buf_put(&b, "lastname,email,firstname,languages\n");
    for (int i = 1; i <= 50; i++) {
        int line = i + 1;
        if (bad && line == 7) hy_buf_printf(&b, "L%d,not-an-email,F%d,en\n", i, i);
        else if (bad && line == 31) hy_buf_printf(&b, "L%d,p4@acme.test,F%d,en\n", i, i);
        else hy_buf_printf(&b, "L%d,p%d@acme.test,F%d,\"en, de\"\n", i, i, i);
    }
    return hy_buf_take(&b);
}

static int parse(world *w, const hy_principal *p, const char *text, hy_bulk_input *in, hy_err *err)
{
    hy_err_clear(err);
    return ops_bulk_parse(w->e->c, p, "new_partner_user", text, strlen(text), in, err);
}

static int import(world *w, const hy_principal *p, const char *text, const hy_bulk_opts *o, hy_bulk_report *r,
                  hy_err *err)
{
    hy_bulk_input in;
    int rc = parse(w, p, text, &in, err);
    if (rc) {
        memset(r, 0, sizeof *r);
        return rc;
    }
    hy_err_clear(err);
    rc = ops_bulk_import(w->e->c, p, o, &in, r, err);
    hy_bulk_input_free(&in);
    return rc;
}

static int64_t n_execs(world *w)
{
    return t_count(w->e, "SELECT count(*) FROM workflow_executions WHERE batch_id IS NOT NULL", "");
}

static void columns_any_order_and_named_when_wrong(void **state)
{
    world *w = *state;
    hy_bulk_input in;
    hy_err err;
    assert_int_equal(parse(w, &w->admin, "Email;First Name;LAST_NAME;studio companies\nA@x.test;A;B;\n", &in, &err), 0);
    assert_int_equal(in.nrows, 1);
    assert_string_equal(in.rows[0].values[hy_bulk_col(&in, "email")], "A@x.test");
    assert_string_equal(in.rows[0].values[hy_bulk_col(&in, "firstname")], "A");
    assert_true(in.present[hy_bulk_col(&in, "studio_companies")]);
    assert_false(in.present[hy_bulk_col(&in, "roles")]);
    hy_bulk_input_free(&in);
    assert_int_equal(parse(w, &w->admin, "firstname,email,phone,team\na,b,c,d\n", &in, &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "line 1 (the header): unknown columns 'phone', 'team'"));
    assert_non_null(strstr(err.msg, "missing column: lastname"));
    assert_int_equal(parse(w, &w->admin, "firstname,lastname,email,email\na,b,c,d\n", &in, &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "column named twice: email (columns 3 and 4)"));
    /* escape sequences in a column name are shown escaped */
    assert_int_equal(parse(w, &w->admin, "firstname,lastname,email,\x1b[31mred\nA,B,c@x.test,x\n", &in, &err),
                     HY_ERR_INVALID);
    assert_null(strchr(err.msg, '\x1b'));
    assert_non_null(strstr(err.msg, "\\x1b[31mred"));
}

static void every_row_is_checked_and_nothing_starts(void **state)
{
    world *w = *state;
    char *text = fifty(true);
    hy_bulk_report r;
    hy_err err;
    hy_bulk_opts o = {.org_ref = "Acme", .dry_run = true};
    int64_t users = t_count(w->e, "SELECT count(*) FROM users", "");
    assert_int_equal(import(w, &w->admin, text, &o, &r, &err), HY_ERR_INVALID);
    assert_non_null(strstr(err.msg, "2 of 50 rows have errors: nothing was started"));
    assert_int_equal(r.nrows, 50);
    assert_int_equal(r.nerrors, 2);
    assert_int_equal(r.nready, 48);
    for (int i = 0; i < r.nrows; i++) {
        hy_bulk_result *x = &r.rows[i];
        assert_int_equal(x->line, i + 2);
        if (x->line == 7) {
            assert_int_equal(x->status, HY_BULK_ERROR);
            assert_int_equal(x->nerrors, 1);
            assert_string_equal(x->errors[0], "email: is not a valid email address (name@example.com)");
        } else if (x->line == 31) {
            assert_int_equal(x->status, HY_BULK_ERROR);
            assert_string_equal(x->errors[0], "email: is already on line 5 of this file");
        } else {
            assert_int_equal(x->status, HY_BULK_READY);
        }
    }
    hy_bulk_report_free(&r);
    /* the same, for real: still nothing */
    o.dry_run = false;
    assert_int_equal(import(w, &w->admin, text, &o, &r, &err), HY_ERR_INVALID);
    assert_int_equal(r.nerrors, 2);
    assert_string_equal(r.batch_id, "");
    hy_bulk_report_free(&r);
    assert_int_equal(n_execs(w), 0);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM batches", ""), 0);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM users", ""), users);
    free(text);

    /* every error of a row, with the form's rules; names with escapes */
    const char *bad = "firstname,lastname,email,languages,studio_companies\n"
                      "\x1b]0;pwn\x07,Doe,ok@acme.test,en,\n"
                      ",Doe,x@,xx1,st-nope\n"
                      "Ann,Lee,taken@globex.test,,\"st-acme-t, Acme TEST\"\n"
                      "Bob,Lee,bob@acme.test,,,extra\n";
    assert_int_equal(import(w, &w->admin, bad, &o, &r, &err), HY_ERR_INVALID);
    assert_int_equal(r.nerrors, 4);
    assert_string_equal(r.rows[0].errors[0], "firstname: must be plain text (no control characters or invalid UTF-8)");
    assert_int_equal(r.rows[1].nerrors, 4);
    assert_string_equal(r.rows[1].errors[0], "email: is not a valid email address (name@example.com)");
    assert_string_equal(r.rows[1].errors[1], "languages: 'xx1' is not an ISO 639-1 language code (en, de, fr, ...)");
    assert_string_equal(r.rows[1].errors[2], "studio_companies: 'st-nope' is not one of the Studio companies of this organisation");
    assert_string_equal(r.rows[1].errors[3], "firstname: is required");
    /* an admin is told where the address is */
    assert_string_equal(r.rows[2].errors[0], "email: belongs to a user of another organisation (Globex Secret Corp)");
    assert_non_null(strstr(r.rows[3].errors[0], "has 6 fields but the header has 5 columns"));
    hy_bulk_report_free(&r);
    /* a partner admin is not */
    assert_int_equal(import(w, &w->pa, bad, &(hy_bulk_opts){.dry_run = true}, &r, &err), HY_ERR_INVALID);
    assert_null(strstr(r.rows[2].errors[0], "Globex"));
    assert_string_equal(r.rows[2].errors[0], "email: this address cannot be added to your organisation (it is already "
                                             "in use; HyOpps support can help)");
    hy_bulk_report_free(&r);
    assert_int_equal(n_execs(w), 0);
}

static void a_valid_file_starts_one_batch(void **state)
{
    world *w = *state;
    char *text = fifty(false);
    hy_bulk_report r;
    hy_err err;
    hy_bulk_opts o = {.org_ref = "Acme", .source = "team.csv"};
    assert_int_equal(import(w, &w->admin, text, &o, &r, &err), 0);
    assert_int_equal(r.nready, 50);
    assert_int_equal((int)strlen(r.batch_id), 36);
    for (int i = 0; i < 50; i++) assert_non_null(r.rows[i].execution_id);
    /* one batch, 50 executions in its lane, queued at step 3, none run inline */
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM workflow_executions WHERE batch_id = ? AND run_lane = 1 "
                                   "AND status = 'pending' AND current_step_order = 3 AND organization_id IS NOT NULL "
                                   "AND user_id IS NOT NULL", "t", r.batch_id), 50);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM batch_rows WHERE batch_id = ? AND execution_id IS NOT NULL",
                             "t", r.batch_id), 50);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM audit_log WHERE action = 'batch.start' AND target_id = ?", "t",
                             r.batch_id), 1);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM audit_log WHERE action = 'exec.start' AND "
                                   "json_extract(details, '$.batch_id') = ?", "t", r.batch_id), 50);
    t_assert_counts_consistent(w->e);
    char batch[HY_UUID_LEN];
    hy_strlcpy(batch, r.batch_id, sizeof batch);
    hy_bulk_report_free(&r);

    /* the batch, while queued */
    hy_batch_detail d;
    assert_int_equal(ops_batch_show(w->e->c, &w->admin, batch, &d, &err), 0);
    assert_false(d.settled);
    assert_int_equal(d.s.counts[HY_EXEC_PENDING], 50);
    assert_string_equal(d.s.source, "team.csv");
    hy_batch_detail_free(&d);
    t_drain(w->e);
    char prefix[9];
    hy_strlcpy(prefix, batch, sizeof prefix);
    assert_int_equal(ops_batch_show(w->e->c, &w->admin, prefix, &d, &err), 0);
    assert_true(d.settled);
    assert_int_equal(d.count, 50);
    assert_int_equal(d.s.counts[HY_EXEC_COMPLETED], 50);
    assert_int_equal(d.items[3].line, 5);
    assert_string_equal(d.items[3].email, "p4@acme.test");
    assert_string_equal(d.items[3].status, "completed");
    hy_batch_detail_free(&d);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM users u JOIN access_grants g ON g.user_id = u.id "
                                   "WHERE u.email LIKE 'p%@acme.test' AND g.revoked_at IS NULL", ""), 50 * 4);

    /* again: every one already has access; nothing starts */
    assert_int_equal(import(w, &w->admin, text, &o, &r, &err), 0);
    assert_int_equal(r.nskipped, 50);
    assert_int_equal(r.nready, 0);
    assert_string_equal(r.rows[0].note, "already has access");
    assert_string_equal(r.batch_id, "");
    hy_bulk_report_free(&r);
    assert_int_equal(n_execs(w), 50);
    /* unless asked */
    o.include_existing = true;
    o.dry_run = true;
    assert_int_equal(import(w, &w->admin, text, &o, &r, &err), 0);
    assert_int_equal(r.nready, 50);
    hy_bulk_report_free(&r);
    free(text);

    /* the executions list, by batch: exact counts, the search, an index */
    hy_exec_page pg;
    hy_exec_query q = {.batch_ref = prefix, .limit = 10};
    assert_int_equal(ops_exec_list(w->e->c, &w->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.total, 50);
    assert_int_equal(pg.count, 10);
    assert_true(pg.more);
    assert_true(pg.counts_exact);
    assert_int_equal(pg.counts[HY_EXEC_COMPLETED], 50);
    hy_exec_page_free(&pg);
    q.search = "p17@";
    assert_int_equal(ops_exec_list(w->e->c, &w->admin, &q, &pg, &err), 0);
    assert_int_equal(pg.count, 1);
    assert_string_equal(pg.items[0].user_email, "p17@acme.test");
    hy_exec_page_free(&pg);
    char *plan = db_query_plan(w->e->c->db, "SELECT rowid, status, created_at FROM workflow_executions WHERE batch_id = ?1");
    assert_non_null(strstr(plan, "idx_we_batch"));
    free(plan);
    hy_batch_list l;
    assert_int_equal(ops_batch_list(w->e->c, &w->admin, NULL, 0, &l, &err), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.items[0].rows_started, 50);
    hy_batch_list_free(&l);
}

static void partner_admins_import_into_their_organisation_only(void **state)
{
    world *w = *state;
    const char *text = "firstname,lastname,email\nAnn,Lee,ann@acme.test\nBob,Lee,bob@acme.test\n";
    hy_bulk_report r;
    hy_err err;
    /* another organisation: not found, nothing created */
    assert_int_equal(import(w, &w->pa, text, &(hy_bulk_opts){.org_ref = "Globex Secret Corp"}, &r, &err),
                     HY_ERR_NOT_FOUND);
    assert_int_equal(r.nrows, 0);
    assert_int_equal(import(w, &w->pa, text, &(hy_bulk_opts){.org_ref = w->other}, &r, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(n_execs(w), 0);
    /* their own, with or without naming it */
    assert_int_equal(import(w, &w->pa, text, &(hy_bulk_opts){0}, &r, &err), 0);
    assert_string_equal(r.org_id, w->org);
    assert_int_equal(r.nready, 2);
    char batch[HY_UUID_LEN];
    hy_strlcpy(batch, r.batch_id, sizeof batch);
    hy_bulk_report_free(&r);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM workflow_executions WHERE batch_id = ? AND organization_id = ?",
                             "tt", batch, w->org), 2);
    /* another organisation's partner admin does not see the batch */
    hy_batch_detail d;
    assert_int_equal(ops_batch_show(w->e->c, &w->pb, batch, &d, &err), HY_ERR_NOT_FOUND);
    hy_batch_list l;
    assert_int_equal(ops_batch_list(w->e->c, &w->pb, NULL, 0, &l, &err), 0);
    assert_int_equal(l.count, 0);
    hy_batch_list_free(&l);
    hy_exec_page pg;
    hy_exec_query q = {.batch_ref = batch};
    assert_int_equal(ops_exec_list(w->e->c, &w->pb, &q, &pg, &err), HY_ERR_NOT_FOUND);
    assert_int_equal(ops_batch_show(w->e->c, &w->pa, batch, &d, &err), 0);
    assert_int_equal(d.count, 2);
    hy_batch_detail_free(&d);
    /* a plain user may not import at all */
    hy_principal u;
    char x[HY_UUID_LEN];
    t_user(w->e, "plain@acme.test", "user", w->org, "user-pass-12", x);
    t_login(w->e, "plain@acme.test", &u);
    hy_bulk_input in;
    assert_int_equal(parse(w, &u, text, &in, &err), HY_ERR_NOT_FOUND);
}

/* The runners' lanes: with a batch of 50 queued (every step left to the
 * runners), a request made after it is run at the first tick. */
static void a_one_off_request_goes_before_the_batch(void **state)
{
    world *w = *state;
    w->e->app->cfg->engine.inline_local_steps = false;
    char *text = fifty(false);
    hy_bulk_report r;
    hy_err err;
    assert_int_equal(import(w, &w->admin, text, &(hy_bulk_opts){.org_ref = "Acme"}, &r, &err), 0);
    hy_bulk_report_free(&r);
    free(text);
    char one[HY_UUID_LEN];
    t_start_user(w->e, &w->admin, w->org, one);
    t_submit_ok(w->e, &w->admin, one, "input_user_details", "firstname=Solo", "lastname=Request",
                "email=solo@acme.test", NULL);
    char *st = t_exec_status(w->e, one);
    assert_string_equal(st, "pending"); /* queued after the batch's 50 */
    free(st);
    hy_engine *eng;
    engine_open(w->e->c, NULL, &eng, &err);
    bool worked = false;
    assert_int_equal(engine_tick(eng, &worked, &err), 0);
    assert_true(worked);
    st = t_exec_status(w->e, one);
    assert_string_equal(st, "completed");
    free(st);
    assert_true(t_count(w->e, "SELECT count(*) FROM workflow_executions WHERE batch_id IS NOT NULL "
                              "AND status = 'pending'", "") > 0);
    /* the runner's lookups stay on the index */
    char *plan = db_query_plan(w->e->c->db, "SELECT id FROM workflow_executions WHERE run_lane = ? AND next_run_at "
                                            "IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT 1");
    assert_non_null(strstr(plan, "idx_we_runnable"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    free(plan);
    int64_t due = 0;
    assert_int_equal(engine_next_due(eng, &due, &err), 0);
    assert_true(due > 0 && due <= hy_now_ms());
    assert_int_equal(engine_drain(eng, NULL, &err), 0);
    engine_close(eng);
    assert_int_equal(t_count(w->e, "SELECT count(*) FROM workflow_executions WHERE batch_id IS NOT NULL "
                                   "AND status = 'completed'", ""), 50);
    t_assert_counts_consistent(w->e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_reads_what_spreadsheets_write),
        cmocka_unit_test(csv_refuses_hostile_files),
        cmocka_unit_test_setup_teardown(columns_any_order_and_named_when_wrong, setup, teardown),
        cmocka_unit_test_setup_teardown(every_row_is_checked_and_nothing_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(a_valid_file_starts_one_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(partner_admins_import_into_their_organisation_only, setup, teardown),
        cmocka_unit_test_setup_teardown(a_one_off_request_goes_before_the_batch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
