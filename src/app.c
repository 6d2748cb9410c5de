#include "app.h"

#include <stdlib.h>

#include "auth.h"
#include "util.h"
#include "workflows.h"

/* The seeded resources; bump RESOURCES_VERSION when they change (the
 * workflow definitions are keyed on their own hash, workflows_hash). */
#define RESOURCES_VERSION "1"

static const struct { const char *name, *type; int has_api; } RESOURCES[] = {
    {"Studio", "studio", 1},   {"Metabase", "insights", 1}, {"Microsoft Teams", "communication", 1},
    {"Slack", "communication", 1}, {"LMS", "learning", 0},     {"KeyCloak", "auth", 0},
};

static int seed_definitions(hy_ctx *c, hy_err *err)
{
    char now[HY_TIME_LEN];
    hy_now_iso(now);
    int rc = 0;
    for (size_t i = 0; i < sizeof RESOURCES / sizeof RESOURCES[0] && rc == 0; i++) {
        char id[HY_UUID_LEN];
        hy_uuid(id);
        rc = db_exec(c->db, err,
                     "INSERT INTO resources(id, name, type, has_api, created_at) VALUES(?,?,?,?,?) "
                     "ON CONFLICT(name) DO NOTHING",
                     "tttit", id, RESOURCES[i].name, RESOURCES[i].type, RESOURCES[i].has_api, now);
    }
    if (rc == 0) rc = workflows_seed(c, err);
    return rc;
}

/* What the database must have been seeded with: resources and every
 * definition this program knows (caller frees). */
static char *seed_key(void) { return xasprintf("%s:%s", RESOURCES_VERSION, workflows_hash()); }

int app_seed(hy_ctx *c, hy_err *err)
{
    char *v = NULL, *key = seed_key();
    int rc = db_setting_get(c->db, "seed_key", &v, err);
    bool current = rc == 0 && v && hy_streq(v, key);
    free(v);
    if (rc == 0 && !current) {
        /* Idempotent upserts: two processes starting at once both seed. */
        rc = db_begin(c->db, err);
        if (rc == 0) rc = seed_definitions(c, err);
        if (rc == 0) rc = db_setting_set(c->db, "seed_key", key, err);
        if (rc == 0) rc = db_commit(c->db, err);
        else if (db_in_tx(c->db)) db_rollback(c->db);
    }
    free(key);
    if (rc) return rc;
    return auth_seed_admin(c, err);
}

int app_open(hy_config *cfg, hy_app **out, hy_err *err)
{
    *out = NULL;
    hy_app *app = xcalloc(1, sizeof *app);
    app->cfg = cfg;
    if (db_open(cfg->database.path, &app->db, err) != 0) {
        app_close(app);
        return err->code;
    }
    app->ctx.cfg = app->cfg;
    app->ctx.db = app->db;
    if (app_seed(&app->ctx, err) != 0) {
        app_close(app);
        return err->code;
    }
    *out = app;
    return 0;
}

void app_close(hy_app *app)
{
    if (!app) return;
    db_close(app->db);
    config_free(app->cfg);
    free(app);
}

int app_open_connection(const hy_app *app, hy_db **out, hy_err *err)
{
    return db_open_raw(app->cfg->database.path, out, err);
}
