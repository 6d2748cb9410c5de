/* hyopps users revoke USER / orgs offboard ORG: start revoke_partner_user or
 * offboard_partner with their first step's input (as `exec start` and
 * `exec input` would), optionally scheduled and waited for. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "cli_commands.h"
#include "ops.h"

static const char *REVOKE_USAGE = "hyopps users revoke USER --reason TEXT [--at WHEN] [--wait] [--quiet]";
static const char *OFFBOARD_USAGE = "hyopps orgs offboard ORG --reason TEXT [--at WHEN] [--wait] [--quiet] [--yes]";

/* What offboarding ORG takes away, then "Offboard it?" (as `orgs delete`
 * asks): false when not confirmed (no terminal: --yes is needed). */
static int offboard_confirmed(cli_env *env, const char *ref, bool *ok)
{
    *ok = false;
    hy_err err;
    hy_org_detail d;
    if (ops_org_show(&env->app->ctx, &env->me, ref, &d, &err) != 0) return cli_fail(&err);
    int with_access = 0;
    for (int i = 0; i < d.nusers; i++) with_access += !d.users[i].offboarded_at && d.users[i].access.n > 0;
    printf("Offboarding organisation ");
    cli_print_safe(stdout, d.org.name);
    printf(" revokes the access of %d user%s (%d with access now), disables its\n"
           "Slack user group, archives its Teams channel and Metabase collection, and\n"
           "leaves it read-only.\n",
           d.org.nusers, d.org.nusers == 1 ? "" : "s", with_access);
    hy_org_detail_free(&d);
    fflush(stdout);
    *ok = cli_confirm("Offboard it?");
    if (!*ok) fprintf(stderr, "hyopps: not offboarded (confirm on a terminal, or pass --yes)\n");
    return 0;
}

/* argv[0] is the subcommand (getopt skips it); who is the field the positional
 * goes to; confirm: show what is taken away and ask first (--yes skips it). */
static int start_with(cli_env *env, int argc, char **argv, const char *usage, const char *workflow, const char *who,
                      bool confirm)
{
    static const struct option opts[] = {{"reason", required_argument, 0, 'r'}, {"at", required_argument, 0, 'a'},
                                         {"wait", no_argument, 0, 'w'},         {"quiet", no_argument, 0, 'q'},
                                         {0, 0, 0, 0}};
    const char *reason = NULL, *at = NULL;
    bool wait = false, quiet = false;
    bool yes = confirm && cli_take_flag(&argc, argv, "--yes", "-y");
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'r') reason = optarg;
        else if (o == 'a') at = optarg;
        else if (o == 'w') wait = true;
        else if (o == 'q') quiet = true;
        else return cli_usage_error(usage, "unknown option");
    }
    if (optind >= argc) return cli_usage_error(usage, "give the %s", strcmp(who, "user") == 0 ? "user" : "organisation");
    if (optind + 1 < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind + 1]);
    if (!reason) return cli_usage_error(usage, "--reason is required (kept in the audit trail)");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    if (confirm && !yes) {
        bool ok;
        if ((rc = offboard_confirmed(env, argv[optind], &ok)) != 0) return rc;
        if (!ok) return CLI_ERR;
    }
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, who, argv[optind]);
    cJSON_AddStringToObject(in, "reason", reason);
    if (at) cJSON_AddStringToObject(in, "at", at); /* the step's own date field */
    hy_exec_start st = {.workflow = workflow, .input = in};
    rc = cli_exec_start(env, &st, quiet, wait);
    cJSON_Delete(in);
    return rc;
}

int cli_users_revoke(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Starts revoke_partner_user: USER (email, id or unique id prefix) loses their\n"
               "HyOpps sessions and partner-admin role, their Metabase group membership (the\n"
               "account is deactivated when it is then in no group), their Teams membership,\n"
               "their Slack user group membership, and their Studio access; the LMS removal\n"
               "is confirmed by hand (hyopps exec input ID lms_removal lms_removed=yes); the\n"
               "requester and the organisation's partner admins get one email. On completion\n"
               "the user is marked offboarded (kept for the audit trail).\n"
               "--at WHEN: scheduled (2026-03-31, 2026-03-31 17:00 UTC, +3d, +12h).\n"
               "--wait: runs it here until it completes, fails or waits for input.\n"
               "Administrators for anyone; partner admins for the users of their own\n"
               "organisation (never themselves, never an administrator).\n",
               REVOKE_USAGE);
        return CLI_OK;
    }
    return start_with(env, argc, argv, REVOKE_USAGE, "revoke_partner_user", "user", false);
}

int cli_orgs_offboard(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Starts offboard_partner (administrators): one revoke_partner_user per active\n"
               "user of ORG (id, prefix or exact name), waited for; then the Slack user group\n"
               "is disabled, the Teams channel archived, the Metabase group's data access\n"
               "removed, its collection archived and the empty group deleted; the Keycloak\n"
               "and LMS removals are confirmed by hand. On completion the organisation is\n"
               "marked offboarded: read-only, out of pick lists, kept for the audit trail.\n"
               "--at WHEN: scheduled (2026-03-31, 2026-03-31 17:00 UTC, +3d, +12h).\n"
               "--wait: runs it (and its revocations) here until it completes, fails or\n"
               "waits for input.\n"
               "It first shows what will be taken away and asks to confirm (--yes to skip;\n"
               "needed when standard input is not a terminal).\n",
               OFFBOARD_USAGE);
        return CLI_OK;
    }
    return start_with(env, argc, argv, OFFBOARD_USAGE, "offboard_partner", "organization_id", true);
}
