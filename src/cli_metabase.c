/* hyopps users metabase USER [list|add GROUP|remove GROUP] [--json]: a
 * user's Metabase group memberships (ops_metabase.h), as the admin's
 * Metabase panel shows and changes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"
#include "validate.h"

static const char *USAGE = "hyopps users metabase USER [list | add GROUP | remove GROUP] [--json]";

static int mb_help(void)
{
    printf("usage: %s\n\n"
           "A user's Metabase group memberships (administrators). list (the default)\n"
           "shows the stored Metabase id and the groups the user is in (never Metabase's\n"
           "own All Users and Administrators). GROUP is a Metabase group id or its exact\n"
           "name. A user without a stored Metabase id is looked up by email: add finds\n"
           "their account (a deactivated one is reactivated) or creates it, stores its\n"
           "id, then adds them; remove finds it and stores it. With [metabase] mode =\n"
           "simulate the memberships are kept in HyOpps and add makes a simulated\n"
           "account. Every change is in the audit trail.\n",
           USAGE);
    return CLI_OK;
}

/* GROUP as an id, or the id of the group of that exact name among groups. */
static bool group_ref(const char *ref, const mb_group_list *groups, long *id)
{
    if (hy_parse_long(ref, 1, 2147483647, id)) return true;
    for (int i = 0; groups && i < groups->n; i++)
        if (hy_strcaseeq(groups->items[i].name, ref)) {
            *id = groups->items[i].id;
            return true;
        }
    return false;
}

static cJSON *groups_json(const mb_group_list *l)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < l->n; i++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddNumberToObject(g, "id", (double)l->items[i].id);
        cJSON_AddStringToObject(g, "name", l->items[i].name ? l->items[i].name : "");
        cJSON_AddItemToArray(a, g);
    }
    return a;
}

static int mb_list(cli_env *env, const char *user, bool json)
{
    hy_err err;
    hy_mb_user v;
    if (ops_metabase_user(&env->app->ctx, &env->me, user, &v, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "user_id", v.user_id);
        cJSON_AddStringToObject(j, "email", v.email ? v.email : "");
        cJSON_AddStringToObject(j, "mode", config_mode_name(v.mode));
        if (v.metabase_user_id > 0) cJSON_AddNumberToObject(j, "metabase_user_id", (double)v.metabase_user_id);
        else cJSON_AddNullToObject(j, "metabase_user_id");
        cJSON_AddBoolToObject(j, "stored", v.has_metabase_id);
        cJSON_AddItemToObject(j, "groups", groups_json(&v.groups));
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        char id[64];
        if (v.has_metabase_id) snprintf(id, sizeof id, "%ld", v.metabase_user_id);
        else if (v.found_by_email) snprintf(id, sizeof id, "none stored (Metabase has %ld for this email)", v.metabase_user_id);
        else hy_strlcpy(id, "none stored", sizeof id);
        cli_print_field("user", v.email);
        cli_print_field("metabase user id", id);
        cli_print_field("mode", config_mode_name(v.mode));
        if (v.groups.n == 0) {
            printf("Not a member of any group (besides Metabase's own All Users).\n");
        } else {
            cli_table *t = cli_table_new(2, "GROUP ID", "GROUP");
            for (int i = 0; i < v.groups.n; i++) {
                char gid[24];
                snprintf(gid, sizeof gid, "%ld", v.groups.items[i].id);
                cli_table_add(t, gid, v.groups.items[i].name);
            }
            cli_table_print(t, stdout);
            cli_table_free(t);
        }
    }
    hy_mb_user_free(&v);
    return CLI_OK;
}

static int mb_change(cli_env *env, const char *user, const char *ref, bool add, bool json)
{
    hy_err err;
    hy_err_clear(&err);
    long gid = 0;
    if (!hy_parse_long(ref, 1, 2147483647, &gid)) {
        /* a name: among the groups the user can be added to / is in */
        mb_group_list l = {0};
        hy_mb_user v;
        memset(&v, 0, sizeof v);
        int rc = add ? ops_metabase_addable(&env->app->ctx, &env->me, user, &l, &err)
                     : ops_metabase_user(&env->app->ctx, &env->me, user, &v, &err);
        bool found = rc == 0 && group_ref(ref, add ? &l : &v.groups, &gid);
        mb_group_list_free(&l);
        hy_mb_user_free(&v);
        if (rc) return cli_fail(&err);
        if (!found) {
            fprintf(stderr, "hyopps: no Metabase group named '");
            cli_print_safe(stderr, ref);
            fprintf(stderr, "' %s (give its id, or see `hyopps users metabase USER`)\n",
                    add ? "that this user can be added to" : "among this user's groups");
            return CLI_ERR;
        }
    }
    bool changed = false;
    hy_mb_link link;
    int rc = add ? ops_metabase_add(&env->app->ctx, &env->me, user, gid, &changed, &link, &err)
                 : ops_metabase_remove(&env->app->ctx, &env->me, user, gid, &changed, &link, &err);
    if (rc) return cli_fail(&err);
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "group_id", (double)gid);
        cJSON_AddBoolToObject(j, "changed", changed);
        if (link.metabase_user_id > 0) cJSON_AddNumberToObject(j, "metabase_user_id", (double)link.metabase_user_id);
        else cJSON_AddNullToObject(j, "metabase_user_id");
        cJSON_AddBoolToObject(j, "linked", link.linked);
        if (link.linked) cJSON_AddStringToObject(j, "account", hy_mb_how_name(link.how));
        cli_print_json(j);
        cJSON_Delete(j);
        return CLI_OK;
    }
    if (link.linked)
        printf("Metabase account %ld (%s) stored for this user.\n", link.metabase_user_id, hy_mb_how_name(link.how));
    if (add) printf(changed ? "Added to Metabase group %ld.\n" : "Already in Metabase group %ld.\n", gid);
    else printf(changed ? "Removed from Metabase group %ld.\n" : "Not in Metabase group %ld: nothing to remove.\n", gid);
    return CLI_OK;
}

int cli_users_metabase(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) return mb_help();
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    /* argv[0] = "metabase", argv[1] = USER, then the action */
    if (argc < 2) return cli_usage_error(USAGE, "users metabase needs a user");
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(USAGE, "unknown option '%s'", argv[i]);
    const char *user = argv[1], *action = argc > 2 ? argv[2] : "list";
    bool add = strcmp(action, "add") == 0, remove = strcmp(action, "remove") == 0;
    if (strcmp(action, "list") == 0) {
        if (argc > 3) return cli_usage_error(USAGE, "unexpected argument '%s'", argv[3]);
    } else if (add || remove) {
        if (argc != 4) return cli_usage_error(USAGE, "users metabase USER %s needs one GROUP", action);
    } else {
        return cli_usage_error(USAGE, "unknown action '%s' (list, add or remove)", action);
    }
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    return add || remove ? mb_change(env, user, argv[3], add, json) : mb_list(env, user, json);
}
