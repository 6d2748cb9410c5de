/* Importing many people at once (ops_bulk.h), simulated integrations:
 *  1. checking and starting a 500-row file: ops_bulk_parse (libcsv, the
 *     columns) + ops_bulk_import (every row checked with the form's rules,
 *     then the batch, its rows and 500 executions in one transaction);
 *  2. one worker working through the steps: 500 executions started one by
 *     one (ops_exec_start + ops_exec_submit, every step left to the
 *     runners) against the same 500 as one batch. Executions per second of
 *     the worker alone, draining what was queued (the WAL copied back
 *     first, so that neither pays for the other's writes).
 *
 *   bench_bulk [--rows N] [--repeat R]
 *
 * Prints Markdown table rows (the median of R runs each). */
#include "bench_common.h"

static int ROWS = 500, REPEAT = 3;

static char *csv_text(int run, int rows)
{
    hy_buf b = {0};
    hy_buf_put(&b, "firstname,lastname,email,languages\n");
    for (int i = 0; i < rows; i++) hy_buf_printf(&b, "Bulk,Person%d,r%d-p%d@bench.example,\"en,de\"\n", i, run, i);
    return hy_buf_take(&b);
}

static double drain_rate(t_env *e, int n)
{
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    engine_open(e->c, NULL, &eng, &err);
    /* what the producer left in the WAL is copied back first: the worker's
     * time is its steps' */
    if (db_checkpoint(e->c->db, NULL, &err) != 0) die("checkpoint", &err);
    double t0 = now_us();
    if (engine_drain(eng, NULL, &err) != 0) die("drain", &err);
    double dt = now_us() - t0;
    engine_close(eng);
    return n / (dt / 1e6);
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rows") == 0) ROWS = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--repeat") == 0) REPEAT = atoi(argv[i + 1]);
    }
    if (ROWS < 1 || REPEAT < 1) die("usage: bench_bulk [--rows N] [--repeat R]", NULL);
    t_env *e = t_exec_env();
    e->app->cfg->bulk.max_rows = ROWS;
    hy_principal admin;
    t_admin(e, &admin);
    char org[1][HY_UUID_LEN];
    bench_orgs(e, &admin, 1, org);
    double *check = xcalloc((size_t)REPEAT, sizeof *check), *start = xcalloc((size_t)REPEAT, sizeof *start);
    double *one = xcalloc((size_t)REPEAT, sizeof *one), *batch = xcalloc((size_t)REPEAT, sizeof *batch);
    hy_err err;
    for (int r = 0; r < REPEAT; r++) {
        /* 1. check (dry run), then check and start */
        char *text = csv_text(r, ROWS);
        hy_bulk_input in;
        hy_bulk_report rep;
        double t0 = now_us();
        hy_err_clear(&err);
        if (ops_bulk_parse(e->c, &admin, "new_partner_user", text, strlen(text), &in, &err) != 0) die("parse", &err);
        hy_bulk_opts o = {.org_ref = org[0], .dry_run = true};
        if (ops_bulk_import(e->c, &admin, &o, &in, &rep, &err) != 0) die("check", &err);
        check[r] = (now_us() - t0) / 1000;
        hy_bulk_report_free(&rep);
        hy_bulk_input_free(&in);
        /* every step left to the worker, in both halves */
        e->app->cfg->engine.inline_local_steps = false;
        t0 = now_us();
        if (ops_bulk_parse(e->c, &admin, "new_partner_user", text, strlen(text), &in, &err) != 0) die("parse", &err);
        o.dry_run = false;
        if (ops_bulk_import(e->c, &admin, &o, &in, &rep, &err) != 0) die("start", &err);
        start[r] = (now_us() - t0) / 1000;
        if (rep.nready != ROWS) die("not every row started", NULL);
        hy_bulk_report_free(&rep);
        hy_bulk_input_free(&in);
        free(text);
        /* 2. the worker: the batch, then the same number one by one */
        batch[r] = drain_rate(e, ROWS);
        for (int i = 0; i < ROWS; i++) {
            char id[HY_UUID_LEN], kv[128];
            hy_err_clear(&err);
            if (ops_exec_start(e->c, &admin, "new_partner_user", org[0], id, &err) != 0) die("start", &err);
            snprintf(kv, sizeof kv, "email=o%d-p%d@bench.example", r, i);
            char *pairs[] = {"firstname=One", "lastname=ByOne", kv, "languages=en,de"};
            cJSON *input = NULL;
            if (ops_exec_input_from_pairs(4, pairs, &input, &err) != 0) die("input", &err);
            if (ops_exec_submit(e->c, &admin, id, "input_user_details", input, &err) != 0) die("submit", &err);
            cJSON_Delete(input);
        }
        one[r] = drain_rate(e, ROWS);
        e->app->cfg->engine.inline_local_steps = true;
    }
    if (t_count(e, "SELECT count(*) FROM workflow_executions WHERE status != 'completed' AND batch_id IS NOT NULL", "") != 0)
        die("a batch execution did not complete", NULL);
    double c = quantile(check, REPEAT, 0.5), s = quantile(start, REPEAT, 0.5);
    double b = quantile(batch, REPEAT, 0.5), o1 = quantile(one, REPEAT, 0.5);
    printf("| check %d rows (dry run) | %.0f ms |\n", ROWS, c);
    printf("| check and start %d rows (one transaction) | %.0f ms |\n", ROWS, s);
    printf("| one worker: %d executions started one by one | %.0f executions/s |\n", ROWS, o1);
    printf("| one worker: the same as one batch | %.0f executions/s (%+.0f%%) |\n", b, 100.0 * (b - o1) / o1);
    bench_machine(e, stdout);
    free(check);
    free(start);
    free(one);
    free(batch);
    t_env_free(e);
    (void)bench_one_user; /* bench_common.h's, for the other programs */
    return 0;
}
