/* hyopps exec list|show|start|input|retry|skip|done|rerun|cancel|reschedule|wait */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backoff.h"
#include "cli.h"
#include "cli_commands.h"
#include "engine.h"
#include "ops.h"
#include "sanitize.h"
#include "util.h"

#define MAX_JSON_FILE (1024 * 1024)

static const char *EXEC_USAGE =
    "hyopps exec list [--status S] [--org ORG] [--batch ID] [--search TEXT] [--limit N] [--before CURSOR] [--json]\n"
    "       hyopps exec show ID [--json]\n"
    "       hyopps exec start WORKFLOW [--org ORG] [--at WHEN] [--quiet]\n"
    "       hyopps exec import new_partner_user [--org ORG] FILE|- [--dry-run] [--wait] [--json]\n"
    "       hyopps exec input ID STEP key=value... | --json-file FILE\n"
    "       hyopps exec retry ID\n"
    "       hyopps exec skip ID STEP --reason TEXT\n"
    "       hyopps exec done ID STEP --note TEXT\n"
    "       hyopps exec rerun ID --from STEP\n"
    "       hyopps exec cancel ID\n"
    "       hyopps exec reschedule ID --at WHEN\n"
    "       hyopps exec wait ID [--timeout SECONDS]";

static void exec_help(void)
{
    printf("usage: %s\n\n"
           "Workflow executions. ID is an execution id or a unique prefix of it (4+\n"
           "characters); STEP is a step name or its number. Auto steps that call no\n"
           "service (simulated, Studio) run inside the command that makes them due;\n"
           "those that call a service are run by `hyopps worker`, by the terminal UI,\n"
           "or by `hyopps exec wait`.\n\n"
           "  list    newest first; --status pending|running|awaiting_input|completed|\n"
           "          failed|cancelled|scheduled; --search matches the organisation name, the user\n"
           "          email or the id (3+ characters; 1-2 characters match id prefixes);\n"
           "          --batch ID lists one batch's executions\n"
           "  show    every step: status, input (who gave it, when), output, error,\n"
           "          attempts, service calls; the fields of a step waiting for input\n"
           "  start   new_partner, offboard_partner (admins), new_partner_user or\n"
           "          revoke_partner_user (--org: the organisation step 1 is about;\n"
           "          partner admins always get their own organisation); --at WHEN\n"
           "          schedules it: 2026-03-31, 2026-03-31 17:00 (UTC),\n"
           "          2026-03-31T17:00+02:00, or +3d, +12h, +30m from now\n"
           "  import  one new_partner_user per row of a CSV file, checked first, started\n"
           "          as one batch (see hyopps exec import --help, hyopps batch)\n"
           "  input   the waiting step's values as key=value (lists comma-separated,\n"
           "          checkboxes yes/no) or a JSON object from FILE (- = standard input);\n"
           "          every field error is printed, one per line, and nothing changes\n"
           "  retry   retries a failed step\n"
           "  skip    skips a step (admins), with a reason for the audit trail\n"
           "  done    marks a failed step done by hand (admins), with a note; for\n"
           "          share_documentation the email then counts as sent: a rerun sends\n"
           "          it only if the address or the links changed\n"
           "  rerun   resets steps STEP..end and runs them again (admins)\n"
           "  cancel  cancels the execution (admins; partner admins for their organisation);\n"
           "          a scheduled one never runs\n"
           "  reschedule  moves a scheduled execution's start (--at WHEN, or now)\n"
           "  wait    runs the execution's auto steps here until it completes, fails, is\n"
           "          cancelled or needs input; exit 0 when completed or waiting for\n"
           "          input, 1 when failed, cancelled or still running at the timeout\n\n"
           "Each subcommand takes --help.\n",
           EXEC_USAGE);
}

/* ---- small output helpers ---- */

static int display_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* Prints sanitized text cut to `width` columns and padded to it. */
static void print_cell(const char *s, int width)
{
    char *clean = hy_sanitize(s ? s : "-");
    char cut[512];
    hy_strlcpy(cut, clean, sizeof cut);
    while (display_width(cut) > width) {
        size_t n = strlen(cut);
        do n--; while (n > 0 && ((unsigned char)cut[n] & 0xC0) == 0x80);
        cut[n] = '\0';
    }
    fputs(cut, stdout);
    for (int w = display_width(cut); w < width; w++) putchar(' ');
    free(clean);
}

static void short_time(const char *iso, char out[HY_TIME_LEN]) { hy_time_short(iso, out); }

static int fail(hy_err *err) { return cli_fail(err); }

/* ---- list ---- */

static int cmd_list(cli_env *env, int argc, char **argv)
{
    static const char *usage =
        "hyopps exec list [--status S] [--org ORG] [--batch ID] [--search TEXT] [--limit N] [--before CURSOR] [--json]";
    static const struct option opts[] = {{"status", required_argument, 0, 's'}, {"org", required_argument, 0, 'o'},
                                         {"batch", required_argument, 0, 'B'},
                                         {"search", required_argument, 0, 'q'}, {"limit", required_argument, 0, 'l'},
                                         {"before", required_argument, 0, 'b'}, {"json", no_argument, 0, 'j'},
                                         {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nLists executions, newest first, with counts per status. --before takes the\n"
               "cursor printed at the end of a page to show the next one. A step waiting for\n"
               "input longer than [notify] remind_after_hours is marked !late (--json: \"late\").\n", usage);
        return CLI_OK;
    }
    hy_exec_query q = {0};
    bool json = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (o) {
        case 's': q.status = optarg; break;
        case 'o': q.org_ref = optarg; break;
        case 'B': q.batch_ref = optarg; break;
        case 'q': q.search = optarg; break;
        case 'l':
            q.limit = (int)strtol(optarg, &end, 10);
            if (*end || q.limit < 1 || q.limit > 1000) return cli_usage_error(usage, "--limit must be 1 to 1000");
            break;
        case 'b':
            q.before = strtoll(optarg, &end, 10);
            if (*end || q.before < 1) return cli_usage_error(usage, "--before takes the cursor of a previous page");
            break;
        case 'j': json = true; break;
        default: return cli_usage_error(usage, "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    hy_exec_page pg;
    if (ops_exec_list(&env->app->ctx, &env->me, &q, &pg, &err) != 0) return fail(&err);
    if (json) {
        cJSON *o_ = cJSON_CreateObject();
        cJSON *items = cJSON_AddArrayToObject(o_, "executions");
        for (int i = 0; i < pg.count; i++) cJSON_AddItemToArray(items, hy_exec_summary_to_json(&pg.items[i]));
        cJSON *counts = cJSON_AddObjectToObject(o_, "counts");
        for (int s = 0; s < HY_EXEC_NSTATUS; s++)
            cJSON_AddNumberToObject(counts, hy_exec_status_name((hy_exec_status)s), (double)pg.counts[s]);
        cJSON_AddNumberToObject(o_, "total", (double)pg.total);
        cJSON_AddBoolToObject(o_, "counts_exact", pg.counts_exact);
        if (pg.more) cJSON_AddNumberToObject(o_, "next_before", (double)pg.next_before);
        else cJSON_AddNullToObject(o_, "next_before");
        cli_print_json(o_);
        cJSON_Delete(o_);
        hy_exec_page_free(&pg);
        return CLI_OK;
    }
    cli_table *t = cli_table_new(7, "ID", "WORKFLOW", "STATUS", "STEP", "ORGANISATION", "USER", "CREATED");
    for (int i = 0; i < pg.count; i++) {
        hy_exec_summary *s = &pg.items[i];
        char id[9], step[96], created[HY_TIME_LEN];
        hy_strlcpy(id, s->id, sizeof id);
        snprintf(step, sizeof step, "%d/%d %s%s", s->current_step, s->nsteps,
                 s->current_step_name ? s->current_step_name : "?", s->late ? " !late" : "");
        short_time(s->created_at, created);
        cli_table_add(t, id, s->workflow, s->status, step, s->organization_name, s->user_email, created);
    }
    if (pg.count) cli_table_print(t, stdout);
    cli_table_free(t);
    const char *plus = pg.counts_exact ? "" : "+";
    printf("%d shown of %lld%s", pg.count, (long long)pg.total, plus);
    printf(" (");
    for (int s = 0; s < HY_EXEC_NSTATUS; s++)
        printf("%s%s %lld%s", s ? ", " : "", hy_exec_status_name((hy_exec_status)s), (long long)pg.counts[s], plus);
    printf(")\n");
    if (pg.more) printf("More: hyopps exec list --before %lld (with the same filters)\n", (long long)pg.next_before);
    hy_exec_page_free(&pg);
    return CLI_OK;
}

/* ---- show ---- */

static const char *field_kind_name(const hy_field_def *f)
{
    switch (f->kind) {
    case HY_FIELD_TEXT: return "text";
    case HY_FIELD_EMAIL: return "email";
    case HY_FIELD_CHOICE: return "choice";
    case HY_FIELD_CONFIRM: return "yes/no";
    case HY_FIELD_LIST: return "comma-separated list";
    case HY_FIELD_PICK:
        return f->attach == HY_ATTACH_ORG ? "organisation" : f->attach == HY_ATTACH_USER ? "user (email or id)"
                                                                                        : "one of the choices below";
    case HY_FIELD_MULTI_PICK: return "comma-separated, from the choices below";
    case HY_FIELD_WHEN: return "date/time (2026-03-31 17:00 UTC, +3d, +12h), empty = now";
    }
    return "?";
}

static cJSON *form_to_json(const hy_step_form *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "step", f->step->name);
    cJSON_AddNumberToObject(o, "step_order", f->step_order);
    cJSON *info = cJSON_AddArrayToObject(o, "info");
    for (int i = 0; i < f->ninfo; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "label", f->info[i].label);
        cJSON_AddStringToObject(l, "value", f->info[i].value);
        cJSON_AddItemToArray(info, l);
    }
    cJSON *fields = cJSON_AddArrayToObject(o, "fields");
    for (int i = 0; i < f->nfields; i++) {
        const hy_form_field *ff = &f->fields[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", ff->def->name);
        cJSON_AddStringToObject(j, "label", ff->def->label);
        cJSON_AddStringToObject(j, "kind", field_kind_name(ff->def));
        cJSON_AddBoolToObject(j, "required", ff->def->required);
        if (ff->def->help) cJSON_AddStringToObject(j, "help", ff->def->help);
        if (ff->default_value) cJSON_AddStringToObject(j, "default", ff->default_value);
        if (ff->nchoices) {
            cJSON *ch = cJSON_AddArrayToObject(j, "choices");
            for (int k = 0; k < ff->nchoices; k++) {
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "value", ff->choices[k].value);
                cJSON_AddStringToObject(c, "label", ff->choices[k].label);
                cJSON_AddItemToArray(ch, c);
            }
        }
        cJSON_AddItemToArray(fields, j);
    }
    return o;
}

static void print_form(const hy_step_form *f, const char *exec_id)
{
    for (int i = 0; i < f->ninfo; i++) {
        printf("      ");
        cli_print_safe(stdout, f->info[i].label);
        printf(": ");
        cli_print_safe(stdout, f->info[i].value);
        putchar('\n');
    }
    printf("      fields (* required):\n");
    for (int i = 0; i < f->nfields; i++) {
        const hy_form_field *ff = &f->fields[i];
        printf("        %s%s  ", ff->def->name, ff->def->required ? "*" : "");
        cli_print_safe(stdout, ff->def->label);
        printf(" (%s)", field_kind_name(ff->def));
        if (ff->default_value) {
            printf(" default: ");
            cli_print_safe(stdout, ff->default_value);
        } else if (ff->def->default_tmpl) {
            printf(" default: ");
            cli_print_safe(stdout, ff->def->default_tmpl);
        }
        putchar('\n');
        if (ff->nchoices && ff->def->kind == HY_FIELD_CHOICE) {
            printf("            one of:");
            for (int k = 0; k < ff->nchoices; k++) {
                putchar(' ');
                cli_print_safe(stdout, ff->choices[k].value);
            }
            putchar('\n');
        } else {
            for (int k = 0; k < ff->nchoices && k < 20; k++) {
                printf("            ");
                cli_print_safe(stdout, ff->choices[k].value);
                printf("  ");
                cli_print_safe(stdout, ff->choices[k].label);
                putchar('\n');
            }
            if (ff->nchoices > 20) printf("            ... %d more\n", ff->nchoices - 20);
        }
        if (ff->def->help) {
            printf("            ");
            cli_print_safe(stdout, ff->def->help);
            putchar('\n');
        }
    }
    printf("      give them with: hyopps exec input %.8s %s key=value...\n", exec_id, f->step->name);
}

static void print_json_line(const char *label, const char *json)
{
    if (!json) return;
    printf("      %s: ", label);
    cli_print_safe(stdout, json);
    putchar('\n');
}

static void print_attempts(const char *json)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, a) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(it, "at");
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(it, "duration_ms");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "error");
        printf("      attempt %s, %.0f ms: ", cJSON_IsString(at) ? at->valuestring : "?",
               cJSON_IsNumber(dur) ? dur->valuedouble : 0.0);
        cli_print_safe(stdout, cJSON_IsString(e) ? e->valuestring : "ok");
        putchar('\n');
    }
    cJSON_Delete(a);
}

/* "call metabase GET /api/user?query=* -> 200 (3 ms, new connection)";
 * without an answer "-> no answer: timeout (1500 ms)"; SMTP that broke off
 * after a reply "-> 354, timeout". */
static void print_calls(const char *json)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, a) {
        const char *svc = wf_str(it, "service"), *m = wf_str(it, "method"), *p = wf_str(it, "path");
        const char *e = wf_str(it, "error");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "status");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "duration_ms");
        const cJSON *nc = cJSON_GetObjectItemCaseSensitive(it, "new_connections");
        int status = cJSON_IsNumber(s) ? s->valueint : 0;
        printf("      call ");
        if (svc) {
            cli_print_safe(stdout, svc);
            putchar(' ');
        }
        cli_print_safe(stdout, m ? m : "?");
        putchar(' ');
        cli_print_safe(stdout, p ? p : "?");
        if (status) printf(" -> %d", status);
        if (e) {
            printf("%s", status ? ", " : " -> no answer: ");
            cli_print_safe(stdout, e);
        }
        printf(" (%.0f ms%s)\n", cJSON_IsNumber(d) ? d->valuedouble : 0.0,
               cJSON_IsNumber(nc) && nc->valueint > 0 ? ", new connection" : "");
    }
    cJSON_Delete(a);
}

static int cmd_show(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps exec show ID [--json]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nShows an execution and every step: status, input and who gave it, output,\n"
               "error, attempts, service calls, manual completion; and the fields of the step\n"
               "waiting for input.\n", usage);
        return CLI_OK;
    }
    bool json = false;
    const char *ref = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (argv[i][0] == '-') return cli_usage_error(usage, "unknown option '%s'", argv[i]);
        else if (!ref) ref = argv[i];
        else return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    if (!ref) return cli_usage_error(usage, "which execution? give its id");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    hy_exec_detail d;
    if (ops_exec_show(&env->app->ctx, &env->me, ref, &d, &err) != 0) return fail(&err);
    hy_step_form form = {0};
    bool has_form = d.can_input && ops_exec_form(&env->app->ctx, &env->me, d.s.id, &form, &err) == 0;
    if (json) {
        cJSON *o = hy_exec_detail_to_json(&d);
        if (has_form) cJSON_AddItemToObject(o, "form", form_to_json(&form));
        cli_print_json(o);
        cJSON_Delete(o);
    } else {
        char t[HY_TIME_LEN];
        printf("Execution %s  %s  %s\n", d.s.id, d.s.workflow, d.s.status);
        printf("Organisation: ");
        cli_print_safe(stdout, d.s.organization_name ? d.s.organization_name : "-");
        printf("\nUser:         ");
        cli_print_safe(stdout, d.s.user_email ? d.s.user_email : "-");
        printf("\nRequested by: ");
        cli_print_safe(stdout, d.s.requested_by_email ? d.s.requested_by_email : "-");
        short_time(d.s.created_at, t);
        printf("\nCreated:      %s", t);
        short_time(d.s.updated_at, t);
        printf("   updated: %s", t);
        short_time(d.s.completed_at, t);
        printf("   completed: %s\n", t);
        if (d.cancelled_at) {
            short_time(d.cancelled_at, t);
            printf("Cancelled:    %s by ", t);
            cli_print_safe(stdout, d.cancelled_by_email ? d.cancelled_by_email : "-");
            putchar('\n');
        }
        if (d.s.scheduled_for) {
            short_time(d.s.scheduled_for, t);
            printf("Scheduled:    starts at %s UTC\n", t);
        }
        if (d.s.parent_id) printf("Part of:      %s\n", d.s.parent_id);
        if (d.nchildren) printf("\nStarted by its steps (%d):\n", d.nchildren);
        for (int i = 0; i < d.nchildren; i++) {
            const hy_exec_child *k = &d.children[i];
            printf("  %.8s  %-20s  %-14s  ", k->id, k->workflow ? k->workflow : "?", k->status ? k->status : "?");
            cli_print_safe(stdout, k->user_email ? k->user_email : "-");
            if (k->error) {
                printf("  at %s: ", k->current_step_name ? k->current_step_name : "?");
                cli_print_safe(stdout, k->error);
            }
            putchar('\n');
        }
        putchar('\n');
        for (int i = 0; i < d.nsteps; i++) {
            hy_exec_step *s = &d.steps[i];
            printf("%2d  ", s->order);
            print_cell(s->label, 36);
            printf("  %-6s  %-14s", s->manual ? "manual" : "auto", s->status);
            if (!s->manual && s->integration) printf("  %s (%s)", s->integration, s->mode);
            putchar('\n');
            if (s->input_at || s->input_by_email) {
                short_time(s->input_at, t);
                printf("      input by ");
                cli_print_safe(stdout, s->input_by_email ? s->input_by_email : "system");
                printf(" at %s\n", t);
            }
            print_json_line("input", s->input_json);
            print_json_line("output", s->output_json);
            if (s->attempts > 1 || (s->attempts && s->error)) printf("      attempts: %d\n", s->attempts);
            if (s->error) {
                printf("      error: ");
                cli_print_safe(stdout, s->error);
                putchar('\n');
            }
            if (s->next_attempt_at) printf("      next attempt at %s\n", s->next_attempt_at);
            if (s->lease_owner && strcmp(s->status, "running") == 0) {
                printf("      running on ");
                cli_print_safe(stdout, s->lease_owner);
                printf(" (lease until %s)\n", s->lease_expires_at ? s->lease_expires_at : "?");
            }
            if (s->completed_manually) {
                short_time(s->completed_at, t);
                printf("      completed by hand by ");
                cli_print_safe(stdout, s->completed_by_email ? s->completed_by_email : "-");
                printf(" at %s\n", t);
            }
            if (strcmp(s->status, "skipped") == 0) {
                printf("      skipped by ");
                cli_print_safe(stdout, s->completed_by_email ? s->completed_by_email : "-");
                putchar('\n');
            }
            if (s->note) {
                printf("      note: ");
                cli_print_safe(stdout, s->note);
                putchar('\n');
            }
            if (s->error || s->completed_manually || (s->attempts > 1)) print_attempts(s->attempt_log_json);
            print_calls(s->calls_json);
            if (has_form && s->order == form.step_order) print_form(&form, d.s.id);
        }
        if (d.nnotices) printf("\nNotifications:\n");
        for (int i = 0; i < d.nnotices; i++) cli_print_notice(&d.notices[i], false);
    }
    if (has_form) hy_step_form_free(&form);
    hy_exec_detail_free(&d);
    return CLI_OK;
}

/* ---- start ---- */

void cli_exec_print_where(cli_env *env, const char *id)
{
    hy_err err;
    hy_err_clear(&err);
    hy_exec_detail d;
    if (ops_exec_show(&env->app->ctx, &env->me, id, &d, &err) != 0) return;
    if (strcmp(d.s.status, "awaiting_input") == 0)
        printf("Waiting for input at step %d (%s): see hyopps exec show %.8s\n", d.s.current_step,
               d.s.current_step_name ? d.s.current_step_name : "?", d.s.id);
    else if (strcmp(d.s.status, "pending") == 0 || strcmp(d.s.status, "running") == 0)
        printf("Step %d (%s) is queued for a runner (hyopps worker, or: hyopps exec wait %.8s)\n", d.s.current_step,
               d.s.current_step_name ? d.s.current_step_name : "?", d.s.id);
    else if (strcmp(d.s.status, "scheduled") == 0) {
        char when[HY_TIME_LEN];
        short_time(d.s.scheduled_for ? d.s.scheduled_for : "", when);
        printf("Scheduled: it starts at %s UTC (hyopps exec reschedule %.8s --at WHEN, or exec cancel)\n", when,
               d.s.id);
    } else if (strcmp(d.s.status, "failed") == 0 && d.s.error) {
        /* (a simulated step runs with the input that queued it) */
        printf("Step %d (%s) failed: ", d.s.current_step, d.s.current_step_name ? d.s.current_step_name : "?");
        cli_print_safe(stdout, d.s.error);
        printf("\n");
    } else printf("The execution is %s.\n", d.s.status);
    hy_exec_detail_free(&d);
}

static int cmd_start(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps exec start WORKFLOW [--org ORG] [--at WHEN] [--quiet]";
    static const struct option opts[] = {{"org", required_argument, 0, 'o'},
                                         {"at", required_argument, 0, 'a'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nStarts a workflow (new_partner, new_partner_user, revoke_partner_user,\n"
               "offboard_partner) and prints its id (only the id with --quiet). --org: the\n"
               "organisation its first step is about (new_partner_user's is filled in);\n"
               "partner admins always get their own organisation. --at WHEN: the execution\n"
               "is scheduled and a runner starts it then (2026-03-31, 2026-03-31 17:00 UTC,\n"
               "2026-03-31T17:00+02:00, +3d, +12h, +30m); exec cancel or exec reschedule\n"
               "change that.\n", usage);
        return CLI_OK;
    }
    hy_exec_start st = {0};
    bool quiet = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        if (o == 'o') st.org_ref = optarg;
        else if (o == 'a') st.at = optarg;
        else if (o == 'q') quiet = true;
        else return cli_usage_error(usage, "unknown option");
    }
    if (optind >= argc) return cli_usage_error(usage, "which workflow? e.g. new_partner_user");
    if (optind + 1 < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind + 1]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    st.workflow = argv[optind];
    return cli_exec_start(env, &st, quiet, false);
}

int cli_exec_start(cli_env *env, const hy_exec_start *st, bool quiet, bool wait)
{
    hy_err err;
    hy_err_clear(&err);
    char id[HY_UUID_LEN];
    if (ops_exec_start_ex(&env->app->ctx, &env->me, st, id, &err) != 0) return fail(&err);
    if (quiet) printf("%s\n", id);
    else {
        printf("Started %s execution %s\n", st->workflow, id);
        cli_exec_print_where(env, id);
    }
    fflush(stdout);
    return wait ? cli_exec_wait(env, id, 0) : CLI_OK;
}

/* ---- reschedule ---- */

static int cmd_reschedule(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps exec reschedule ID --at WHEN";
    static const struct option opts[] = {{"at", required_argument, 0, 'a'}, {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nMoves the start of a scheduled execution: WHEN is 2026-03-31,\n"
               "2026-03-31 17:00 (UTC), 2026-03-31T17:00+02:00, +3d, +12h, +30m, or now.\n"
               "Admins; partner admins for their organisation. Audited.\n", usage);
        return CLI_OK;
    }
    const char *at = NULL;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'a') at = optarg;
        else return cli_usage_error(usage, "unknown option");
    }
    if (optind >= argc) return cli_usage_error(usage, "which execution? give its id");
    if (optind + 1 < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind + 1]);
    if (!at) return cli_usage_error(usage, "--at is required (a date/time, +3d, or now)");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    if (ops_exec_reschedule(&env->app->ctx, &env->me, argv[optind], at, &err) != 0) return fail(&err);
    char id[HY_UUID_LEN];
    if (ops_exec_resolve(&env->app->ctx, &env->me, argv[optind], id, &err) == 0) cli_exec_print_where(env, id);
    return CLI_OK;
}

/* ---- input ---- */

static char *read_file(const char *path, size_t *len, hy_err *err)
{
    *len = 0;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        hy_fail(err, HY_ERR_INVALID, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = xmalloc(MAX_JSON_FILE + 1);
    size_t n = fread(buf, 1, MAX_JSON_FILE + 1, f);
    if (f != stdin) fclose(f);
    if (n > MAX_JSON_FILE) {
        free(buf);
        hy_fail(err, HY_ERR_INVALID, "%s is larger than 1 MiB", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int cmd_input(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps exec input ID STEP key=value... | --json-file FILE";
    static const struct option opts[] = {{"json-file", required_argument, 0, 'f'}, {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nGives the input of the step waiting for it. Lists are comma-separated\n"
               "(languages=en,de); checkboxes take yes or no. With --json-file, FILE (or -\n"
               "for standard input) holds one JSON object of field: value (a field given\n"
               "twice, or a \\u0000 in a key or value, is refused). `hyopps exec show ID`\n"
               "lists the fields. Every field error is printed, and nothing changes.\n", usage);
        return CLI_OK;
    }
    const char *file = NULL;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (o == 'f') file = optarg;
        else return cli_usage_error(usage, "unknown option");
    }
    /* options may also follow ID and STEP */
    char **rest = argv + optind;
    int nrest = argc - optind;
    char **pairs = xcalloc((size_t)(nrest + 1), sizeof *pairs);
    int npairs = 0;
    const char *ref = NULL, *step = NULL;
    for (int i = 0; i < nrest; i++) {
        if (strcmp(rest[i], "--json-file") == 0 && i + 1 < nrest) file = rest[++i];
        else if (strncmp(rest[i], "--json-file=", 12) == 0) file = rest[i] + 12;
        else if (!ref) ref = rest[i];
        else if (!step) step = rest[i];
        else pairs[npairs++] = rest[i];
    }
    int rc = CLI_OK;
    if (!ref || !step) rc = cli_usage_error(usage, "give the execution id and the step");
    else if (file && npairs) rc = cli_usage_error(usage, "give key=value pairs or --json-file, not both");
    else if (!file && !npairs) rc = cli_usage_error(usage, "no values given (see hyopps exec show %s)", ref);
    if (rc == CLI_OK) rc = cli_require_session(env, false);
    if (rc) {
        free(pairs);
        return rc;
    }
    hy_err err;
    hy_err_clear(&err);
    cJSON *input = NULL;
    if (file) {
        size_t len;
        char *text = read_file(file, &len, &err);
        if (text && ops_exec_input_from_json(text, len, &input, &err) != 0 && !err.nfield) {
            char what[sizeof err.msg];
            hy_strlcpy(what, err.msg, sizeof what);
            hy_fail(&err, HY_ERR_INVALID, "%s %s", strcmp(file, "-") == 0 ? "standard input" : file, what);
        }
        free(text);
    } else {
        ops_exec_input_from_pairs(npairs, pairs, &input, &err);
    }
    free(pairs);
    if (err.code) {
        cJSON_Delete(input);
        return fail(&err);
    }
    rc = ops_exec_submit(&env->app->ctx, &env->me, ref, step, input, &err);
    cJSON_Delete(input);
    if (rc) return fail(&err);
    char id[HY_UUID_LEN];
    if (ops_exec_resolve(&env->app->ctx, &env->me, ref, id, &err) == 0) {
        printf("Input saved.\n");
        cli_exec_print_where(env, id);
    }
    return CLI_OK;
}

/* ---- retry, skip, done, rerun, cancel ---- */

static int simple_action(cli_env *env, int argc, char **argv)
{
    const char *sub = argv[0];
    bool is_retry = strcmp(sub, "retry") == 0, is_cancel = strcmp(sub, "cancel") == 0;
    bool is_skip = strcmp(sub, "skip") == 0, is_done = strcmp(sub, "done") == 0;
    const char *usage = is_retry    ? "hyopps exec retry ID"
                        : is_cancel ? "hyopps exec cancel ID"
                        : is_skip   ? "hyopps exec skip ID STEP --reason TEXT"
                        : is_done   ? "hyopps exec done ID STEP --note TEXT"
                                    : "hyopps exec rerun ID --from STEP";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s\n", usage,
               is_retry    ? "Retries the failed step of an execution (its automatic attempts start again)."
               : is_cancel ? "Cancels an execution: nothing runs after the step being run, if any."
               : is_skip   ? "Skips a pending, waiting or failed step (admins); the reason is kept and audited."
               : is_done   ? "Marks a failed step done by hand (admins), e.g. after doing it in the service's own UI."
                           : "Resets steps STEP..end to pending and runs them again (admins). Refused while a\n"
                             "step is running.");
        return CLI_OK;
    }
    static const struct option opts[] = {{"reason", required_argument, 0, 'r'}, {"note", required_argument, 0, 'n'},
                                         {"from", required_argument, 0, 'f'}, {0, 0, 0, 0}};
    const char *text = NULL, *from = NULL;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'r' && is_skip) text = optarg;
        else if (o == 'n' && is_done) text = optarg;
        else if (o == 'f' && !is_retry && !is_cancel && !is_skip && !is_done) from = optarg;
        else return cli_usage_error(usage, "unknown option");
    }
    int need = is_skip || is_done ? 2 : 1;
    if (argc - optind < need) return cli_usage_error(usage, "missing %s", argc - optind ? "the step" : "the execution id");
    if (argc - optind > need) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind + need]);
    if ((is_skip || is_done) && !text)
        return cli_usage_error(usage, "%s is required", is_skip ? "--reason" : "--note");
    if (!is_retry && !is_cancel && !is_skip && !is_done && !from)
        return cli_usage_error(usage, "--from is required (a step name or number)");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    const char *ref = argv[optind], *step = need == 2 ? argv[optind + 1] : NULL;
    hy_ctx *c = &env->app->ctx;
    if (is_retry) rc = ops_exec_retry(c, &env->me, ref, &err);
    else if (is_cancel) rc = ops_exec_cancel(c, &env->me, ref, &err);
    else if (is_skip) rc = ops_exec_skip(c, &env->me, ref, step, text, &err);
    else if (is_done) rc = ops_exec_mark_done(c, &env->me, ref, step, text, &err);
    else rc = ops_exec_rerun(c, &env->me, ref, from, &err);
    if (rc) return fail(&err);
    printf("%s\n", is_retry    ? "The failed step will be retried."
                   : is_cancel ? "Cancelled."
                   : is_skip   ? "Step skipped."
                   : is_done   ? "Step marked done by hand."
                               : "Steps reset.");
    char id[HY_UUID_LEN];
    if (!is_cancel && ops_exec_resolve(c, &env->me, ref, id, &err) == 0) cli_exec_print_where(env, id);
    return CLI_OK;
}

/* ---- wait ---- */

static volatile sig_atomic_t wait_stop;
static void on_wait_signal(int sig)
{
    (void)sig;
    wait_stop = 1;
}

static int cmd_wait(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps exec wait ID [--timeout SECONDS]";
    static const struct option opts[] = {{"timeout", required_argument, 0, 't'}, {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nRuns the execution's auto steps in this process (alongside any worker) until\n"
               "it completes, fails, is cancelled or waits for input. Exit status: 0 completed\n"
               "or waiting for input, 1 failed, cancelled, or still running after the timeout.\n", usage);
        return CLI_OK;
    }
    double timeout = 0;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        if (o != 't') return cli_usage_error(usage, "unknown option");
        timeout = strtod(optarg, &end);
        if (*end || timeout <= 0) return cli_usage_error(usage, "--timeout takes a number of seconds");
    }
    if (optind >= argc) return cli_usage_error(usage, "which execution? give its id");
    if (optind + 1 < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind + 1]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    return cli_exec_wait(env, argv[optind], timeout);
}

int cli_exec_wait(cli_env *env, const char *ref, double timeout)
{
    hy_err err;
    hy_err_clear(&err);
    hy_ctx *c = &env->app->ctx;
    char id[HY_UUID_LEN];
    hy_exec_detail d;
    if (ops_exec_show(c, &env->me, ref, &d, &err) != 0) return fail(&err);
    hy_strlcpy(id, d.s.id, sizeof id);
    hy_exec_detail_free(&d);
    struct sigaction sa = {0};
    sa.sa_handler = on_wait_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    hy_engine *eng;
    hy_engine_opts eo = {.only_execution = id};
    engine_open(c, &eo, &eng, &err);
    int64_t deadline = timeout > 0 ? hy_mono_ms() + (int64_t)(timeout * 1000) : 0;
    int exit_code = CLI_ERR;
    /* A database error: printed once, then counted; tried again less and less often. */
    hy_repeats repeats = {0};
    hy_backoff backoff = {.base_ms = 200, .max_ms = 5000};
    int64_t error_wait = 0;
    for (;;) {
        error_wait = 0;
        if (engine_drain(eng, &wait_stop, &err) != 0) {
            char *m = hy_sanitize(err.msg);
            hy_repeats_error(&repeats, stderr, "hyopps", m, hy_mono_ms());
            free(m);
            error_wait = hy_backoff_fail(&backoff);
            hy_err_clear(&err);
        } else {
            hy_backoff_ok(&backoff);
            hy_repeats_clear(&repeats, stderr, "hyopps", hy_mono_ms());
        }
        if (ops_exec_show(c, &env->me, id, &d, &err) != 0) {
            exit_code = fail(&err);
            break;
        }
        const char *st = d.s.status;
        bool settled = strcmp(st, "completed") == 0 || strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0 ||
                       strcmp(st, "awaiting_input") == 0;
        if (settled || wait_stop || (deadline && hy_mono_ms() >= deadline)) {
            if (strcmp(st, "completed") == 0) {
                printf("completed\n");
                exit_code = CLI_OK;
            } else if (strcmp(st, "awaiting_input") == 0) {
                printf("awaiting_input at step %d (%s)\n", d.s.current_step,
                       d.s.current_step_name ? d.s.current_step_name : "?");
                exit_code = CLI_OK;
            } else if (strcmp(st, "failed") == 0) {
                printf("failed at step %d (%s): ", d.s.current_step, d.s.current_step_name ? d.s.current_step_name : "?");
                cli_print_safe(stdout, d.s.error ? d.s.error : "-");
                putchar('\n');
            } else if (strcmp(st, "cancelled") == 0) {
                printf("cancelled\n");
            } else {
                printf("still %s at step %d (%s)%s\n", st, d.s.current_step,
                       d.s.current_step_name ? d.s.current_step_name : "?", wait_stop ? "" : " after the timeout");
            }
            hy_exec_detail_free(&d);
            break;
        }
        hy_exec_detail_free(&d);
        int64_t due = -1, now = hy_now_ms(), sleep_ms = 200;
        if (engine_next_due(eng, &due, &err) == 0 && due > now && due - now < sleep_ms) sleep_ms = due - now;
        if (error_wait) sleep_ms = error_wait;
        if (deadline && deadline - hy_mono_ms() < sleep_ms) sleep_ms = deadline - hy_mono_ms();
        if (sleep_ms > 0) {
            struct timespec ts = {.tv_sec = sleep_ms / 1000, .tv_nsec = (sleep_ms % 1000) * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    hy_repeats_flush(&repeats, stderr, "hyopps", hy_mono_ms());
    hy_repeats_free(&repeats);
    engine_close(eng);
    return exit_code;
}

int cli_cmd_exec(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2) {
            fprintf(stderr, "usage: %s\n", EXEC_USAGE);
            return CLI_USAGE;
        }
        exec_help();
        return CLI_OK;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    if (strcmp(sub, "list") == 0) return cmd_list(env, argc, argv);
    if (strcmp(sub, "show") == 0) return cmd_show(env, argc, argv);
    if (strcmp(sub, "start") == 0) return cmd_start(env, argc, argv);
    if (strcmp(sub, "import") == 0) return cli_exec_import(env, argc, argv);
    if (strcmp(sub, "input") == 0) return cmd_input(env, argc, argv);
    if (strcmp(sub, "wait") == 0) return cmd_wait(env, argc, argv);
    if (strcmp(sub, "reschedule") == 0) return cmd_reschedule(env, argc, argv);
    if (strcmp(sub, "retry") == 0 || strcmp(sub, "skip") == 0 || strcmp(sub, "done") == 0 ||
        strcmp(sub, "rerun") == 0 || strcmp(sub, "cancel") == 0)
        return simple_action(env, argc, argv);
    char *shown = hy_sanitize(sub);
    fprintf(stderr, "hyopps: unknown exec subcommand '%s'\nusage: %s\n", shown, EXEC_USAGE);
    free(shown);
    return CLI_USAGE;
}
