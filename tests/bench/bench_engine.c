/* Executions per second for new_partner_user, end to end: a producer starts
 * each execution and gives its input through ops (as the TUI or the CLI
 * would), W worker threads (each with its own connection, as `hyopps
 * worker` processes) run the 7 auto steps, simulated. Also: the latency of
 * each step transition, on an empty database and on one holding history.
 *
 *   bench_engine [--executions M] [--history H] [--orgs K] [--workers 1,2,4]
 *                [--runner-path 1]
 *
 * By default ([engine] inline_local_steps) the simulated steps are run by
 * the input that queues them, in its transaction; the workers then only do
 * what runners do in the background (checkpoints, the search index).
 * --runner-path 1 leaves every step to the workers, as live steps are.
 *
 * Prints one Markdown table row per worker count. Diagnostics on stderr
 * with BENCH_PHASES=1 (producer rate, CPU time per execution, latency
 * means and maxima); BENCH_SPLIT=1 runs the producer alone, then the
 * workers alone; BENCH_CACHE_DB=FILE keeps or reuses the generated
 * database. */
#include <pthread.h>
#include <stdatomic.h>

#include "bench_common.h"

typedef struct {
    hy_app *app;
    atomic_bool *done;
    double *ticks;          /* µs per tick that ran an execution's auto steps */
    int nticks, cap;
    long steps;
    int errors;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    engine_open(&w->app->ctx, NULL, &eng, &err);
    long before = 0;
    while (!atomic_load(w->done)) {
        bool worked = false;
        double t0 = now_us();
        if (engine_tick(eng, &worked, &err) != 0) {
            fprintf(stderr, "worker: %s\n", err.msg);
            w->errors++;
        }
        double dt = now_us() - t0;
        hy_engine_stats st;
        engine_get_stats(eng, &st);
        if (worked && st.steps_completed > before) {
            if (w->nticks == w->cap) w->ticks = xrealloc(w->ticks, (size_t)(w->cap = w->cap ? w->cap * 2 : 4096) * sizeof *w->ticks);
            w->ticks[w->nticks++] = dt / (double)(st.steps_completed - before);
            before = st.steps_completed;
        }
        if (!worked) usleep(200);
    }
    hy_engine_stats st;
    engine_get_stats(eng, &st);
    w->steps = st.steps_completed;
    engine_close(eng);
    return NULL;
}

typedef struct {
    double execs_per_s, start_med, start_p99, input_med, input_p99, step_med, step_p99, e2e_med, e2e_p99;
    int errors;
} result;

/* --runner-path: every auto step left to the workers ([engine]
 * inline_local_steps = false), as live steps are. */
static bool runner_path;

static hy_app *open_app(const char *db_path)
{
    hy_app *app = t_open_app(db_path);
    if (!app) die("open", NULL);
    app->cfg->engine.inline_local_steps = !runner_path;
    return app;
}

static result run(const char *db_path, int workers, int m, int norgs)
{
    result r = {0};
    t_env e = {0};
    e.app = open_app(db_path);
    e.c = &e.app->ctx;
    hy_principal admin;
    t_login(&e, "admin@hyopps.local", &admin);
    char (*orgs)[HY_UUID_LEN] = xcalloc((size_t)norgs, sizeof *orgs);
    hy_err err;
    hy_err_clear(&err);
    hy_stmt *st = db_query(e.c->db, &err, "SELECT id FROM organizations WHERE name LIKE 'Partner %' ORDER BY name", "");
    for (int i = 0; db_row(st) && i < norgs; i++) hy_strlcpy(orgs[i], db_text(st, 0), HY_UUID_LEN);
    db_done(st);
    int64_t first_rowid = t_count(&e, "SELECT coalesce(max(rowid), 0) FROM workflow_executions", "");
    const char *done_sql = "SELECT coalesce(sum(n), 0) FROM exec_counts WHERE status = 'completed'";
    int64_t done_before = t_count(&e, done_sql, "");

    atomic_bool done = false;
    worker *w = xcalloc((size_t)workers, sizeof *w);
    pthread_t *th = xcalloc((size_t)workers, sizeof *th);
    bool split = getenv("BENCH_SPLIT") != NULL; /* diagnostics: inputs first, then the workers alone */
    for (int i = 0; i < workers && !split; i++) {
        w[i].app = open_app(db_path);
        w[i].done = &done;
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    double *starts = xcalloc((size_t)m, sizeof *starts), *inputs = xcalloc((size_t)m, sizeof *inputs);
    double *inl = NULL; /* µs per step of the steps an input ran inline */
    int ninl = 0, capinl = 0;
    double cpu0 = thread_cpu_us();
    double t0 = now_us();
    for (int i = 0; i < m; i++) {
        char id[HY_UUID_LEN], email[96];
        double a = now_us();
        if (ops_exec_start(e.c, &admin, "new_partner_user", orgs[i % norgs], id, &err) != 0) die("start", &err);
        double b = now_us();
        snprintf(email, sizeof email, "email=bench%d.%ld@load.example", i, (long)t0);
        char *pairs[] = {"firstname=Load", "lastname=Test", email, "languages=en"};
        cJSON *in = NULL;
        ops_exec_input_from_pairs(4, pairs, &in, &err);
        long s0, s1;
        int64_t n0, n1;
        engine_inline_stats(&s0, &n0);
        if (ops_exec_submit(e.c, &admin, id, "input_user_details", in, &err) != 0) die("submit", &err);
        engine_inline_stats(&s1, &n1);
        if (s1 > s0) {
            if (ninl == capinl) inl = xrealloc(inl, (size_t)(capinl = capinl ? capinl * 2 : 4096) * sizeof *inl);
            inl[ninl++] = (double)(n1 - n0) / 1e3 / (double)(s1 - s0);
        }
        cJSON_Delete(in);
        starts[i] = b - a;
        inputs[i] = now_us() - b;
    }
    if (getenv("BENCH_PHASES") || split) {
        fprintf(stderr, "producer: %.0f executions/s, %.0f us CPU each", m / ((now_us() - t0) / 1e6),
                (thread_cpu_us() - cpu0) / m);
        double *a = xcalloc((size_t)m, sizeof *a), *b = xcalloc((size_t)m, sizeof *b);
        memcpy(a, starts, (size_t)m * sizeof *a);
        memcpy(b, inputs, (size_t)m * sizeof *b);
        double sa = 0, sb = 0;
        for (int i = 0; i < m; i++) sa += a[i], sb += b[i];
        fprintf(stderr, " (start p50 %.2f p99 %.2f max %.2f mean %.2f ms, input p50 %.2f p99 %.2f max %.2f mean %.2f ms)\n",
                quantile(a, m, 0.5) / 1000, quantile(a, m, 0.99) / 1000, quantile(a, m, 1) / 1000, sa / m / 1000,
                quantile(b, m, 0.5) / 1000, quantile(b, m, 0.99) / 1000, quantile(b, m, 1) / 1000, sb / m / 1000);
        free(a);
        free(b);
    }
    if (split) {
        t0 = now_us();
        for (int i = 0; i < workers; i++) {
            w[i].app = open_app(db_path);
            w[i].done = &done;
            pthread_create(&th[i], NULL, worker_main, &w[i]);
        }
    }
    /* until every one of them completed (a cheap read every 2 ms) */
    char sql[256];
    while (t_count(&e, done_sql, "") - done_before < m) usleep(2000);
    double elapsed = (now_us() - t0) / 1e6;
    if (split) fprintf(stderr, "workers alone: %.0f executions/s\n", m / elapsed);
    atomic_store(&done, true);
    int nall = 0;
    for (int i = 0; i < workers; i++) {
        pthread_join(th[i], NULL);
        nall += w[i].nticks;
        r.errors += w[i].errors;
    }
    /* step transitions: the runners' (a transaction's time over the steps it
     * ran) and the inputs' (the steps they ran inline, likewise) */
    double *steps = xcalloc((size_t)(nall + ninl + 1), sizeof *steps);
    int k = 0;
    for (int i = 0; i < workers; i++) {
        memcpy(steps + k, w[i].ticks, (size_t)w[i].nticks * sizeof *steps);
        k += w[i].nticks;
        free(w[i].ticks);
        app_close(w[i].app);
    }
    /* input given -> execution completed, from the rows (ms resolution) */
    double *e2e = xcalloc((size_t)m, sizeof *e2e);
    int ne = 0;
    snprintf(sql, sizeof sql,
             "SELECT e.completed_at, s.input_at FROM workflow_executions e JOIN workflow_step_executions s "
             "ON s.execution_id = e.id AND s.step_order = 2 WHERE e.rowid > %lld",
             (long long)first_rowid);
    st = db_query(e.c->db, &err, sql, "");
    while (db_row(st) && ne < m) {
        int64_t c, in;
        if (hy_parse_time(db_text(st, 0), &c) && hy_parse_time(db_text(st, 1), &in)) e2e[ne++] = (double)(c - in);
    }
    db_done(st);
    r.execs_per_s = m / elapsed;
    r.start_med = quantile(starts, m, 0.5);
    r.start_p99 = quantile(starts, m, 0.99);
    r.input_med = quantile(inputs, m, 0.5);
    r.input_p99 = quantile(inputs, m, 0.99);
    memcpy(steps + k, inl, (size_t)ninl * sizeof *steps);
    k += ninl;
    free(inl);
    r.step_med = quantile(steps, k, 0.5);
    r.step_p99 = quantile(steps, k, 0.99);
    r.e2e_med = quantile(e2e, ne, 0.5);
    r.e2e_p99 = quantile(e2e, ne, 0.99);
    free(e2e); free(steps); free(starts); free(inputs); free(w); free(th); free(orgs);
    app_close(e.app);
    return r;
}

int main(int argc, char **argv)
{
    int m = 3000, history = 0, norgs = 20;
    const char *workers_list = "1,2,4";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--executions")) m = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--history")) history = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--orgs")) norgs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--workers")) workers_list = argv[i + 1];
        else if (!strcmp(argv[i], "--runner-path") && !strcmp(argv[i + 1], "1")) runner_path = true;
    }
    t_env *e = t_exec_env();
    hy_principal admin;
    t_admin(e, &admin);
    char (*orgs)[HY_UUID_LEN] = xcalloc((size_t)norgs, sizeof *orgs);
    /* BENCH_CACHE_DB=FILE (diagnostics): reuse the database made by an
     * earlier run with the same --orgs and --history, or keep this one. */
    const char *cache = getenv("BENCH_CACHE_DB");
    bool cached = cache && access(cache, R_OK) == 0;
    double g0 = now_us();
    if (!cached) {
        bench_orgs(e, &admin, norgs, orgs);
        char tpl[HY_UUID_LEN];
        bench_one_user(e, &admin, orgs[0], "template@load.example", tpl);
        g0 = now_us();
        if (history > 0) bench_history(e, tpl, history, 0);
    }
    double gen_s = (now_us() - g0) / 1e6;
    fprintf(stderr, "bench_engine: %d organisations, history of %d executions (%.1f s to generate)\n", norgs, history,
            gen_s);
    char machine[512];
    FILE *mf = fmemopen(machine, sizeof machine, "w");
    bench_machine(e, mf);
    fclose(mf);
    char base[600];
    snprintf(base, sizeof base, "%s/hyopps.db", e->dir);
    exec_sql(e, "PRAGMA wal_checkpoint(TRUNCATE);");
    app_close(e->app);
    if (cache) {
        char cmd[1500];
        snprintf(cmd, sizeof cmd, cached ? "cp '%s' '%s'" : "cp '%2$s' '%1$s'", cache, base);
        if (system(cmd) != 0) die("cache copy", NULL);
    }
    printf("<!-- %s -->\n", machine);
    char list[64];
    hy_strlcpy(list, workers_list, sizeof list);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int wcount = atoi(tok);
        char copy[700], cmd[1500];
        snprintf(copy, sizeof copy, "%s/run-%d.db", e->dir, wcount);
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", base, copy);
        if (system(cmd) != 0) die("copy", NULL);
        result r = run(copy, wcount, m, norgs);
        printf("| %d | %d | %d | **%.0f** | %.2f / %.2f | %.2f / %.2f | %.3f / %.3f | %.0f / %.0f | %d |\n", history,
               wcount, m, r.execs_per_s, r.start_med / 1000, r.start_p99 / 1000, r.input_med / 1000,
               r.input_p99 / 1000, r.step_med / 1000, r.step_p99 / 1000, r.e2e_med, r.e2e_p99, r.errors);
        fflush(stdout);
        unlink(copy);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", e->dir);
    free(e);
    free(orgs);
    return 0;
}
