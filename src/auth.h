/* Passwords (Argon2id, legacy bcrypt accepted once), session tokens (HS256
 * JWT + the sessions table), login with lockout. */
#ifndef HY_AUTH_H
#define HY_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "principal.h"

#define HY_HASH_LEN 128          /* crypto_pwhash_STRBYTES */
#define HY_UNUSABLE_PASSWORD "!" /* stored for accounts nobody logs in to */
#define HY_MAX_TOKEN_LEN 4096

/* Password rules: at least 8 characters, not the email, not "admin123".
 * Adds field errors under `field`; returns 0 if acceptable. */
int auth_password_rules(const char *password, const char *email, const char *field, hy_err *err);
/* Human-readable rules, for forms and prompts. */
const char *auth_password_rules_text(void);

int auth_hash_password(const hy_config *cfg, const char *password, char out[HY_HASH_LEN], hy_err *err);
/* Argon2id ($argon2id$) or the original app's bcrypt ($2b$/$2a$/$2y$). */
bool auth_verify_password(const char *hash, const char *password);
/* True for bcrypt hashes and Argon2id hashes made with other costs. */
bool auth_needs_rehash(const hy_config *cfg, const char *hash);

/* Logs in: checks lockout, the password, the role (user: no panel access;
 * partner_admin needs an organisation), records the attempt, creates a
 * session and returns its token (caller frees) and principal. Errors:
 * HY_ERR_AUTH (generic message), HY_ERR_LOCKED, HY_ERR_FORBIDDEN. */
int auth_login(hy_ctx *c, const char *email, const char *password, hy_principal *out, char **token,
               hy_err *err);

/* The lockout of an email (lower-cased): *until_ms is when it ends (0 when
 * not locked at now_ms), *failures the failed logins since the last
 * successful one. */
int auth_lock_state(hy_ctx *c, const char *email, int64_t now_ms, int64_t *until_ms, int *failures, hy_err *err);
/* Clears the failed logins of an email (inside the caller's transaction):
 * it is no longer locked. *cleared: how many were removed. */
int auth_unlock(hy_ctx *c, const char *email, int *cleared, hy_err *err);

/* Verifies a token (alg pinned to HS256, exp checked, session not revoked)
 * and loads the principal from the current user row. HY_ERR_AUTH if not. */
int auth_session_from_token(hy_ctx *c, const char *token, hy_principal *out, hy_err *err);

/* Is this principal's session still valid (not expired, not revoked, user
 * still there)? The system principal always is. */
int auth_check_session(hy_ctx *c, const hy_principal *p, hy_err *err);

/* Ends this session (revokes it). */
int auth_logout(hy_ctx *c, const hy_principal *p, hy_err *err);

/* Changes the caller's own password after checking the current one. Revokes
 * every session of the user, then opens a new one for the caller: *token
 * (caller frees) and p are updated. */
int auth_change_password(hy_ctx *c, hy_principal *p, const char *current, const char *new_password,
                         char **token, hy_err *err);

/* Revokes every session of a user (inside the caller's transaction). */
int auth_revoke_user_sessions(hy_ctx *c, const char *user_id, const char *why, hy_err *err);

/* Creates a session for a principal already authenticated (used after a
 * password change and by tests). Inside no transaction; writes its own. */
int auth_issue_session(hy_ctx *c, hy_principal *p, char **token, hy_err *err);

/* Ensures the default admin exists (first run): admin@hyopps.local /
 * admin123, flagged to change the password at first login. */
int auth_seed_admin(hy_ctx *c, hy_err *err);

#endif
