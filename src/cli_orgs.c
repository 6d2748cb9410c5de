/* hyopps orgs list|show|edit|delete (offboard: cli_revoke.c) */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"

static const char *USAGE =
    "hyopps orgs list [--filter TEXT] [--json]\n"
    "       hyopps orgs show ORG [--json]\n"
    "       hyopps orgs edit ORG [--name NAME] [--account-types partner,client,internal]\n"
    "                            [--docs-internal URL] [--docs-general URL] [--docs-additional URL]\n"
    "                            [--metabase-group ID] [--teams-group ID] [--slack-group ID]\n"
    "                            [--metabase-group-name NAME] [--teams-group-name NAME]\n"
    "                            [--slack-group-name NAME]\n"
    "       hyopps orgs delete ORG [--yes]\n"
    "       hyopps orgs offboard ORG --reason TEXT [--at WHEN] [--wait] [--quiet]";

static int orgs_help(void)
{
    printf("usage: %s\n\n"
           "ORG is an organisation's id, a unique prefix of it, or its exact name.\n"
           "edit: an empty value clears a documentation link or a group id. Links must be\n"
           "http:// or https:// URLs; the Metabase group id is a whole number. A group's\n"
           "name (--*-group-name) is how it is shown; a new group without one is named\n"
           "ext-<organisation>; naming a group the organisation does not have needs its id.\n"
           "delete: shows what will be removed and asks to confirm (--yes to skip; needed\n"
           "when standard input is not a terminal). Users and executions of the\n"
           "organisation are kept and detached from it.\n"
           "offboard: ends a partnership (offboard_partner: every user's access revoked, the\n"
           "groups closed; see its --help). An offboarded organisation is read-only.\n"
           "Partner admins may list and show their own organisation only; the rest is for\n"
           "administrators.\n",
           USAGE);
    return CLI_OK;
}

static int orgs_list(cli_env *env, int argc, char **argv)
{
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    static const struct option opts[] = {{"filter", required_argument, 0, 'f'}, {0, 0, 0, 0}};
    const char *filter = NULL;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        if (o == 'f') filter = optarg;
        else return cli_usage_error(USAGE, "unknown option for orgs list");
    }
    if (optind < argc) return cli_usage_error(USAGE, "unexpected argument '%s'", argv[optind]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_org_list l;
    if (ops_org_list(&env->app->ctx, &env->me, filter, &l, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; i < l.count; i++) cJSON_AddItemToArray(a, hy_org_to_json(&l.items[i]));
        cli_print_json(a);
        cJSON_Delete(a);
    } else {
        cli_table *t = cli_table_new(6, "ID", "NAME", "ACCOUNT TYPES", "USERS", "EXECUTIONS", "CREATED");
        for (int i = 0; i < l.count; i++) {
            hy_org *g = &l.items[i];
            char id[9], users[16], execs[16], created[HY_TIME_LEN];
            hy_strlcpy(id, g->id, sizeof id);
            snprintf(users, sizeof users, "%d", g->nusers);
            snprintf(execs, sizeof execs, "%d", g->nexecutions);
            hy_time_short(g->created_at, created);
            char *types = hy_strlist_join(&g->account_types, ",");
            char *name = g->offboarded_at ? xasprintf("%s (offboarded)", g->name) : xstrdup(g->name);
            cli_table_add(t, id, name, types, users, execs, created);
            free(name);
            free(types);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    hy_org_list_free(&l);
    return CLI_OK;
}

static int orgs_show(cli_env *env, int argc, char **argv)
{
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    if (argc != 2) return cli_usage_error(USAGE, "orgs show needs one organisation");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_org_detail d;
    if (ops_org_show(&env->app->ctx, &env->me, argv[1], &d, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *j = hy_org_detail_to_json(&d);
        cli_print_json(j);
        cJSON_Delete(j);
        hy_org_detail_free(&d);
        return CLI_OK;
    }
    char *types = hy_strlist_join(&d.org.account_types, ", ");
    char created[HY_TIME_LEN];
    hy_time_short(d.org.created_at, created);
    cli_print_field("id", d.org.id);
    cli_print_field("name", d.org.name);
    cli_print_field("account types", types);
    cli_print_field("created", created);
    if (d.org.offboarded_at) {
        char off[HY_TIME_LEN];
        hy_time_short(d.org.offboarded_at, off);
        cli_print_field("offboarded", off);
    }
    free(types);
    printf("\nStudio companies\n");
    if (d.ncompanies == 0) printf("  none\n");
    for (int i = 0; i < d.ncompanies; i++) {
        printf("  %-6s ", d.companies[i].environment);
        cli_print_safe(stdout, d.companies[i].studio_id);
        printf("  ");
        cli_print_safe(stdout, d.companies[i].name);
        putchar('\n');
    }
    printf("\nSystem groups\n");
    if (d.ngroups == 0) printf("  none\n");
    for (int i = 0; i < d.ngroups; i++) {
        printf("  %-9s ", d.groups[i].tool);
        cli_print_safe(stdout, d.groups[i].external_name);
        printf("  id ");
        cli_print_safe(stdout, d.groups[i].external_id ? d.groups[i].external_id : "-");
        if (d.groups[i].placeholder) {
            /* the original app's stub made it up: say how to set the real one */
            char *word = hy_shell_quoted(d.org.name);
            printf("  (placeholder from the original app, not a real id: set it with hyopps orgs edit ");
            cli_print_safe(stdout, word ? word : d.org.id);
            printf(" %s ID)", hy_group_edit_flag(d.groups[i].tool) ? hy_group_edit_flag(d.groups[i].tool) : "");
            free(word);
        }
        putchar('\n');
    }
    printf("\nIntegrations\n");
    printf("  keycloak    %s", d.keycloak_confirmed ? "confirmed" : "not confirmed");
    if (d.keycloak_cluster) {
        printf(" (");
        cli_print_safe(stdout, d.keycloak_cluster);
        printf(")");
    }
    printf("\n  metabase    collection ");
    cli_print_safe(stdout, d.metabase_collection_id ? d.metabase_collection_id : "-");
    if (d.metabase_collection_placeholder)
        printf("  (placeholder from the original app: clone_metabase_collection finds or creates the real one)");
    printf("\n  lms         %s\n", d.lms_confirmed ? "confirmed" : "not confirmed");
    printf("\nDocumentation\n");
    cli_print_field("  internal", d.docs_internal);
    cli_print_field("  general", d.docs_general);
    cli_print_field("  additional", d.docs_additional);
    printf("\nUsers (%d)\n", d.nusers);
    for (int i = 0; i < d.nusers; i++) {
        printf("  ");
        cli_print_safe(stdout, d.users[i].email);
        printf("  ");
        cli_print_safe(stdout, d.users[i].firstname);
        putchar(' ');
        cli_print_safe(stdout, d.users[i].lastname);
        printf("  %s%s\n", hy_role_name(d.users[i].role), d.users[i].offboarded_at ? "  offboarded" : "");
    }
    printf("\nExecutions (%d, newest first)\n", d.org.nexecutions);
    for (int i = 0; i < d.nexecutions; i++) {
        char when[HY_TIME_LEN];
        hy_time_short(d.executions[i].created_at, when);
        printf("  %.8s  %-17s %-15s %d/%d  %s  ", d.executions[i].id, d.executions[i].workflow,
               d.executions[i].status, d.executions[i].current_step, d.executions[i].nsteps, when);
        cli_print_safe(stdout, d.executions[i].user_email ? d.executions[i].user_email : "");
        putchar('\n');
    }
    hy_org_detail_free(&d);
    return CLI_OK;
}

static int orgs_edit(cli_env *env, int argc, char **argv)
{
    enum { O_NAME = 1, O_TYPES, O_DI, O_DG, O_DA, O_MB, O_TEAMS, O_SLACK, O_MBN, O_TEAMSN, O_SLACKN };
    static const struct option opts[] = {
        {"name", required_argument, 0, O_NAME},          {"account-types", required_argument, 0, O_TYPES},
        {"docs-internal", required_argument, 0, O_DI},   {"docs-general", required_argument, 0, O_DG},
        {"docs-additional", required_argument, 0, O_DA}, {"metabase-group", required_argument, 0, O_MB},
        {"teams-group", required_argument, 0, O_TEAMS},  {"slack-group", required_argument, 0, O_SLACK},
        {"metabase-group-name", required_argument, 0, O_MBN}, {"teams-group-name", required_argument, 0, O_TEAMSN},
        {"slack-group-name", required_argument, 0, O_SLACKN}, {0, 0, 0, 0}};
    hy_org_update u = {0};
    hy_org_docs docs = {0};
    hy_org_groups groups = {0};
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_NAME: u.name = optarg; break;
        case O_TYPES: u.account_types = optarg; break;
        case O_DI: docs.internal = optarg; break;
        case O_DG: docs.general = optarg; break;
        case O_DA: docs.additional = optarg; break;
        case O_MB: groups.metabase = optarg; break;
        case O_TEAMS: groups.teams = optarg; break;
        case O_SLACK: groups.slack = optarg; break;
        case O_MBN: groups.metabase_name = optarg; break;
        case O_TEAMSN: groups.teams_name = optarg; break;
        case O_SLACKN: groups.slack_name = optarg; break;
        default: return cli_usage_error(USAGE, "unknown option for orgs edit");
        }
    }
    if (optind != argc - 1) return cli_usage_error(USAGE, "orgs edit needs one organisation");
    bool any_u = u.name || u.account_types, any_d = docs.internal || docs.general || docs.additional,
         any_g = groups.metabase || groups.teams || groups.slack || groups.metabase_name || groups.teams_name ||
                 groups.slack_name;
    if (!any_u && !any_d && !any_g) return cli_usage_error(USAGE, "nothing to change: give at least one option");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    char id[HY_UUID_LEN];
    hy_err err;
    if (ops_org_resolve(&env->app->ctx, &env->me, argv[optind], id, &err) != 0) return cli_fail(&err);
    if (ops_org_edit(&env->app->ctx, &env->me, id, &u, &docs, &groups, &err) != 0) return cli_fail(&err);
    printf("Organisation %.8s updated.\n", id);
    return CLI_OK;
}

static int orgs_delete(cli_env *env, int argc, char **argv)
{
    bool yes = cli_take_flag(&argc, argv, "--yes", "-y");
    if (argc != 2) return cli_usage_error(USAGE, "orgs delete needs one organisation");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_org_impact im;
    char id[HY_UUID_LEN];
    if (ops_org_resolve(&env->app->ctx, &env->me, argv[1], id, &err) != 0) return cli_fail(&err);
    if (ops_org_delete_impact(&env->app->ctx, &env->me, id, &im, &err) != 0) return cli_fail(&err);
    printf("Deleting organisation ");
    cli_print_safe(stdout, im.name);
    printf(" removes %d Studio compan%s, %d system group%s%s%s;\n"
           "keeps %d user%s and %d execution%s, detached from it.\n",
           im.studio_companies, im.studio_companies == 1 ? "y" : "ies", im.system_groups,
           im.system_groups == 1 ? "" : "s", im.integrations ? ", its integration state" : "",
           im.documentation ? ", its documentation links" : "", im.users, im.users == 1 ? "" : "s", im.executions,
           im.executions == 1 ? "" : "s");
    hy_org_impact_free(&im);
    if (!yes && !cli_confirm("Delete it?")) {
        fprintf(stderr, "hyopps: not deleted (confirm on a terminal, or pass --yes)\n");
        return CLI_ERR;
    }
    if (ops_org_delete(&env->app->ctx, &env->me, id, &im, &err) != 0) return cli_fail(&err);
    hy_org_impact_free(&im);
    printf("Deleted.\n");
    return CLI_OK;
}

int cli_cmd_orgs(cli_env *env, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "offboard") == 0) return cli_orgs_offboard(env, argc - 1, argv + 1);
    if (argc < 2 || cli_wants_help(argc, argv)) {
        if (argc < 2) return cli_usage_error(USAGE, "orgs needs a subcommand");
        return orgs_help();
    }
    const char *sub = argv[1];
    if (strcmp(sub, "list") == 0) return orgs_list(env, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0) return orgs_show(env, argc - 1, argv + 1);
    if (strcmp(sub, "edit") == 0) return orgs_edit(env, argc - 1, argv + 1);
    if (strcmp(sub, "delete") == 0) return orgs_delete(env, argc - 1, argv + 1);
    return cli_usage_error(USAGE, "unknown subcommand 'orgs %s'", sub);
}
