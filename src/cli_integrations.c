/* hyopps integrations check */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"

static const char *usage = "hyopps integrations check [--json]";

static int check(cli_env *env, bool json)
{
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    integ_check_report rep;
    if (ops_integrations_check(&env->app->ctx, &env->me, &rep, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < INTEG_COUNT; i++) {
            const integ_check_line *l = &rep.line[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "integration", l->name);
            cJSON_AddStringToObject(o, "mode", config_mode_name(l->mode));
            cJSON_AddBoolToObject(o, "checked", l->checked);
            cJSON_AddBoolToObject(o, "ok", l->ok);
            cJSON_AddStringToObject(o, "detail", l->detail);
            cJSON_AddItemToArray(arr, o);
        }
        cli_print_json(arr);
        cJSON_Delete(arr);
    } else {
        for (int i = 0; i < INTEG_COUNT; i++) {
            const integ_check_line *l = &rep.line[i];
            printf("%-9s %-9s ", l->name, config_mode_name(l->mode));
            cli_print_safe(stdout, l->detail); /* already sanitized; harmless twice */
            putchar('\n');
        }
        if (rep.failed)
            printf("\n%d live integration%s failed the check.\n", rep.failed, rep.failed == 1 ? "" : "s");
    }
    return rep.failed ? CLI_ERR : CLI_OK;
}

int cli_cmd_integrations(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Checks every live integration without changing anything: Metabase (GET\n"
               "/api/user/current), Microsoft Teams (a Graph token), Slack (auth.test) and\n"
               "email (connect, STARTTLS or implicit TLS, AUTH, QUIT). Prints one line per\n"
               "integration: its mode (live, simulate, off) and OK or the exact problem.\n"
               "Secrets are read from the configuration and never printed. Administrators only.\n"
               "Exit status 1 when a live integration fails its check.\n", usage);
        return CLI_OK;
    }
    if (argc < 2) return cli_usage_error(usage, "missing subcommand");
    if (strcmp(argv[1], "check") != 0) return cli_usage_error(usage, "unknown subcommand '%s'", argv[1]);
    bool json = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    return check(env, json);
}
