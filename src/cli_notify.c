/* hyopps notify [list [--pending] [--exec ID] [--limit N] [--json] | on | off] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"

static const char *USAGE =
    "hyopps notify                 whether you get notifications\n"
    "       hyopps notify on|off          turn them on or off for yourself\n"
    "       hyopps notify list [--pending] [--exec ID] [--limit N] [--json]";

static int notify_help(void)
{
    printf("usage: %s\n\n"
           "Notifications email the people who can act: a step waiting for input (after\n"
           "[notify] input_delay_minutes), a step that failed after its automatic attempts,\n"
           "an execution completed or cancelled (to the requester), reminders for steps\n"
           "waiting longer than [notify] remind_after_hours, an optional daily digest.\n"
           "They are written with the change and delivered by a runner (hyopps worker, or\n"
           "an admin's or support's terminal session); see config.example.ini [notify].\n\n"
           "list (administrators and support): the outbox, newest first: when, event,\n"
           "execution and step, channel and recipient, status (pending, sending, sent,\n"
           "simulated, skipped, failed, uncertain), attempts, when sent, and the error.\n"
           "\"maybe twice\": a runner stopped while handing it to the server, so it was\n"
           "sent again once and may have arrived twice; \"uncertain\": it may have\n"
           "arrived, and it is not sent again. --pending: not delivered yet.\n",
           USAGE);
    return CLI_OK;
}

void cli_print_notice(const hy_notice *n, bool with_exec)
{
    char at[HY_TIME_LEN], sent[HY_TIME_LEN], step[16] = "";
    hy_time_short(n->created_at, at);
    if (n->step_order) snprintf(step, sizeof step, "step %d", n->step_order);
    printf("  %s  %-12s ", at, n->event ? n->event : "?");
    if (with_exec) printf("%.8s ", n->execution_id ? n->execution_id : "-");
    printf("%-7s  ", step);
    cli_print_safe(stdout, n->channel ? n->channel : "-");
    putchar(' ');
    cli_print_safe(stdout, n->recipient ? n->recipient : "(nobody yet)");
    printf("  %s", n->status ? n->status : "?");
    if (n->sent_at) {
        hy_time_short(n->sent_at, sent);
        printf(" %s", sent);
    }
    if (n->uncertain && hy_streq(n->status, "sent")) printf(" (maybe twice)");
    if (n->attempts > 1) printf(", %d attempts", n->attempts);
    if (n->error && !hy_streq(n->status, "sent")) {
        printf(": ");
        cli_print_safe(stdout, n->error);
    }
    putchar('\n');
}

static int notify_list(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {{"pending", no_argument, 0, 'p'},     {"exec", required_argument, 0, 'e'},
                                         {"limit", required_argument, 0, 'l'}, {"json", no_argument, 0, 'j'},
                                         {0, 0, 0, 0}};
    hy_notice_query q = {0};
    bool json = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (o) {
        case 'p': q.pending_only = true; break;
        case 'e': q.execution_ref = optarg; break;
        case 'l':
            q.limit = (int)strtol(optarg, &end, 10);
            if (*end || q.limit < 1 || q.limit > 1000) return cli_usage_error(USAGE, "--limit must be 1 to 1000");
            break;
        case 'j': json = true; break;
        default: return cli_usage_error(USAGE, "unknown option for notify list");
        }
    }
    if (optind < argc) return cli_usage_error(USAGE, "unexpected argument '%s'", argv[optind]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    hy_notice_list l;
    if (ops_notify_list(&env->app->ctx, &env->me, &q, &l, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *out = cJSON_CreateObject();
        cJSON *a = cJSON_AddArrayToObject(out, "notifications");
        for (int i = 0; i < l.count; i++) cJSON_AddItemToArray(a, hy_notice_to_json(&l.items[i]));
        cJSON_AddNumberToObject(out, "events_due", (double)l.events_due);
        cli_print_json(out);
        cJSON_Delete(out);
    } else {
        for (int i = 0; i < l.count; i++) cli_print_notice(&l.items[i], true);
        printf("%d shown%s", l.count, q.pending_only ? " (not delivered yet)" : "");
        if (l.events_due) printf("; %lld event%s not addressed yet", (long long)l.events_due, l.events_due == 1 ? "" : "s");
        printf("\n");
    }
    hy_notice_list_free(&l);
    return CLI_OK;
}

static int notify_switch(cli_env *env, int argc, const char *what)
{
    if (argc != 1) return cli_usage_error(USAGE, "notify %s takes no arguments", what);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    bool on = strcmp(what, "on") == 0;
    if (ops_notify_set(&env->app->ctx, &env->me, on, &err) != 0) return cli_fail(&err);
    printf("Notifications %s for %s.\n", on ? "on" : "off", env->me.email);
    return CLI_OK;
}

int cli_cmd_notify(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) return notify_help();
    if (argc >= 2 && strcmp(argv[1], "list") == 0) return notify_list(env, argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0))
        return notify_switch(env, argc - 1, argv[1]);
    if (argc > 1) return cli_usage_error(USAGE, "unknown subcommand 'notify %s'", argv[1]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    bool on;
    if (ops_notify_get(&env->app->ctx, &env->me, &on, &err) != 0) return cli_fail(&err);
    printf("Notifications are %s for %s%s.\n", on ? "on" : "off", env->me.email,
           env->app->cfg->notify.enabled ? "" : " (but [notify] enabled = false: none are sent to anyone)");
    return CLI_OK;
}
