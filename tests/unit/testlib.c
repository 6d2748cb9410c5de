#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "util.h"

static hy_config *test_config(const char *db_path)
{
    hy_config *cfg = config_default();
    free(cfg->database.path);
    cfg->database.path = xstrdup(db_path);
    cfg->auth.password_memlimit = 8192;
    cfg->auth.password_opslimit = 1;
    return cfg;
}

static t_env *env_open(t_env *e)
{
    char path[512];
    snprintf(path, sizeof path, "%s/hyopps.db", e->dir);
    hy_err err;
    hy_err_clear(&err);
    if (app_open(test_config(path), &e->app, &err) != 0) fail_msg("app_open: %s", err.msg);
    e->c = &e->app->ctx;
    return e;
}

t_env *t_env_new(void)
{
    t_env *e = xcalloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "%s/hyopps-unit.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(e->dir)) fail_msg("mkdtemp failed");
    return env_open(e);
}

t_env *t_env_from_file(const char *src_db)
{
    t_env *e = xcalloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "%s/hyopps-unit.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(e->dir)) fail_msg("mkdtemp failed");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/hyopps.db' && chmod 600 '%s/hyopps.db'", src_db, e->dir, e->dir);
    if (system(cmd) != 0) fail_msg("cannot copy %s", src_db);
    return env_open(e);
}

void t_env_free(t_env *e)
{
    if (!e) return;
    app_close(e->app);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", e->dir);
    free(e);
}

void t_org(t_env *e, const char *name, char id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    char now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    int rc = db_exec(e->c->db, &err, "INSERT INTO organizations(id, name, account_types, created_at) VALUES(?,?,'[\"partner\"]',?)",
                     "ttt", id, name, now);
    if (rc) fail_msg("t_org: %s", err.msg);
}

void t_user(t_env *e, const char *email, const char *role, const char *org_id, const char *password,
            char id[HY_UUID_LEN])
{
    hy_err err;
    hy_err_clear(&err);
    char hash[HY_HASH_LEN] = "!";
    if (password && auth_hash_password(e->c->cfg, password, hash, &err) != 0) fail_msg("hash: %s", err.msg);
    char now[HY_TIME_LEN];
    hy_uuid(id);
    hy_now_iso(now);
    int rc = db_exec(e->c->db, &err,
                     "INSERT INTO users(id, firstname, lastname, email, app_role, organization_id, password_hash, "
                     "created_at) VALUES(?, 'Test', 'User', ?, ?, ?, ?, ?)",
                     "tttttt", id, email, role, org_id, hash, now);
    if (rc) fail_msg("t_user: %s", err.msg);
}

void t_login(t_env *e, const char *email, hy_principal *out)
{
    hy_err err;
    hy_err_clear(&err);
    memset(out, 0, sizeof *out);
    hy_stmt *st = db_query(e->c->db, &err,
                           "SELECT id, email, app_role, organization_id, must_change_password FROM users WHERE email = ?",
                           "t", email);
    if (!db_row(st)) fail_msg("t_login: no user %s", email);
    hy_strlcpy(out->user_id, db_text(st, 0), sizeof out->user_id);
    hy_strlcpy(out->email, db_text(st, 1), sizeof out->email);
    hy_role_parse(db_text(st, 2), &out->role);
    hy_strlcpy(out->org_id, db_text(st, 3) ? db_text(st, 3) : "", sizeof out->org_id);
    out->must_change_password = db_int(st, 4) != 0;
    db_done(st);
    principal_fill_origin(out);
    char *token = NULL;
    if (auth_issue_session(e->c, out, &token, &err) != 0) fail_msg("t_login: %s", err.msg);
    free(token);
}

void t_admin(t_env *e, hy_principal *out)
{
    hy_err err;
    hy_err_clear(&err);
    if (db_exec(e->c->db, &err, "UPDATE users SET must_change_password = 0 WHERE email = 'admin@hyopps.local'", "") != 0)
        fail_msg("t_admin: %s", err.msg);
    t_login(e, "admin@hyopps.local", out);
}

int64_t t_count(t_env *e, const char *sql, const char *fmt, ...)
{
    /* Only string parameters are needed by the tests. */
    va_list ap;
    va_start(ap, fmt);
    const char *a[4] = {0};
    int n = fmt ? (int)strlen(fmt) : 0;
    for (int i = 0; i < n && i < 4; i++) a[i] = va_arg(ap, const char *);
    va_end(ap);
    hy_err err;
    hy_err_clear(&err);
    int64_t v = -1;
    int rc;
    switch (n) {
    case 0: rc = db_get_int(e->c->db, &err, &v, NULL, sql, ""); break;
    case 1: rc = db_get_int(e->c->db, &err, &v, NULL, sql, "t", a[0]); break;
    case 2: rc = db_get_int(e->c->db, &err, &v, NULL, sql, "tt", a[0], a[1]); break;
    case 3: rc = db_get_int(e->c->db, &err, &v, NULL, sql, "ttt", a[0], a[1], a[2]); break;
    default: rc = db_get_int(e->c->db, &err, &v, NULL, sql, "tttt", a[0], a[1], a[2], a[3]); break;
    }
    if (rc) fail_msg("t_count: %s", err.msg);
    return v;
}

const char *t_fixture(const char *name)
{
    static char path[1024];
    const char *dir = getenv("HYOPPS_FIXTURES");
    if (dir && *dir) snprintf(path, sizeof path, "%s/%s", dir, name);
    else snprintf(path, sizeof path, "%s/tests/fixtures/%s", getenv("HYOPPS_ROOT") ? getenv("HYOPPS_ROOT") : ".", name);
    return path;
}
