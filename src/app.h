/* Opening HyOpps: configuration + database (migrated and seeded). */
#ifndef HY_APP_H
#define HY_APP_H

#include "ctx.h"

typedef struct hy_app {
    hy_config *cfg;     /* owned */
    hy_db *db;          /* owned */
    hy_ctx ctx;         /* points at the two above */
} hy_app;

/* Takes ownership of cfg (freed by app_close, also on failure). Opens the
 * database at cfg->database.path, applies migrations, seeds what is missing
 * (resources, workflow definitions, the default admin). */
int app_open(hy_config *cfg, hy_app **out, hy_err *err);
void app_close(hy_app *app);

/* Seeds resources and workflow definitions when the seed version changed,
 * and the default admin when there is no admin. */
int app_seed(hy_ctx *c, hy_err *err);

/* A second connection to the same database for another thread (the runner). */
int app_open_connection(const hy_app *app, hy_db **out, hy_err *err);

#endif
