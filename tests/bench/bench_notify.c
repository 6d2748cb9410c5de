/* Notifications never slow a step: new_partner_user executions per second
 * (started with their organisation and given their input through ops, the
 * simulated steps, the documentation email included, run by the input)
 * with notifications off, then on with a notifier thread (as in a `hyopps
 * worker` process: its own connection and configuration) delivering them
 * live to the SMTP fake (STARTTLS, AUTH) that takes 200 ms to answer each
 * message, then on with the mail server dead (nothing listens). Each variant
 * on a fresh database, the median of R runs.
 *
 *   bench_notify [--executions M] [--repeat R]
 *
 * Prints Markdown table rows; the machine on a comment line. */
#include <pthread.h>

#include "../unit/fakes.h"
#include "bench_common.h"
#include "notify.h"

typedef struct {
    double execs_per_s, input_med, input_p99;
    long addressed, delivered, backlog, events, left;
} result;

enum { OFF, SLOW, DEAD, NVARIANTS };
static const char *NAMES[NVARIANTS] = {"off", "on, SMTP answering in 200 ms", "on, SMTP server dead"};

static t_fake *smtp;
static char *cert;

static result run(int variant, int m)
{
    result r = {0};
    t_env *e = t_exec_env();
    hy_config *cfg = e->app->cfg;
    hy_principal admin;
    t_admin(e, &admin);
    char org[1][HY_UUID_LEN], warm[HY_UUID_LEN];
    cfg->notify.enabled = false;
    bench_orgs(e, &admin, 1, org);
    bench_one_user(e, &admin, org[0], "warm@load.example", warm); /* not timed */
    cfg->notify.enabled = variant != OFF;
    cfg->notify.input_delay_minutes = 0;
    /* the deliverer: another process's configuration, email live */
    char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    hy_app *worker = t_open_app(path);
    hy_config *wc = worker->cfg;
    wc->notify = cfg->notify;
    wc->notify.admin_emails = xstrdup("ops@example.com, lead@example.com");
    t_config_smtp(wc, variant == DEAD ? 1 : smtp->port, "starttls", cert, "smtp-secret");
    wc->http.timeout_ms = 5000;
    hy_notifier *n = NULL;
    hy_err err;
    hy_err_clear(&err);
    if (variant != OFF && notifier_start(worker, 1000, &n, &err) != 0) die("notifier", &err);
    double *inputs = xcalloc((size_t)m, sizeof *inputs);
    double t0 = now_us();
    for (int i = 0; i < m; i++) {
        char id[HY_UUID_LEN], email[96];
        if (ops_exec_start(e->c, &admin, "new_partner_user", org[0], id, &err) != 0) die("start", &err);
        snprintf(email, sizeof email, "email=bench%d@load.example", i);
        char *pairs[] = {"firstname=Bench", "lastname=User", email};
        cJSON *in = NULL;
        if (ops_exec_input_from_pairs(3, pairs, &in, &err) != 0) die("input", &err);
        double a = now_us();
        if (ops_exec_submit(e->c, &admin, id, "input_user_details", in, &err) != 0) die("submit", &err);
        inputs[i] = (now_us() - a) / 1000;
        cJSON_Delete(in);
    }
    double secs = (now_us() - t0) / 1e6;
    r.execs_per_s = m / secs;
    /* an input runs its local steps for at most 20 ms (engine.h): the rest
     * is a runner's */
    r.left = t_count(e, "SELECT count(*) FROM workflow_executions WHERE status = 'pending'", "");
    t_drain(e);
    int64_t completed = t_count(e, "SELECT count(*) FROM workflow_executions WHERE status = 'completed' AND "
                                   "workflow_definition_id = (SELECT id FROM workflow_definitions WHERE name = "
                                   "'new_partner_user')", "");
    if (completed != m + 1) {
        char *what = t_text(e, "SELECT group_concat(s.step_order || ' ' || s.status || ' ' || coalesce(s.error, ''), '; ') "
                               "FROM workflow_executions x JOIN workflow_step_executions s ON s.execution_id = x.id "
                               "AND s.step_order = x.current_step_order WHERE x.status != 'completed'", NULL);
        fprintf(stderr, "bench: %lld of %d completed; the others: %s\n", (long long)completed, m + 1, what);
        free(what);
        exit(1);
    }
    r.events = t_count(e, "SELECT count(*) FROM notify_events", "");
    r.addressed = t_count(e, "SELECT count(*) FROM notify_events WHERE state != 'new'", "");
    r.delivered = t_count(e, "SELECT count(*) FROM notify_outbox WHERE status = 'sent'", "");
    r.backlog = t_count(e, "SELECT count(*) FROM notify_outbox WHERE status IN ('pending', 'sending')", "") +
                (r.events - r.addressed);
    notifier_stop(n);
    app_close(worker);
    r.input_med = quantile(inputs, m, 0.5);
    r.input_p99 = quantile(inputs, m, 0.99);
    free(inputs);
    t_env_free(e);
    return r;
}

static int by_rate(const void *a, const void *b)
{
    double x = ((const result *)a)->execs_per_s, y = ((const result *)b)->execs_per_s;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int m = 1000, reps = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--executions") == 0) m = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--repeat") == 0) reps = atoi(argv[i + 1]);
    }
    if (m < 1 || reps < 1) return 2;
    char *dir = t_tmpdir();
    t_make_cert(dir, "smtp");
    cert = xasprintf("%s/smtp.pem", dir);
    char *key = xasprintf("%s/smtp.key", dir);
    const char *args[] = {"--mode", "starttls", NULL};
    smtp = t_fake_start_tls("smtp", cert, key, args);
    t_smtp_fault(smtp, "[{\"kind\": \"hang_after_data\", \"seconds\": 0.2, \"count\": 100000000}]");
    t_env *probe = t_exec_env();
    printf("<!-- machine ");
    bench_machine(probe, stdout);
    printf(" -->\n");
    t_env_free(probe);
    for (int v = 0; v < NVARIANTS; v++) {
        result *rs = xcalloc((size_t)reps, sizeof *rs);
        for (int k = 0; k < reps; k++) rs[k] = run(v, m);
        qsort(rs, (size_t)reps, sizeof *rs, by_rate);
        result r = rs[(reps - 1) / 2];
        printf("| %s | %d | **%.0f** | %.2f / %.2f | %ld | %ld | %ld | %ld | %ld |\n", NAMES[v], m, r.execs_per_s,
               r.input_med, r.input_p99, r.left, r.events, r.addressed, r.delivered, r.backlog);
        fflush(stdout);
        free(rs);
    }
    t_fake_stop(smtp);
    t_rmdir(dir);
    free(dir);
    free(cert);
    free(key);
    return 0;
}
