/* hyopps db migrate */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "cli_commands.h"

static const char *USAGE = "hyopps db migrate";

int cli_cmd_db(cli_env *env, int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\nApplies the pending schema migrations to the configured database (each in\n"
               "its own transaction; a database written by the original HyOpps app is upgraded\n"
               "in place, keeping every row) and seeds what is missing. Needs write access to\n"
               "the database file, not a login. The program also does this when it starts.\n",
               USAGE);
        return CLI_OK;
    }
    if (argc != 2 || strcmp(argv[1], "migrate") != 0) return cli_usage_error(USAGE, "db needs the subcommand migrate");
    hy_err err;
    hy_config *cfg = NULL;
    int rc = cli_load_config(&env->g, &cfg);
    if (rc) return rc;
    hy_db *db = NULL;
    if (db_open_raw(cfg->database.path, &db, &err) != 0) {
        config_free(cfg);
        return cli_fail(&err);
    }
    int before = db_schema_version(db), applied = 0;
    rc = db_migrate(db, &applied, &err);
    hy_ctx ctx = {.cfg = cfg, .db = db};
    if (rc == 0) rc = app_seed(&ctx, &err);
    if (rc == 0) {
        printf("Database ");
        cli_print_safe(stdout, cfg->database.path);
        printf(": schema version %d -> %d (%d migration%s applied).\n", before, db_schema_version(db), applied,
               applied == 1 ? "" : "s");
    }
    db_close(db);
    config_free(cfg);
    return rc ? cli_fail(&err) : CLI_OK;
}
