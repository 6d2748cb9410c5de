#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_commands.h"
#include "util.h"

static const cli_command COMMANDS[] = {
    {"login", cli_cmd_login, "log in and keep the session token for later commands"},
    {"logout", cli_cmd_logout, "end the session"},
    {"whoami", cli_cmd_whoami, "show who is logged in"},
    {"passwd", cli_cmd_passwd, "change your own password"},
    {"orgs", cli_cmd_orgs, "list, show, edit, offboard and delete organisations"},
    {"users", cli_cmd_users, "list, show, edit, revoke and delete users; set passwords;\n"
                                   "                Metabase groups"},
    {"audit", cli_cmd_audit, "show the audit trail"},
    {"db", cli_cmd_db, "database maintenance (migrate)"},
    {"exec", cli_cmd_exec,
     "executions: list, show, start, import, input, retry, skip, done,\n"
     "                rerun, cancel, reschedule, wait"},
    {"batch", cli_cmd_batch, "batches of executions started by one import: list, show"},
    {"worker", cli_cmd_worker, "run the auto steps headless (--once: what is runnable now)"},
    {"integrations", cli_cmd_integrations, "check the live integrations' settings (admin)"},
    {"notify", cli_cmd_notify, "your notifications on or off; the outbox (notify list)"},
    {"access", cli_cmd_access, "what a user (or --org) was granted beside what the services have"},
    {"reconcile", cli_cmd_reconcile, "compare grants with Metabase, Teams and Slack; repair the drift"},
};
#define NCOMMANDS (int)(sizeof COMMANDS / sizeof COMMANDS[0])

static void print_help(FILE *f)
{
    fprintf(f,
            "Usage: hyopps [--config PATH] [--restricted] [COMMAND [ARGS]]\n"
            "\n"
            "HyOpps provisions partner access across Studio, Metabase, Microsoft Teams,\n"
            "Slack, the LMS and Keycloak. Without a command it starts the terminal UI.\n"
            "\n"
            "Options:\n"
            "  --config PATH   read settings from PATH (else $HYOPPS_CONFIG, ./config.ini,\n"
            "                  $XDG_CONFIG_HOME/hyopps/config.ini, /etc/hyopps/config.ini;\n"
            "                  none: ./hyopps.db with every integration simulated)\n"
            "  --restricted    restricted shell for partner admins over SSH (no suspend,\n"
            "                  no shell escapes, idle logout); its configuration comes\n"
            "                  only from --config or /etc/hyopps/config.ini (to try it:\n"
            "                  hyopps --restricted --config ./config.ini)\n"
            "  -h, --help      this help; COMMAND --help for a command's help\n"
            "  -V, --version   print the version\n"
            "\n"
            "Commands:\n");
    for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-13s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f,
            "\n"
            "In the terminal UI, ? or F1 lists the keys of the screen (in a form: F1).\n"
            "\n"
            "Exit codes: 0 ok, 1 error, 2 usage, 3 not logged in or session expired\n"
            "(or password change required), 4 forbidden or not found.\n"
            "The session token is kept in $XDG_STATE_HOME/hyopps/token (mode 0600);\n"
            "HYOPPS_TOKEN overrides it. See hyopps(1).\n");
}

int cli_parse_globals(int argc, char **argv, hy_globals *g, int *next)
{
    memset(g, 0, sizeof *g);
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--config") == 0) {
            if (i + 1 >= argc) return cli_usage_error("hyopps --config PATH [COMMAND]", "--config needs a path");
            g->config_path = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            g->config_path = a + 9;
        } else if (strcmp(a, "--restricted") == 0) {
            g->restricted = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_help(stdout);
            return CLI_OK;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("hyopps %s\n", HYOPPS_VERSION);
            return CLI_OK;
        } else if (a[0] == '-') {
            fprintf(stderr, "hyopps: unknown option '%s'\n", a);
            print_help(stderr);
            return CLI_USAGE;
        } else {
            break;
        }
    }
    if (g->config_path && !*g->config_path)
        return cli_usage_error("hyopps --config PATH [COMMAND]", "--config needs a path");
    *next = i;
    return -1;
}

int cli_run(const hy_globals *g, int argc, char **argv)
{
    const cli_command *cmd = NULL;
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(COMMANDS[i].name, argv[0]) == 0) cmd = &COMMANDS[i];
    if (!cmd) {
        fprintf(stderr, "hyopps: unknown command '%s'\n\n", argv[0]);
        print_help(stderr);
        return CLI_USAGE;
    }
    if (g->restricted) {
        fprintf(stderr, "hyopps: commands are not available in restricted mode\n");
        return CLI_NOTFOUND;
    }
    cli_env env = {.g = *g, .prog = "hyopps"};
    int rc = cmd->run(&env, argc, argv);
    if (env.token) {
        explicit_bzero(env.token, strlen(env.token));
        free(env.token);
    }
    app_close(env.app);
    return rc;
}
