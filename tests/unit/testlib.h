/* Helpers for the cmocka unit tests: a private database in a temp dir with
 * cheap password hashing, and principals for each role. Setup may use SQL
 * directly; what is under test goes through ops/auth/engine. */
#ifndef HY_TESTLIB_H
#define HY_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "app.h"
#include "auth.h"
#include "principal.h"

typedef struct {
    char dir[256];
    hy_app *app;
    hy_ctx *c;               /* &app->ctx */
} t_env;

/* A fresh, migrated and seeded database in a new temp dir. */
t_env *t_env_new(void);
/* Same, on a copy of a given database file (e.g. the legacy fixture). */
t_env *t_env_from_file(const char *src_db);
void t_env_free(t_env *e);

/* Inserts an organisation (account type partner) and returns its id. */
void t_org(t_env *e, const char *name, char id[HY_UUID_LEN]);
/* Inserts a user with a password (hashed) and returns its id. role is
 * "admin", "partner_admin" or "user"; org_id may be NULL. */
void t_user(t_env *e, const char *email, const char *role, const char *org_id, const char *password,
            char id[HY_UUID_LEN]);
/* A logged-in principal for an existing user (session issued directly). */
void t_login(t_env *e, const char *email, hy_principal *out);
/* The seeded admin, with the forced password change already done. */
void t_admin(t_env *e, hy_principal *out);
/* Count rows: t_count(e, "SELECT count(*) FROM users WHERE ...", "t", arg). */
int64_t t_count(t_env *e, const char *sql, const char *fmt, ...);
/* Path of a file in tests/fixtures/ (or $HYOPPS_FIXTURES). */
const char *t_fixture(const char *name);

#endif
