/* hyopps users list|show|access|edit|delete|set-password (metabase: cli_metabase.c) */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"

static const char *USAGE =
    "hyopps users list [--filter TEXT] [--org ORG] [--json]\n"
    "       hyopps users show USER [--json]\n"
    "       hyopps users access USER [--json]\n"
    "       hyopps users edit USER [--firstname F] [--lastname L] [--email E]\n"
    "                              [--languages en,de] [--skills a,b] [--roles a,b]\n"
    "                              [--org ORG | --no-org] [--role admin|support|partner_admin|user]\n"
    "                              [--password-stdin]\n"
    "       hyopps users delete USER [--yes]\n"
    "       hyopps users set-password USER [--password-stdin]\n"
    "       hyopps users metabase USER [list | add GROUP | remove GROUP] [--json]\n"
    "       hyopps users unlock USER\n"
    "       hyopps users revoke USER --reason TEXT [--at WHEN] [--wait] [--quiet]";

static int users_help(void)
{
    printf("usage: %s\n\n"
           "USER is a user's email, id or unique id prefix; ORG an organisation's id, prefix\n"
           "or exact name. Lists are comma-separated; languages are ISO 639-1 codes.\n"
           "A new role, organisation or password ends the user's sessions. A password an\n"
           "administrator sets for someone else must be changed by them at their next login.\n"
           "Passwords are read without echo on a terminal, or as one line from standard\n"
           "input with --password-stdin. Rules: %s\n"
           "`users access` lists what the user was given in each system (Studio, Metabase,\n"
           "Microsoft Teams, Slack): when, how (auto, by_hand with its note, inferred at an\n"
           "upgrade, adopted), by which execution and step, and when it was revoked.\n"
           "Roles: admin (everything), support (sees everything; fills in waiting steps and\n"
           "retries failed ones; changes nothing else), partner_admin (their organisation),\n"
           "user (no panel access).\n"
           "Repeated failed logins lock an email for a while (users show says until when);\n"
           "unlock clears its failed logins (administrators).\n"
           "Partner admins may list and show the users of their own organisation only.\n"
           "users metabase: a user's Metabase groups (administrators; see its --help).\n"
           "users revoke: ends the user's access everywhere (revoke_partner_user; see its\n"
           "--help); partner admins for their own organisation's users.\n",
           USAGE, auth_password_rules_text());
    return CLI_OK;
}

static int users_list(cli_env *env, int argc, char **argv)
{
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    static const struct option opts[] = {
        {"filter", required_argument, 0, 'f'}, {"org", required_argument, 0, 'o'}, {0, 0, 0, 0}};
    hy_user_query q = {0};
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
        if (o == 'f') q.filter = optarg;
        else if (o == 'o') q.org_ref = optarg;
        else return cli_usage_error(USAGE, "unknown option for users list");
    }
    if (optind < argc) return cli_usage_error(USAGE, "unexpected argument '%s'", argv[optind]);
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_user_list l;
    if (ops_user_list(&env->app->ctx, &env->me, &q, &l, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *a = cJSON_CreateArray();
        for (int i = 0; i < l.count; i++) cJSON_AddItemToArray(a, hy_user_to_json(&l.items[i]));
        cli_print_json(a);
        cJSON_Delete(a);
    } else {
        cli_table *t = cli_table_new(7, "EMAIL", "NAME", "ORGANIZATION", "ROLE", "METABASE", "STUDIO COMPANY", "ACCESS");
        for (int i = 0; i < l.count; i++) {
            hy_user *u = &l.items[i];
            char *name = xasprintf("%s %s", u->firstname, u->lastname);
            char mb[24] = "";
            if (u->has_metabase_id) snprintf(mb, sizeof mb, "%lld", (long long)u->metabase_user_id);
            char *access = hy_strlist_join(&u->access, ",");
            char role[48];
            snprintf(role, sizeof role, "%s%s", hy_role_name(u->role), u->offboarded_at ? " (offboarded)" : "");
            cli_table_add(t, u->email, name, u->organization_name, role, mb, u->studio_company_id,
                          u->access.n ? access : "-");
            free(access);
            free(name);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    hy_user_list_free(&l);
    return CLI_OK;
}

static void list_line(const char *label, const hy_strlist *l)
{
    char *s = hy_strlist_join(l, ", ");
    cli_print_field(label, s);
    free(s);
}

/* One line per grant: system, active/revoked, since when, how, by what. */
static void print_grants(const hy_grant_list *g)
{
    if (g->count == 0) {
        printf("access: none recorded\n");
        return;
    }
    cli_table *t = cli_table_new(6, "SYSTEM", "STATE", "SINCE", "HOW", "BY", "NOTE");
    for (int i = 0; i < g->count; i++) {
        const hy_grant *x = &g->items[i];
        char since[HY_TIME_LEN], by[96] = "";
        hy_time_short(x->revoked_at ? x->revoked_at : x->granted_at, since);
        if (x->revoked_at && x->revoked_execution_id) snprintf(by, sizeof by, "%.8s", x->revoked_execution_id);
        else if (x->execution_id)
            snprintf(by, sizeof by, "%.8s %s", x->execution_id, x->step_name ? x->step_name : "");
        cli_table_add(t, x->resource, x->revoked_at ? "revoked" : "active", since,
                      x->revoked_at ? (x->revoked_how ? x->revoked_how : "") : (x->granted_how ? x->granted_how : ""),
                      by, x->revoked_at ? x->revoked_note : x->note);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static int users_access(cli_env *env, int argc, char **argv)
{
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    if (argc != 2) return cli_usage_error(USAGE, "users access needs one user");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_user u;
    if (ops_user_show(&env->app->ctx, &env->me, argv[1], &u, &err) != 0) return cli_fail(&err);
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "user_id", u.id);
        cJSON_AddStringToObject(j, "email", u.email);
        cJSON_AddItemToObject(j, "grants", hy_grant_list_to_json(&u.grants));
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        print_grants(&u.grants);
    }
    hy_user_free(&u);
    return CLI_OK;
}

static int users_show(cli_env *env, int argc, char **argv)
{
    bool json = cli_take_flag(&argc, argv, "--json", NULL);
    if (argc != 2) return cli_usage_error(USAGE, "users show needs one user");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_user u;
    if (ops_user_show(&env->app->ctx, &env->me, argv[1], &u, &err) != 0) return cli_fail(&err);
    hy_lock_state lock;
    hy_err lerr;
    bool has_lock = ops_user_lock(&env->app->ctx, &env->me, u.id, &lock, &lerr) == 0; /* staff only */
    if (json) {
        cJSON *j = hy_user_to_json(&u);
        if (has_lock) {
            cJSON_AddBoolToObject(j, "locked", lock.locked);
            if (lock.locked) cJSON_AddStringToObject(j, "locked_until", lock.until);
            else cJSON_AddNullToObject(j, "locked_until");
            cJSON_AddNumberToObject(j, "failed_logins", lock.failures);
        }
        cli_print_json(j);
        cJSON_Delete(j);
    } else {
        char mb[24] = "", created[HY_TIME_LEN];
        if (u.has_metabase_id) snprintf(mb, sizeof mb, "%lld", (long long)u.metabase_user_id);
        hy_time_short(u.created_at, created);
        cli_print_field("id", u.id);
        cli_print_field("email", u.email);
        cli_print_field("firstname", u.firstname);
        cli_print_field("lastname", u.lastname);
        cli_print_field("role", hy_role_name(u.role));
        cli_print_field("organization", u.organization_name);
        list_line("languages", &u.languages);
        list_line("skills", &u.skills);
        list_line("roles", &u.roles);
        cli_print_field("metabase user id", mb);
        cli_print_field("studio company", u.studio_company_id);
        cli_print_field("created", created);
        if (u.offboarded_at) {
            char off[HY_TIME_LEN];
            hy_time_short(u.offboarded_at, off);
            cli_print_field("offboarded", off);
        }
        cli_print_field("can log in", u.can_log_in ? (u.must_change_password ? "yes (must change password)" : "yes") : "no");
        if (has_lock && (lock.locked || lock.failures)) {
            char until[HY_TIME_LEN], line[160];
            hy_time_short(lock.until, until);
            if (lock.locked)
                snprintf(line, sizeof line, "until %s (%d failed logins; hyopps users unlock clears them)", until,
                         lock.failures);
            else snprintf(line, sizeof line, "no (%d failed login%s since the last success)", lock.failures,
                          lock.failures == 1 ? "" : "s");
            cli_print_field("locked", line);
        }
        print_grants(&u.grants);
    }
    hy_user_free(&u);
    return CLI_OK;
}

static char *read_new_password(bool from_stdin)
{
    char *pw = cli_read_password("New password: ", from_stdin);
    if (!pw || from_stdin) return pw;
    char *again = cli_read_password("New password again: ", false);
    bool same = again && strcmp(again, pw) == 0;
    if (again) explicit_bzero(again, strlen(again));
    free(again);
    if (!same) {
        fprintf(stderr, "hyopps: the two passwords differ; nothing changed\n");
        explicit_bzero(pw, strlen(pw));
        free(pw);
        return NULL;
    }
    return pw;
}

static int users_edit(cli_env *env, int argc, char **argv)
{
    enum { O_FIRST = 1, O_LAST, O_EMAIL, O_LANGS, O_SKILLS, O_ROLES, O_ORG, O_NOORG, O_ROLE, O_PW };
    static const struct option opts[] = {
        {"firstname", required_argument, 0, O_FIRST}, {"lastname", required_argument, 0, O_LAST},
        {"email", required_argument, 0, O_EMAIL},     {"languages", required_argument, 0, O_LANGS},
        {"skills", required_argument, 0, O_SKILLS},   {"roles", required_argument, 0, O_ROLES},
        {"org", required_argument, 0, O_ORG},         {"no-org", no_argument, 0, O_NOORG},
        {"role", required_argument, 0, O_ROLE},       {"password-stdin", no_argument, 0, O_PW},
        {0, 0, 0, 0}};
    hy_user_update u = {0};
    bool pw = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_FIRST: u.firstname = optarg; break;
        case O_LAST: u.lastname = optarg; break;
        case O_EMAIL: u.email = optarg; break;
        case O_LANGS: u.languages = optarg; break;
        case O_SKILLS: u.skills = optarg; break;
        case O_ROLES: u.roles = optarg; break;
        case O_ORG: u.org_ref = optarg; break;
        case O_NOORG: u.org_ref = ""; break;
        case O_ROLE: u.role = optarg; break;
        case O_PW: pw = true; break;
        default: return cli_usage_error(USAGE, "unknown option for users edit");
        }
    }
    if (optind != argc - 1) return cli_usage_error(USAGE, "users edit needs one user");
    if (!u.firstname && !u.lastname && !u.email && !u.languages && !u.skills && !u.roles && !u.org_ref && !u.role &&
        !pw)
        return cli_usage_error(USAGE, "nothing to change: give at least one option");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    char *password = NULL;
    if (pw && !(password = read_new_password(true))) return CLI_USAGE;
    u.password = password;
    hy_err err;
    rc = ops_user_update(&env->app->ctx, &env->me, argv[optind], &u, &err);
    if (password) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
    if (rc) return cli_fail(&err);
    printf("User updated.\n");
    return CLI_OK;
}

static int users_set_password(cli_env *env, int argc, char **argv)
{
    bool from_stdin = cli_take_flag(&argc, argv, "--password-stdin", NULL);
    if (argc != 2) return cli_usage_error(USAGE, "users set-password needs one user");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    char *password = read_new_password(from_stdin);
    if (!password) return CLI_USAGE;
    hy_err err;
    rc = ops_user_set_password(&env->app->ctx, &env->me, argv[1], password, &err);
    explicit_bzero(password, strlen(password));
    free(password);
    if (rc) return cli_fail(&err);
    printf("Password set; the user's sessions have ended.\n");
    return CLI_OK;
}

static int users_delete(cli_env *env, int argc, char **argv)
{
    bool yes = cli_take_flag(&argc, argv, "--yes", "-y");
    if (argc != 2) return cli_usage_error(USAGE, "users delete needs one user");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    char id[HY_UUID_LEN];
    hy_user_impact im;
    if (ops_user_resolve(&env->app->ctx, &env->me, argv[1], id, &err) != 0) return cli_fail(&err);
    if (ops_user_delete_impact(&env->app->ctx, &env->me, id, &im, &err) != 0) return cli_fail(&err);
    printf("Deleting user ");
    cli_print_safe(stdout, im.email);
    printf(" removes their sessions, %d access grant%s, %d Studio access row%s%s;\n"
           "keeps %d execution%s, detached from them.\n",
           im.access_grants, im.access_grants == 1 ? "" : "s", im.studio_access, im.studio_access == 1 ? "" : "s",
           im.personal_studio_company ? " and their personal Studio company" : "",
           im.executions_requested + im.executions_about,
           im.executions_requested + im.executions_about == 1 ? "" : "s");
    hy_user_impact_free(&im);
    if (!yes && !cli_confirm("Delete them?")) {
        fprintf(stderr, "hyopps: not deleted (confirm on a terminal, or pass --yes)\n");
        return CLI_ERR;
    }
    if (ops_user_delete(&env->app->ctx, &env->me, id, &im, &err) != 0) return cli_fail(&err);
    hy_user_impact_free(&im);
    printf("Deleted.\n");
    return CLI_OK;
}

static int users_unlock(cli_env *env, int argc, char **argv)
{
    if (argc != 2) return cli_usage_error(USAGE, "users unlock needs one user");
    int rc = cli_require_session(env, false);
    if (rc) return rc;
    hy_err err;
    hy_lock_state before;
    if (ops_user_unlock(&env->app->ctx, &env->me, argv[1], &before, &err) != 0) return cli_fail(&err);
    printf("%s: %d failed login%s cleared; they can log in again.\n", before.locked ? "Unlocked" : "Not locked",
           before.failures, before.failures == 1 ? "" : "s");
    return CLI_OK;
}

int cli_cmd_users(cli_env *env, int argc, char **argv)
{
    if (argc < 2) return cli_usage_error(USAGE, "users needs a subcommand");
    if (strcmp(argv[1], "metabase") == 0) return cli_users_metabase(env, argc - 1, argv + 1);
    if (strcmp(argv[1], "revoke") == 0) return cli_users_revoke(env, argc - 1, argv + 1);
    if (cli_wants_help(argc, argv)) return users_help();
    const char *sub = argv[1];
    if (strcmp(sub, "list") == 0) return users_list(env, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0) return users_show(env, argc - 1, argv + 1);
    if (strcmp(sub, "access") == 0) return users_access(env, argc - 1, argv + 1);
    if (strcmp(sub, "edit") == 0) return users_edit(env, argc - 1, argv + 1);
    if (strcmp(sub, "delete") == 0) return users_delete(env, argc - 1, argv + 1);
    if (strcmp(sub, "set-password") == 0) return users_set_password(env, argc - 1, argv + 1);
    if (strcmp(sub, "unlock") == 0) return users_unlock(env, argc - 1, argv + 1);
    return cli_usage_error(USAGE, "unknown subcommand 'users %s'", sub);
}
