/* hyopps audit [--since WHEN] [--actor A] [--action X] [--target T] [--about TEXT] [--limit N] [--json] */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"
#include "validate.h"

static const char *USAGE =
    "hyopps audit [--since WHEN] [--actor EMAIL] [--action PREFIX] [--target ID] [--about TEXT] [--limit N] [--json]";

/* WHEN: an ISO date/time (2026-11-25, 2026-11-25T10:00) or an age (30m, 2h, 7d). */
static bool parse_since(const char *s, char out[HY_TIME_LEN])
{
    size_t n = strlen(s);
    long v;
    if (n >= 2 && strchr("smhd", s[n - 1])) {
        char num[32];
        if (n - 1 >= sizeof num) return false;
        memcpy(num, s, n - 1);
        num[n - 1] = '\0';
        if (!hy_parse_long(num, 0, 100000000, &v)) return false;
        int64_t unit = s[n - 1] == 's' ? 1000 : s[n - 1] == 'm' ? 60000 : s[n - 1] == 'h' ? 3600000 : 86400000;
        hy_iso_from_ms(hy_now_ms() - (int64_t)v * unit, out);
        return true;
    }
    int64_t ms;
    char buf[64];
    if (n == 10) snprintf(buf, sizeof buf, "%sT00:00:00", s);
    else if (n == 16) snprintf(buf, sizeof buf, "%s:00", s);
    else hy_strlcpy(buf, s, sizeof buf);
    if (!hy_parse_time(buf, &ms)) return false;
    hy_iso_from_ms(ms, out);
    return true;
}

int cli_cmd_audit(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nThe audit trail, newest first (administrators only). WHEN is a UTC date or\n"
               "time (2026-11-25, 2026-11-25T10:00) or an age (30m, 2h, 7d). --actor matches part of\n"
               "the actor's email, --action a prefix (e.g. org., exec.retry), --target an id prefix,\n"
               "--about part of an organisation's name or of a user's email or name (entries about\n"
               "them, their executions, or by them). Default limit: 200.\n", USAGE);
        return CLI_OK;
    }
    static const struct option opts[] = {
        {"since", required_argument, 0, 's'}, {"actor", required_argument, 0, 'a'},
        {"action", required_argument, 0, 'x'}, {"target", required_argument, 0, 't'},
        {"limit", required_argument, 0, 'n'}, {"json", no_argument, 0, 'j'}, {"about", required_argument, 0, 'b'},
        {0, 0, 0, 0}};
    hy_audit_filter f = {0};
    char since[HY_TIME_LEN];
    bool json = false;
    long limit;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 's':
            if (!parse_since(optarg, since))
                return cli_usage_error(USAGE, "--since: '%s' is not a date (2026-11-25), a time (2026-11-25T10:00) or an age (2h, 7d)", optarg);
            f.since = since;
            break;
        case 'a': f.actor = optarg; break;
        case 'x': f.action = optarg; break;
        case 't': f.target = optarg; break;
        case 'b': f.about = optarg; break;
        case 'n':
            if (!hy_parse_long(optarg, 1, 100000, &limit)) return cli_usage_error(USAGE, "--limit must be 1 to 100000");
            f.limit = (int)limit;
            break;
        case 'j': json = true; break;
        default: return cli_usage_error(USAGE, "unknown option for audit");
        }
    }
    if (optind < argc) return cli_usage_error(USAGE, "unexpected argument '%s'", argv[optind]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_audit_list l;
    if (ops_audit_list(&env->app->ctx, &env->me, &f, &l, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; i < l.count; i++) {
            hy_audit_entry *e = &l.items[i];
            cJSON *j = cJSON_CreateObject();
            cJSON_AddNumberToObject(j, "id", (double)e->id);
            cJSON_AddStringToObject(j, "at", e->at ? e->at : "");
            cJSON_AddStringToObject(j, "actor", e->actor_email ? e->actor_email : "");
            cJSON_AddStringToObject(j, "os_user", e->os_user ? e->os_user : "");
            cJSON_AddStringToObject(j, "remote", e->remote ? e->remote : "");
            cJSON_AddStringToObject(j, "action", e->action ? e->action : "");
            cJSON_AddStringToObject(j, "target_type", e->target_type ? e->target_type : "");
            cJSON_AddStringToObject(j, "target_id", e->target_id ? e->target_id : "");
            if (e->target_label) cJSON_AddStringToObject(j, "target", e->target_label);
            cJSON *d = e->details ? cJSON_Parse(e->details) : NULL;
            cJSON_AddItemToObject(j, "details", d ? d : cJSON_CreateNull());
            cJSON_AddItemToArray(a, j);
        }
        cli_print_json(a);
        cJSON_Delete(a);
    } else {
        cli_table *t = cli_table_new(6, "AT (UTC)", "ACTOR", "OS USER", "ACTION", "TARGET", "DETAILS");
        for (int i = 0; i < l.count; i++) {
            hy_audit_entry *e = &l.items[i];
            char at[HY_TIME_LEN], target[300] = "";
            hy_strlcpy(at, e->at ? e->at : "", 20);
            if (at[10] == 'T') at[10] = ' ';
            if (e->target_label) hy_strlcpy(target, e->target_label, sizeof target);
            else if (e->target_id) hy_strlcpy(target, e->target_id, 9);
            char *os = e->remote ? xasprintf("%s@%s", e->os_user ? e->os_user : "?", e->remote)
                                 : xstrdup(e->os_user ? e->os_user : "");
            cli_table_add(t, at, e->actor_email, os, e->action, target, e->details);
            free(os);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    hy_audit_list_free(&l);
    return CLI_OK;
}
