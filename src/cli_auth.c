/* login, logout, whoami, passwd */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "cli.h"
#include "cli_commands.h"
#include "ops.h"
#include "util.h"

static void free_secret(char *s)
{
    if (!s) return;
    explicit_bzero(s, strlen(s));
    free(s);
}

static void print_expiry(const hy_principal *p)
{
    char until[HY_TIME_LEN];
    hy_iso_from_ms(p->exp * 1000, until);
    until[16] = '\0';
    until[10] = ' ';
    printf("Session valid until %s UTC.\n", until);
}

int cli_cmd_login(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps login [--email EMAIL] [--password-stdin]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nLogs in and stores the session token in $XDG_STATE_HOME/hyopps/token (0600).\n"
               "The password is asked without echo on a terminal, or read as one line from\n"
               "standard input with --password-stdin.\n", usage);
        return CLI_OK;
    }
    static const struct option opts[] = {
        {"email", required_argument, 0, 'e'}, {"password-stdin", no_argument, 0, 'p'}, {0, 0, 0, 0}};
    const char *email_arg = NULL;
    bool pw_stdin = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "e:", opts, NULL)) != -1) {
        if (o == 'e') email_arg = optarg;
        else if (o == 'p') pw_stdin = true;
        else return cli_usage_error(usage, "unknown option");
    }
    if (optind < argc) return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
    int rc = cli_open_app(env);
    if (rc) return rc;
    char *email = email_arg ? xstrdup(email_arg) : NULL;
    if (!email) {
        if (pw_stdin || !isatty(STDIN_FILENO))
            return cli_usage_error(usage, "--email is needed when the password comes from standard input");
        fputs("Email: ", stderr);
        email = cli_read_line(stdin);
        if (!email) return cli_usage_error(usage, "no email given");
    }
    char *password = cli_read_password("Password: ", pw_stdin);
    if (!password) {
        free(email);
        return CLI_USAGE;
    }
    hy_err err;
    hy_err_clear(&err);
    char *token = NULL;
    hy_principal p;
    rc = auth_login(&env->app->ctx, email, password, &p, &token, &err);
    free_secret(password);
    free(email);
    if (rc) return cli_fail(&err);
    rc = cli_store_token(token);
    free_secret(token);
    if (rc) return rc;
    printf("Logged in as ");
    cli_print_safe(stdout, p.email);
    printf(" (%s).\n", hy_role_name(p.role));
    print_expiry(&p);
    if (p.must_change_password)
        printf("You must choose a new password before anything else: run hyopps passwd\n");
    return CLI_OK;
}

int cli_cmd_logout(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps logout";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nEnds the session and removes the stored token.\n", usage);
        return CLI_OK;
    }
    if (argc > 1) return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    int rc = cli_require_session(env, true);
    if (rc == CLI_AUTH) { /* nothing to end: just forget the token */
        cli_forget_token();
        return CLI_OK;
    }
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    if (auth_logout(&env->app->ctx, &env->me, &err) != 0) return cli_fail(&err);
    cli_forget_token();
    printf("Logged out.\n");
    return CLI_OK;
}

int cli_cmd_whoami(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps whoami [--json]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nShows the logged-in user, role, organisation and session expiry.\n", usage);
        return CLI_OK;
    }
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    int rc = cli_require_session(env, true);
    if (rc) return rc;
    hy_err err;
    hy_err_clear(&err);
    char *org_name = NULL;
    if (env->me.org_id[0] && ops_org_name(&env->app->ctx, &env->me, env->me.org_id, &org_name, &err) != 0) {
        free(org_name);
        org_name = NULL;
    }
    char until[HY_TIME_LEN];
    hy_iso_from_ms(env->me.exp * 1000, until);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", env->me.user_id);
        cJSON_AddStringToObject(o, "email", env->me.email);
        cJSON_AddStringToObject(o, "name", env->me.display_name);
        cJSON_AddStringToObject(o, "role", hy_role_name(env->me.role));
        if (env->me.org_id[0]) cJSON_AddStringToObject(o, "organization_id", env->me.org_id);
        else cJSON_AddNullToObject(o, "organization_id");
        if (org_name) cJSON_AddStringToObject(o, "organization", org_name);
        else cJSON_AddNullToObject(o, "organization");
        cJSON_AddStringToObject(o, "session_expires_at", until);
        cJSON_AddBoolToObject(o, "must_change_password", env->me.must_change_password);
        cli_print_json(o);
        cJSON_Delete(o);
    } else {
        printf("email:        "); cli_print_safe(stdout, env->me.email);
        printf("\nname:         "); cli_print_safe(stdout, env->me.display_name);
        printf("\nrole:         %s\norganisation: ", hy_role_name(env->me.role));
        cli_print_safe(stdout, org_name ? org_name : "-");
        printf("\nsession:      valid until %s\n", until);
        if (env->me.must_change_password) printf("password:     change required: run hyopps passwd\n");
    }
    free(org_name);
    return CLI_OK;
}

int cli_cmd_passwd(cli_env *env, int argc, char **argv)
{
    static const char *usage = "hyopps passwd [--password-stdin]";
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nChanges your own password. On a terminal it asks for the current password,\n"
               "then the new one twice, without echo. With --password-stdin (or when standard\n"
               "input is not a terminal) it reads two lines: the current and the new password.\n"
               "Rules: %s\nEvery session of yours ends; this one continues with a new token.\n",
               usage, auth_password_rules_text());
        return CLI_OK;
    }
    bool pw_stdin = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--password-stdin") == 0) pw_stdin = true;
        else return cli_usage_error(usage, "unexpected argument '%s'", argv[i]);
    }
    int rc = cli_require_session(env, true);
    if (rc) return rc;
    bool interactive = !pw_stdin && isatty(STDIN_FILENO);
    char *current = cli_read_password("Current password: ", !interactive);
    if (!current) return CLI_USAGE;
    if (interactive) fprintf(stderr, "%s\n", auth_password_rules_text());
    char *fresh = cli_read_password("New password: ", !interactive);
    if (!fresh) {
        free_secret(current);
        return CLI_USAGE;
    }
    if (interactive) {
        char *again = cli_read_password("New password again: ", false);
        bool same = again && strcmp(again, fresh) == 0;
        free_secret(again);
        if (!same) {
            free_secret(current);
            free_secret(fresh);
            fprintf(stderr, "hyopps: the two new passwords differ; nothing changed\n");
            return CLI_ERR;
        }
    }
    hy_err err;
    hy_err_clear(&err);
    char *token = NULL;
    rc = auth_change_password(&env->app->ctx, &env->me, current, fresh, &token, &err);
    free_secret(current);
    free_secret(fresh);
    if (rc) return cli_fail(&err);
    rc = cli_store_token(token);
    free_secret(token);
    if (rc) return rc;
    printf("Password changed. Your other sessions have ended.\n");
    return CLI_OK;
}
