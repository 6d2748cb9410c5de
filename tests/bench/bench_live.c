/* new_partner_user in live mode against the fake services (tests/fakes/:
 * Metabase, Graph, Slack over HTTP on loopback, SMTP with STARTTLS and AUTH):
 * executions per second with W workers, what each execution costs in HTTP
 * requests, emails and TCP connections, and the CPU each process used (to
 * see whether the fakes or HyOpps are the bottleneck).
 *
 * A producer (the main thread) starts each execution and gives its input
 * through ops, as the TUI or the CLI would; W worker threads, each with its
 * own connection and its own live client (as `hyopps worker` processes),
 * run the 7 auto steps: 4 live (Metabase, Teams, Slack, email), 3 Studio
 * (simulated). The clock runs from the first start to the last completion.
 *
 *   bench_live [--executions M] [--workers 1,2,4]
 *
 * Prints Markdown table rows: "<!-- runs -->" one per worker count,
 * "<!-- cpu -->" the CPU each process used, "<!-- breakdown -->" the calls
 * and steps of the first run (mean ms). BENCH_SIMULATE_EMAIL=1: the same
 * with the email simulated (what the SMTP fake costs). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "integrations/http.h"
#include "ops.h"
#include "util.h"
#include "workflows.h"
#include "../unit/testlib_live.h"

static void die(const char *what, const hy_err *err)
{
    fprintf(stderr, "bench_live: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

typedef struct {
    hy_app *app;
    atomic_bool *done;
    int errors;
} worker;

static t_live *L;
static char bench_db[600];

static void *worker_main(void *arg)
{
    worker *w = arg;
    hy_engine *eng;
    hy_err err;
    hy_err_clear(&err);
    engine_open(&w->app->ctx, NULL, &eng, &err);
    while (!atomic_load(w->done)) {
        bool worked = false;
        if (engine_tick(eng, &worked, &err) != 0) {
            fprintf(stderr, "worker: %s\n", err.msg);
            w->errors++;
        }
        if (!worked) usleep(200);
    }
    engine_close(eng);
    return NULL;
}

/* CPU seconds a process used so far (user + system), from /proc. */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command may hold spaces */
    if (!p) return 0;
    unsigned long ut = 0, stt = 0;
    /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) != 2) return 0;
    return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int fake_int(t_fake *f, const char *key)
{
    cJSON *st = t_fake_state(f);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key);
    int n = cJSON_IsNumber(v) ? v->valueint : 0;
    cJSON_Delete(st);
    return n;
}

static int smtp_int(const char *key)
{
    cJSON *st = t_smtp_state(L->smtp);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, key);
    int n = cJSON_IsNumber(v) ? v->valueint : cJSON_GetArraySize(v);
    cJSON_Delete(st);
    return n;
}

typedef struct {
    double per_s;
    double http_req, smtp_sends, http_conns, smtp_conns, fake_http_req, fake_http_conns, http_ms, smtp_ms;
    double cpu_self, cpu_mb, cpu_graph, cpu_slack, cpu_smtp, elapsed;
    int errors, completed;
    hy_buf breakdown;       /* Markdown rows: calls by service, then steps */
} result;

static result run(int workers, int m)
{
    result r = {0};
    t_live_reset(L);
    t_env *e = t_live_env(L, 15000);
    snprintf(bench_db, sizeof bench_db, "%s/hyopps.db", e->dir);
    hy_principal admin;
    t_admin(e, &admin);
    char org[HY_UUID_LEN], pexec[HY_UUID_LEN];
    t_partner(e, &admin, "Bench Live GmbH", "bl", org, pexec);
    /* every user has a Slack account */
    hy_buf seed = {0};
    hy_buf_put(&seed, "{\"users\": [");
    for (int i = 0; i < m; i++) hy_buf_printf(&seed, "%s{\"email\": \"live%d@bench.example\"}", i ? "," : "", i);
    hy_buf_put(&seed, "]}");
    cJSON_Delete(t_fake_post(L->slack, "/_fake/seed", seed.s));
    hy_buf_free(&seed);
    int64_t first_rowid = t_count(e, "SELECT coalesce(max(rowid), 0) FROM workflow_executions", "");
    const char *done_sql = "SELECT coalesce(sum(n), 0) FROM exec_counts WHERE status IN ('completed', 'failed')";
    int64_t done_before = t_count(e, done_sql, "");
    int req0 = fake_int(L->mb, "total_requests") + fake_int(L->graph, "total_requests") + fake_int(L->slack, "total_requests");
    int conn0 = fake_int(L->mb, "connections") + fake_int(L->graph, "connections") + fake_int(L->slack, "connections");
    int smtp_conn0 = smtp_int("connections");
    double c_self = self_cpu_s(), c_mb = proc_cpu_s(L->mb->pid), c_gr = proc_cpu_s(L->graph->pid);
    double c_sl = proc_cpu_s(L->slack->pid), c_sm = proc_cpu_s(L->smtp->pid);

    atomic_bool done = false;
    worker *w = xcalloc((size_t)workers, sizeof *w);
    pthread_t *th = xcalloc((size_t)workers, sizeof *th);
    for (int i = 0; i < workers; i++) {
        w[i].app = t_live_open_app(L, bench_db, 15000);
        if (!w[i].app) die("open", NULL);
        /* BENCH_SIMULATE_EMAIL: the same without the email, to show what the SMTP fake costs */
        if (getenv("BENCH_SIMULATE_EMAIL")) w[i].app->cfg->smtp.mode = HY_MODE_SIMULATE;
        w[i].done = &done;
    }
    double t0 = now_us();
    for (int i = 0; i < workers; i++) pthread_create(&th[i], NULL, worker_main, &w[i]);
    hy_err err;
    hy_err_clear(&err);
    for (int i = 0; i < m; i++) {
        char id[HY_UUID_LEN], email[96];
        if (ops_exec_start(e->c, &admin, "new_partner_user", org, id, &err) != 0) die("start", &err);
        snprintf(email, sizeof email, "email=live%d@bench.example", i);
        char *pairs[] = {"firstname=Live", "lastname=Bench", email};
        cJSON *in = NULL;
        ops_exec_input_from_pairs(3, pairs, &in, &err);
        if (ops_exec_submit(e->c, &admin, id, "input_user_details", in, &err) != 0) die("submit", &err);
        cJSON_Delete(in);
    }
    while (t_count(e, done_sql, "") - done_before < m) usleep(2000);
    r.elapsed = (now_us() - t0) / 1e6;
    atomic_store(&done, true);
    for (int i = 0; i < workers; i++) {
        pthread_join(th[i], NULL);
        r.errors += w[i].errors;
        app_close(w[i].app);
    }
    r.cpu_self = self_cpu_s() - c_self;
    r.cpu_mb = proc_cpu_s(L->mb->pid) - c_mb;
    r.cpu_graph = proc_cpu_s(L->graph->pid) - c_gr;
    r.cpu_slack = proc_cpu_s(L->slack->pid) - c_sl;
    r.cpu_smtp = proc_cpu_s(L->smtp->pid) - c_sm;
    r.per_s = m / r.elapsed;

    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM workflow_executions WHERE rowid > %lld AND status = 'completed'",
             (long long)first_rowid);
    r.completed = (int)t_count(e, sql, "");
    /* what the steps recorded: every call, and the connections each opened */
    snprintf(sql, sizeof sql,
             "SELECT coalesce(sum(json_extract(c.value, '$.service') != 'smtp'), 0), "
             "coalesce(sum(json_extract(c.value, '$.service') = 'smtp'), 0), "
             "coalesce(sum(CASE WHEN json_extract(c.value, '$.service') != 'smtp' THEN coalesce(json_extract(c.value, '$.new_connections'), 0) END), 0), "
             "coalesce(sum(CASE WHEN json_extract(c.value, '$.service') = 'smtp' THEN coalesce(json_extract(c.value, '$.new_connections'), 0) END), 0), "
             "coalesce(avg(CASE WHEN json_extract(c.value, '$.service') != 'smtp' THEN json_extract(c.value, '$.duration_ms') END), 0), "
             "coalesce(avg(CASE WHEN json_extract(c.value, '$.service') = 'smtp' THEN json_extract(c.value, '$.duration_ms') END), 0) "
             "FROM workflow_executions x JOIN workflow_step_executions s ON s.execution_id = x.id, json_each(s.calls) c "
             "WHERE x.rowid > %lld",
             (long long)first_rowid);
    hy_stmt *st = db_query(e->c->db, &err, sql, "");
    if (db_row(st)) {
        r.http_req = (double)db_int(st, 0) / m;
        r.smtp_sends = (double)db_int(st, 1) / m;
        r.http_conns = (double)db_int(st, 2) / m;
        r.smtp_conns = (double)db_int(st, 3) / m;
        r.http_ms = db_double(st, 4);
        r.smtp_ms = db_double(st, 5);
    }
    db_done(st);
    int req1 = fake_int(L->mb, "total_requests") + fake_int(L->graph, "total_requests") + fake_int(L->slack, "total_requests");
    int conn1 = fake_int(L->mb, "connections") + fake_int(L->graph, "connections") + fake_int(L->slack, "connections");
    r.fake_http_req = (double)(req1 - req0) / m;
    r.fake_http_conns = (double)(conn1 - conn0) / m;
    r.smtp_conns = r.smtp_conns > 0 ? r.smtp_conns : (double)(smtp_int("connections") - smtp_conn0) / m;

    /* where a worker's time goes: the calls by service, and the steps */
    snprintf(sql, sizeof sql,
             "SELECT json_extract(c.value, '$.service') || ' ' || json_extract(c.value, '$.method'), count(*), "
             "avg(json_extract(c.value, '$.duration_ms')) "
             "FROM workflow_executions x JOIN workflow_step_executions s ON s.execution_id = x.id, json_each(s.calls) c "
             "WHERE x.rowid > %lld GROUP BY 1 ORDER BY 3 DESC",
             (long long)first_rowid);
    st = db_query(e->c->db, &err, sql, "");
    while (db_row(st))
        hy_buf_printf(&r.breakdown, "| call: %s | %.2f | %.2f |\n", db_text(st, 0), (double)db_int(st, 1) / m,
                      db_double(st, 2));
    db_done(st);
    snprintf(sql, sizeof sql,
             "SELECT s.step_order, avg(json_extract(s.attempt_log, '$[#-1].duration_ms')) FROM workflow_executions x "
             "JOIN workflow_step_executions s ON s.execution_id = x.id WHERE x.rowid > %lld AND s.step_order > 2 "
             "GROUP BY s.step_order ORDER BY s.step_order",
             (long long)first_rowid);
    st = db_query(e->c->db, &err, sql, "");
    const hy_workflow_def *wf = workflow_find("new_partner_user");
    while (db_row(st)) {
        int k = (int)db_int(st, 0);
        hy_buf_printf(&r.breakdown, "| step %d: %s (%s) | 1 | %.2f |\n", k, wf->steps[k - 1].name,
                      hy_integration_name(wf->steps[k - 1].integration), db_double(st, 1));
    }
    db_done(st);

    free(w);
    free(th);
    t_env_free(e);
    return r;
}

int main(int argc, char **argv)
{
    int m = 300;
    const char *workers_list = "1,2,4";
    bool simulate_email = getenv("BENCH_SIMULATE_EMAIL") != NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--executions")) m = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--workers")) workers_list = argv[i + 1];
    }
    integ_global_init();
    L = t_live_start();
    char list[64];
    hy_strlcpy(list, workers_list, sizeof list);
    hy_buf cpu = {0}, breakdown = {0};
    printf("<!-- runs%s -->\n", simulate_email ? " (email simulated)" : "");
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int wcount = atoi(tok);
        result r = run(wcount, m);
        printf("| %d | %d | **%.0f** | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %d |\n", wcount, m, r.per_s,
               r.http_req, r.smtp_sends, r.http_conns, r.smtp_conns, r.http_ms, r.smtp_ms, m - r.completed + r.errors);
        fflush(stdout);
        hy_buf_printf(&cpu, "| %d | %.1f | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.1f / %.2f |\n", wcount,
                      r.elapsed, 100 * r.cpu_self / r.elapsed, 100 * r.cpu_mb / r.elapsed,
                      100 * r.cpu_graph / r.elapsed, 100 * r.cpu_slack / r.elapsed, 100 * r.cpu_smtp / r.elapsed,
                      r.fake_http_req, r.fake_http_conns);
        if (!breakdown.len) hy_buf_put(&breakdown, r.breakdown.s ? r.breakdown.s : "");
        hy_buf_free(&r.breakdown);
    }
    printf("<!-- cpu -->\n%s", cpu.s ? cpu.s : "");
    printf("<!-- breakdown -->\n%s", breakdown.s ? breakdown.s : "");
    hy_buf_free(&cpu);
    hy_buf_free(&breakdown);
    t_live_stop(L);
    return 0;
}
