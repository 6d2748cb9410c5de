/* The scriptable CLI: `hyopps COMMAND ...`. Every command calls ops (never
 * SQL) and prints sanitized text, or JSON with --json.
 *
 * Exit codes: 0 ok, 1 error, 2 usage, 3 not logged in / session expired /
 * password change required, 4 forbidden or not found. */
#ifndef HY_CLI_H
#define HY_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "app.h"
#include "principal.h"

enum { CLI_OK = 0, CLI_ERR = 1, CLI_USAGE = 2, CLI_AUTH = 3, CLI_NOTFOUND = 4 };

/* Options that come before the command. */
typedef struct {
    const char *config_path;   /* --config PATH */
    bool restricted;           /* --restricted */
} hy_globals;

/* What a command runs with. */
typedef struct cli_env {
    hy_globals g;
    hy_app *app;               /* opened by cli_open_app */
    hy_principal me;           /* filled by cli_require_session */
    char *token;
    const char *prog;          /* "hyopps" */
} cli_env;

typedef int (*cli_fn)(cli_env *env, int argc, char **argv);

typedef struct {
    const char *name;          /* "orgs" */
    cli_fn run;                /* argv[0] is the command name */
    const char *summary;       /* one line for `hyopps --help` */
} cli_command;

/* Parses global options. Returns -1 to continue (command at argv[*next], or
 * none: *next == argc), else an exit code (--help, --version, usage error). */
int cli_parse_globals(int argc, char **argv, hy_globals *g, int *next);
/* Runs the command in argv[0]. */
int cli_run(const hy_globals *g, int argc, char **argv);

/* ---- helpers for command implementations (cli_common.c) ---- */

/* Loads config and opens the database; prints the error and returns an exit
 * code on failure, else 0. */
int cli_open_app(cli_env *env);
/* Loads the session (HYOPPS_TOKEN, else the token file). allow_pwchange:
 * the command may run while a password change is pending. Prints and returns
 * an exit code on failure, else 0. */
int cli_require_session(cli_env *env, bool allow_pwchange);
/* Maps an error to an exit code after printing "hyopps: MESSAGE" (and field
 * errors) to stderr. */
int cli_fail(const hy_err *err);
int cli_exit_code(hy_code code);
/* Usage error: prints the message and the usage line, returns CLI_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints text sanitized for the terminal. */
void cli_print_safe(FILE *f, const char *s);
/* Prints a cJSON tree (owned by the caller) as terminal-safe JSON. */
void cli_print_json(const void *cjson);

/* Reads a password: from stdin when from_stdin (one line), else from the
 * terminal without echo. Returns a malloc'd string or NULL (message printed). */
char *cli_read_password(const char *prompt, bool from_stdin);
/* Reads one line from stdin (without the newline); NULL at EOF. */
char *cli_read_line(FILE *in);
/* Path of the token file ($XDG_STATE_HOME/hyopps/token, else
 * ~/.local/state/hyopps/token); caller frees. */
char *cli_token_path(void);
int cli_store_token(const char *token);
void cli_forget_token(void);

/* Per-command option parsing: returns true and sets *help when -h/--help is
 * among argv (checked before anything else). */
bool cli_wants_help(int argc, char **argv);

/* A text table: columns sized to their content, cells sanitized. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(int ncols, ...);            /* the column headers */
void cli_table_add(cli_table *t, ...);               /* ncols cells (NULL shows "-") */
void cli_table_print(const cli_table *t, FILE *f);
void cli_table_free(cli_table *t);

/* Removes every occurrence of flag a (or its alias b, may be NULL) from argv;
 * true if it was there. */
bool cli_take_flag(int *argc, char **argv, const char *a, const char *b);
/* "label                 value" with the value sanitized ("-" when empty). */
void cli_print_field(const char *label, const char *value);
/* Loads the configuration, printing the error; 0 or an exit code. */
int cli_load_config(const hy_globals *g, hy_config **out);

/* Asks "question [y/N]" on the terminal; false when not a terminal. */
bool cli_confirm(const char *question);

#endif
