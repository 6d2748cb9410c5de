/* Store: users, and their Studio rows (user_studio_access, the personal
 * user_studio_companies). ops (users edit/delete, the Metabase panel), the
 * onboarding steps and auth (passwords, the seeded admin) all write through
 * these functions; nothing else writes these tables. Inside the caller's
 * transaction. */
#ifndef HY_STORE_USERS_H
#define HY_STORE_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "util.h"

/* A partner's person onboarded by a workflow: role user, no usable
 * password (nobody logs in as them). Lists are JSON arrays (text).
 * HY_ERR_CONFLICT when the email is taken. */
typedef struct {
    const char *firstname, *lastname, *email;
    const char *languages, *skills, *roles;   /* JSON text, NULL = [] */
    const char *organization_id;
} hy_new_member;
int user_create_member(hy_ctx *c, const hy_new_member *m, char id_out[HY_UUID_LEN], hy_err *err);
/* The seeded administrator (ON CONFLICT: the email's user becomes it). */
int user_seed_admin(hy_ctx *c, const char *email, const char *hash, char id_out[HY_UUID_LEN], hy_err *err);

/* Fields: NULL keeps one (lists as JSON text). */
int user_set_fields(hy_ctx *c, const char *user_id, const char *firstname, const char *lastname, const char *email,
                    const char *languages, const char *skills, const char *roles, hy_err *err);
int user_set_org(hy_ctx *c, const char *user_id, const char *org_id, hy_err *err);
int user_set_role(hy_ctx *c, const char *user_id, const char *role, hy_err *err);
/* A new password hash; must_change: the user must choose another at login. */
int user_set_password(hy_ctx *c, const char *user_id, const char *hash, bool must_change, hy_err *err);
/* The same password, hashed with today's parameters (a login's rehash). */
int user_rehash_password(hy_ctx *c, const char *user_id, const char *hash, hy_err *err);
int user_require_password_change(hy_ctx *c, const char *user_id, hy_err *err);
int user_set_metabase_id(hy_ctx *c, const char *user_id, int64_t metabase_user_id, hy_err *err);
/* Deletes the user (sessions, grants, Studio rows go with it, CASCADE);
 * references to them elsewhere are nulled. Executions are the engine's:
 * engine_detach_user first. */
int user_delete(hy_ctx *c, const char *user_id, hy_err *err);

/* The user was offboarded (revoke_partner_user completed: offboarded_at =
 * now; kept for the audit trail) or onboarded again (cleared). */
int user_set_offboarded(hy_ctx *c, const char *user_id, bool offboarded, hy_err *err);

/* Studio: access to the organisation's companies picked by Studio id
 * (pending: granted_at NULL until the Studio step grants it; a revoked one
 * becomes pending again). */
int user_add_studio_access(hy_ctx *c, const char *user_id, const char *org_id, const char *studio_id, hy_err *err);
/* The pending access is granted (the Studio step completed). */
int user_grant_studio_access(hy_ctx *c, const char *user_id, hy_err *err);
/* Every active Studio access of the user ends (revoked_at = now); *n: how many. */
int user_revoke_studio_access(hy_ctx *c, const char *user_id, int *n, hy_err *err);
/* The user's personal Studio company (kept if one exists). */
int user_set_personal_company(hy_ctx *c, const char *user_id, const char *studio_id, const char *name, hy_err *err);

#endif
