/* hyopps exec import (many people from a CSV file) and hyopps batch
 * list|show: the CLI side of ops_bulk.h. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_commands.h"
#include "csv_read.h"
#include "engine.h"
#include "ops.h"
#include "sanitize.h"
#include "util.h"

static const char *IMPORT_USAGE =
    "hyopps exec import new_partner_user [--org ORG] FILE|- [--dry-run] [--include-existing] [--wait]\n"
    "       [--timeout SECONDS] [--json]";

static void import_help(void)
{
    printf("usage: %s\n\n"
           "Onboards many people at once: one new_partner_user execution per row of a CSV\n"
           "file (- = standard input). The first line names the columns, in any order:\n"
           "firstname, lastname, email (required), languages, skills, roles,\n"
           "studio_companies (optional; lists comma-separated inside the field, in quotes;\n"
           "studio_companies are ids or names of the organisation's Studio companies,\n"
           "empty = all of them). UTF-8 with or without a BOM, comma or semicolon, CRLF\n"
           "or LF; at most [bulk] max_rows rows (500) and 1 MiB.\n\n"
           "Every row is checked first, as the form checks it, and also: the same email\n"
           "twice in the file, an email of another organisation, and people already\n"
           "onboarded here (\"already has access\": skipped). The table shows each line,\n"
           "its email, ready / skipped / error and every error. Nothing starts unless no\n"
           "row has an error; then all the executions are created at once, as one batch\n"
           "(hyopps batch show ID).\n\n"
           "  --org ORG            the partner organisation (partner admins: their own)\n"
           "  --dry-run            check and print the table only\n"
           "  --include-existing   onboard people who already have access again\n"
           "  --wait               run the batch's steps here and show its progress (a\n"
           "                       bar on a terminal, lines otherwise) until every\n"
           "                       execution has finished; then the per-person report\n"
           "  --timeout SECONDS    stop waiting after this long\n"
           "  --json               the table (and the report) as JSON\n\n"
           "Exit status: 0 when nothing was wrong (with --wait: every execution\n"
           "completed), 1 when a row has an error (nothing started) or, with --wait, an\n"
           "execution failed or had not finished.\n",
           IMPORT_USAGE);
}

/* The whole file, or an error naming it; at most CSV_MAX_BYTES + 1 bytes
 * are kept (csv_read refuses more), *size gets the real size. */
static char *read_input(const char *path, size_t *len, size_t *size, hy_err *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    char shown[256];
    hy_sanitize_to(path, shown, sizeof shown);
    if (!f) {
        hy_fail(err, HY_ERR_INVALID, "cannot read %s: %s", shown, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (!is_stdin && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        hy_fail(err, HY_ERR_INVALID, "%s is a directory, not a CSV file", shown);
        return NULL;
    }
    char *buf = xmalloc(CSV_MAX_BYTES + 2);
    size_t n = fread(buf, 1, CSV_MAX_BYTES + 1, f);
    *size = n;
    if (n > CSV_MAX_BYTES) { /* only to say how big it is */
        char skip[65536];
        size_t k;
        while ((k = fread(skip, 1, sizeof skip, f)) > 0) *size += k;
    }
    bool bad = ferror(f);
    if (!is_stdin) fclose(f);
    if (bad) {
        free(buf);
        hy_fail(err, HY_ERR_INVALID, "cannot read %s", shown);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void print_report(const hy_bulk_report *r)
{
    cli_table *t = cli_table_new(4, "LINE", "EMAIL", "STATUS", "ERRORS / NOTE");
    for (int i = 0; i < r->nrows; i++) {
        const hy_bulk_result *x = &r->rows[i];
        char line[16], email[72];
        snprintf(line, sizeof line, "%d", x->line);
        hy_strlcpy(email, x->email ? x->email : "-", sizeof email); /* a 1 MiB "email" stays one line */
        const char *what = x->nerrors ? x->errors[0] : x->note ? x->note : "";
        cli_table_add(t, line, email, hy_bulk_status_name(x->status), what);
        for (int k = 1; k < x->nerrors; k++) cli_table_add(t, "", "", "", x->errors[k]);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

/* ---- waiting ---- */

static volatile sig_atomic_t wait_stop;
static void on_signal(int sig)
{
    (void)sig;
    wait_stop = 1;
}

static void progress(const hy_batch_detail *d, bool tty, char *last, size_t lastsz)
{
    int total = d->s.rows_started;
    int64_t done = d->s.counts[HY_EXEC_COMPLETED] + d->s.counts[HY_EXEC_FAILED] + d->s.counts[HY_EXEC_CANCELLED];
    char line[160];
    snprintf(line, sizeof line, "%lld/%d finished: %lld completed, %lld failed, %lld running, %lld queued",
             (long long)done, total, (long long)d->s.counts[HY_EXEC_COMPLETED], (long long)d->s.counts[HY_EXEC_FAILED],
             (long long)d->s.counts[HY_EXEC_RUNNING], (long long)d->s.counts[HY_EXEC_PENDING]);
    if (strcmp(line, last) == 0) return;
    hy_strlcpy(last, line, lastsz);
    if (!tty) {
        fprintf(stderr, "batch %.8s: %s\n", d->s.id, line);
        return;
    }
    int width = 30, fill = total ? (int)(done * width / total) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[K[%s] %s", bar, line);
    fflush(stderr);
}

/* Runs the steps of the executions this user started (the batch among
 * them) and shows the batch's progress until every execution has finished,
 * the timeout, or a signal. Fills *d with the final state. */
static int wait_batch(cli_env *env, const char *batch_id, double timeout, hy_batch_detail *d, hy_err *err)
{
    hy_ctx *c = &env->app->ctx;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    hy_engine *eng;
    hy_engine_opts eo = {.only_requested_by = env->me.user_id};
    engine_open(c, &eo, &eng, err);
    bool tty = isatty(STDERR_FILENO);
    char last[160] = "";
    int64_t deadline = timeout > 0 ? hy_mono_ms() + (int64_t)(timeout * 1000) : 0;
    int rc = 0;
    memset(d, 0, sizeof *d);
    for (;;) {
        bool worked = false;
        int64_t until = hy_mono_ms() + 100;
        do {
            if (engine_tick(eng, &worked, err) != 0) {
                cli_fail(err);
                hy_err_clear(err);
                worked = false;
            }
        } while (worked && hy_mono_ms() < until && !wait_stop);
        hy_batch_detail_free(d);
        if ((rc = ops_batch_show(c, &env->me, batch_id, d, err)) != 0) break;
        progress(d, tty, last, sizeof last);
        if (d->settled || wait_stop || (deadline && hy_mono_ms() >= deadline)) break;
        if (!worked) {
            int64_t due = -1, now = hy_now_ms(), sleep_ms = 100;
            if (engine_next_due(eng, &due, err) == 0 && due > now && due - now < sleep_ms) sleep_ms = due - now;
            struct timespec ts = {.tv_sec = 0, .tv_nsec = sleep_ms * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (tty && last[0]) fputc('\n', stderr);
    engine_close(eng);
    return rc;
}

static void print_people(const hy_batch_detail *d)
{
    cli_table *t = cli_table_new(5, "LINE", "EMAIL", "STATUS", "EXECUTION", "STEP / ERROR");
    for (int i = 0; i < d->count; i++) {
        const hy_batch_item *it = &d->items[i];
        char line[16], id[9] = "-", what[512] = "";
        snprintf(line, sizeof line, "%d", it->line);
        if (it->execution_id) hy_strlcpy(id, it->execution_id, sizeof id);
        if (!it->execution_id) hy_strlcpy(what, it->note ? it->note : "", sizeof what);
        else if (it->error) snprintf(what, sizeof what, "%d/%d %s: %s", it->current_step, it->nsteps,
                                     it->current_step_name ? it->current_step_name : "?", it->error);
        else if (hy_exec_status_of(it->status) != HY_EXEC_COMPLETED)
            snprintf(what, sizeof what, "%d/%d %s", it->current_step, it->nsteps,
                     it->current_step_name ? it->current_step_name : "?");
        cli_table_add(t, line, it->email, it->execution_id ? it->status : "skipped", id, what);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static void print_counts(const hy_batch_summary *s)
{
    printf("%d started, %d skipped:", s->rows_started, s->rows_skipped);
    for (int i = 0, k = 0; i < HY_EXEC_NSTATUS; i++)
        if (s->counts[i]) printf("%s %lld %s", k++ ? "," : "", (long long)s->counts[i], hy_exec_status_name(i));
    printf("\n");
}

static bool all_completed(const hy_batch_summary *s)
{
    return s->counts[HY_EXEC_COMPLETED] == s->rows_started;
}

int cli_exec_import(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {
        {"org", required_argument, 0, 'o'},       {"dry-run", no_argument, 0, 'n'},
        {"include-existing", no_argument, 0, 'x'}, {"wait", no_argument, 0, 'w'},
        {"timeout", required_argument, 0, 't'},   {"json", no_argument, 0, 'j'},
        {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        import_help();
        return CLI_OK;
    }
    hy_bulk_opts bo = {0};
    bool wait = false, json = false;
    double timeout = 0;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (o) {
        case 'o': bo.org_ref = optarg; break;
        case 'n': bo.dry_run = true; break;
        case 'x': bo.include_existing = true; break;
        case 'w': wait = true; break;
        case 'j': json = true; break;
        case 't':
            timeout = strtod(optarg, &end);
            if (*end || timeout <= 0) return cli_usage_error(IMPORT_USAGE, "--timeout takes a number of seconds");
            break;
        default: return cli_usage_error(IMPORT_USAGE, "unknown option");
        }
    }
    if (argc - optind < 2) return cli_usage_error(IMPORT_USAGE, "give the workflow and the file (- = standard input)");
    if (argc - optind > 2) return cli_usage_error(IMPORT_USAGE, "unexpected argument '%s'", argv[optind + 2]);
    if (bo.dry_run && wait) return cli_usage_error(IMPORT_USAGE, "--dry-run starts nothing to --wait for");
    const char *workflow = argv[optind], *path = argv[optind + 1];
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    size_t len = 0, size = 0;
    char *data = read_input(path, &len, &size, &err);
    if (!data) return cli_fail(&err);
    char shown[256];
    hy_sanitize_to(strcmp(path, "-") == 0 ? "standard input" : path, shown, sizeof shown);
    hy_ctx *c = &env->app->ctx;
    hy_bulk_input in;
    if (size > CSV_MAX_BYTES) {
        hy_fail(&err, HY_ERR_INVALID, "%s has %zu bytes; at most 1 MiB (%d bytes) is imported at once: split it", shown,
                size, CSV_MAX_BYTES);
        rc = 1;
    } else if (ops_bulk_parse(c, &env->me, workflow, data, len, &in, &err) != 0) {
        if (err.code == HY_ERR_INVALID) {
            char *msg = xasprintf("%s: %s", shown, err.msg);
            hy_strlcpy(err.msg, msg, sizeof err.msg);
            free(msg);
        }
        rc = 1;
    }
    free(data);
    if (rc) return cli_fail(&err);
    bo.source = strcmp(path, "-") == 0 ? "standard input" : path;
    hy_bulk_report rep;
    rc = ops_bulk_import(c, &env->me, &bo, &in, &rep, &err);
    hy_bulk_input_free(&in);
    if (rc && rep.nrows == 0) return cli_fail(&err);
    cJSON *js = json ? hy_bulk_report_to_json(&rep) : NULL;
    if (!json) {
        print_report(&rep);
        char org[128];
        hy_sanitize_to(rep.org_name ? rep.org_name : rep.org_id, org, sizeof org);
        printf("%d row%s for %s: %d ready, %d skipped, %d with errors.\n", rep.nrows, rep.nrows == 1 ? "" : "s", org,
               rep.nready, rep.nskipped, rep.nerrors);
        if (rc) printf("Nothing was started: correct the rows above and import the file again.\n");
        else if (bo.dry_run) printf("Dry run: nothing was started.\n");
        else if (!rep.batch_id[0]) printf("Nothing to start.\n");
        else printf("Started batch %s: %d execution%s (hyopps batch show %.8s).\n", rep.batch_id, rep.nready,
                    rep.nready == 1 ? "" : "s", rep.batch_id);
    }
    int exit_code = rc ? CLI_ERR : CLI_OK;
    if (rc == 0 && wait && rep.batch_id[0]) {
        hy_batch_detail d;
        if (wait_batch(env, rep.batch_id, timeout, &d, &err) != 0) {
            exit_code = cli_fail(&err);
        } else {
            if (json) cJSON_AddItemToObject(js, "batch", hy_batch_detail_to_json(&d));
            else {
                print_people(&d);
                print_counts(&d.s);
            }
            exit_code = all_completed(&d.s) ? CLI_OK : CLI_ERR;
        }
        hy_batch_detail_free(&d);
    }
    if (json) {
        cli_print_json(js);
        cJSON_Delete(js);
    }
    hy_bulk_report_free(&rep);
    return exit_code;
}

/* ---- hyopps batch list|show ---- */

static const char *BATCH_USAGE = "hyopps batch list [--org ORG] [--limit N] [--json]\n"
                                 "       hyopps batch show ID [--json]";

static int batch_list(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps batch list [--org ORG] [--limit N] [--json]";
    static const struct option opts[] = {{"org", required_argument, 0, 'o'}, {"limit", required_argument, 0, 'l'},
                                         {"json", no_argument, 0, 'j'}, {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nBatches (imports), newest first: organisation, who started it, rows started\n"
               "and skipped, and their executions per status now.\n", usage);
        return CLI_OK;
    }
    const char *org = NULL;
    int limit = 0, o;
    bool json = false;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        if (o == 'o') org = optarg;
        else if (o == 'j') json = true;
        else if (o == 'l') {
            limit = (int)strtol(optarg, &end, 10);
            if (*end || limit < 1 || limit > 1000) return cli_usage_error(usage, "--limit must be 1 to 1000");
        } else return cli_usage_error(usage, "unknown option");
    }
    if (optind < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    hy_batch_list l;
    if (ops_batch_list(&env->app->ctx, &env->me, org, limit, &l, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; i < l.count; i++) cJSON_AddItemToArray(a, hy_batch_summary_to_json(&l.items[i]));
        cli_print_json(a);
        cJSON_Delete(a);
    } else if (l.count == 0) {
        printf("No batches yet (hyopps exec import starts one).\n");
    } else {
        cli_table *t = cli_table_new(7, "ID", "ORGANISATION", "BY", "STARTED", "SKIPPED", "COMPLETED/FAILED", "CREATED");
        for (int i = 0; i < l.count; i++) {
            hy_batch_summary *s = &l.items[i];
            char id[9], started[16], skipped[16], cf[40], created[HY_TIME_LEN];
            hy_strlcpy(id, s->id, sizeof id);
            snprintf(started, sizeof started, "%d", s->rows_started);
            snprintf(skipped, sizeof skipped, "%d", s->rows_skipped);
            snprintf(cf, sizeof cf, "%lld/%lld", (long long)s->counts[HY_EXEC_COMPLETED],
                     (long long)s->counts[HY_EXEC_FAILED]);
            hy_time_short(s->created_at, created);
            cli_table_add(t, id, s->organization_name, s->requested_by_email, started, skipped, cf, created);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    hy_batch_list_free(&l);
    return CLI_OK;
}

static int batch_show(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps batch show ID [--json]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nOne batch: each person's line, email, execution, status, step and error (or\n"
               "why the line was skipped), and the executions per status.\n", usage);
        return CLI_OK;
    }
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    if (argc < 2) return cli_usage_error(usage, "which batch? give its id");
    if (argc > 2) return cli_usage_error(usage, "unexpected argument '%s'", argv[2]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    hy_batch_detail d;
    if (ops_batch_show(&env->app->ctx, &env->me, argv[1], &d, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *j = hy_batch_detail_to_json(&d);
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        cli_print_field("Batch", d.s.id);
        cli_print_field("Workflow", d.s.workflow);
        cli_print_field("Organisation", d.s.organization_name);
        cli_print_field("Started by", d.s.requested_by_email);
        cli_print_field("Source", d.s.source);
        cli_print_field("Created", d.s.created_at);
        print_people(&d);
        print_counts(&d.s);
    }
    hy_batch_detail_free(&d);
    return CLI_OK;
}

int cli_cmd_batch(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2) {
            fprintf(stderr, "usage: %s\n", BATCH_USAGE);
            return CLI_USAGE;
        }
        printf("usage: %s\n\nBatches: the executions one import started together (hyopps exec import).\n"
               "Their executions are also listed by hyopps exec list --batch ID.\n",
               BATCH_USAGE);
        return CLI_OK;
    }
    if (strcmp(argv[1], "list") == 0) return batch_list(env, argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0) return batch_show(env, argc - 1, argv + 1);
    char *shown = hy_sanitize(argv[1]);
    fprintf(stderr, "hyopps: unknown batch subcommand '%s'\nusage: %s\n", shown, BATCH_USAGE);
    free(shown);
    return CLI_USAGE;
}
