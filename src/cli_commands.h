/* Every CLI command's entry point; the table is in cli.c. */
#ifndef HY_CLI_COMMANDS_H
#define HY_CLI_COMMANDS_H

#include "cli.h"
#include "ops.h"

int cli_cmd_login(cli_env *env, int argc, char **argv);
int cli_cmd_logout(cli_env *env, int argc, char **argv);
int cli_cmd_whoami(cli_env *env, int argc, char **argv);
int cli_cmd_passwd(cli_env *env, int argc, char **argv);
int cli_cmd_orgs(cli_env *env, int argc, char **argv);
int cli_cmd_users(cli_env *env, int argc, char **argv);
/* users metabase (cli_metabase.c); argv[0] is "metabase". */
int cli_users_metabase(cli_env *env, int argc, char **argv);
int cli_cmd_audit(cli_env *env, int argc, char **argv);
int cli_cmd_db(cli_env *env, int argc, char **argv);
int cli_cmd_exec(cli_env *env, int argc, char **argv);
/* Starts an execution (ops_exec_start_ex), says where it stands; wait: then
 * runs it here as `exec wait` does (its exit status). */
int cli_exec_start(cli_env *env, const hy_exec_start *st, bool quiet, bool wait);
/* `exec wait`: runs ref's auto steps (and its children's) here until it settles. */
int cli_exec_wait(cli_env *env, const char *ref, double timeout);
void cli_exec_print_where(cli_env *env, const char *id);
/* users revoke / orgs offboard (cli_revoke.c); argv[0] is "revoke" / "offboard". */
int cli_users_revoke(cli_env *env, int argc, char **argv);
int cli_orgs_offboard(cli_env *env, int argc, char **argv);
int cli_exec_import(cli_env *env, int argc, char **argv);   /* hyopps exec import (cli_batch.c) */
int cli_cmd_batch(cli_env *env, int argc, char **argv);
int cli_cmd_worker(cli_env *env, int argc, char **argv);
int cli_cmd_integrations(cli_env *env, int argc, char **argv);
int cli_cmd_notify(cli_env *env, int argc, char **argv);
int cli_cmd_access(cli_env *env, int argc, char **argv);     /* cli_access.c */
int cli_cmd_reconcile(cli_env *env, int argc, char **argv);

/* One notification as a line (cli_notify.c); with_exec: its execution's short id too. */
void cli_print_notice(const hy_notice *n, bool with_exec);

#endif
