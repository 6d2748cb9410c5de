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
