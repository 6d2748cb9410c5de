/* Temporary: commands being written. */
#include <stdio.h>
#include "cli_commands.h"
static int todo(const char *n) { fprintf(stderr, "hyopps: %s: not available yet\n", n); return CLI_ERR; }
int cli_cmd_orgs(cli_env *env, int argc, char **argv) { (void)env; (void)argc; return todo(argv[0]); }
int cli_cmd_users(cli_env *env, int argc, char **argv) { (void)env; (void)argc; return todo(argv[0]); }
int cli_cmd_audit(cli_env *env, int argc, char **argv) { (void)env; (void)argc; return todo(argv[0]); }
int cli_cmd_db(cli_env *env, int argc, char **argv) { (void)env; (void)argc; return todo(argv[0]); }
