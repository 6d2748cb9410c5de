/* hyopps access USER|--org ORG [--json]
 * hyopps reconcile [--org ORG] [--system LIST] [--json]       (run now)
 * hyopps reconcile --last [--org ORG] [--system LIST] [--kind LIST] [--json]
 * hyopps reconcile repair ID... [--regrant|--remove|--adopt|--revoke] [--note TEXT] [--yes] [--json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"

static const char *ACCESS_USAGE = "hyopps access USER [--json]\n"
                                  "       hyopps access --org ORG [--json]";

static const char *RECONCILE_USAGE =
    "hyopps reconcile [--org ORG] [--system metabase,teams,slack] [--json]\n"
    "       hyopps reconcile --last [--org ORG] [--system LIST] [--kind LIST] [--json]\n"
    "       hyopps reconcile repair ID... [--regrant|--remove|--adopt|--revoke] [--note TEXT] [--yes] [--json]";

/* ---- hyopps access ---- */

static int access_help(void)
{
    printf("usage: %s\n\n"
           "What HyOpps granted beside what the last reconciliation saw (hyopps reconcile).\n\n"
           "USER (an email or an id): each system with its grant (since when, how, which\n"
           "execution granted it, or when it was revoked) and what the latest check of\n"
           "the organisation's group saw: present, not there, there but not granted,\n"
           "revoked but still there, not checked, or could not be read.\n\n"
           "--org ORG: the organisation's users x systems (Metabase, Teams, Slack):\n"
           "  ok           granted and present      missing      granted, not there\n"
           "  unexpected   there, not granted       revoked      revoked, still there\n"
           "  not checked  granted, not read yet    -            neither\n"
           "then the accounts found in its groups that are not its users, and the\n"
           "group ids the services do not know.\n\n"
           "Partner admins see their own organisation only.\n",
           ACCESS_USAGE);
    return CLI_OK;
}

static void print_when(const char *iso)
{
    char when[HY_TIME_LEN];
    hy_time_short(iso, when);
    fputs(when, stdout);
}

static int print_user(const hy_access_user *u)
{
    cli_print_safe(stdout, u->email);
    if (u->organization_name) {
        printf(" (");
        cli_print_safe(stdout, u->organization_name);
        printf(")");
    }
    printf("\n");
    cli_table *t = cli_table_new(4, "ACCESS", "GRANTED", "LAST SEEN", "CHECKED");
    for (int i = 0; i < u->n; i++) {
        const hy_access_line *l = &u->lines[i];
        char granted[400], when[HY_TIME_LEN], checked[HY_TIME_LEN] = "-";
        if (l->granted) {
            hy_time_short(l->granted_at, when);
            snprintf(granted, sizeof granted, "yes, %s (%s%s%.8s)", when, l->granted_how ? l->granted_how : "?",
                     l->execution_id ? ", exec " : "", l->execution_id ? l->execution_id : "");
        } else if (l->revoked_at) {
            hy_time_short(l->revoked_at, when);
            snprintf(granted, sizeof granted, "revoked %s", when);
        } else {
            snprintf(granted, sizeof granted, "no");
        }
        char *seen = l->seen ? (l->detail ? xasprintf("%s (%s)", l->seen, l->detail) : xstrdup(l->seen))
                             : xstrdup("(not read by reconciliation)");
        if (l->checked_at) hy_time_short(l->checked_at, checked);
        cli_table_add(t, l->resource, granted, seen, checked);
        free(seen);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    return CLI_OK;
}

static int print_matrix(const hy_access_matrix *m)
{
    cli_print_safe(stdout, m->org_name);
    printf(": %d drift%s\n", m->drift, m->drift == 1 ? "" : "s");
    for (int s = 0; s < HY_NSYS; s++) {
        const hy_access_check *k = &m->check[s];
        printf("  %-9s ", hy_sys_label(s));
        if (!m->compared[s]) printf("off (not compared)");
        else if (!k->checked) printf("never checked");
        else {
            printf("checked ");
            print_when(k->checked_at);
            printf(": %s", k->status);
            if (k->note) {
                printf(" (");
                cli_print_safe(stdout, k->note);
                printf(")");
            }
        }
        putchar('\n');
    }
    cli_table *t = cli_table_new(1 + HY_NSYS, "USER", "METABASE", "TEAMS", "SLACK");
    for (int i = 0; i < m->nrows; i++) {
        const hy_matrix_row *r = &m->rows[i];
        const char *id = r->email ? r->email : r->account_id ? r->account_id : "?";
        char *who = !r->user_id ? xasprintf("%s (unknown to HyOpps)", id)
                    : r->other_org ? xasprintf("%s (not of this organisation)", id)
                                   : xstrdup(id);
        cli_table_add(t, who, hy_cell_label(r->cell[0]), hy_cell_label(r->cell[1]), hy_cell_label(r->cell[2]));
        free(who);
    }
    if (m->nrows) cli_table_print(t, stdout);
    else printf("No users.\n");
    cli_table_free(t);
    for (int i = 0; i < m->groups.count; i++) {
        const hy_finding *f = &m->groups.items[i];
        printf("unknown group (%s): ", hy_sys_label(f->sys));
        cli_print_safe(stdout, f->detail);
        putchar('\n');
    }
    return CLI_OK;
}

int cli_cmd_access(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) return access_help();
    static const struct option opts[] = {{"org", required_argument, 0, 'o'}, {"json", no_argument, 0, 'j'}, {0, 0, 0, 0}};
    const char *org = NULL;
    bool json = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'o') org = optarg;
        else if (o == 'j') json = true;
        else return cli_usage_error(ACCESS_USAGE, "unknown option");
    }
    const char *user = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) return cli_usage_error(ACCESS_USAGE, "unexpected argument '%s'", argv[optind]);
    if (!user == !org) return cli_usage_error(ACCESS_USAGE, "give a user, or --org ORG (not both)");
    if (org && !*org) return cli_usage_error(ACCESS_USAGE, "--org needs an organisation");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    if (user) {
        hy_access_user u;
        if (ops_access_user(&env->app->ctx, &env->me, user, &u, &err) != 0) return cli_fail(&err);
        if (json) {
            cJSON *j = hy_access_user_to_json(&u);
            cli_print_json(j);
            cJSON_Delete(j);
        } else {
            print_user(&u);
        }
        hy_access_user_free(&u);
        return CLI_OK;
    }
    hy_access_matrix m;
    if (ops_access_matrix(&env->app->ctx, &env->me, org, &m, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *j = hy_access_matrix_to_json(&m);
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        print_matrix(&m);
    }
    hy_access_matrix_free(&m);
    return CLI_OK;
}

/* ---- hyopps reconcile ---- */

static int reconcile_help(void)
{
    printf("usage: %s\n\n"
           "Reads who is really in each organisation's Metabase group, Slack user group\n"
           "and the shared Teams team, and compares it with what HyOpps granted. It\n"
           "changes nothing at the services. One line per drift: its number, the\n"
           "organisation, the system, the kind, the person, since when it is seen, which\n"
           "execution granted the access, and what the service said. Kinds:\n"
           "  missing               granted by HyOpps, not there (or the account deactivated)\n"
           "  unexpected            there, not granted (a person HyOpps knows, or an\n"
           "                        account it has no record of)\n"
           "  revoked_present       revoked by HyOpps, still there\n"
           "  unknown_group         the group id is a placeholder of the original app (sent\n"
           "                        to no service), or the service does not know it\n"
           "Simulated integrations are compared with their simulated state; an\n"
           "integration that is off is not compared. --system limits the systems; --org\n"
           "one organisation (the team's members HyOpps knows nothing of are reported by\n"
           "a run over every organisation). Runs are kept (the last 30), with their\n"
           "findings; `hyopps worker` runs one every [reconcile] every_hours.\n\n"
           "--last: the current drift without reading the services (the latest check of\n"
           "each organisation and system that could be read); --kind filters it\n"
           "(missing, unexpected, revoked_present, unknown_group). Partner admins see\n"
           "their own organisation's; running one needs an administrator or support.\n\n"
           "repair ID...: administrators repair findings, each audited:\n"
           "  missing             --regrant (the default): a repair_access execution\n"
           "                      re-runs the granting steps (the worker runs live ones)\n"
           "  unexpected, unknown --remove (the default): out of that group (asks first,\n"
           "                      showing the exact account; --yes does not ask)\n"
           "  unexpected, known / revoked_present: --revoke (starts revoke_partner_user),\n"
           "                      --adopt (records it as a grant: given by hand, accepted\n"
           "                      by you) or --remove\n"
           "  unknown_group       set the id: hyopps orgs edit ORG --slack-group ID ...\n\n"
           "Exit status: 0 everything read and no drift; 1 drift found, something could\n"
           "not be read (said on stderr; nothing is reported for it), or an error; 2\n"
           "usage; 3 not logged in; 4 forbidden or not found. repair: 0 when every\n"
           "finding was repaired, 1 otherwise.\n",
           RECONCILE_USAGE);
    return CLI_OK;
}

static void print_finding_line(cli_table *t, const hy_finding *f)
{
    char id[24], since[HY_TIME_LEN] = "-", by[16] = "-";
    snprintf(id, sizeof id, "#%lld", (long long)f->id);
    if (f->first_seen) hy_time_short(f->first_seen, since);
    if (f->grant_execution_id) snprintf(by, sizeof by, "%.8s", f->grant_execution_id);
    char *who = hy_finding_person(f);
    char *detail = f->repair ? xasprintf("%s; repair: %s", f->detail ? f->detail : "", f->repair)
                             : xstrdup(f->detail ? f->detail : "");
    cli_table_add(t, id, f->organization_name ? f->organization_name : "(the Teams team)", hy_sys_name(f->sys),
                  hy_drift_name(f->kind), who, since, by, detail);
    free(who);
    free(detail);
}

static void print_findings(const hy_finding_list *l)
{
    if (!l->count) return;
    cli_table *t = cli_table_new(8, "ID", "ORGANISATION", "SYSTEM", "KIND", "PERSON", "SINCE", "GRANTED BY", "DETAIL");
    for (int i = 0; i < l->count; i++) print_finding_line(t, &l->items[i]);
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static void count_summary(const hy_finding_list *l, hy_buf *b)
{
    int kinds[HY_NDRIFT] = {0}, sys[HY_NSYS] = {0};
    for (int i = 0; i < l->count; i++) {
        if (l->items[i].kind >= 0) kinds[l->items[i].kind]++;
        if (l->items[i].sys >= 0) sys[l->items[i].sys]++;
    }
    hy_buf_printf(b, "%d drift%s", l->count, l->count == 1 ? "" : "s");
    if (!l->count) return;
    const char *sep = ": ";
    for (int k = 0; k < HY_NDRIFT; k++)
        if (kinds[k]) {
            hy_buf_printf(b, "%s%d %s", sep, kinds[k], hy_drift_label(k));
            sep = ", ";
        }
    sep = " (";
    for (int s = 0; s < HY_NSYS; s++)
        if (sys[s]) {
            hy_buf_printf(b, "%s%s %d", sep, hy_sys_name(s), sys[s]);
            sep = ", ";
        }
    hy_buf_put(b, ")");
}

static cJSON *findings_json(const hy_finding_list *l)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < l->count; i++) cJSON_AddItemToArray(a, hy_finding_to_json(&l->items[i]));
    return a;
}

static int parse_kinds(const char *text, unsigned *mask)
{
    *mask = 0;
    hy_strlist l = {0};
    hy_strlist_split(&l, text);
    int bad = -1;
    for (int i = 0; i < l.n; i++) {
        int k = hy_drift_parse(l.v[i]);
        if (k < 0 && bad < 0) bad = i;
        else if (k >= 0) *mask |= 1u << k;
    }
    int rc = CLI_OK;
    if (bad >= 0 || !l.n)
        rc = cli_usage_error(RECONCILE_USAGE, "--kind takes missing, unexpected, revoked_present or unknown_group");
    hy_strlist_free(&l);
    return rc;
}

static int reconcile_last(cli_env *env, const char *org, unsigned systems, unsigned kinds, bool json)
{
    hy_err err;
    hy_err_clear(&err);
    hy_drift_query q = {.org_ref = org, .systems = systems, .kinds = kinds};
    hy_finding_list l;
    if (ops_access_drift(&env->app->ctx, &env->me, &q, &l, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToObject(j, "findings", findings_json(&l));
        cJSON_AddNumberToObject(j, "drift", l.count);
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        print_findings(&l);
        hy_buf b = {0};
        count_summary(&l, &b);
        printf("%s (the latest checks; hyopps reconcile runs a new one)\n", b.s);
        hy_buf_free(&b);
    }
    int n = l.count;
    hy_finding_list_free(&l);
    return n ? CLI_ERR : CLI_OK;
}

static int reconcile_now(cli_env *env, const char *org, unsigned systems, bool json)
{
    hy_err err;
    hy_err_clear(&err);
    hy_reconcile_req req = {.org_ref = org, .systems = systems};
    hy_reconcile_stats st;
    if (ops_reconcile(&env->app->ctx, &env->me, &req, &st, &err) != 0) return cli_fail(&err);
    /* what this run found (a check that could not be read reports nothing) */
    hy_drift_query q = {.org_ref = org, .systems = systems};
    hy_finding_list all, l = {0};
    if (ops_access_drift(&env->app->ctx, &env->me, &q, &all, &err) != 0) {
        hy_reconcile_stats_free(&st);
        return cli_fail(&err);
    }
    for (int i = 0; i < all.count; i++) {
        if (!hy_streq(all.items[i].run_id, st.run_id)) {
            hy_finding_free(&all.items[i]);
            continue;
        }
        l.items = xrealloc(l.items, (size_t)(l.count + 1) * sizeof *l.items);
        l.items[l.count++] = all.items[i];
    }
    free(all.items);
    int calls = 0;
    for (int s = 0; s < HY_NSYS; s++) calls += st.calls[s];
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "run_id", st.run_id);
        cJSON_AddStringToObject(j, "status", st.incomplete ? "incomplete" : "completed");
        cJSON_AddNumberToObject(j, "organizations", st.organizations);
        cJSON_AddItemToObject(j, "findings", findings_json(&l));
        cJSON *sys = cJSON_AddArrayToObject(j, "systems");
        cJSON *c = cJSON_AddObjectToObject(j, "calls");
        for (int s = 0; s < HY_NSYS; s++) {
            if (st.systems_read & (1u << s)) cJSON_AddItemToArray(sys, cJSON_CreateString(hy_sys_name(s)));
            cJSON_AddNumberToObject(c, hy_sys_name(s), st.calls[s]);
        }
        cJSON_AddNumberToObject(j, "retries", st.retries);
        cJSON_AddNumberToObject(j, "unchecked", st.unchecked);
        cJSON_AddNumberToObject(j, "duration_ms", (double)st.duration_ms);
        cJSON *f = cJSON_AddArrayToObject(j, "could_not_read");
        for (int i = 0; i < st.nfailures; i++) cJSON_AddItemToArray(f, cJSON_CreateString(st.failures[i]));
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        print_findings(&l);
        hy_buf b = {0};
        count_summary(&l, &b);
        printf("%s in %d organisation%s", b.s, st.organizations, st.organizations == 1 ? "" : "s");
        hy_buf_free(&b);
        const char *sep = "; compared: ";
        for (int s = 0; s < HY_NSYS; s++)
            if (st.systems_read & (1u << s)) {
                printf("%s%s", sep, hy_sys_name(s));
                sep = ", ";
            }
        if (!st.systems_read) printf("; every integration is off: nothing compared");
        printf("; %d service call%s, %.1f s", calls, calls == 1 ? "" : "s", (double)st.duration_ms / 1000.0);
        if (st.retries) printf(", %d retried", st.retries);
        printf("\n");
        if (st.unchecked)
            printf("%d Slack grant%s without a recorded Slack id could not be compared (repair_access records one)\n",
                   st.unchecked, st.unchecked == 1 ? "" : "s");
    }
    for (int i = 0; i < st.nfailures; i++) {
        fputs("hyopps: could not read ", stderr);
        cli_print_safe(stderr, st.failures[i]);
        fputs(" (nothing is reported for it)\n", stderr);
    }
    bool clean = l.count == 0 && !st.incomplete;
    hy_finding_list_free(&l);
    hy_reconcile_stats_free(&st);
    return clean ? CLI_OK : CLI_ERR;
}

static int reconcile_repair(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {{"regrant", no_argument, 0, 'g'}, {"remove", no_argument, 0, 'r'},
                                         {"adopt", no_argument, 0, 'a'},   {"revoke", no_argument, 0, 'v'},
                                         {"note", required_argument, 0, 'n'}, {"yes", no_argument, 0, 'y'},
                                         {"json", no_argument, 0, 'j'},    {0, 0, 0, 0}};
    hy_repair action = HY_REPAIR_DEFAULT;
    const char *note = NULL;
    bool yes = false, json = false;
    int o, nactions = 0;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'g': action = HY_REPAIR_REGRANT; nactions++; break;
        case 'r': action = HY_REPAIR_REMOVE; nactions++; break;
        case 'a': action = HY_REPAIR_ADOPT; nactions++; break;
        case 'v': action = HY_REPAIR_REVOKE; nactions++; break;
        case 'n': note = optarg; break;
        case 'y': yes = true; break;
        case 'j': json = true; break;
        default: return cli_usage_error(RECONCILE_USAGE, "unknown option for reconcile repair");
        }
    }
    if (nactions > 1) return cli_usage_error(RECONCILE_USAGE, "give one of --regrant, --remove, --adopt, --revoke");
    int n = argc - optind;
    if (n <= 0) return cli_usage_error(RECONCILE_USAGE, "which findings? give their numbers (hyopps reconcile --last)");
    int64_t *ids = xcalloc((size_t)n, sizeof *ids);
    for (int i = 0; i < n; i++) {
        const char *a = argv[optind + i];
        if (*a == '#') a++;
        char *end;
        long long v = strtoll(a, &end, 10);
        if (!*a || *end || v <= 0) {
            free(ids);
            return cli_usage_error(RECONCILE_USAGE, "'%s' is not a finding number (#12 or 12)", argv[optind + i]);
        }
        ids[i] = v;
    }
    int rc = cli_require_session(env, false);
    if (rc) {
        free(ids);
        return rc;
    }
    hy_err err;
    hy_err_clear(&err);
    if (!ops_can(&env->me, HY_CAP_REPAIR)) {
        free(ids);
        hy_fail(&err, HY_ERR_FORBIDDEN, "only administrators may repair access");
        return cli_fail(&err);
    }
    /* a removal takes someone's access away: say exactly whose, and ask */
    for (int i = 0; i < n && !yes; i++) {
        hy_finding f;
        hy_err e;
        hy_err_clear(&e);
        if (ops_access_finding(&env->app->ctx, &env->me, ids[i], &f, &e) != 0) continue; /* the repair says why */
        hy_repair a = action;
        if (a == HY_REPAIR_DEFAULT && f.kind == HY_DRIFT_UNEXPECTED && !f.known) a = HY_REPAIR_REMOVE;
        char *what = a == HY_REPAIR_REMOVE || a == HY_REPAIR_REVOKE ? hy_repair_describe(&f, a) : NULL;
        hy_finding_free(&f);
        if (!what) continue;
        char *q = xasprintf("#%lld: %s?", (long long)ids[i], what);
        free(what);
        bool ok = cli_confirm(q);
        if (!ok) {
            fputs("hyopps: ", stderr);
            cli_print_safe(stderr, q);
            fputs(isatty(STDIN_FILENO) ? " Not confirmed: nothing done.\n"
                                       : " Not confirmed (not a terminal): give --yes to do it without asking.\n",
                  stderr);
        }
        free(q);
        if (!ok) {
            free(ids);
            return CLI_ERR;
        }
    }
    hy_repair_result res;
    if (ops_access_repair(&env->app->ctx, &env->me, ids, n, action, note, &res, &err) != 0) {
        free(ids);
        return cli_fail(&err);
    }
    free(ids);
    if (json) {
        cJSON *j = hy_repair_result_to_json(&res);
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        for (int i = 0; i < res.n; i++) {
            printf("#%lld %s: ", (long long)res.v[i].id, res.v[i].code ? "not repaired" : "ok");
            cli_print_safe(stdout, res.v[i].message);
            putchar('\n');
        }
        printf("%d repaired, %d not\n", res.done, res.failed);
    }
    int status = res.failed ? CLI_ERR : CLI_OK;
    hy_repair_result_free(&res);
    return status;
}

int cli_cmd_reconcile(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) return reconcile_help();
    if (argc > 1 && strcmp(argv[1], "repair") == 0) return reconcile_repair(env, argc - 1, argv + 1);
    static const struct option opts[] = {{"org", required_argument, 0, 'o'}, {"system", required_argument, 0, 's'},
                                         {"kind", required_argument, 0, 'k'}, {"last", no_argument, 0, 'l'},
                                         {"json", no_argument, 0, 'j'},       {0, 0, 0, 0}};
    const char *org = NULL, *kind = NULL;
    unsigned systems = 0, kinds = 0;
    bool json = false, last = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        hy_err e;
        hy_err_clear(&e);
        switch (o) {
        case 'o':
            if (!*optarg) return cli_usage_error(RECONCILE_USAGE, "--org needs an organisation");
            org = optarg;
            break;
        case 's':
            if (hy_sys_parse_list(optarg, &systems, &e) != 0)
                return cli_usage_error(RECONCILE_USAGE, "--system: %s", e.nfield ? e.field[0].msg : e.msg);
            break;
        case 'k': kind = optarg; break;
        case 'l': last = true; break;
        case 'j': json = true; break;
        default: return cli_usage_error(RECONCILE_USAGE, "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error(RECONCILE_USAGE, "unexpected argument '%s'", argv[optind]);
    if (kind && !last) return cli_usage_error(RECONCILE_USAGE, "--kind filters --last");
    if (kind) {
        int rc = parse_kinds(kind, &kinds);
        if (rc) return rc;
    }
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    return last ? reconcile_last(env, org, systems, kinds, json) : reconcile_now(env, org, systems, json);
}
